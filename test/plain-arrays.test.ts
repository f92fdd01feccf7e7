import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, HogwildError, predict, train, type ArrayData, type Evaluation, type Model } from '@hogwild/trainer';
import { arrayDataset, encodeLabels } from './internal.ts';
import { createRng } from '@hogwild/core';
import { labelClasses } from './internal.ts';
import { ROOT } from './helpers.ts';

/** Three seeded blobs in 2-D, one a class, named out of sorted order (as an iris CSV would list them). */
const NAMES = ['virginica', 'setosa', 'versicolor'];
function blobs(n: number, seed: number): { rows: number[][]; labels: string[] } {
  const rng = createRng(seed);
  const rows: number[][] = [], labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    rows.push([3 * c + rng.nextFloat(), -2 * c + rng.nextFloat()]);
    labels.push(NAMES[c]);
  }
  return { rows, labels };
}

/** Samples of each true label, from the confusion counts. */
const perLabel = (e: Evaluation): number[] => Array.from({ length: e.classes }, (_, l) => e.confusion.subarray(l * e.classes, (l + 1) * e.classes).reduce((a, b) => a + b, 0));

const FAST = { workers: 1, epochs: 8, lr: 0.05, layers: [2, 16, 3] } as const;

/** What train() rejects `data` with (before any worker starts). */
async function refusal(data: unknown, extra: object = {}): Promise<HogwildError> {
  const e = await train({ ...FAST, data: data as ArrayData, ...extra }).then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(HogwildError);
  return e as HogwildError;
}

