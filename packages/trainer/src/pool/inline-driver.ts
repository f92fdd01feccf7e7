/**
 * The in-thread driver (`--simulate`): W logical workers in this thread, each with its own engine (view and replica)
 * over the same memory, each running the one worker loop (worker/loop.ts) of real workers, taking turns a sample at
 * a time in lock step. It leaves out timing noise and the cost of cache-line traffic (what `trainer bench`
 * measures), so it is deterministic for a seed: the statistics of W workers, on any machine (docs/simulation.md).
 */
import { instantiateKernel } from '@hogwild/core/internal';
import type { EvalResult, RangeResult, WorkerInit } from '../protocol.ts';
import { createEngine } from '../worker/engine.ts';
import { workerLoop, type WorkerRange } from '../worker/loop.ts';
import type { Driver } from './session.ts';

export function createInlineDriver(init: WorkerInit, workers: number, params: Float32Array): Driver {
  const ctl = new Int32Array(init.control);
  const kernel = init.kernel.name === 'wasm' ? instantiateKernel(init.kernel.module, init.memory) : undefined;
  const engines = Array.from({ length: workers }, (_, k) => createEngine(init, k, kernel));
  const classes = init.spec.layers[init.spec.layers.length - 1];
  return {
    async train(lr, plan, copies) {
      for (const e of engines) e.begin(plan);
      const loops = engines.map((e) => workerLoop(e, ctl, plan, workers, lr, 1, copies, params));
      const ranges: (WorkerRange | null)[] = loops.map(() => null);
      // Round-robin, a sample per worker a turn, until every loop has ended; then each protocol's end of the range.
      for (let busy = workers; busy > 0;) {
        for (let k = 0; k < workers; k++) {
          if (ranges[k]) continue;
          const r = loops[k].next();
          if (r.done) {
            ranges[k] = r.value;
            busy--;
          }
        }
      }
      return engines.map((e, k): RangeResult => ({ kind: 'train', ...ranges[k]!, mergedFloats: e.finish() }));
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
