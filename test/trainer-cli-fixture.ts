import { join } from 'node:path';
import { expect } from 'vitest';
import { mnistIdxFiles } from '@hogwild/data';
import { cli, tempDir } from './helpers.ts';

/**
 * A small dataset made the way a user makes one: `pnpm data convert` on IDX files, here 3,000 + 1,000 MNIST digits,
 * in a folder of its own. Each test/trainer-cli-*.test.ts makes its own in its beforeAll; no test writes to these files.
 */
export async function smallMnist(): Promise<{ dir: string; train: string; test: string }> {
  const idx = mnistIdxFiles();
  const dir = tempDir();
  const train = join(dir, 'train.arrow');
  const test = join(dir, 'test.arrow');
  const [a, b] = await Promise.all([
    cli('data', ['convert', '--images', idx.trainImages, '--labels', idx.trainLabels, '--limit', '3000', '--out', train]),
    cli('data', ['convert', '--images', idx.testImages, '--labels', idx.testLabels, '--limit', '1000', '--out', test]),
  ]);
  expect([a.code, b.code]).toEqual([0, 0]);
  return { dir, train, test };
}

/** One model trained on smallMnist(), 2 epochs with 1 worker, for the tests that only need a model to evaluate or predict with. */
export async function sharedModel(data: { dir: string; train: string; test: string }): Promise<string> {
  const model = join(data.dir, 'shared.safetensors');
  const m = await cli('trainer', ['run', '--data', data.train, '--test', data.test, '--workers', '1', '--epochs', '2', '--save', model, '--json']);
  expect(m.code, m.stderr).toBe(0);
  return model;
}
