import { describe, expect, it } from 'vitest';
import {
  chooseTask, createEncoder, createPreprocessor, encodedNames, isMissingText, MISSING_TEXTS, oneHotMask, parseCell, parseNumber, fitTargetScaling,
  type ColumnEncoding,
} from '../src/preprocess.ts';
import { fitStandardization } from '../src/standardize.ts';
import { decodeModel, encodeModel, type Model } from '../src/safetensors.ts';
import { allocateParams, initParams, paramLayout } from '../src/params.ts';
import { createRng } from '../src/rng.ts';
import { gradCheck } from '../src/grad-check.ts';
import { validateSpec } from '../src/spec.ts';

const COLUMNS: ColumnEncoding[] = [
  { name: 'weight', role: 'numeric', fill: 150 },
  { name: 'color', role: 'categorical', categories: ['blue', 'red', null] },
];

describe('the cells of a table row', () => {
  it('reads the documented missing texts (any case) and the empty cell as missing, nothing else', () => {
    for (const t of ['', ...MISSING_TEXTS, 'na', 'NAN', 'NULL', 'none', 'n/a']) expect(isMissingText(t), t).toBe(true);
    for (const t of ['0', 'N', 'NAB', 'nil', '-', 'missing']) expect(isMissingText(t), t).toBe(false);
  });

  it('reads decimal numbers only: 0x10, 0b1, 0o7, Infinity, 1e999 and blanks are not numbers', () => {
    expect([parseNumber('3.5'), parseNumber('-2e3'), parseNumber('.5'), parseNumber('+7'), parseNumber('007')]).toEqual([3.5, -2000, 0.5, 7, 7]);
    for (const t of ['0x10', '0X10', '0b1', '0o7', 'Infinity', '-Infinity', '1e999', ' ', '1_000', '1,5']) expect(parseNumber(t), t).toBeNaN();
    expect([parseCell('NA'), parseCell('4'), parseCell('0x10'), parseCell('red')]).toEqual([null, 4, '0x10', 'red']);
    // Booleans by pandas (True), R (TRUE) and JSON (true) are one category, as Arrow and Parquet booleans read.
    expect(['True', 'TRUE', 'true', 'False', 'Truth'].map(parseCell)).toEqual(['true', 'true', 'true', 'false', 'Truth']);
    // A model saved with the categories False/True (before that) still finds them.
    const old = createEncoder([{ name: 'ripe', role: 'categorical', categories: ['False', 'True'] }]);
    const out = new Float32Array(2);
    old.encode(0, parseCell('True'), out, 0);
    expect([Array.from(out), old.unseen[0]]).toEqual([[0, 1], 0]);
  });
});

describe('the one preprocessing of a model', () => {
  it('fills a missing number (or a stray word) with its fill value, one-hot encodes categories, gives a missing value its own category and an unseen one all zeros, counted', () => {
    const enc = createEncoder(COLUMNS);
    expect(enc.width).toBe(4);
    expect(encodedNames(COLUMNS)).toEqual(['weight', 'color=blue', 'color=red', 'color=']);
    const out = new Float32Array(4);
    const row = (w: number | string | null, c: string | null): number[] => { enc.encode(0, w, out, 0); enc.encode(1, c, out, 0); return Array.from(out); };
    expect(row(120, 'red')).toEqual([120, 0, 1, 0]);
    expect(row(null, null)).toEqual([150, 0, 0, 1]);
    expect(row(130, 'purple')).toEqual([130, 0, 0, 0]);
    expect([enc.filled[0], enc.unseen[1]]).toEqual([1, 1]);
    // Text in a numeric column (a stray word): filled as a missing value, counted apart.
    expect(row('heavy', 'red')).toEqual([150, 0, 1, 0]);
    expect([enc.filled[0], enc.notNumbers[0]]).toEqual([1, 1]);
    expect(Array.from(oneHotMask(COLUMNS))).toEqual([0, 1, 1, 1]);
  });

  it('numbers in a categorical column are named by their shortest decimal form, so 1.0 and 1 are one category', () => {
    const enc = createEncoder([{ name: 'k', role: 'categorical', categories: ['1', '2'] }]);
    const out = new Float32Array(2);
    enc.encode(0, parseCell('1.0'), out, 0);
    expect(Array.from(out)).toEqual([1, 0]);
  });

  it('scales after encoding with the model\'s standardisation, encoded rows the same way, and scales and un-scales a regression target', () => {
    const pre = createPreprocessor({ columns: COLUMNS, standardization: { mean: Float32Array.from([100, 0, 0, 0]), std: Float32Array.from([10, 1, 1, 1]) }, target: { mean: 100, std: 20 } }, 4);
    const out = new Float32Array(4);
    const cells = [120, 'blue'];
    pre.encodeRow((j) => cells[j], out, 0);
    expect(Array.from(out)).toEqual([2, 1, 0, 0]);
    // Rows encoded ahead (a converted dataset, arrays): scaleRows gives what encodeRow gives.
    const rows = Float32Array.from([120, 1, 0, 0, 90, 0, 0, 1]);
    pre.scaleRows(rows);
    expect(Array.from(rows)).toEqual([2, 1, 0, 0, -1, 0, 0, 1]);
    expect([pre.scaleTarget(110), pre.unscaleTarget(0.5)]).toEqual([0.5, 110]);
    expect(createPreprocessor({}, 2).unscaleTarget(0.5)).toBe(0.5);
    expect(fitTargetScaling([1, 3])).toEqual({ mean: 2, std: 1 });
    expect(fitTargetScaling([4, 4])).toEqual({ mean: 4, std: 1 });
  });

  it('auto standardisation divides mostly-zero features by their largest |value| without centring them, and leaves one-hot indicators as they are', () => {
    // Feature 0 dense, feature 1 zero in 3 of 4 rows, feature 2 a one-hot indicator.
    const x = Float32Array.from([1, 0, 1, 3, 0, 0, 5, 0, 1, 7, 8, 0]);
    const on = fitStandardization(x, 3);
    const auto = fitStandardization(x, 3, { sparse: true, keep: Uint8Array.from([0, 0, 1]) });
    expect(Array.from(auto.mean)).toEqual([on.mean[0], 0, 0]);
    // Feature 1 is 0, 0, 0, 8: divided by its largest |value|, 8, not by its standard deviation.
    expect(auto.std[1]).toBe(8);
    expect(on.std[1]).not.toBe(8);
    expect(auto.std[2]).toBe(1);
  });
});

