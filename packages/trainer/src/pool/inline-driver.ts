/**
 * The in-thread driver (`--simulate`): W logical workers in this thread, each with its own engine (view and replica)
 * over the same memory, running the same merge plan as real workers, taking turns a sample at a time in lock step.
 * It leaves out timing noise and the cost of cache-line traffic (what `trainer bench` measures), so it is
 * deterministic for a seed: the statistics of W workers, on any machine (docs/simulation.md).
 */
import { instantiateKernel } from '@hogwild/core/internal';
import { takeGrain } from '../merge-plan.ts';
import { CONTROL, type EvalResult, type RangeResult, type WorkerInit } from '../protocol.ts';
import { createEngine } from '../worker/engine.ts';
import type { Driver, ParamsCopy } from './session.ts';

export function createInlineDriver(init: WorkerInit, workers: number, params: Float32Array): Driver {
  const ctl = new Int32Array(init.control);
  const kernel = init.module ? instantiateKernel(init.module, init.memory) : undefined;
  const engines = Array.from({ length: workers }, (_, k) => createEngine(init, k, kernel));
  const classes = init.spec.layers[init.spec.layers.length - 1];
  return {
    async train(lr, plan, copyAt) {
      const t0 = performance.now();
      const at = new Array<number>(workers).fill(0);
      const stop = new Array<number>(workers).fill(0);
      const loss = new Array<number>(workers).fill(0);
      const done = new Array<number>(workers).fill(0);
      for (const e of engines) e.begin(plan);
      let cursor = Atomics.load(ctl, CONTROL.NEXT);
      let samples = 0;
      let next = 0; // the next copy point
      const copies: ParamsCopy[] = [];
      const stopped = () => Atomics.load(ctl, CONTROL.STOP) !== 0;
      // Round-robin, a sample per worker a turn; a worker that finds the cursor at the range's end sits out. Copies are
      // taken as the count passes each point, as real workers take them.
      for (let busy = true; busy && !stopped();) {
        busy = false;
        for (let k = 0; k < workers; k++) {
          if (at[k] >= stop[k]) {
            if (cursor >= plan.end) continue;
            at[k] = cursor;
            cursor = stop[k] = Math.min(plan.end, cursor + takeGrain(cursor, plan, workers));
          }
          const t = at[k]++;
          loss[k] += engines[k].train(t, t + 1, lr);
          done[k]++;
          samples++;
          busy = true;
          for (; next < copyAt.length && samples >= copyAt[next]; next++) {
            copies.push({ samples, seconds: (performance.now() - t0) / 1000, params: Float32Array.from(params) });
          }
        }
      }
      Atomics.add(ctl, CONTROL.PROGRESS, samples);
      const results: RangeResult[] = engines.map((e, k) => ({ kind: 'train', samples: done[k], loss: loss[k], stopped: stopped(), mergedFloats: e.finish() }));
      return { results, seconds: (performance.now() - t0) / 1000, copies };
    },
    async evaluate(tasks) {
      return tasks.map((t, k): EvalResult => {
        const confusion = new Int32Array(classes * classes);
        const correct = engines[k % workers].evaluate(t.split, t.start, t.end, confusion);
        return { kind: 'eval', samples: t.end - t.start, correct, confusion };
      });
    },
    close: async () => {},
  };
}
