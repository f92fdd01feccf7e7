import type { NetworkSpec } from '@hogwild/core';
import { createSession } from '../packages/trainer/src/pool/session.ts';
import { measureRun } from '../packages/trainer/src/bench/curve.ts';
import type { Schedule } from '../packages/trainer/src/schedule.ts';
import { mnistDatasets } from './helpers.ts';

// Shared by test/scaling.test.ts (determinism) and test/scaling.slow.test.ts (the statistics of W workers).

/** Test accuracy of a simulated run, and the samples it took to reach `target` (16 evaluations an epoch). */
export async function simulated(spec: NetworkSpec, init: 'uniform' | 'he', schedule: Schedule, epochs: number, workers: number, seed: number, target?: number, every: 'auto' | number = 'auto', dense?: number, tail?: number) {
  const files = await mnistDatasets();
  const s = await createSession({ spec, kernel: 'wasm', workers, train: files.train, test: files.test, init, seed, simulate: true, merge: { every, dense, tail } });
  const run = await measureRun(s, { epochs, schedule, evalsPerEpoch: 16, target });
  await s.close();
  return run;
}
