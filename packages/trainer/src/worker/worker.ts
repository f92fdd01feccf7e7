/**
 * The piscina worker: thin task handlers over @hogwild/core. At start it claims a slot for its scratch and
 * makes its network view over the shared parameters; each task then trains on or classifies a range.
 * Training writes parameters with plain stores, no locks (Hogwild!). With several workers each trains on its own
 * replica and merges what it changed into the shared parameters (merge in assembly/merge.ts), a row at a time
 * under that row's lock, so a merge never loses another worker's change; with --sync 0 workers write the shared
 * parameters directly, and races lose or mix an update now and then, which SGD tolerates when updates are sparse.
 */
// piscina hands its workerData option to each thread as worker_threads' own workerData (importing it from piscina would
// tie the worker to piscina's module instance, which a bundled worker does not share).
import { workerData } from 'node:worker_threads';
import { createNetwork, createReplica, instantiateKernel, mergeReplica, predict, pullReplica, setMergePeriods, takeMergedFloats, trainSample, type KernelExports, type NetworkView, type Replica } from '@hogwild/core';
import { CONTROL, copySlot, takeGrain, type CopyPlan, type DatasetRef, type EvalResult, type ReadyResult, type Task, type TaskResult, type TrainResult, type TrainTask, type WorkerInit } from '../protocol.ts';

const init = workerData as WorkerInit;
const buffer = init.memory.buffer as unknown as SharedArrayBuffer;
const control = new Int32Array(init.control);
const slot = Atomics.add(control, CONTROL.CLAIM, 1);
Atomics.notify(control, CONTROL.CLAIM);
if (slot >= init.views.length) throw new Error(`worker slot ${slot} beyond the ${init.views.length} prepared`);
const params = new Float32Array(buffer, init.paramsOffset, init.paramsLength);
const classes = init.spec.layers[init.spec.layers.length - 1];
/** The session's workers: one view (slot) each. */
const workerCount = init.views.length;

// One of the two kernels; both were set up once here, so tasks allocate nothing per sample.
const wasm: KernelExports | null = init.kernel === 'wasm' && init.module ? instantiateKernel(init.module, init.memory) : null;
// With replication on, the TypeScript kernel trains on this worker's own copy, merged every syncEvery samples.
const replica: Replica | null = !wasm && init.syncEvery > 0 ? createReplica(params) : null;
const net: NetworkView | null = wasm ? null : createNetwork(init.spec, replica ? replica.params : params);
/** TypeScript kernel with replication: samples trained since this worker's last merge, and floats merged in this task. */
let sinceMerge = 0;
let tsMerged = 0;

/** Zero-copy views of a dataset in the shared memory. */
interface Features { x: Uint8Array | Float32Array; labels: Uint8Array; scale: number; ref: DatasetRef; /** the kernel's inputU8 flag */ u8: 0 | 1 }
function features(ref: DatasetRef | null): Features | null {
  if (!ref) return null;
  const n = ref.rows * ref.featureLength;
  const x = ref.featureType === 'uint8' ? new Uint8Array(buffer, ref.featuresOffset, n) : new Float32Array(buffer, ref.featuresOffset, n);
  const u8 = ref.featureType === 'uint8';
  return { x, labels: new Uint8Array(buffer, ref.labelsOffset, ref.rows), scale: ref.scale, ref, u8: u8 ? 1 : 0 };
}
const train = features(init.train);
const test = features(init.test);
const order = init.train ? new Uint32Array(buffer, init.orderOffset, init.train.rows) : null;

function need(data: Features | null, name: string): Features {
  if (!data) throw new Error(`no ${name} set was given to the workers`);
  return data;
}

function trainRange({ end, grain, lr, phase, tail, copies, periods }: TrainTask): TrainResult {
  const data = need(train, 'training');
  const d = data.ref.featureLength;
  const tailFrom = end - tail;
  const view = init.views[slot];
  let loss = 0;
  let done = 0;
  if (wasm && periods) setMergePeriods(init.memory, view, periods);
  if (init.syncEvery > 0) pull(phase);
  // Positions come a grain at a time from the range's shared cursor, so every worker stays busy until the range ends.
  for (;;) {
    // Sized from a look at the cursor (another worker may move it before the add: harmless, the size is a hint).
    const g = takeGrain(Atomics.load(control, CONTROL.NEXT), end, grain, tail, workerCount);
    const at = Atomics.add(control, CONTROL.NEXT, g);
    if (at >= end) break;
    if (Atomics.load(control, CONTROL.STOP) !== 0) return finishTrain(done, loss, true);
    const stop = Math.min(end, at + g);
    if (wasm) {
      const cut = Math.max(at, Math.min(stop, tailFrom));
      if (cut > at) loss += wasm.train(view, data.ref.featuresOffset, d, data.u8, data.scale, data.ref.labelsOffset, init.orderOffset, at, cut, lr);
      // The range's tail: every sample merged at once (CLOSING_TAIL in pool/sync.ts).
      for (let t = cut; t < stop; t++) {
        loss += wasm.train(view, data.ref.featuresOffset, d, data.u8, data.scale, data.ref.labelsOffset, init.orderOffset, t, t + 1, lr);
        wasm.merge(view);
      }
    } else {
      for (let t = at; t < stop; t++) {
        const s = order![t];
        loss += trainSample(net!, data.x, s * d, data.scale, data.labels[s], lr);
        if (replica && ++sinceMerge >= init.syncEvery) tsMerge(replica);
      }
    }
    done += stop - at;
    // Relaxed counting is enough: the main thread only reads it to draw progress.
    const progress = Atomics.add(control, CONTROL.PROGRESS, stop - at) + (stop - at);
    if (copies) takeCopies(copies, progress);
  }
  return finishTrain(done, loss, false);
}

