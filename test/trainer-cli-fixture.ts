import { join } from 'node:path';
import { expect } from 'vitest';
import { mnistIdxFiles } from './internal.ts';
import { cli, tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createDataProgram } from './internal.ts';
import { createTrainerProgram as createProgram } from './internal.ts';

/**
 * A small dataset made the way a user makes one: `pnpm data convert` on IDX files, here 3,000 + 1,000 MNIST digits,
 * in a folder of its own. Each test/trainer-cli-*.test.ts makes its own in its beforeAll; no test writes to these files.
 * `processes`: as `pnpm data` processes (the end-to-end tests' chain begins there); else in this process, through the
 * program the CLI runs: with the model, 0.7 s of CPU against about 3 s as processes.
 */
export async function smallMnist(processes = false): Promise<{ dir: string; train: string; test: string }> {
  const idx = mnistIdxFiles();
  const dir = tempDir();
  const train = join(dir, 'train.arrow');
  const test = join(dir, 'test.arrow');
  const args = [
    ['convert', '--images', idx.trainImages, '--labels', idx.trainLabels, '--limit', '3000', '--out', train],
    ['convert', '--images', idx.testImages, '--labels', idx.testLabels, '--limit', '1000', '--out', test],
  ];
  // In this process one after the other: runProgram captures stdout and stderr for one command at a time.
  const [a, b] = processes ? await Promise.all(args.map((x) => cli('data', x)))
    : [await runProgram(createDataProgram(), args[0]), await runProgram(createDataProgram(), args[1])];
  expect([a.code, b.code]).toEqual([0, 0]);
  return { dir, train, test };
}

/**
 * One model trained on smallMnist(), 2 epochs with 1 worker, for the tests that only need a model to evaluate or
 * predict with; in this process, through the program the CLI runs.
 */
export async function sharedModel(data: { dir: string; train: string; test: string }): Promise<string> {
  const model = join(data.dir, 'shared.safetensors');
  const m = await runProgram(createProgram(), ['run', '--data', data.train, '--test', data.test, '--workers', '1', '--epochs', '2', '--save', model, '--json']);
  expect(m.code, m.stderr).toBe(0);
  return model;
}

/** smallMnist() made in this process and sharedModel() trained on it: what the eval and robustness tests start from. */
export async function smallMnistWithModel(): Promise<{ train: string; test: string; model: string }> {
  const data = await smallMnist();
  return { train: data.train, test: data.test, model: await sharedModel(data) };
}

/**
 * The trainer CLI in this process: the program and runtime that main.ts runs, its exit code what the process would
 * exit with. Spawned (cli) where the process itself is under test: the end-to-end chain, signals, a second process
 * for determinism, and variables read when a module loads (HOGWILD_KERNEL_WASM, HOGWILD_WORKER).
 */
export const trainerInProcess = (args: string[]) => runProgram(createProgram(), args);
