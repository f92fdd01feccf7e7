import { describe, expect, it } from 'vitest';
import { createRng } from '@hogwild/core';
import { train, type TrainOptions } from '@hogwild/trainer';
import { chanceLoss, nearChanceWarning, type ChanceEpoch } from './internal.ts';

/**
 * A wide table with seeded random features and classes that do not depend on them: 60 rows of 2,000 columns are
 * learned by heart in a few epochs, and nothing of it carries over to the test rows (50% is chance).
 */
function wideTables() {
  const rng = createRng(11);
  const table = (rows: number) => ({
    features: Array.from({ length: rows }, () => Array.from({ length: 2000 }, () => 2 * rng.nextFloat() - 1)),
    labels: Array.from({ length: rows }, () => (rng.nextFloat() < 0.5 ? 'no' : 'yes')),
  });
  return { data: table(60), test: table(200) };
}

async function warnings(o: TrainOptions): Promise<{ warnings: string[]; losses: number[] }> {
  const seen: string[] = [];
  const r = await train({ ...wideTables(), workers: 1, seed: 1, ...o, onWarning: (m) => seen.push(m) });
  return { warnings: seen, losses: r.history.map((e) => e.loss) };
}

describe('the remark on an accuracy near chance tells overfitting from a learning rate too high', () => {
  it('a wide table learned by heart (training loss far below guessing\'s, test accuracy near chance) gets the overfitting remark', async () => {
    const { warnings: w, losses } = await warnings({ epochs: 5 });
    expect(losses.at(-1)).toBeLessThan(0.01);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^test accuracy \d+\.\d\d% after epoch \d is near chance \(50\.00% for 2 classes\), though the training loss \S+ is far below guessing's 0\.693: the network learns its training rows but does not generalise \(it overfits, or the test set is unlike them\); try fewer epochs \(--epochs\), fewer hidden units \(--layers\), label smoothing \(--label-smoothing 0\.1\), or more training rows$/);
    expect(w[0]).not.toMatch(/learning rate/);
  });

  it('a rate too high (training loss above guessing\'s and not falling) gets the learning-rate remark', async () => {
    const { warnings: w, losses } = await warnings({ epochs: 3, lr: 50, activation: 'sigmoid', loss: 'cross-entropy' });
    expect(losses.at(-1)).toBeGreaterThan(chanceLoss('cross-entropy', 2, 0));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^test accuracy \d+\.\d\d% after epoch \d is near chance \(50\.00% for 2 classes\): the learning rate \(50: --lr, or lr in train\(\)\) may be too high$/);
  });

  const epoch = (e: Partial<ChanceEpoch>): ChanceEpoch => ({ epoch: 1, last: false, accuracy: 0.5, split: 'test', losses: [1], classes: 2, loss: 'softmax', labelSmoothing: 0, lr: 0.02, ...e });

  it('waits while the training loss falls from above guessing\'s, and decides at the last epoch', () => {
    // The first epoch of a network learning by heart can cost more than guessing (its first updates are large).
    expect(nearChanceWarning(epoch({ losses: [1.9] }))).toBeNull();
    expect(nearChanceWarning(epoch({ epoch: 2, losses: [1.9, 0.6] }))).toBeNull();
    expect(nearChanceWarning(epoch({ epoch: 2, losses: [1.9, 0.6], last: true }))).toMatch(/overfits/);
    expect(nearChanceWarning(epoch({ epoch: 2, losses: [1.9, 0.9], last: true }))).toMatch(/learning rate \(0\.02: --lr/);
    expect(nearChanceWarning(epoch({ epoch: 2, losses: [0.8, 0.9] }))).toMatch(/learning rate/);
    expect(nearChanceWarning(epoch({ epoch: 2, losses: [1.9, 0.2] }))).toMatch(/overfits/);
    expect(nearChanceWarning(epoch({ accuracy: 0.76, losses: [5], last: true }))).toBeNull();
  });

  it('without a test set (the training data evaluated) the remark is the learning rate\'s at once, and label smoothing is suggested only where it is not on', () => {
    expect(nearChanceWarning(epoch({ split: 'train', losses: [0.01] }))).toMatch(/^train accuracy 50\.00% after epoch 1 is near chance .*: the learning rate/);
    expect(nearChanceWarning(epoch({ losses: [0.3], labelSmoothing: 0.1 }))).not.toMatch(/label smoothing/);
    expect(nearChanceWarning(epoch({ losses: [0.1], loss: 'cross-entropy' }))).not.toMatch(/label smoothing/);
    expect(chanceLoss('softmax', 10, 0)).toBeCloseTo(Math.log(10), 12);
  });
});
