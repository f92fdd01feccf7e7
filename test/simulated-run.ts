import type { NetworkSpec } from '@hogwild/core';
import { ensureMnist } from '@hogwild/data';
import { createSession } from '../packages/trainer/src/pool/session.ts';
import { measureRun } from '../packages/trainer/src/bench/curve.ts';
import type { Schedule } from '../packages/trainer/src/schedule.ts';
import type { SyncFlag } from '../packages/trainer/src/pool/sync.ts';

// Shared by test/scaling.test.ts (determinism) and test/scaling.slow.test.ts (the statistics of W workers).

/** Test accuracy of a simulated run, and the samples it took to reach `target` (16 evaluations an epoch). */
export async function simulated(spec: NetworkSpec, init: 'uniform' | 'he', schedule: Schedule, epochs: number, workers: number, seed: number, target?: number, sync: SyncFlag = 'auto', dense?: number, tail?: number) {
  const files = await ensureMnist();
  const s = await createSession({ spec, kernel: 'wasm', workers, trainFile: files.train, testFile: files.test, init, seed, simulate: true, sync, syncDense: dense, syncTail: tail });
  const run = await measureRun(s, { epochs, schedule, evalsPerEpoch: 16, target });
  await s.close();
  return run;
}
