import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { formatReferenceText, loadModel, saveModel, wasmKernelName } from '@hogwild/core';
import { mnistIdxFiles, writeArrowDataset } from '@hogwild/data';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createProgram } from '../packages/trainer/src/cli/program.ts';
import { createProgram as createDataProgram } from '../packages/data/src/cli/program.ts';

const idx = mnistIdxFiles();
let dir: string, train: string, test: string, model: string;

// A small dataset made the way a user makes one: `pnpm data convert` on IDX files, here 3,000 + 1,000 MNIST digits;
// and one model trained on it, 2 epochs with 1 worker, for the tests that only need a model to evaluate or predict with.
// No test writes to these files.
beforeAll(async () => {
  dir = tempDir();
  train = join(dir, 'train.arrow');
  test = join(dir, 'test.arrow');
  const [a, b] = await Promise.all([
    cli('data', ['convert', '--images', idx.trainImages, '--labels', idx.trainLabels, '--limit', '3000', '--out', train]),
    cli('data', ['convert', '--images', idx.testImages, '--labels', idx.testLabels, '--limit', '1000', '--out', test]),
  ]);
  expect([a.code, b.code]).toEqual([0, 0]);
  model = join(dir, 'shared.safetensors');
  const m = await cli('trainer', ['run', '--data', train, '--test', test, '--workers', '1', '--epochs', '2', '--save', model, '--json']);
  expect(m.code, m.stderr).toBe(0);
});

const small = () => ['--data', train, '--test', test];
/**
 * The trainer CLI in this process: the program and runtime that main.ts runs, its exit code what the process would
 * exit with. Spawned (cli) where the process itself is under test: the end-to-end chain, signals, a second process
 * for determinism, and variables read when a module loads (HOGWILD_KERNEL_WASM, HOGWILD_WORKER).
 */
const trainer = (args: string[]) => runProgram(createProgram(), args);

