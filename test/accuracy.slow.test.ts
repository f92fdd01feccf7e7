import { describe, expect, it } from 'vitest';
import { REFERENCE_SPEC } from './internal.ts';
import { createSession } from './internal.ts';
import { mnistDatasets } from './helpers.ts';

// The reference configuration R on the bundled MNIST: 784-100-10 sigmoid, summed cross-entropy, U(-0.1, 0.1), lr 0.033.
async function oneEpoch(workers: number, kernel: 'ts' | 'wasm', every: number | 'auto' = 'auto', seed = 1): Promise<number> {
  const files = await mnistDatasets();
  const s = await createSession({ spec: REFERENCE_SPEC, kernel, workers, train: files.train, test: files.test, init: 'uniform', seed, merge: { every: every } });
  try {
    await s.trainEpoch(0.033);
    return (await s.evaluate('test')).accuracy;
  } finally {
    await s.close();
  }
}

describe('accuracy of R after one epoch on MNIST', () => {
  it('one worker reaches 95.3% with either kernel (the numpy reference gets 95.57%)', async () => {
    expect(await oneEpoch(1, 'wasm')).toBeGreaterThanOrEqual(0.953);
    expect(await oneEpoch(1, 'ts')).toBeGreaterThanOrEqual(0.953);
  });

  // One epoch of R moves by about a point between shuffles (README), and one 2-worker race by half of one: each seed's
  // 2-worker run is set against the 1-worker run of the same seed (same weights and order), averaged over five seeds.
  it('two Hogwild workers land within half a point of one worker on average over seeds 1-5, replicated or plain', async () => {
    const seeds = [1, 2, 3, 4, 5];
    const one: number[] = [];
    for (const seed of seeds) one.push(await oneEpoch(1, 'wasm', 'auto', seed));
    for (const sync of ['auto', 0] as const) {
      const gaps: number[] = [];
      for (const [k, seed] of seeds.entries()) gaps.push((await oneEpoch(2, 'wasm', sync, seed)) - one[k]);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      expect(Math.abs(mean), `--merge ${sync}: 2 workers minus 1, by seed: ${gaps.map((g) => (100 * g).toFixed(2)).join(', ')} points`).toBeLessThanOrEqual(0.005);
    }
  });
});
