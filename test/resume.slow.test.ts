import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '@hogwild/core';
import { ensureMnist } from '@hogwild/data';
import { mnistIdxFiles } from './internal.ts';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createTrainerProgram as createProgram } from './internal.ts';
import { train } from '@hogwild/trainer';

const idx = mnistIdxFiles();
let dir: string, trainFile: string, testFile: string, irisFile: string;

// Datasets made the way a user makes them: `pnpm data convert` on MNIST's IDX files (3,000 + 1,000 digits) and on iris.csv.
beforeAll(async () => {
  dir = tempDir();
  trainFile = join(dir, 'train.arrow');
  testFile = join(dir, 'test.arrow');
  irisFile = join(dir, 'iris.arrow');
  const made = await Promise.all([
    cli('data', ['convert', '--images', idx.trainImages, '--labels', idx.trainLabels, '--limit', '3000', '--out', trainFile]),
    cli('data', ['convert', '--images', idx.testImages, '--labels', idx.testLabels, '--limit', '1000', '--out', testFile]),
    cli('data', ['convert', '--csv', join(ROOT, 'test/fixtures/tabular/iris.csv'), '--label', 'species', '--out', irisFile]),
  ]);
  expect(made.map((r) => r.code)).toEqual([0, 0, 0]);
});

const small = () => ['--data', trainFile, '--test', testFile];
const sameParams = (a: string, b: string) => {
  const [x, y] = [loadModel(a).params, loadModel(b).params];
  let differ = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differ++;
  return { floats: x.length, differ };
};

