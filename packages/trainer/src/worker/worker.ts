/**
 * The piscina worker: thin task handlers over its engine (engine.ts). At start it claims a slot of the arena for its
 * view and scratch; each task then trains on a range (the merge plan, merge-plan.ts, taking a grain at a time from
 * the shared cursor) or classifies one. Training writes parameters with plain stores, no locks (Hogwild!); with
 * replicas each worker trains on its own copy and merges what it changed under per-row-group locks, so no change is
 * lost (docs/merge-protocol.md).
 */
// piscina hands its workerData option to each thread as worker_threads' own workerData (importing it from piscina would
// tie the worker to piscina's module instance, which a bundled worker does not share).
import { workerData } from 'node:worker_threads';
import { HogwildError } from '@hogwild/core';
import { takeGrain } from '../merge-plan.ts';
import { CONTROL, copySlot, type CopyPlan, type EvalResult, type RangeResult, type ReadyResult, type Task, type TaskResult, type TrainTask, type WorkerInit } from '../protocol.ts';
import { createEngine } from './engine.ts';

const init = workerData as WorkerInit;
const control = new Int32Array(init.control);
const slot = Atomics.add(control, CONTROL.CLAIM, 1);
Atomics.notify(control, CONTROL.CLAIM);
if (slot >= init.views.length) throw new HogwildError('E_INTERNAL', `worker slot ${slot} beyond the ${init.views.length} prepared`);
const params = new Float32Array(init.memory.buffer as unknown as SharedArrayBuffer, init.paramsOffset, init.paramsLength);
const classes = init.spec.layers[init.spec.layers.length - 1];
const engine = createEngine(init, slot);

function trainRange({ lr, plan, copies }: TrainTask): RangeResult {
  let loss = 0;
  let done = 0;
  let stopped = false;
  engine.begin(plan);
  for (;;) {
    // Sized from a look at the cursor (another worker may move it before the add: harmless, the size is a hint).
    const g = takeGrain(Atomics.load(control, CONTROL.NEXT), plan, init.views.length);
    const at = Atomics.add(control, CONTROL.NEXT, g);
    if (at >= plan.end) break;
    if (Atomics.load(control, CONTROL.STOP) !== 0) { stopped = true; break; }
    const stop = Math.min(plan.end, at + g);
    loss += engine.train(at, stop, lr);
    done += stop - at;
    // Relaxed counting is enough: the main thread only reads it to draw progress.
    const progress = Atomics.add(control, CONTROL.PROGRESS, stop - at) + (stop - at);
    if (copies) takeCopies(copies, progress);
  }
  return { kind: 'train', samples: done, loss, stopped, mergedFloats: engine.finish() };
}

/**
 * Copies the shared parameters for each evaluation point that `progress` has reached and no other worker has
 * claimed (about what 10 samples cost, and every worker count pays it alike).
 */
function takeCopies(plan: CopyPlan, progress: number): void {
  for (;;) {
    const k = Atomics.load(control, CONTROL.COPY);
    if (k >= plan.at.length || progress < plan.at[k]) return;
    // The count and the time are read before the claim: a worker paused between claiming copy k and reading them
    // would stamp it after the copies k + 1, … that the others took meanwhile. Read first, a copy's stamp comes
    // before any later copy's, whose worker saw this claim before reading its own.
    const samples = Atomics.load(control, CONTROL.PROGRESS);
    const at = performance.timeOrigin + performance.now();
    if (Atomics.compareExchange(control, CONTROL.COPY, k, k + 1) !== k) continue;
    const copy = copySlot(plan, k, params.length);
    copy.header[0] = samples;
    copy.header[1] = at;
    copy.params.set(params);
  }
}

function evalRange(split: 'train' | 'test', start: number, end: number): EvalResult {
  const confusion = new Int32Array(classes * classes);
  const correct = engine.evaluate(split, start, end, confusion);
  return { kind: 'eval', samples: end - start, correct, confusion };
}

/** Blocks this thread until all workers have claimed their slots (so the pool is warm before anything is timed). */
function ready(workers: number): ReadyResult {
  const deadline = Date.now() + 60_000;
  for (let seen = Atomics.load(control, CONTROL.CLAIM); seen < workers; seen = Atomics.load(control, CONTROL.CLAIM)) {
    if (Date.now() > deadline) throw new HogwildError('E_WORKER', `only ${seen} of ${workers} workers started within 60 s`);
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