describe('the task a label asks for', () => {
  const t = (numeric: boolean, fractional: boolean, floats: boolean, distinct: number, codes = false) => chooseTask({ numeric, fractional, floats, distinct, codes }).task;
  it('is regression for fractions, more than 256 values, or more than 20 that are floats or not class codes; classification otherwise', () => {
    expect(t(true, true, true, 5)).toBe('regression');
    expect(t(true, false, false, 257, true)).toBe('regression');
    expect(t(true, false, true, 214)).toBe('regression'); // load_diabetes: "151.0", 214 values
    expect(t(true, false, true, 3, true)).toBe('classification'); // pandas' float classes 0.0, 1.0, 2.0
    expect(t(true, false, false, 27)).toBe('regression'); // ggplot2's mpg$hwy: 12, 14, 15, … 41, 44
    expect(t(true, false, false, 100, true)).toBe('classification'); // CIFAR-100's labels 0 … 99
    expect(t(true, false, false, 3)).toBe('classification'); // {0, 100, 200}: few values are classes, renumbered
    expect(t(false, false, false, 3)).toBe('classification');
  });
});

describe('model metadata for tables and regression', () => {
  function regressionModel(): Model {
    const spec = validateSpec({ layers: [4, 3, 1], activation: 'relu', loss: 'mse' });
    const layout = paramLayout(spec.layers);
    const params = allocateParams(layout);
    initParams(params, layout, createRng(1), 'he');
    return { spec, params, inputShape: [4], inputScale: 1, task: 'regression', columns: COLUMNS, label: 'price', target: { mean: 152.5, std: 77 }, featureNames: encodedNames(COLUMNS) };
  }

  it('keeps the task, the label, the columns and the target scaling, as strings a PyTorch user can read', () => {
    const bytes = encodeModel(regressionModel());
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))).toString());
    expect(header.__metadata__).toMatchObject({ task: 'regression', label: 'price', output: 'linear', loss: 'mse', target_mean: '152.5', target_std: '77', columns: JSON.stringify(COLUMNS) });
    const back = decodeModel(bytes);
    expect(back.task).toBe('regression');
    expect(back.columns).toEqual(COLUMNS);
    expect(back.target).toEqual({ mean: 152.5, std: 77 });
    expect(back.label).toBe('price');
  });

  it('refuses columns that do not encode into the inputs, and a target scaling on a classifier', () => {
    const m = regressionModel();
    expect(() => encodeModel({ ...m, columns: COLUMNS.slice(0, 1) })).toThrow(/columns: they encode into 1 features, the model takes 4/);
    expect(() => encodeModel({ ...m, task: 'classification' })).toThrow(/task: classification with loss mse/);
  });
});

describe('the regression output', () => {
  it('passes the gradient check: linear output with mean squared error, every hidden activation', () => {
    for (const activation of ['sigmoid', 'relu', 'tanh'] as const) {
      const r = gradCheck({ layers: [6, 5, 1], activation, loss: 'mse' }, { seed: 2 });
      expect(r.passed, `${activation}: ${r.maxRelativeError}`).toBe(true);
    }
  });

  it('has exactly one output', () => {
    expect(() => validateSpec({ layers: [4, 3, 2], activation: 'relu', loss: 'mse' })).toThrow(/mse \(regression\) has one output/);
  });
});