/**
 * Copies the shared parameters for each evaluation point that `progress` has reached and no other worker has claimed
 * (46 µs for R's 79,510 parameters, about what 10 samples take; every worker count pays it alike, where the main
 * thread's copies were free for one worker, which left it a core).
 */
function takeCopies(plan: CopyPlan, progress: number): void {
  for (;;) {
    const k = Atomics.load(control, CONTROL.COPY);
    if (k >= plan.at.length || progress < plan.at[k]) return;
    // The count and the time are read before the claim: a worker the system paused between claiming copy k and
    // reading them stamped it later than the copies k + 1, … that the others took meanwhile (one copy 9 ms late, in
    // about one `trainer bench` of ten on a loaded 2-vCPU machine). Read first, a copy's stamp comes before any later
    // copy's, whose worker saw this claim before reading its own; a pause before the claim lets another worker claim.
    const samples = Atomics.load(control, CONTROL.PROGRESS);
    const at = performance.timeOrigin + performance.now();
    if (Atomics.compareExchange(control, CONTROL.COPY, k, k + 1) !== k) continue;
    const copy = copySlot(plan, k, params.length);
    copy.header[0] = samples;
    copy.header[1] = at;
    copy.params.set(params);
  }
}

/**
 * TypeScript kernel: merges the whole replica under one lock (a slot of the control array), so that two merges
 * never interleave and lose a change. The wasm kernel locks row by row instead (merge in assembly/merge.ts);
 * this kernel is about ten times slower, so its merges are rare and a single lock costs little.
 */
function tsMerge(r: Replica): void {
  while (Atomics.compareExchange(control, CONTROL.MERGE_LOCK, 0, 1) !== 0) Atomics.wait(control, CONTROL.MERGE_LOCK, 1, 1);
  mergeReplica(params, r);
  Atomics.store(control, CONTROL.MERGE_LOCK, 0);
  Atomics.notify(control, CONTROL.MERGE_LOCK, 1);
  sinceMerge = 0;
  tsMerged += r.params.length;
}

/** Takes the shared parameters into this worker's replica (at the start of a task: they may have been reset or merged by others). */
function pull(phase: number): void {
  if (wasm) wasm.pull(init.views[slot], phase);
  else if (replica) pullReplica(params, replica);
  sinceMerge = phase;
}

/** Pushes what this worker's replica holds back into the shared parameters before the task ends. */
function finishTrain(samples: number, loss: number, stopped: boolean): TrainResult {
  let mergedFloats = 0;
  if (wasm && init.syncEvery > 0) {
    wasm.merge(init.views[slot]);
    mergedFloats = takeMergedFloats(init.memory, init.views[slot]);
  } else if (replica) {
    tsMerge(replica);
    mergedFloats = tsMerged;
    tsMerged = 0;
  }
  return { kind: 'train', samples, loss, stopped, mergedFloats };
}

function evalRange(split: 'train' | 'test', start: number, end: number): EvalResult {
  const data = split === 'test' ? need(test, 'test') : need(train, 'training');
  const d = data.ref.featureLength;
  const confusion = new Int32Array(classes * classes);
  let correct = 0;
  if (init.syncEvery > 0) pull(0);
  if (wasm) {
    const at = init.confusion[slot];
    const scratch = new Int32Array(buffer, at, classes * classes);
    scratch.fill(0);
    correct = wasm.evaluate(init.views[slot], data.ref.featuresOffset, d, data.u8, data.scale, data.ref.labelsOffset, start, end, at);
    confusion.set(scratch);
  } else {
    for (let s = start; s < end; s++) {
      const p = predict(net!, data.x, s * d, data.scale);
      const label = data.labels[s];
      confusion[label * classes + p]++;
      if (p === label) correct++;
    }
  }
  return { kind: 'eval', samples: end - start, correct, confusion };
}


/** Blocks this thread until all workers have claimed their slots (so the pool is warm before anything is timed). */
function ready(workers: number): ReadyResult {
  const deadline = Date.now() + 60_000;
  for (let seen = Atomics.load(control, CONTROL.CLAIM); seen < workers; seen = Atomics.load(control, CONTROL.CLAIM)) {
    if (Date.now() > deadline) throw new Error(`only ${seen} of ${workers} workers started within 60 s`);
    Atomics.wait(control, CONTROL.CLAIM, seen, 1000);
  }
  return { kind: 'ready', slot };
}

export default function run(task: Task): TaskResult {
  switch (task.kind) {
    case 'ready': return ready(task.workers);
    case 'train': return trainRange(task);
    case 'eval': return evalRange(task.split, task.start, task.end);
  }
}