describe('trainer run, eval and predict end to end', () => {
  it('converts, trains with 2 workers, saves, evaluates and predicts', async () => {
    const model = join(dir, 'two.safetensors');
    const run = await cli('trainer', ['run', ...small(), '--workers', '2', '--epochs', '2', '--save', model, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.map((l) => l.event)).toEqual(['epoch', 'epoch', 'done']);
    expect(lines[0]).toMatchObject({ event: 'epoch', epoch: 1, workers: 2 });
    // Each epoch's figures: its 3,000 samples over its seconds, a mean loss that falls from the first epoch to the
    // second, an accuracy that counts whole test samples (of 1,000), and the epochs' seconds adding up to the run's.
    for (const l of lines.slice(0, 2)) {
      expect(l.seconds).toBeGreaterThan(0);
      expect(l.samples_per_second).toBe(3000 / l.seconds);
      expect(l.train_loss).toBeGreaterThan(0);
      expect(Math.round(1000 * l.test_accuracy) / 1000).toBe(l.test_accuracy);
      expect(l.eval_seconds).toBeGreaterThan(0);
    }
    expect(lines[1].train_loss, `losses ${lines[0].train_loss}, ${lines[1].train_loss}`).toBeLessThan(lines[0].train_loss);
    expect(lines[1].test_accuracy).toBeGreaterThan(0.85);
    expect(lines[2].train_seconds).toBe(lines[0].seconds + lines[1].seconds);
    expect(lines[2].test_accuracy).toBe(lines[1].test_accuracy);
    // Cosine over 2 epochs: rates of 0.85 and 0.15 of lr, so the second epoch's periods grow (a row after at most 255 changes).
    expect(lines.slice(0, 2).map((l) => l.merge_periods)).toEqual([{ rows: 16, touches: 64, dense: 16 }, { rows: 63, touches: 255, dense: 63 }]);
    expect(lines[2]).toMatchObject({ event: 'done', epochs: 2, saved: model });

    const m = loadModel(model);
    expect(m.spec).toEqual({ layers: [784, 128, 10], activation: 'relu', loss: 'softmax' });
    expect(m.inputShape).toEqual([28, 28]);

    const ev = await cli('trainer', ['eval', '--model', model, '--data', test, '--workers', '2', '--json']);
    expect(ev.code).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect(e.samples).toBe(1000);
    expect(e.accuracy).toBeCloseTo(lines[1].test_accuracy, 10);
    expect(e.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(1000);
    expect(e.classes).toHaveLength(10);

    const text = await cli('trainer', ['eval', '--model', model, '--data', test, '--workers', '1']);
    expect(text.stdout).toMatch(/accuracy \d+\.\d\d% \(\d+\/1000\)/);
    expect(text.stdout).toMatch(/true\\pred/);
    expect(text.stdout).toMatch(/class\s+precision\s+recall\s+support/);

    const p = await cli('trainer', ['predict', '--model', model, join(ROOT, 'test/fixtures/digits/chalk-7.jpg'), '--json']);
    expect(p.code).toBe(0);
    const out = JSON.parse(p.stdout);
    expect(out.probabilities).toHaveLength(10);
    expect(out.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('prints progress lines, a confusion matrix and the saved path as text', async () => {
    const model = join(dir, 'text.safetensors');
    const r = await trainer(['run', ...small(), '--workers', '1', '--epochs', '1', '--save', model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^training 784-128-10 relu\/softmax on .+train\.arrow \(3,000 samples; test .+test\.arrow\), 1 worker, kernel wasm, lr 0\.02 cosine, 1 epoch, seed 1\n/);
    expect(r.stdout).toMatch(/epoch  1\/1  loss \d\.\d{4}  test \d+\.\d\d%/);
    expect(r.stdout).toMatch(/true\\pred/);
    expect(r.stdout).toContain(`model saved to ${model}`);
  });

  for (const kernel of ['wasm', 'ts']) {
    it(`writes bit-identical models from two runs with --workers 1 and the same seed (${kernel} kernel)`, async () => {
      const a = join(dir, `det-a-${kernel}.safetensors`), b = join(dir, `det-b-${kernel}.safetensors`), c = join(dir, `det-c-${kernel}.safetensors`);
      const args = (seed: string) => ['run', ...small(), '--workers', '1', '--epochs', '2', '--seed', seed, '--kernel', kernel, '--json'];
      const [ra, rb, rc] = await Promise.all([cli('trainer', [...args('5'), '--save', a]), cli('trainer', [...args('5'), '--save', b]), cli('trainer', [...args('6'), '--save', c])]);
      expect([ra.code, rb.code, rc.code]).toEqual([0, 0, 0]);
      expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
      expect(Buffer.compare(readFileSync(a), readFileSync(c))).not.toBe(0);
    });
  }
});

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

  it('checks the network flags before it reads any data: a usage error converts nothing into an empty cache', async () => {
    const cache = tempDir();
    const saved = process.env.HOGWILD_CACHE;
    process.env.HOGWILD_CACHE = cache;
    try {
      for (const command of ['run', 'bench']) {
        const r = await runProgram(createProgram(), [command, '--layers', '784,1000000000,10']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^trainer: --layers: 784,1000000000,10 has 795,000,000,010 parameters/);
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

describe('trainer gradcheck and bench', () => {
  it('gradcheck passes every combination and reports the worst error', async () => {
    const r = await trainer(['gradcheck', '--all', '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(12); // 3 activations × 4 losses (mse with one output)
    for (const l of lines) {
      expect(l.passed).toBe(true);
      expect(l.max_relative_error).toBeLessThanOrEqual(1e-4);
    }
  });

  it('gradcheck --label-smoothing checks the smoothed softmax networks, and names the flag it refuses for another loss', async () => {
    const r = await trainer(['gradcheck', '--all', '--label-smoothing', '0.1', '--json']);
    expect(r.code).toBe(0);
    const smoothed = jsonLines(r.stdout).filter((l) => l.label_smoothing === 0.1);
    expect(smoothed.map((l) => [l.activation, l.loss, l.passed])).toEqual([['sigmoid', 'softmax', true], ['relu', 'softmax', true], ['tanh', 'softmax', true]]);
    const bad = await trainer(['gradcheck', '--label-smoothing', '0.1']);
    expect([bad.code, bad.stderr]).toEqual([2, 'trainer: --label-smoothing: 0.1 needs the softmax loss, found loss cross-entropy\n']);
  });

  it('gradcheck exits 1 when the worst error is above the tolerance', async () => {
    const r = await trainer(['gradcheck', '--layers', '5,4,3', '--activation', 'tanh', '--loss', 'square', '--tolerance', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL 5-4-3 tanh\/square: 117 gradients \(3 samples\), worst relative error \d\.\d+e-\d+ \(layer \d (weight|bias)\[[\d,]+\]: backprop .+, numeric .+\), tolerance 0\n$/);
  });

  it('bench writes a table, bench.json and a chart, with speedup against 1 worker', async () => {
    const out = join(tempDir(), 'bench');
    const r = await cli('trainer', ['bench', ...small(), '--workers', '1,2', '--repeat', '2', '--epochs', '1', '--target', '0.5', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^machine: .+, \d+ cores, .+ GiB, Node v\d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/MFLOP\/sample dense-equivalent/);
    expect(r.stdout).toMatch(/\n1\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+1\.00x\s+100\.00%/);
    expect(readdirSync(out).sort()).toEqual(['bench.json', 'bench.svg']);
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    expect(report.machine).toMatchObject({ cores: expect.any(Number), node: process.version });
    // The build of the WebAssembly kernel that ran, in the config line and in bench.json.
    expect(r.stdout).toContain(`, kernel wasm (${wasmKernelName()}), `);
    expect(report.config).toMatchObject({ kernel: 'wasm', wasm_build: wasmKernelName() });
    // The cache-line round trip between two threads, before and after the runs (this machine has 2 CPUs).
    expect(r.stdout).toMatch(/\n {9}a cache line's round trip between two threads: \d+ ns/);
    expect(r.stdout).toMatch(/\nround trip between two threads before each round of turns: \d+, \d+ ns; after the runs: \d+ ns\n/);
    for (const when of ['before', 'after']) expect(report.core_round_trip_ns[when]).toBeGreaterThan(0);
    // One before each of the 2 rounds (the first is the header's), and each run carries its round's.
    expect(report.core_round_trip_ns.rounds).toHaveLength(2);
    expect(report.core_round_trip_ns.rounds[0]).toBe(report.core_round_trip_ns.before);
    for (const row of report.results) expect(row.runs.map((x: { round_trip_ns: number }) => x.round_trip_ns)).toEqual(report.core_round_trip_ns.rounds);
    // Each run's merge periods by epoch: none for one worker, 2 workers' own for a constant rate.
    expect(report.results.map((x: any) => x.runs[0].merge_periods)).toEqual([[null], [{ rows: 16, touches: 64, dense: 16 }]]);
    expect(report.config).toMatchObject({ layers: [784, 100, 10], repeat: 2 });
    expect(report.results.map((x: any) => x.workers)).toEqual([1, 2]);
    for (const row of report.results) {
      expect(row.runs).toHaveLength(2);
      expect(row.min).toBeLessThanOrEqual(row.samples_per_second);
      expect(row.max).toBeGreaterThanOrEqual(row.samples_per_second);
      expect(row.time_to_target).toBeGreaterThan(0);
    }
    expect(report.results[1].speedup).toBeCloseTo(report.results[1].samples_per_second / report.results[0].samples_per_second, 10);
    // Time to the target is the product of the two efficiencies: samples to the target over samples per second, give or take the chunk.
    for (const row of report.results) {
      expect(row.samples_to_target).toBeGreaterThan(0);
      expect(row.epochs_to_target).toBeCloseTo(row.samples_to_target / 3000, 10);
      // Up to 16 points an epoch (a point that falls after the last chunk of such a short epoch is not taken), the last at its end.
      const curve = row.runs[0].curve;
      expect(curve.length).toBeGreaterThanOrEqual(1);
      expect(curve.length).toBeLessThanOrEqual(16);
      expect(curve.at(-1).samples).toBe(3000);
      expect(curve.map((p: { seconds: number }) => p.seconds)).toEqual(curve.map((p: { seconds: number }) => p.seconds).sort((a: number, b: number) => a - b));
      expect(row.eval_seconds).toBeGreaterThan(0);
    }
    expect(report.results[1].merged_bytes_per_sample).toBeGreaterThan(0);
    expect(report.results[0].merged_bytes_per_sample).toBe(0);
    const svg = readFileSync(join(out, 'bench.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('Test accuracy against training time');
    expect(svg).toContain('Training time to 50.0% test accuracy');
    expect(svg).not.toContain('sharing nothing'); // no --ceiling, no share-nothing tick
  });

  it('bench --json prints an evaluation line per evaluation point and a bench line per worker count', async () => {
    const out = join(tempDir(), 'bench');
    const r = await cli('trainer', ['bench', ...small(), '--workers', '1,3', '--repeat', '1', '--evals', '4', '--target', '0.6', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    const bench = lines.filter((l) => l.event === 'bench');
    expect(bench.map((l) => l.workers)).toEqual([1, 3]);
    expect(lines.at(-1).event).toBe('done');
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    // One repeat: each bench line's figures are its one run's, read from its own evaluation lines, and bench.json's.
    for (const [k, b] of bench.entries()) {
      const evals = lines.filter((l) => l.event === 'eval' && l.workers === b.workers);
      // Up to 4 points (3 copies during the epoch and its end; a copy point past the last grain is not taken), in order.
      expect(evals.length, `${b.workers} workers`).toBeGreaterThanOrEqual(1);
      expect(evals.length, `${b.workers} workers`).toBeLessThanOrEqual(4);
      expect(evals.map((l) => l.samples)).toEqual(evals.map((l) => l.samples).sort((x, y) => x - y));
      expect(evals.at(-1).samples).toBe(3000);
      expect(b.test_accuracy).toBe(evals.at(-1).test_accuracy);
      const reached = evals.find((l) => l.test_accuracy >= 0.6);
      expect(reached, `${b.workers} workers: ${evals.map((l) => l.test_accuracy)}`).toBeDefined();
      expect([b.samples_to_target, b.time_to_target]).toEqual([reached.samples, reached.seconds]);
      const row = report.results[k];
      expect(row.workers).toBe(b.workers);
      for (const key of ['samples_per_second', 'test_accuracy', 'samples_to_target', 'time_to_target', 'merged_bytes_per_sample']) expect(b[key], key).toBe(row[key]);
    }
    expect(lines.filter((l) => l.event === 'eval' && l.workers === 1)).toHaveLength(4); // one worker passes every point
    expect(bench[0].speedup).toBe(1);
    expect(bench[0].merged_bytes_per_sample).toBe(0); // one worker has nothing to merge
    expect(bench[1].merged_bytes_per_sample).toBeGreaterThan(0);
  });

  it('bench --ceiling runs each count above the first again without merges, in its round, and reports the part of that speed kept', async () => {
    const out = join(tempDir(), 'bench');
    const r = await cli('trainer', ['bench', ...small(), '--workers', '1,2', '--repeat', '3', '--evals', '2', '--ceiling', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const bench = jsonLines(r.stdout).filter((l) => l.event === 'bench');
    expect(bench[0]).toMatchObject({ workers: 1, ceiling_samples_per_second: null, ceiling_speedup: null, ceiling_kept: null });
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    const [one, two] = report.results;
    expect(one.ceiling).toBeNull();
    const rates = two.runs.map((x: { ceiling_samples_per_second: number }) => x.ceiling_samples_per_second);
    expect(rates).toHaveLength(3);
    for (const x of rates) expect(x).toBeGreaterThan(0);
    const sorted = [...rates].sort((a, b) => a - b);
    expect(two.ceiling.samples_per_second).toBe(sorted[1]);
    expect(two.ceiling.speedup).toBeCloseTo(sorted[1] / one.samples_per_second, 10);
    // kept pairs each merging run with the share-nothing run of its own round.
    const kept = two.runs.map((x: { samples_per_second: number; ceiling_samples_per_second: number }) => x.samples_per_second / x.ceiling_samples_per_second).sort((a: number, b: number) => a - b);
    expect(two.ceiling.kept).toBe(kept[1]);
    expect(bench[1]).toMatchObject({ workers: 2, ceiling_samples_per_second: sorted[1], ceiling_kept: kept[1] });
    // Sharing nothing while they train: the only merge is each worker's closing one, a few times less than the protocol's.
    expect(two.ceiling.merged_bytes_per_sample).toBeGreaterThan(0);
    expect(two.ceiling.merged_bytes_per_sample * 3).toBeLessThan(two.merged_bytes_per_sample);
    // The merging runs themselves are measured and evaluated as without --ceiling.
    expect(two.runs[0].curve.length).toBeGreaterThan(0);
    expect(two.test_accuracy).toBeGreaterThan(0.5);
    // The chart draws the share-nothing speed as a dashed tick over the 2-worker bar.
    const svg = readFileSync(join(out, 'bench.svg'), 'utf8');
    expect(svg).toContain('dashed: the same workers sharing nothing');
    expect(svg).toMatch(/stroke-dasharray="6,3"/);
  });

  it('bench --ceiling refuses --simulate, whose workers have no speed to compare', async () => {
    const r = await trainer(['bench', ...small(), '--workers', '1,2', '--ceiling', '--simulate', '--out', join(tempDir(), 'bench')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trainer: --ceiling: measures the speed of real workers, which a simulation does not have (leave out simulate or ceiling)\n');
  });

  it('bench --simulate runs any number of workers in one thread, the same way twice', async () => {
    let done: { core_round_trip_ns?: unknown } | undefined;
    const run = async () => {
      const r = await cli('trainer', ['bench', ...small(), '--simulate', '--workers', '1,8', '--repeat', '1', '--evals', '2', '--out', join(tempDir(), 'bench'), '--json']);
      expect(r.code).toBe(0);
      done = jsonLines(r.stdout).at(-1);
      return jsonLines(r.stdout).filter((l) => l.event === 'eval').map((l) => [l.workers, l.samples, l.test_accuracy]);
    };
    const a = await run();
    expect(a.map((x) => x[0])).toEqual([1, 1, 8, 8]);
    expect(done?.core_round_trip_ns).toEqual({ before: null, rounds: [null], after: null }); // nothing shared between threads to price
    expect(await run()).toEqual(a);
  });
});


// A model trained on the whole of MNIST reading hand-drawn digits is in trainer-cli.slow.test.ts.
describe('trainer eval and predict on a trained model', () => {
  it('eval applies the model\'s input_scale, as predict does', async () => {
    const dimmed = join(tempDir(), 'dimmed.safetensors');
    saveModel(dimmed, { ...loadModel(model), inputScale: 1e-6 }); // the same weights, told that inputs are a million times smaller
    const a = JSON.parse((await cli('trainer', ['eval', '--model', model, '--data', test, '--workers', '1', '--json'])).stdout);
    const b = JSON.parse((await cli('trainer', ['eval', '--model', dimmed, '--data', test, '--workers', '1', '--json'])).stdout);
    expect(a.accuracy).toBeGreaterThan(0.85);
    expect(b.accuracy).toBeLessThan(0.5);
  });

  it('reads the reference project\'s text model given its --layers, in eval, predict and convert-model', async () => {
    const m = loadModel(model);
    const text = join(tempDir(), 'model.txt');
    writeFileSync(text, formatReferenceText(m.params, m.spec.layers)); // the reference's writer, %.6e
    const arch = ['--layers', '784,128,10', '--activation', 'relu', '--loss', 'softmax'];
    const fromFile = JSON.parse((await cli('trainer', ['eval', '--model', model, '--data', test, '--workers', '1', '--json'])).stdout);
    const fromText = JSON.parse((await cli('trainer', ['eval', '--model', text, ...arch, '--data', test, '--workers', '1', '--json'])).stdout);
    expect(Math.abs(fromText.accuracy - fromFile.accuracy)).toBeLessThanOrEqual(0.002); // %.6e rounds the weights
    const bare = await trainer(['eval', '--model', text, '--data', test]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toBe(`trainer: ${text}: is not a safetensors model; if it is the reference project's text model, give its layer sizes, e.g. --layers 784,100,10\n`);
    const out = join(tempDir(), 'converted.safetensors');
    const conv = await cli('trainer', ['convert-model', '--model', text, ...arch, '--out', out]);
    expect(conv.code).toBe(0);
    expect(loadModel(out).spec).toEqual(m.spec);
    const p = await cli('trainer', ['predict', '--model', text, ...arch, join(ROOT, 'test/fixtures/digits/chalk-7.jpg'), '--json']);
    expect(JSON.parse(p.stdout).probabilities).toHaveLength(10);
  });

  it('reads a large photo, refuses a decompression bomb before decoding it, and answers every file of a batch', async () => {
    const dir = tempDir();
    // 1200x900 (1.08 megapixels; 352x352 used to overflow the stack): a dark stroke on white.
    const big = join(dir, 'big.png');
    const img = new Jimp({ width: 1200, height: 900, color: 0xffffffff });
    for (let y = 150; y < 750; y++) for (let x = 560; x < 640; x++) img.setPixelColor(0x000000ff, x, y);
    await img.write(big as `${string}.png`);
    // A real PNG whose header claims 30000x30000: refused from the header, without decoding 900 megapixels.
    const bomb = join(dir, 'bomb.png');
    const bytes = readFileSync(join(ROOT, 'test/fixtures/digits', readdirSync(join(ROOT, 'test/fixtures/digits')).find((f) => f.endsWith('.png'))!));
    const header = new DataView(bytes.buffer, bytes.byteOffset);
    header.setUint32(16, 30000);
    header.setUint32(20, 30000);
    writeFileSync(bomb, bytes);
    const r = await trainer(['predict', '--model', model, bomb, big, '/nonexistent.png', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`trainer: ${bomb}: the image is 30000x30000, 900 megapixels; predict reads images of up to 50 megapixels\ntrainer: /nonexistent.png: no such file\n`);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.file)).toEqual([bomb, big, '/nonexistent.png']);
    expect(lines[0].error).toMatch(/900 megapixels/);
    expect(lines[1].digit).toBeTypeOf('number');
    expect(lines[1].probabilities).toHaveLength(10);
  });

  it('names an unreadable image and a blank one', async () => {
    const notImage = join(ROOT, 'test/fixtures/digits/draw-digits.py');
    const r = await trainer(['predict', '--model', model, notImage]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^trainer: ${notImage}: cannot read as an image`));
    const missing = await trainer(['predict', '--model', model, '/nonexistent.png']);
    expect(missing.stderr).toBe('trainer: /nonexistent.png: no such file\n');
    const blank = join(tempDir(), 'blank.png');
    await new Jimp({ width: 60, height: 40, color: 0xffffffff }).write(blank as `${string}.png`);
    const b = await trainer(['predict', '--model', model, blank]);
    expect(b.code).toBe(1);
    expect(b.stderr).toBe(`trainer: ${blank}: the image is blank (no ink to read)\n`);
  });
});
