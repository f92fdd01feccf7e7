import { describe, expect, it } from 'vitest';
import { REFERENCE_SPEC } from '@hogwild/core';
import { createSession } from '../packages/trainer/src/pool/session.ts';
import { mnistDatasets } from './helpers.ts';

// The reference configuration R on the bundled MNIST: 784-100-10 sigmoid, summed cross-entropy, U(-0.1, 0.1), lr 0.033.
async function oneEpoch(workers: number, kernel: 'ts' | 'wasm', every: number | 'auto' = 'auto'): Promise<number> {
  const files = await mnistDatasets();
  const s = await createSession({ spec: REFERENCE_SPEC, kernel, workers, train: files.train, test: files.test, init: 'uniform', seed: 1, merge: { every: every } });
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

  it('two Hogwild workers land within half a point of one worker, replicated or plain', async () => {
    const one = await oneEpoch(1, 'wasm');
    for (const sync of ['auto', 0] as const) {
      const two = await oneEpoch(2, 'wasm', sync);
      expect(Math.abs(two - one), `--merge ${sync}: ${two} vs ${one}`).toBeLessThanOrEqual(0.005);
    }
  });
});