describe('train() on plain arrays', () => {
  const { rows, labels } = blobs(300, 7);
  let model: Model;
  beforeAll(async () => {
    model = (await train({ ...FAST, data: { features: rows, labels } })).model;
  });

  it('numbers string labels in sorted order, keeps the names in the model, and predict() and evaluate() use them', async () => {
    expect(model.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const p = predict(model, rows.slice(0, 3));
    expect(p.map((x) => x.name)).toEqual(['virginica', 'setosa', 'versicolor']);
    expect(p.map((x) => x.label)).toEqual([2, 0, 1]);
    const held = blobs(60, 8);
    const e = await evaluate(model, { features: held.rows, labels: held.labels }, { workers: 1 });
    expect(e.samples).toBe(60);
    expect(e.accuracy).toBeGreaterThan(0.95);
  });

  it('trains the same model from rows, number[] with featureLength, Float64Array and Float32Array', async () => {
    const flat = rows.flat();
    const layouts: ArrayData[] = [
      { features: flat, labels, featureLength: 2 },
      { features: Float64Array.from(flat), labels, featureLength: 2 },
      { features: Float32Array.from(flat), labels, featureLength: 2 },
    ];
    for (const data of layouts) {
      const r = await train({ ...FAST, data });
      expect(r.model.classes).toEqual(model.classes);
      expect(r.model.params).toEqual(model.params);
    }
    // predict() takes the same layouts as train().
    const a = predict(model, rows.slice(0, 5)), b = predict(model, Float64Array.from(rows.slice(0, 5).flat())), c = predict(model, rows.slice(0, 5).flat());
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('maps a test set\'s and an evaluation\'s string labels with the training data\'s classes, even when it lacks some', async () => {
    const only = rows.filter((_, i) => labels[i] === 'virginica');
    const r = await train({ ...FAST, epochs: 1, data: { features: rows, labels }, test: { features: only, labels: only.map(() => 'virginica') } });
    expect(perLabel(r.evaluation!)).toEqual([0, 0, only.length]);
    const e = await evaluate(model, { features: only, labels: only.map(() => 'virginica') }, { workers: 1 });
    expect(perLabel(e)).toEqual([0, 0, only.length]);
    await expect(evaluate(model, { features: [[0, 0]], labels: ['rosa'] })).rejects.toMatchObject({
      code: 'E_USAGE', field: 'data.labels[0]', message: 'data.labels[0]: "rosa" is not one of the model\'s 3 classes (setosa, versicolor, virginica)',
    });
  });

  it('refuses unknown evaluate() options with the nearest name', async () => {
    await expect(evaluate(model, { features: rows, labels }, { worker: 1 } as never)).rejects.toMatchObject({
      code: 'E_USAGE', kind: 'usage', field: 'worker', message: 'unknown option `worker` (did you mean `workers`?)',
    });
    await expect(evaluate(model, { features: rows, labels }, { workers: 0 })).rejects.toMatchObject({ code: 'E_USAGE', field: 'workers' });
  });

  it('names the row or value predict() refuses', () => {
    expect(() => predict(model, [[1, 2], [1, 2, 3]])).toThrow(/^features\[1\]: expected 2 numbers \(the model's inputs\), found 3$/);
    expect(() => predict(model, [1, 2, 3])).toThrow(/^features: 3 values are not a whole number of rows of 2 \(the model's inputs\)$/);
    expect(() => predict(model, [[1, NaN]])).toThrow(/^features\[0\]\[1\]: expected a finite number, found NaN$/);
  });
});

describe('train() on plain arrays for regression', () => {
  // y = 2·a − b + 0.5 plus a little noise: a target a linear model fits, with fractions (so the task is regression).
  function line(n: number, seed: number): { rows: number[][]; y: number[] } {
    const rng = createRng(seed);
    const rows: number[][] = [], y: number[] = [];
    for (let i = 0; i < n; i++) {
      const [a, b] = [4 * rng.nextFloat(), 4 * rng.nextFloat()];
      rows.push([a, b]);
      y.push(2 * a - b + 0.5 + 0.05 * (rng.nextFloat() - 0.5));
    }
    return { rows, y };
  }
  const { rows, y } = line(400, 3);
  const held = line(100, 4);
  let model: Model;
  let r: Awaited<ReturnType<typeof train>>;
  beforeAll(async () => {
    r = await train({ workers: 1, seed: 1, data: { features: rows, labels: y }, test: { features: held.rows, labels: held.y } });
    model = r.model;
  });

  it('chooses regression for numeric labels with fractions, as data convert does: a linear output, mse, the target scaling kept', () => {
    expect(model.spec.loss).toBe('mse');
    expect(model.spec.layers.at(-1)).toBe(1);
    expect(model.task).toBe('regression');
    expect(model.classes).toBeUndefined();
    expect(model.target!.mean).toBeCloseTo(y.reduce((a, b) => a + b, 0) / y.length, 4);
    expect(r.evaluation!.regression!.r2).toBeGreaterThan(0.98);
    expect(Number.isNaN(r.evaluation!.accuracy)).toBe(true);
  });

  it('predict() gives values in the target\'s units and evaluate() on arrays the regression metrics, from the same preprocessing', async () => {
    const p = predict(model, held.rows);
    const e = await evaluate(model, { features: held.rows, labels: held.y }, { workers: 1 });
    expect(e.regression!.r2).toBeCloseTo(r.evaluation!.regression!.r2, 12);
    for (let i = 0; i < 5; i++) expect(p[i].value!).toBeCloseTo(e.predictions![i], 5);
    const meanAbs = p.reduce((a, x, i) => a + Math.abs(x.value! - held.y[i]), 0) / p.length;
    expect(meanAbs).toBeCloseTo(e.regression!.mae, 5);
    expect(meanAbs).toBeLessThan(0.2);
  });

  it('takes the task given: regression of whole numbers, or classes of fractional labels', async () => {
    const whole = await train({ workers: 1, epochs: 1, data: { features: rows, labels: y.map(Math.round), task: 'regression' } });
    expect(whole.model.spec.loss).toBe('mse');
    const named = await train({ workers: 1, epochs: 1, data: { features: [[0], [1], [2]], labels: [0.5, 1.5, 0.5], task: 'classification' } });
    expect([named.model.spec.loss, named.model.classes]).toEqual(['softmax', ['0.5', '1.5']]);
  });

  it('refuses, with the field named, a regression target that is not a number and a test set of another task', async () => {
    let e = await refusal({ features: [[1], [2], [3]], labels: [0.5, Number.NaN, 2], task: 'regression' }, { layers: undefined });
    expect([e.field, e.message]).toEqual(['data.labels[1]', 'data.labels[1]: expected a finite number (a regression target), found NaN']);
    e = await refusal({ features: rows, labels: y }, { layers: undefined, test: { features: [[1, 2]], labels: [1], task: 'classification' } });
    expect([e.field, e.message]).toEqual(['test.task', 'test.task: classification, but the training data is regression']);
  });
});

describe('plain arrays, checked with the field named', () => {
  const cases: [string, unknown, string, string][] = [
    ['rows of different lengths', { features: [[1, 2], [3]], labels: [0, 1] }, 'data.features[1]', 'data.features[1]: expected 2 numbers like row 0, found 1'],
    ['a value that is not a number', { features: [[1, 2], [3, '4']], labels: [0, 1] }, 'data.features[1][1]', 'data.features[1][1]: expected a finite number, found "4"'],
    ['a row-major array without featureLength', { features: [1, 2, 3, 4], labels: [0, 1] }, 'data.featureLength', 'data.featureLength: required with row-major features (number[]): the values per sample'],
    ['a value beyond float32', { features: Float64Array.from([1, 1e39]), labels: [0], featureLength: 2 }, 'data.features[1]', 'data.features[1]: 1e+39 is outside float32\'s range (±3.4e38)'],
    ['a NaN in a Float32Array', { features: Float32Array.from([1, NaN]), labels: [0], featureLength: 2 }, 'data.features[1]', 'data.features[1]: NaN, features must be finite'],
    ['labels that mix strings and numbers', { features: [[1], [2]], labels: ['a', 1] }, 'data.labels[1]', 'data.labels[1]: expected a string like the labels before it, found 1'],
    ['too few labels', { features: [[1], [2]], labels: [0] }, 'data.labels', 'data.labels: 1 labels for 2 rows'],
    ['no rows', { features: [], labels: [] }, 'data.features', 'data.features: no samples (an empty array)'],
    ['the rows themselves as data', [[1, 2]], 'data', 'data: expected { features, labels }, found an array (put the samples in `features` and their classes in `labels`)'],
    ['a label outside the classes given', { features: [[1], [2]], labels: ['a', 'c'], classes: ['a', 'b'] }, 'data.labels[1]', 'data.labels[1]: "c" is not one of the 2 classes (a, b)'],
  ];
  it.each(cases)('%s', async (_, data, field, message) => {
    const e = await refusal(data, { layers: undefined });
    expect({ code: e.code, kind: e.kind, field: e.field, message: e.message }).toEqual({ code: 'E_USAGE', kind: 'usage', field, message });
  });

  it('refuses more than 256 distinct string labels', async () => {
    const n = 300;
    const e = await refusal({ features: Array.from({ length: n }, (_, i) => [i]), labels: Array.from({ length: n }, (_, i) => `c${i}`) }, { layers: undefined });
    expect(e.message).toBe('data.labels: 300 distinct labels, a classifier takes at most 256 classes (is it a continuous target?)');
  });

  it('names a bad test set as test', async () => {
    const e = await refusal({ features: [[1], [2]], labels: ['a', 'b'] }, { layers: undefined, test: { features: [[1]], labels: ['z'] } });
    expect([e.field, e.message]).toEqual(['test.labels[0]', 'test.labels[0]: "z" is not one of the model\'s 2 classes (a, b)']);
  });
});

describe('labels named as data convert names them', () => {
  it('keeps the integers 0 … K−1 as they are, with no names, and renumbers integers with gaps as data convert does', () => {
    expect(encodeLabels([2, 0, 1, 2], 'l')).toEqual({ labels: Uint8Array.from([2, 0, 1, 2]) });
    expect(encodeLabels([3, 0, 3], 'l')).toEqual({ labels: Uint8Array.from([1, 0, 1]), classes: ['0', '3'] });
    expect(encodeLabels([0, 100, 200, 100], 'l')).toEqual({ labels: Uint8Array.from([0, 1, 2, 1]), classes: ['0', '100', '200'] });
    expect(labelClasses(['0', '100', '200'], true)).toEqual(['0', '100', '200']);
  });
  it('sorts other numbers by value and names them', () => {
    expect(encodeLabels([10, -1, 2.5, -1], 'l')).toEqual({ labels: Uint8Array.from([2, 0, 1, 0]), classes: ['-1', '2.5', '10'] });
    expect(encodeLabels([256, 3], 'l')).toEqual({ labels: Uint8Array.from([1, 0]), classes: ['3', '256'] });
  });
  it('sorts strings by code units, as data convert does', () => {
    expect(encodeLabels(['b', 'B', 'a'], 'l').classes).toEqual(['B', 'a', 'b']);
  });
  it('looks numbers up by name in classes made from numbers, and takes them as indices otherwise', () => {
    expect(encodeLabels([10, -1], 'l', ['-1', '2.5', '10']).labels).toEqual(Uint8Array.from([2, 0]));
    expect(encodeLabels([1, 0], 'l', ['cat', 'dog']).labels).toEqual(Uint8Array.from([1, 0]));
    expect(() => encodeLabels([-1], 'l', ['cat', 'dog'])).toThrow('l[0]: expected a class index 0 … 1 (the model\'s classes cat, dog), found -1');
  });
  it('keeps uint8 features as pixels and copies the rest into float32', () => {
    const px = Uint8Array.from([0, 255, 128, 1]);
    expect(arrayDataset({ features: px, labels: [0, 1], featureLength: 2 }, 'data').features).toBe(px);
    const ds = arrayDataset({ features: [[0.5, 1], [2, 3]], labels: ['x', 'y'] }, 'data');
    expect(ds.features).toEqual(Float32Array.from([0.5, 1, 2, 3]));
    expect([ds.featureLength, ds.rows, ds.classes]).toEqual([2, 2, ['x', 'y']]);
  });
});

describe('the README\'s plain-array example', () => {
  it('is examples/plain-arrays.ts, and it trains and names the class', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const example = readFileSync(join(ROOT, 'examples/plain-arrays.ts'), 'utf8');
    expect(readme).toContain('```ts\n' + example + '```\n');
    // As a user runs it: the library from its sources, its threads running worker.ts through tsx (not the tests' bundle).
    const env = { ...process.env };
    delete env.HOGWILD_WORKER;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/plain-arrays.ts'], { cwd: ROOT, encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\[ 'setosa', 'versicolor', 'virginica' \] training accuracy \d+\.\d%\nversicolor\n$/);
  });
});
