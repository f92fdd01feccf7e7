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
import { CONTROL, type EvalResult, type RangeResult, type ReadyResult, type Task, type TaskResult, type TrainTask, type WorkerInit } from '../protocol.ts';
import { createEngine } from './engine.ts';
import { workerLoop } from './loop.ts';

const init = workerData as WorkerInit;
const control = new Int32Array(init.control);
const slot = Atomics.add(control, CONTROL.CLAIM, 1);
Atomics.notify(control, CONTROL.CLAIM);
if (slot >= init.kernel.slots) throw new HogwildError('E_INTERNAL', `worker slot ${slot} beyond the ${init.kernel.slots} prepared`);
const params = new Float32Array(init.memory.buffer as unknown as SharedArrayBuffer, init.paramsOffset, init.paramsLength);
const classes = init.spec.layers[init.spec.layers.length - 1];
const engine = createEngine(init, slot);

/** The worker loop (loop.ts) to the end, a grain at a time, then the protocol's end of the range. */
function trainRange({ lr, plan, copies }: TrainTask): RangeResult {
  engine.begin(plan);
  const loop = workerLoop(engine, control, plan, init.kernel.slots, lr, Infinity, copies, params);
  let r = loop.next();
  while (!r.done) r = loop.next();
  return { kind: 'train', ...r.value, mergedFloats: engine.finish() };
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
