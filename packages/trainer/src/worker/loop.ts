/**
 * The worker loop, one for every worker: a thread of the pool runs it to the end (worker.ts), and the simulation
 * interleaves W of them in one thread, a sample of each in turn (pool/inline-driver.ts). A worker takes positions
 * from the shared cursor a grain at a time (the merge plan's takeGrain), trains them through its engine, adds them
 * to the progress count and takes the evaluation copies that count passes; it stops at the range's end or when the
 * main thread sets STOP.
 */
import { takeGrain, type RangePlan } from '../merge-plan.ts';
import { CONTROL, copySlot, type CopyPlan } from '../protocol.ts';
import type { Engine } from './engine.ts';

/** What one worker trained of a range. */
export interface WorkerRange { samples: number; loss: number; stopped: boolean }

/**
 * Trains the worker's share of the range in `plan` (CONTROL.NEXT at its start), yielding after every `step` positions
 * (Infinity: after each grain). The engine's begin() has been called; finish() is the caller's, once every worker is
 * done (so that a simulation merges as the workers of a thread pool would, each after its last grain).
 */
export function* workerLoop(engine: Engine, control: Int32Array, plan: RangePlan, workers: number, lr: number, step: number, copies: CopyPlan | null, params: Float32Array): Generator<void, WorkerRange> {
  const r: WorkerRange = { samples: 0, loss: 0, stopped: false };
  for (;;) {
    // Sized from a look at the cursor (another worker may move it before the add: harmless, the size is a hint).
    const g = takeGrain(Atomics.load(control, CONTROL.NEXT), plan, workers);
    const at = Atomics.add(control, CONTROL.NEXT, g);
    if (at >= plan.end) return r;
    if (Atomics.load(control, CONTROL.STOP) !== 0) {
      r.stopped = true;
      return r;
    }
    const stop = Math.min(plan.end, at + g);
    for (let t = at; t < stop;) {
      const next = Math.min(stop, t + step);
      r.loss += engine.train(t, next, lr);
      r.samples += next - t;
      // Relaxed counting is enough: the main thread only reads it to draw progress.
      const progress = Atomics.add(control, CONTROL.PROGRESS, next - t) + (next - t);
      if (copies) takeCopies(control, copies, progress, params);
      t = next;
      yield;
    }
  }
}

/**
 * Copies the shared parameters for each evaluation point that `progress` has reached and no other worker has
 * claimed (about what 10 samples cost, and every worker count pays it alike).
 */
function takeCopies(control: Int32Array, plan: CopyPlan, progress: number, params: Float32Array): void {
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
