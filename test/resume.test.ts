import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, loadModel, saveModel, type Model } from '@hogwild/core';
import { writeArrowDataset } from '@hogwild/data';
import { jsonLines, tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createTrainerProgram as createProgram } from './internal.ts';
import { train, type TrainStart } from '@hogwild/trainer';
import { readRunRecord, runMetadata } from './internal.ts';
import { ExpectedError } from './internal.ts';

let dir: string, wide: string, wideTest: string, wideMore: string, narrow: string;
/** The run of `base` on the wide table, stopped after epoch 1 (made once: the tests copy it). */
let stopped: Model;

/** A table of seeded random float features, the class following the sign of the first two. */
async function table(file: string, rows: number, columns: number, seed: number): Promise<string> {
  const rng = createRng(seed);
  const features = new Float32Array(rows * columns).map(() => 2 * rng.nextFloat() - 1);
  const labels = new Uint8Array(rows).map((_, r) => (features[r * columns] + features[r * columns + 1] > 0 ? 1 : 0));
  await writeArrowDataset(file, { rows, featureLength: columns, features, labels, shape: [columns], source: file, classes: ['no', 'yes'] });
  return file;
}

beforeAll(async () => {
  dir = tempDir();
  [wide, wideTest, wideMore, narrow] = await Promise.all([
    table(join(dir, 'wide.arrow'), 60, 300, 1), table(join(dir, 'wide-test.arrow'), 40, 300, 2), table(join(dir, 'wide-more.arrow'), 50, 300, 3), table(join(dir, 'narrow.arrow'), 60, 20, 4),
  ]);
  stopped = await interrupted(wide);
});

const base = { workers: 1, epochs: 3, seed: 2, layers: [300, 16, 2] } as const;
/** The run of `base` on the wide table, stopped by its signal after epoch 1 (as Ctrl-C stops `trainer run`). */
async function interrupted(data: string): Promise<Model> {
  const stop = new AbortController();
  const r = await train({ ...base, data, test: wideTest, signal: stop.signal, onEpoch: () => stop.abort() });
  expect([r.stopped, r.epochs]).toEqual([true, 1]);
  return r.model;
}
const starts = () => {
  const seen: TrainStart[] = [];
  return { seen, onStart: (s: TrainStart) => seen.push(s) };
};

describe('a resumed run keeps its data', () => {
  it('a run records its data and test set as absolute paths, and a resumed run given no data continues on them, as the uninterrupted run', async () => {
    // Given relative to the current folder, as a user types it; recorded so that any folder finds the same file.
    const model = await interrupted(relative(process.cwd(), wide));
    expect(model.extra).toMatchObject({ train_data: wide, test_data: wideTest });
    expect(isAbsolute(model.extra!.train_data)).toBe(true);
    const { seen, onStart } = starts();
    const resumed = await train({ workers: 1, resume: model, onStart });
    expect(seen[0]).toMatchObject({ rows: 60, split: 'test', resumed: { epochs: 1, epochSamples: 0 } });
    expect(resumed.history.map((e) => e.epoch)).toEqual([2, 3]);
    const whole = await train({ ...base, data: wide, test: wideTest });
    expect(resumed.model.params).toEqual(whole.model.params);
    expect(resumed.history.map((e) => e.accuracy)).toEqual(whole.history.slice(1).map((e) => e.accuracy));
  });

  it('given other data with the same features, a resumed run continues on it (with no test set unless given), and an interrupted epoch starts over there', async () => {
    // As if stopped 7 samples into epoch 2: those samples belong to the shuffle of its own data.
    const model = { ...stopped, extra: { ...stopped.extra, epoch_samples: '7' } };
    const same = starts();
    await train({ workers: 1, resume: model, onStart: same.onStart });
    expect(same.seen[0].resumed).toMatchObject({ epochs: 1, epochSamples: 7 });
    const other = starts();
    const more = await train({ workers: 1, resume: model, data: wideMore, onStart: other.onStart });
    expect(other.seen[0]).toMatchObject({ rows: 50, split: 'train', resumed: { epochs: 1, epochSamples: 0 } });
    expect(more.history.map((e) => [e.epoch, e.samples])).toEqual([[2, 50], [3, 50]]);
    expect(more.model.extra).toMatchObject({ train_data: wideMore, epochs: '3' });
    expect(more.model.extra!.test_data).toBeUndefined();
    const withTest = await train({ workers: 1, resume: model, data: wideMore, test: wideTest });
    expect([withTest.split, withTest.model.extra!.test_data]).toEqual(['test', wideTest]);
  });

  it('refuses data whose features disagree with the resumed model in one line naming both files, both counts and the data it was trained on', async () => {
    const checkpoint = join(dir, 'wide.checkpoint.safetensors');
    saveModel(checkpoint, stopped);
    await expect(train({ workers: 1, resume: checkpoint, data: narrow })).rejects.toMatchObject({
      code: 'E_USAGE', field: 'resume', message: `resume: ${checkpoint} takes 300 features per sample, but ${narrow} has 20 (it was trained on ${wide})`,
    });
  });

  it('refuses standardize beside resume: the resumed model keeps its own preprocessing', async () => {
    await expect(train({ workers: 1, resume: stopped, standardize: 'off' })).rejects.toMatchObject({
      code: 'E_USAGE', field: 'standardize', message: 'standardize: a resumed run keeps the preprocessing of the resumed model: leave it out',
    });
  });
});

