import type { NetworkSpec } from '@hogwild/core';
import { createSession } from './internal.ts';
import { measureRun } from './internal.ts';
import type { MergeOptions } from '@hogwild/trainer';
import type { Schedule } from './internal.ts';
import { mnistDatasets } from './helpers.ts';

// Shared by test/scaling.test.ts (determinism) and test/scaling.slow.test.ts (the statistics of W workers).

export interface SimulatedRun {
  readonly spec: NetworkSpec;
  readonly init: 'uniform' | 'he';
  readonly schedule: Schedule;
  readonly epochs: number;
  readonly workers: number;
  readonly seed: number;
  /** The accuracy whose first reaching is reported (`reached`). */
  readonly target?: number;
  /** The merge group of options.ts (merge-plan.ts's defaults where left out). */
  readonly merge?: MergeOptions;
}

/** Test accuracy of a simulated MNIST run, and the samples it took to reach `target` (16 evaluations an epoch). */
export async function simulated(o: SimulatedRun) {
  const files = await mnistDatasets();
  const s = await createSession({ spec: o.spec, kernel: 'wasm', workers: o.workers, train: files.train, test: files.test, init: o.init, seed: o.seed, simulate: true, merge: o.merge });
  try {
    return await measureRun(s, { epochs: o.epochs, schedule: o.schedule, evalsPerEpoch: 16, target: o.target });
  } finally {
    await s.close();
  }
}