describe('trainer run --resume', () => {
  it('continues a checkpoint at the next epoch with the schedule of the uninterrupted run, and at --workers 1 ends with its model bit for bit', async () => {
    const full = join(dir, 'full.safetensors');
    // Step decay over 4 epochs, so every epoch's rate depends on where the schedule stands; a checkpoint after epoch 2.
    const flags = [...small(), '--workers', '1', '--layers', '784,32,10', '--lr', '0.05', '--schedule', 'step', '--lr-step', '1', '--lr-gamma', '0.6', '--epochs', '4', '--seed', '7'];
    const a = await cli('trainer', ['run', ...flags, '--checkpoint-every', '2', '--save', full, '--json']);
    expect(a.code, a.stderr).toBe(0);
    const checkpoint = join(dir, 'full.checkpoint.safetensors');
    expect(loadModel(checkpoint).extra).toMatchObject({ epochs: '2', epoch_samples: '0', schedule_epochs: '4', lr: '0.05', schedule: 'step', lr_step: '1', lr_gamma: '0.6', seed: '7' });

    // Only the data and the worker count beside --resume: the network, the schedule and the seed are the checkpoint's.
    const resumed = join(dir, 'resumed.safetensors');
    const b = await cli('trainer', ['run', ...small(), '--workers', '1', '--resume', checkpoint, '--save', resumed, '--json']);
    expect(b.code, b.stderr).toBe(0);
    const [before, after] = [jsonLines(a.stdout), jsonLines(b.stdout)];
    expect(after.filter((l) => l.event === 'epoch').map((l) => l.epoch)).toEqual([3, 4]);
    // The same rates (0.05 · 0.6² and 0.05 · 0.6³), losses and accuracies as the uninterrupted run's epochs 3 and 4.
    for (const key of ['lr', 'train_loss', 'test_accuracy']) expect(after.slice(0, 2).map((l) => l[key])).toEqual(before.slice(2, 4).map((l) => l[key]));
    expect(after[0].lr).toBeCloseTo(0.05 * 0.6 ** 2, 12);
    expect(after.at(-1)).toMatchObject({ event: 'done', epochs: 4 });
    expect(sameParams(full, resumed).differ).toBe(0);
    expect(loadModel(resumed).extra).toMatchObject({ epochs: '4', schedule_epochs: '4', init: 'he' });
    // The checkpoint has served: the model is saved.
    expect(existsSync(checkpoint)).toBe(false);

    // A finished model trains further with more epochs: the schedule is then the longer one.
    const more = await cli('trainer', ['run', ...small(), '--workers', '1', '--resume', full, '--epochs', '6', '--json']);
    expect(more.code, more.stderr).toBe(0);
    const moreEpochs = jsonLines(more.stdout).filter((l) => l.event === 'epoch');
    expect(moreEpochs.map((l) => [l.epoch, l.lr])).toEqual([[5, 0.05 * 0.6 ** 4], [6, 0.05 * 0.6 ** 5]].map(([e, lr]) => [e, expect.closeTo(lr, 12)]));
  });

  it('after Ctrl-C in the middle of an epoch, trains the rest of that epoch and ends with the uninterrupted model (one worker)', async () => {
    // The bundled MNIST (60,000 samples): an epoch is long enough for the interrupt to land inside the second.
    const mnist = await ensureMnist();
    const flags = ['--data', mnist.train, '--test', mnist.test, '--workers', '1', '--layers', '784,16,10', '--epochs', '3', '--seed', '3'];
    const full = join(dir, 'mnist-full.safetensors');
    const a = await cli('trainer', ['run', ...flags, '--save', full, '--json']);
    expect(a.code, a.stderr).toBe(0);

    const save = join(dir, 'mnist-cut.safetensors');
    let sent = false;
    const cut = await cli('trainer', ['run', ...flags, '--save', save, '--json'], {
      // Half of epoch 1's time after its line: the signal lands inside epoch 2, not in the gap before its first chunk.
      onStdout: (text, child) => {
        const line = /"event":"epoch".*?"seconds":([0-9.e+-]+)/.exec(text);
        if (!sent && line) { sent = true; setTimeout(() => child.kill('SIGINT'), 500 * Number(line[1])); }
      },
    });
    const { code, stderr } = cut;
    expect(code, stderr).toBe(130);
    const checkpoint = join(dir, 'mnist-cut.checkpoint.safetensors');
    const state = loadModel(checkpoint).extra!;
    // Aimed at epoch 2; on a loaded machine the signal can come late, inside epoch 3, which tests the same.
    const done = Number(state.epochs);
    expect([1, 2]).toContain(done);
    const into = Number(state.epoch_samples);
    expect(into, 'the interrupt landed inside an epoch').toBeGreaterThan(0);
    expect(into).toBeLessThan(60_000);
    expect(stderr).toContain(`interrupted after ${done} full epoch${done === 1 ? '' : 's'} and ${into.toLocaleString('en-US')} samples; checkpoint saved to ${checkpoint}`);

    const resumed = join(dir, 'mnist-resumed.safetensors');
    const b = await cli('trainer', ['run', '--data', mnist.train, '--test', mnist.test, '--workers', '1', '--resume', checkpoint, '--save', resumed, '--json']);
    expect(b.code, b.stderr).toBe(0);
    const epochs = jsonLines(b.stdout).filter((l) => l.event === 'epoch');
    expect(epochs.map((l) => l.epoch)).toEqual([2, 3].slice(done - 1));
    expect(epochs.map((l) => l.lr)).toEqual(jsonLines(a.stdout).slice(done, 3).map((l) => l.lr));
    expect(sameParams(full, resumed)).toEqual({ floats: loadModel(full).params.length, differ: 0 });
  });

  it('with 2 workers, the resumed epochs merge with the periods of the uninterrupted run (they stretch from the first epoch\'s rate)', async () => {
    const flags = [...small(), '--workers', '2', '--epochs', '3', '--json'];
    const save = join(dir, 'two.safetensors');
    const a = await cli('trainer', ['run', ...flags, '--checkpoint-every', '1', '--save', save]);
    expect(a.code, a.stderr).toBe(0);
    // Its own --save is written (the run finished): the resumed run saves elsewhere.
    const b = await cli('trainer', ['run', ...small(), '--workers', '2', '--json', '--resume', join(dir, 'two.checkpoint.safetensors'), '--save', join(dir, 'two-again.safetensors')]);
    expect(b.code, b.stderr).toBe(0);
    const periods = (text: string) => jsonLines(text).filter((l) => l.event === 'epoch').map((l) => [l.epoch, l.merge_periods]);
    // The checkpoint is the last one written, after epoch 2; epoch 3's periods are stretched as in the whole run.
    expect(periods(b.stdout)).toEqual(periods(a.stdout).slice(2));
    expect(periods(a.stdout)[2][1]).not.toEqual(periods(a.stdout)[0][1]);
    // Hogwild! races with 2 workers: not the same model, but the same accuracy within a point.
    expect(Math.abs(jsonLines(b.stdout).at(-1).test_accuracy - jsonLines(a.stdout).at(-1).test_accuracy)).toBeLessThan(0.01);
  });

  it('refuses, in one line naming the flag, a network or data that differs from the checkpoint, and a model with nothing left to train', async () => {
    const full = join(dir, 'full.safetensors');
    const run = (...args: string[]) => runProgram(createProgram(), ['run', '--workers', '1', ...args]);
    const cases: [string[], RegExp][] = [
      [[...small(), '--resume', full, '--layers', '784,64,10'], /^trainer: --layers: 784,64,10 differs from 784,32,10 of the resumed model .+full\.safetensors: leave it out, or give the model's\n$/],
      [[...small(), '--resume', full, '--activation', 'tanh'], /^trainer: --activation: tanh differs from relu of the resumed model .+: leave it out, or give the model's\n$/],
      [[...small(), '--resume', full, '--init', 'xavier'], /^trainer: --init: a resumed run starts from the weights of .+, not from an init: leave it out\n$/],
      [['--data', irisFile, '--resume', full], /^trainer: --resume: .+full\.safetensors takes 784 features per sample, but .+iris\.arrow has 4 \(it was trained on .+train\.arrow\)\n$/],
      [[...small(), '--resume', full, '--standardize', 'off'], /^trainer: --standardize: a resumed run keeps the preprocessing of .+full\.safetensors: leave it out\n$/],
      [[...small(), '--resume', full], /^trainer: --epochs: 4, but .+full\.safetensors has trained 4 epochs already: give more epochs to train further\n$/],
    ];
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.stderr.split('\n').filter((l) => !l.startsWith('labels')).join('\n'), args.join(' ')).toMatch(message);
      expect(r.code).toBe(2);
    }
  });

  it('after Ctrl-C on a table, the resume command it prints, run as printed, continues on that table with its flags, saves the model at its --save and removes the checkpoint', async () => {
    const save = join(dir, 'iris.safetensors');
    const checkpoint = join(dir, 'iris.checkpoint.safetensors');
    let sent = false;
    // Many short epochs: the interrupt, sent at the first epoch's line, lands long before the last.
    const cut = await cli('trainer', ['run', '--data', irisFile, '--workers', '1', '--epochs', '1000', '--merge', '0', '--save', save, '--json'], {
      onStdout: (_text, child) => { if (!sent) { sent = true; child.kill('SIGINT'); } },
    });
    expect(cut.code, cut.stderr).toBe(130);
    expect(loadModel(checkpoint).extra).toMatchObject({ checkpoint: 'true', save, train_data: irisFile, run_flags: '{"workers":1,"merge":0}' });
    const printed = /\(resume: (.+)\)\n$/.exec(cut.stderr)?.[1];
    expect(printed).toBe(`pnpm trainer run --resume ${checkpoint}`);
    const [pnpm, tool, ...args] = printed!.split(' ');
    expect([pnpm, tool]).toEqual(['pnpm', 'trainer']);

    const b = await cli('trainer', args);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(`--resume ${checkpoint}: continuing its run with --data ${irisFile} --save ${save} --workers 1 --merge 0\n`);
    expect(b.stdout).toContain(`model saved to ${save} (checkpoint ${checkpoint} removed)\n`);
    expect(existsSync(checkpoint)).toBe(false);
    expect(loadModel(save).extra).toMatchObject({ train_data: irisFile, epochs: '1000', workers: '1' });
  });

  it('from code: train({ resume }) takes a Model, keeps its preprocessing, and refuses other class names', async () => {
    const first = await train({ data: irisFile, workers: 1, epochs: 2, seed: 5, lr: 0.05 });
    expect(first.model.extra).toMatchObject({ epochs: '2', schedule_epochs: '2', seed: '5', lr: '0.05', schedule: 'cosine' });
    const whole = await train({ data: irisFile, workers: 1, epochs: 4, seed: 5, lr: 0.05 });
    // Extending a finished run: epochs 3 and 4 of a 4-epoch cosine schedule, from the 2-epoch run's weights.
    const more = await train({ data: irisFile, workers: 1, epochs: 4, resume: first.model });
    expect(more.history.map((e) => e.epoch)).toEqual([3, 4]);
    expect(more.history.map((e) => e.lr)).toEqual(whole.history.slice(2).map((e) => e.lr));
    expect(more.epochs).toBe(4);
    expect(more.model.standardization!.mean).toEqual(first.model.standardization!.mean);
    expect(more.model.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const renamed = { ...first.model, classes: ['a', 'b', 'c'] };
    await expect(train({ data: irisFile, workers: 1, epochs: 4, resume: renamed })).rejects.toMatchObject({
      code: 'E_USAGE', field: 'resume', message: expect.stringMatching(/^resume: the resumed model has the classes \["a","b","c"\], but .+iris\.arrow has \["setosa","versicolor","virginica"\]/),
    });
    const { extra: _, ...bare } = first.model;
    await expect(train({ data: irisFile, workers: 1, resume: bare })).rejects.toThrow(/^resume: the resumed model has no epochs in its metadata: only checkpoints and models written by trainer run or train\(\) say where their training stopped$/);
  });
});
