import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { datasetFromTableFile, type DenseDataset as Dataset } from '@hogwild/data';
import { evaluate, loadModel, predict, saveModel, train } from '@hogwild/trainer';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createTrainerProgram as createProgram } from './internal.ts';

const IRIS = join(ROOT, 'test/fixtures/tabular/iris.csv');
const SPECIES = ['setosa', 'versicolor', 'virginica'];

/** The iris table split 80/20, stratified, seed 1, as `data convert --csv --test-fraction 0.2` writes it. */
async function irisSplit(): Promise<{ train: Dataset; test: Dataset }> {
  const r = await datasetFromTableFile('csv', IRIS, { label: 'species', testFraction: 0.2, seed: 1 });
  return { train: r.dataset, test: r.test! };
}

const asArrays = (ds: Dataset, f: (x: number, j: number) => number = (x) => x) => ({
  features: Float32Array.from(ds.features, (x, i) => f(x, i % ds.featureLength)), labels: ds.labels, featureLength: ds.featureLength,
  classes: ds.classes, featureNames: ds.featureNames,
});

const options = { workers: 1, epochs: 40, seed: 3, layers: [4, 16, 3] } as const;

describe('tabular data through the trainer', () => {
  it('standardises float features with the training set\'s statistics: features a thousand times larger and shifted train the same', async () => {
    const { train: tr, test } = await irisSplit();
    const plain = await train({ ...options, data: asArrays(tr), test: asArrays(test) });
    const scale = (x: number, j: number) => 1000 * x + 5000 * (j + 1);
    const scaled = await train({ ...options, data: asArrays(tr, scale), test: asArrays(test, scale) });
    expect(plain.evaluation!.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(scaled.evaluation!.accuracy).toBe(plain.evaluation!.accuracy);
    const s = scaled.model.standardization!;
    for (let j = 0; j < 4; j++) {
      expect(s.mean[j]).toBeCloseTo(1000 * plain.model.standardization!.mean[j] + 5000 * (j + 1), -1);
      expect(s.std[j] / plain.model.standardization!.std[j]).toBeCloseTo(1000, 0);
    }
  });

  it('keeps the statistics, class names and feature names in the model file, and evaluate() and predict() apply them alike', async () => {
    const { train: tr, test } = await irisSplit();
    const dir = tempDir();
    const r = await train({ ...options, data: asArrays(tr), test: asArrays(test) });
    const file = join(dir, 'iris.safetensors');
    saveModel(file, r.model);
    const model = loadModel(file);
    expect(model.classes).toEqual(SPECIES);
    expect(model.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(model.standardization!.mean).toEqual(r.model.standardization!.mean);
    expect(model.standardization!.std).toEqual(r.model.standardization!.std);
    const e = await evaluate(model, asArrays(test), { workers: 2 });
    expect(e.accuracy).toBe(r.evaluation!.accuracy);
    const p = predict(model, test.features as Float32Array);
    expect(p.filter((x, i) => x.label === test.labels[i]).length).toBe(e.correct);
    expect(p[0].name).toBe(SPECIES[p[0].label]);
  });

  it('runs the tabular path from the CLI: convert, run, eval with class names, predict rows from CSV (a stray word read as missing) and JSON lines', async () => {
    const dir = tempDir();
    const [trainFile, testFile, model] = ['train.arrow', 'test.arrow', 'iris.safetensors'].map((f) => join(dir, f));
    const c = await cli('data', ['convert', '--csv', IRIS, '--label', 'species', '--test-fraction', '0.2', '--out', trainFile, '--test-out', testFile]);
    expect(c.code).toBe(0);
    const run = await cli('trainer', ['run', '--data', trainFile, '--test', testFile, '--epochs', '40', '--workers', '1', '--save', model, '--json']);
    expect(run.code).toBe(0);
    const done = jsonLines(run.stdout).at(-1);
    expect(done.test_accuracy).toBeGreaterThanOrEqual(0.9);
    const ev = await cli('trainer', ['eval', '--model', model, '--data', testFile]);
    expect(ev.code).toBe(0);
    expect(ev.stdout).toMatch(new RegExp(`accuracy ${(100 * done.test_accuracy).toFixed(2)}%`));
    expect(ev.stdout).toMatch(/^2 virginica +\d+ +\d+ +\d+$/m);
    expect(ev.stdout).toMatch(/^1 versicolor +\d+\.\d+% +\d+\.\d+% +\d+$/m);

    // The original CSV, label column and all: the header picks the model's features by name.
    const rows = join(dir, 'rows.csv');
    writeFileSync(rows, 'species,petal_width,petal_length,sepal_width,sepal_length\nsetosa,0.2,1.4,3.5,5.1\n?,2.5,6.0,3.3,oops\nvirginica,2.5,6.0,3.3,6.3\n');
    const p = await cli('trainer', ['predict', '--model', model, '--csv', rows]);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^row 1: setosa  \d+\.\d%  \(/);
    expect(p.stdout).toMatch(/\nrow 2: \w+  \d+\.\d%  \(/);
    expect(p.stdout).toMatch(/\nrow 3: virginica  \d+\.\d%  \(/);
    // A stray word in a numeric column is a missing value (the training mean), as eval reads it, and said so.
    expect(p.stderr).toBe('trainer: note: 1 cell(s) of numeric columns are not numbers, filled as missing values (sepal_length: 1)\n');
    const j = await cli('trainer', ['predict', '--model', model, '--jsonl', '--json'], { input: '[5.1,3.5,1.4,0.2]\n{"sepal_length":6.3,"sepal_width":3.3,"petal_length":6,"petal_width":2.5}\n[1]\n' });
    expect(j.code).toBe(1);
    const lines = jsonLines(j.stdout);
    expect(lines[0]).toMatchObject({ row: 1, class: 0, name: 'setosa' });
    expect(lines[1]).toMatchObject({ row: 2, class: 2, name: 'virginica' });
    expect(lines[2]).toEqual({ row: 3, error: 'stdin: row 3: 1 values, the model takes 4 (sepal_length, sepal_width, petal_length, petal_width)' });
    expect(lines[0].probability).toBeGreaterThan(0.5);
  });

  it('predict --jsonl takes a list column\'s items from its list, and refuses an object in its place naming the row and column', async () => {
    const dir = tempDir();
    const data = join(dir, 'il.arrow'), model = join(dir, 'il.safetensors');
    expect((await cli('data', ['convert', '--parquet', join(ROOT, 'test/fixtures/tabular/iris-list.parquet'), '--label', 'class', '--out', data])).code).toBe(0);
    expect((await cli('trainer', ['run', '--data', data, '--workers', '1', '--epochs', '20', '--save', model])).code).toBe(0);
    const p = await cli('trainer', ['predict', '--model', model, '--jsonl', '--json'], { input: '{"measurements":[5.1,3.5,1.4,0.2]}\n{"measurements":[6.7,3.0,5.2,2.3]}\n{"measurements":{"a":1}}\n' });
    const lines = jsonLines(p.stdout);
    expect(lines.slice(0, 2).map((l) => l.class)).toEqual([0, 2]);
    expect(lines[2]).toEqual({ row: 3, error: 'stdin: row 3: column "measurements": an object, expected a number, text or null' });
    expect(p.code).toBe(1);
  });

  it('refuses an Arrow table that is not a dataset, pointing at data convert', async () => {
    const dir = tempDir();
    const r = await runProgram(createProgram(), ['run', '--data', join(ROOT, 'test/fixtures/tabular/iris-lz4.arrow'), '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/iris-lz4\.arrow: corrupted Arrow file: record batch 0: compressed record batches \(LZ4 or ZSTD\) are not read here; convert the table with: pnpm data convert --arrow FILE --label COLUMN/);
    const plain = join(dir, 'plain.arrow');
    writeFileSync(plain, tableToIPC(tableFromArrays({ height: Float64Array.from([1.5, 1.8]), kind: ['a', 'b'] }), 'file'));
    const t = await runProgram(createProgram(), ['run', '--data', plain, '--epochs', '1']);
    expect(t.code).toBe(1);
    expect(t.stderr).toBe(`trainer: ${plain}: expected columns "features" and "label", found "height", "kind"; for a table with a column per feature: pnpm data convert --arrow FILE --label COLUMN --out DATASET.arrow\n`);
  });
});