describe('trainer run --resume CHECKPOINT takes the rest of the interrupted run from it', () => {
  /** A checkpoint as Ctrl-C leaves it after `trainer run --data wide.arrow --test wide-test.arrow --workers 1 --save SAVE`. */
  async function checkpoint(save: string): Promise<string> {
    const file = join(tempDir(), 'w.checkpoint.safetensors');
    saveModel(file, { ...stopped, extra: { ...stopped.extra, ...runMetadata({ checkpoint: true, save, flags: { workers: 1 } }) } });
    return file;
  }
  const run = (...args: string[]) => runProgram(createProgram(), ['run', ...args]);

  it('its data, test set, --save and flags, a flag given beside --resume winning; the checkpoint is removed once the model is saved', async () => {
    const save = join(tempDir(), 'w.safetensors');
    const file = await checkpoint(save);
    const r = await run('--resume', file, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe(`--resume ${file}: continuing its run with --data ${wide} --test ${wideTest} --save ${save} --workers 1`);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ event: 'done', epochs: 3, workers: 1, saved: save });
    expect(existsSync(file)).toBe(false);
    expect(loadModel(save).extra).toMatchObject({ train_data: wide, test_data: wideTest, epochs: '3' });
    expect(loadModel(save).extra!.checkpoint).toBeUndefined();

    const again = await checkpoint(save);
    const other = join(tempDir(), 'other.safetensors');
    const given = await run('--resume', again, '--workers', '2', '--save', other, '--json');
    expect(given.stderr.split('\n')[0]).toBe(`--resume ${again}: continuing its run with --data ${wide} --test ${wideTest}`);
    expect(jsonLines(given.stdout).at(-1)).toMatchObject({ event: 'done', workers: 2, saved: other });
    expect(existsSync(again)).toBe(false);
  });

  it('refuses its --save when that file exists now, saying where the name came from', async () => {
    const save = join(tempDir(), 'w.safetensors');
    writeFileSync(save, 'a model written since');
    const file = await checkpoint(save);
    const r = await run('--resume', file);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').at(-2)).toBe(`trainer: --save ${save} (the --save of the run ${file} interrupted): the file exists; pass --force to replace it`);
    expect(existsSync(file)).toBe(true);
  });
});

describe('a checkpoint\'s record of its run (save, run_flags)', () => {
  const checks = { workers: (v: unknown) => { if (v !== 1 && v !== 2) throw new ExpectedError('1 or 2'); return v; } };
  const withRecord = (extra: Record<string, string>): Model => ({ spec: { layers: [2, 2], activation: 'relu', loss: 'softmax' }, params: new Float32Array(6), inputShape: [2], inputScale: 1, extra });

  it('writes --save as an absolute path and reads back the flags', () => {
    const meta = runMetadata({ checkpoint: true, save: 'w.safetensors', flags: { workers: 2 } });
    expect(meta).toEqual({ checkpoint: 'true', save: join(process.cwd(), 'w.safetensors'), run_flags: '{"workers":2}' });
    expect(readRunRecord(withRecord(meta), 'c.safetensors', checks)).toEqual({ checkpoint: true, save: meta.save, flags: { workers: 2 } });
    // A saved model records no run: nothing to take from it.
    expect(readRunRecord(withRecord({}), 'm.safetensors', checks)).toEqual({ checkpoint: false, flags: {} });
  });

  it('refuses, naming the file and key, a flag it does not record, a bad value, and a relative save', () => {
    const read = (extra: Record<string, string>) => () => readRunRecord(withRecord(extra), 'c.safetensors', checks);
    expect(read({ run_flags: '{"lr":1}' })).toThrow(/^resume: c\.safetensors: metadata run_flags: lr is not a flag a checkpoint records$/);
    expect(read({ run_flags: '{"workers":3}' })).toThrow(/^resume: c\.safetensors: metadata run_flags: workers 3: expected 1 or 2$/);
    expect(read({ run_flags: '[1' })).toThrow(/^resume: c\.safetensors: metadata run_flags is not JSON: "\[1"$/);
    expect(read({ save: 'w.safetensors' })).toThrow(/^resume: c\.safetensors: metadata save "w\.safetensors": expected an absolute path$/);
  });
});
