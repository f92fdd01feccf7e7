import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '@hogwild/core';
import { writeArrowDataset } from '@hogwild/data';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';
import { smallMnistWithModel, trainerInProcess } from './trainer-cli-fixture.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createTrainerProgram as createProgram } from './internal.ts';
import { createDataProgram } from './internal.ts';

// The trainer CLI: its interrupts, failures and refusals.
// test/trainer-cli-*.test.ts are one file a topic, so that they run side by side; each makes its own small dataset.
let train: string, test: string, model: string;
beforeAll(async () => ({ train, test, model } = await smallMnistWithModel()));

const small = () => ['--data', train, '--test', test];
const trainer = trainerInProcess;

describe('trainer robustness', () => {
  it('Ctrl-C stops the workers, leaves a loadable checkpoint next to --save and exits 130', async () => {
    const save = join(tempDir(), 'model.safetensors');
    let sent = false;
    const r = await cli('trainer', ['run', ...small(), '--workers', '2', '--epochs', '500', '--save', save, '--json'], {
      onStdout: (text, child) => {
        if (!sent && text.includes('"event":"epoch"')) { sent = true; child.kill('SIGINT'); }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    const checkpoint = join(save.replace(/\.safetensors$/, '.checkpoint.safetensors'));
    expect(r.stderr).toContain(`checkpoint saved to ${checkpoint}`);
    expect(existsSync(save)).toBe(false);
    const m = loadModel(checkpoint);
    expect(m.spec.layers).toEqual([784, 128, 10]);
    expect(Number(m.extra?.epochs)).toBeGreaterThanOrEqual(1);
  });

  it('Ctrl-C in a terminal running `pnpm trainer run` (SIGINT to the whole process group) leaves a loadable checkpoint and exits 130', async () => {
    const save = join(tempDir(), 'group.safetensors');
    // As a terminal does: pnpm, its shell and node share a process group, and Ctrl-C signals all of them at once.
    const child = spawn('pnpm', ['trainer', 'run', ...small(), '--workers', '2', '--epochs', '500', '--save', save, '--json'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', sent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!sent && stdout.includes('"event":"epoch"')) { sent = true; process.kill(-child.pid!, 'SIGINT'); }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, sig) => resolve([c, sig])));
    expect(sent).toBe(true);
    const checkpoint = save.replace(/\.safetensors$/, '.checkpoint.safetensors');
    expect(stderr).toContain(`checkpoint saved to ${checkpoint}`);
    expect(stderr).not.toContain('interrupted again');
    // node exits 130; pnpm, which got the same SIGINT, then ends by that signal (a shell reports both as 130).
    expect(code === 130 || signal === 'SIGINT', `code ${code}, signal ${signal}`).toBe(true);
    expect(Number(loadModel(checkpoint).extra?.epochs)).toBeGreaterThanOrEqual(1);
  });

  it('a run that diverges stops with one line naming --lr, exit 1, and saves nothing', async () => {
    const save = join(tempDir(), 'diverged.safetensors');
    const r = await trainer(['run', ...small(), '--workers', '1', '--epochs', '3', '--lr', '1e30', '--save', save]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^trainer: training diverged in epoch 1: (the weights are no longer finite \(layers\.\d\.(weight|bias)\[[\d,]+\] is (NaN|-?Infinity)\)|the mean loss is NaN); lower the learning rate \(now 1e\+30: --lr, or lr in train\(\)\), or look for NaN or infinite features in .+train\.arrow\. Nothing was saved\.\n$/);
    expect(existsSync(save)).toBe(false);
  });

  it('warns when the accuracy after an epoch is near chance', async () => {
    const r = await trainer(['run', ...small(), '--workers', '1', '--epochs', '1', '--lr', '50', '--loss', 'cross-entropy', '--activation', 'sigmoid', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: test accuracy \d+\.\d\d% after epoch 1 is near chance \(10\.00% for 10 classes\): the learning rate \(50: --lr, or lr in train\(\)\) may be too high\n$/);
  });

  it('--save never replaces a dataset, and replaces another file only with --force', async () => {
    const copy = join(tempDir(), 'train.arrow');
    writeFileSync(copy, readFileSync(train));
    const onData = await trainer(['run', '--data', copy, '--test', test, '--workers', '1', '--epochs', '1', '--save', copy, '--force']);
    expect(onData.code).toBe(2);
    expect(onData.stderr).toBe(`trainer: --save ${copy} is the training set: choose another name for the model\n`);
    expect(Buffer.compare(readFileSync(copy), readFileSync(train)), 'the training set was changed').toBe(0); // (toEqual on 2.4 MB took 10-25 s)
    const existing = join(tempDir(), 'm.safetensors');
    writeFileSync(existing, 'keep me');
    const refused = await trainer(['run', ...small(), '--workers', '1', '--epochs', '1', '--save', existing]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`trainer: --save ${existing}: the file exists; pass --force to replace it\n`);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    const forced = await trainer(['run', ...small(), '--workers', '1', '--epochs', '1', '--save', existing, '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(loadModel(existing).spec.layers).toEqual([784, 128, 10]);
  });

  it('refuses a dataset without samples instead of training on it', async () => {
    const f = join(tempDir(), 'empty.arrow');
    await writeArrowDataset(f, { rows: 0, featureLength: 784, features: new Uint8Array(0), labels: new Uint8Array(0), shape: [28, 28], source: 'none' });
    const r = await trainer(['run', '--data', f, '--workers', '1', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`trainer: ${f}: the dataset has no samples\n`);
  });

  it('keeps a trained model whose --save folder went away during training: it goes to the temporary folder, exit 1', async () => {
    const dir = join(tempDir(), 'gone');
    mkdirSync(dir);
    const save = join(dir, 'm.safetensors');
    let removed = false;
    const r = await cli('trainer', ['run', ...small(), '--workers', '1', '--epochs', '3', '--save', save, '--json'], {
      onStdout: (text) => { if (!removed && text.includes('"event":"epoch"')) { removed = true; rmSync(dir, { recursive: true }); } },
    });
    expect(removed).toBe(true);
    expect(r.code).toBe(1);
    const m = /^trainer: .+m\.safetensors: cannot write the model \(ENOENT\); it was saved to (.+\.safetensors) instead\n$/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(loadModel(m![1]).extra?.epochs).toBe('3');
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ event: 'done', saved: m![1] });
    rmSync(m![1]);
  });

  it('--save naming a folder is a usage error', async () => {
    const dir = tempDir();
    const r = await trainer(['run', ...small(), '--workers', '1', '--epochs', '1', '--save', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`trainer: --save ${dir} is a folder; give a file name such as ${join(dir, 'model.safetensors')}\n`);
  });

  it('names the environment variable or device at fault, in one line, instead of an internal error or an endless read', async () => {
    const notFolder = join(tempDir(), 'cache-file');
    writeFileSync(notFolder, 'x');
    const cache = await cli('trainer', ['run', '--epochs', '1'], { env: { HOGWILD_CACHE: notFolder } });
    expect(cache.code).toBe(2);
    expect(cache.stderr).toMatch(new RegExp(`^trainer: HOGWILD_CACHE=${notFolder}: cannot make the MNIST cache folder \\((EEXIST|ENOTDIR)\\)\n$`));
    const kernel = await cli('trainer', ['run', ...small(), '--kernel', 'wasm', '--epochs', '1'], { env: { HOGWILD_KERNEL_WASM: notFolder } });
    expect(kernel.code).toBe(1);
    expect(kernel.stderr).toMatch(new RegExp(`^trainer: the WebAssembly kernel ${notFolder} is not a kernel module \\(.+\\); unset HOGWILD_KERNEL_WASM or rebuild`));
    const zeroData = await trainer(['run', '--data', '/dev/zero', '--epochs', '1']);
    expect(zeroData.stderr).toBe('trainer: /dev/zero: is not a regular file (a device, pipe or socket)\n');
    const zeroModel = await trainer(['eval', '--model', '/dev/zero', '--data', test]);
    expect(zeroModel.stderr).toBe('trainer: /dev/zero: is not a regular file (a device, pipe or socket)\n');
    expect([zeroData.code, zeroModel.code]).toEqual([1, 1]);
  });

  it('refuses a dataset whose samples have no features, naming the file rather than --layers', async () => {
    const f = join(tempDir(), 'nofeatures.arrow');
    await writeArrowDataset(f, { rows: 3, featureLength: 0, features: new Uint8Array(0), labels: Uint8Array.from([0, 1, 0]), shape: [0], source: 'none' });
    const r = await trainer(['run', '--data', f, '--workers', '1', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`trainer: ${f}: samples have 0 features, nothing to learn from\n`);
  });

  for (const fault of ['throw', 'exit']) {
    it(`a worker that fails (${fault}) ends the run with one line and exit 1, without hanging`, async () => {
      // The test worker (test/fixtures/faulty-worker.ts) is the real one with a failure after its training task.
      const env = { HOGWILD_WORKER: join(ROOT, 'test/fixtures/faulty-worker.ts'), FAULTY_WORKER: fault };
      const r = await cli('trainer', ['run', ...small(), '--workers', '2', '--epochs', '3'], { env, timeoutMs: 60_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^trainer: a worker failed: .+\n$/);
    });
  }

  it('--checkpoint-every writes a loadable checkpoint during the run, and the model at the end', async () => {
    const save = join(tempDir(), 'm.safetensors');
    const r = await trainer(['run', ...small(), '--workers', '1', '--epochs', '3', '--checkpoint-every', '2', '--save', save, '--json']);
    expect(r.code).toBe(0);
    const checkpoint = loadModel(save.replace(/\.safetensors$/, '.checkpoint.safetensors'));
    expect(checkpoint.extra?.epochs).toBe('2');
    expect(loadModel(save).extra?.epochs).toBe('3');
  });

  it('falls back to the TypeScript kernel, with a warning, when the WebAssembly kernel is missing and --kernel was not given', async () => {
    const env = { HOGWILD_KERNEL_WASM: '/nonexistent/kernel.wasm' };
    const r = await cli('trainer', ['run', ...small(), '--workers', '1', '--epochs', '1', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: the WebAssembly kernel /nonexistent/kernel.wasm is missing: run pnpm install (it builds the kernel), or pnpm --filter @hogwild/core build:wasm; using the TypeScript kernel\n');
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ event: 'done', kernel: 'ts' });
    const explicit = await cli('trainer', ['run', ...small(), '--kernel', 'wasm', '--epochs', '1'], { env });
    expect(explicit.code).toBe(1);
    expect(explicit.stderr).toMatch(/^trainer: the WebAssembly kernel \/nonexistent\/kernel.wasm is missing/);
  });

  it('runs with more workers than cores, with a warning', async () => {
    const r = await trainer(['run', ...small(), '--workers', '5', '--epochs', '1', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: --workers 5 is more than the \d+ available cores/);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ event: 'done', workers: 5 });
  });

  const usage: [string, string[], RegExp][] = [
    ['--workers 0', ['run', '--workers', '0'], /^trainer: option '--workers <n>' argument '0' is invalid: expected an integer ≥ 1 \(see trainer run --help\)\n$/],
    ['--workers beyond 4 per logical CPU', ['run', '--workers', '1000000000'], /^trainer: --workers: expected an integer from 1 to \d+ \(4 per logical CPU of this machine\), found 1000000000\n$/],
    ['a network too large to hold', ['run', '--layers', '784,1000000000,10'], /^trainer: --layers: 784,1000000000,10 has 795,000,000,010 parameters, more than the 67,108,864 a model may have/],
    ['--lr -1', ['run', '--lr', '-1'], /option '--lr <rate>' argument '-1' is invalid: expected a number in \(0, ∞\)/],
    ['--merge x', ['run', '--merge', 'x'], /option '--merge <n>' argument 'x' is invalid: expected an integer ≥ 0/],
    ['--label-smoothing 1', ['run', '--label-smoothing', '1'], /^trainer: option '--label-smoothing <eps>' argument '1' is invalid: expected a number in \[0, 1\) \(see trainer run --help\)\n$/],
    ['label smoothing with a sigmoid loss', ['bench', '--loss', 'cross-entropy', '--label-smoothing', '0.1'], /^trainer: --label-smoothing: 0.1 needs the softmax loss, found loss cross-entropy\n$/],
    ['--merge-touches 256 (a byte counter)', ['run', '--merge-touches', '256'], /^trainer: option '--merge-touches <t>' argument '256' is invalid: expected an integer from 1 to 255 \(see trainer run --help\)\n$/],
    ['--merge-stretch 0', ['bench', '--merge-stretch', '0'], /^trainer: option '--merge-stretch <n>' argument '0' is invalid: expected an integer from 1 to 255 \(see trainer bench --help\)\n$/],
    ['--merge-tail -1', ['bench', '--merge-tail', '-1'], /^trainer: option '--merge-tail <n>' argument '-1' is invalid: expected an integer ≥ 0 \(see trainer bench --help\)\n$/],
    ['an unknown activation', ['run', '--activation', 'gelu'], /option '--activation <name>' argument 'gelu' is invalid/],
    ['an input layer that does not fit the data', ['run', '--data', 'TRAIN', '--layers', '100,10'], /--layers: the input layer of 100,10 must have 784 units/],
    ['softmax with one output', ['run', '--data', 'TRAIN', '--layers', '784,1', '--loss', 'softmax'], /--layers: softmax needs at least 2 outputs, found 1/],
    ['--test without --data', ['run', '--test', 'x.arrow'], /--test needs --data/],
    ['--save into a folder that does not exist', ['run', '--save', '/nonexistent/m.safetensors'], /^trainer: --save \/nonexistent\/m.safetensors: folder \/nonexistent does not exist\n$/],
    ['an unknown command', ['fly'], /unknown command 'fly'/],
  ];
  // Usage errors are parsed in-process, through the program the CLI runs (createProgram), without spawning.
  for (const [what, args, message] of usage) {
    it(`exits 2 for ${what}`, async () => {
      const r = await runProgram(createProgram(), args.map((a) => (a === 'TRAIN' ? train : a)));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }

  it('checks the network flags before it reads any data (the layers; label smoothing against a --loss given): a usage error converts nothing into an empty cache', async () => {
    const cache = tempDir();
    const saved = process.env.HOGWILD_CACHE;
    process.env.HOGWILD_CACHE = cache;
    try {
      for (const command of ['run', 'bench']) {
        const r = await runProgram(createProgram(), [command, '--layers', '784,1000000000,10']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^trainer: --layers: 784,1000000000,10 has 795,000,000,010 parameters/);
        const smoothing = await runProgram(createProgram(), [command, '--loss', 'cross-entropy', '--label-smoothing', '0.1']);
        expect([smoothing.code, smoothing.stderr]).toEqual([2, 'trainer: --label-smoothing: 0.1 needs the softmax loss, found loss cross-entropy\n']);
      }
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.HOGWILD_CACHE;
      else process.env.HOGWILD_CACHE = saved;
    }
  });

  it('exits 1 naming the file for a missing dataset, a missing model, and a model that does not fit the data', async () => {
    const missing = await trainer(['run', '--data', '/nonexistent/train.arrow']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('trainer: /nonexistent/train.arrow: no such file\n');
    const noModel = await trainer(['eval', '--model', '/nonexistent/m.safetensors', '--data', test]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toBe('trainer: /nonexistent/m.safetensors: no such file\n');
    const other = join(tempDir(), 'ex4.arrow');
    const conv = await runProgram(createDataProgram(), ['convert', '--mat', join(ROOT, 'packages/data/test/fixtures/ex4-like-v7.mat'), '--features', 'X', '--labels', 'y', '--label-map', '10=0', '--image-shape', '20x20', '--column-major', '--out', other]);
    expect(conv.code).toBe(0);
    const mismatch = await trainer(['eval', '--model', model, '--data', other]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toBe(`trainer: ${model}: the model takes 784 inputs, but ${other} has 400 features per sample\n`);
  });
});
