/**
 * The model carries its preprocessing: one implementation (core preprocess.ts) on the four paths, run (the dataset
 * convert encoded), eval on raw rows, predict on raw rows, and train() from code, giving the same inputs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTableFile, writeArrowDataset, readArrowDataset } from '@hogwild/data';
import { asDense } from './internal.ts';
import { createPreprocessor, parseCell } from './internal.ts';
import { bench, evaluate, evaluateTable, predict, train } from '@hogwild/trainer';
import { prepareTable } from './internal.ts';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';

const T = (name: string) => join(ROOT, 'test/fixtures/tabular', name);

async function fruitFiles(): Promise<{ train: string; test: string }> {
  const dir = tempDir();
  const tr = await readTableFile('csv', T('fruit-train.csv'), { label: 'kind' });
  const like = { name: 'train.arrow', columns: tr.columns, classes: (tr.labels as { classes: readonly string[] }).classes, regression: false };
  const te = await readTableFile('csv', T('fruit-test.csv'), { label: 'kind', like });
  const files = { train: join(dir, 'train.arrow'), test: join(dir, 'test.arrow') };
  await writeArrowDataset(files.train, tr.parts[0]);
  await writeArrowDataset(files.test, te.parts[0]);
  return files;
}

describe('the preprocessing inside the model', () => {
  it('gives raw rows (eval --csv, predict --csv) exactly the inputs that the converted dataset gives train() and evaluate()', async () => {
    const files = await fruitFiles();
    const r = await train({ data: files.train, workers: 1, epochs: 40, seed: 2 });
    const model = r.model;
    expect(model.columns?.map((c) => c.name)).toEqual(['weight', 'color', 'ripe']);
    expect(model.label).toBe('kind');
    expect(model.classes).toEqual(['0', '100', '200']);

    // The converted test set, scaled the way the session scales it, against the raw CSV through the model's preprocessing.
    const test = asDense(readArrowDataset(files.test));
    const scaled = Float32Array.from(test.features);
    createPreprocessor(model, test.featureLength).scaleRows(scaled);
    const { dataset, unseen, filled } = await prepareTable(model, 'csv', T('fruit-test.csv'), 'kind');
    expect(dataset.features).toEqual(scaled);
    expect(dataset.labels).toEqual(test.labels);
    expect(unseen).toEqual({ color: 1 });
    expect(filled).toEqual({ weight: 4 });

    // eval on the dataset and on the raw rows agree to the count.
    const onData = await evaluate(model, files.test, { workers: 2 });
    const onRows = await evaluateTable(model, 'csv', T('fruit-test.csv'), 'kind', { workers: 2 });
    expect(onRows.confusion).toEqual(onData.confusion);
    expect(onData.accuracy).toBeGreaterThan(0.75);
    expect(onRows.notNumbers).toEqual({});

    // Text in a numeric column (absent from the training split) is a missing value to eval, counted apart: the
    // same scores as with NA in that cell.
    const lines = readFileSync(T('fruit-test.csv'), 'utf8').split('\n');
    const cut = (cell: string) => {
      const f = join(tempDir(), 'cut.csv');
      writeFileSync(f, [lines[0], lines[1].replace('193.4', cell), ...lines.slice(2)].join('\n'));
      return f;
    };
    const text = await evaluateTable(model, 'csv', cut('heavy'), 'kind', { workers: 1 });
    const na = await evaluateTable(model, 'csv', cut('NA'), 'kind', { workers: 1 });
    expect(text.confusion).toEqual(na.confusion);
    expect([text.notNumbers, text.firstNotNumbers, text.filled]).toEqual([{ weight: 1 }, ['weight: data row 1: "heavy"'], onRows.filled]);
    expect(na.filled).toEqual({ weight: onRows.filled.weight + 1 });
    // A row dropped for its missing label counts nothing; a column mostly of text is refused, not filled.
    const unlabelled = join(tempDir(), 'unlabelled.csv');
    writeFileSync(unlabelled, [lines[0], lines[1].replace('193.4', 'heavy').replace(/,200(\r?)$/, ',$1'), ...lines.slice(2)].join('\n'));
    const dropped = await evaluateTable(model, 'csv', unlabelled, 'kind', { workers: 1 });
    expect([dropped.dropped, dropped.notNumbers, dropped.filled]).toEqual([1, {}, onRows.filled]);
    const shifted = join(tempDir(), 'shifted.csv');
    writeFileSync(shifted, lines.map((l, i) => (i === 0 ? l : l.replace(/^([^,]*),([^,]*),([^,]*),/, '$1,$3,$2,'))).join('\n'));
    await expect(evaluateTable(model, 'csv', shifted, 'kind', { workers: 1 })).rejects.toThrow(/column "weight" is numeric in the model, but \d+ cells are not a number \(data row 1: "blue", .*\), more than the \d+ that are: is it the column the model was trained on\?$/);

    // predict() on the dataset rows, and the CLI on the raw CSV, answer alike.
    const p = predict(model, test.features as Float32Array);
    const file = join(tempDir(), 'f.safetensors');
    const { saveModel } = await import('@hogwild/core');
    saveModel(file, model);
    const c = await cli('trainer', ['predict', '--model', file, '--csv', T('fruit-test.csv'), '--json']);
    expect(c.code).toBe(0);
    // eval on raw rows takes the label column the model was trained on when --label is left out.
    const ev = await cli('trainer', ['eval', '--model', file, '--csv', T('fruit-test.csv'), '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(jsonLines(ev.stdout)[0].accuracy).toBe(onRows.accuracy);
    // What the preprocessing filled and could not place, as eval counts it.
    expect(c.stderr).toBe("trainer: note: filled 4 missing numeric cell(s) with the model's training means (weight: 4)\ntrainer: note: 1 category not seen in training, encoded as all zeros (color: 1)\n");
    expect(jsonLines(c.stdout).map((l) => l.class)).toEqual(p.map((x) => x.label));

    // One row by hand through the one function.
    const pre = createPreprocessor(model, model.spec.layers[0]);
    const out = new Float32Array(pre.width);
    const cells = ['NA', 'red', 'True'].map(parseCell);
    pre.encodeRow((j) => cells[j], out, 0);
    expect(out[0]).toBeCloseTo(((model.columns![0] as { fill: number }).fill - model.standardization!.mean[0]) / model.standardization!.std[0], 5);
  });

  it('trains a regression end to end: one linear output, the target scaled by the training statistics the model keeps', async () => {
    const dir = tempDir();
    const tr = await readTableFile('csv', T('diabetes-train.csv'), { label: 'target' });
    const file = join(dir, 'd.arrow');
    await writeArrowDataset(file, tr.parts[0]);
    const r = await train({ data: file, workers: 1, seed: 1 });
    expect(r.model.spec.loss).toBe('mse');
    expect(r.model.spec.layers.at(-1)).toBe(1);
    expect(r.model.target!.mean).toBeCloseTo(tr.parts[0].targets!.reduce((a, b) => a + b, 0) / tr.parts[0].rows, 3);
    const e = await evaluateTable(r.model, 'csv', T('diabetes-test.csv'), 'target', { workers: 1 });
    expect(e.regression!.r2).toBeGreaterThan(0.35);
    expect(Number.isNaN(e.accuracy)).toBe(true);
    const [first] = predict(r.model, (await prepareTable(r.model, 'csv', T('diabetes-test.csv'), 'target')).dataset.features.subarray(0, 10), { prepared: true });
    expect(first.value! - e.predictions![0]).toBeCloseTo(0, 3);

    // The same table as arrays in memory (its targets are whole numbers: regression as told) trains the same model.
    const ds = asDense(readArrowDataset(file));
    const arrays = await train({ workers: 1, seed: 1, data: { features: ds.features as Float32Array, featureLength: ds.featureLength, labels: ds.targets!, task: 'regression' } });
    expect(arrays.model.target).toEqual(r.model.target);
    expect(arrays.model.params).toEqual(r.model.params);
  });

  it('bench() scores a regression target by R² (its target an R²) and gives the RMSE beside it', async () => {
    const tr = await readTableFile('csv', T('diabetes-train.csv'), { label: 'target' });
    const te = await readTableFile('csv', T('diabetes-test.csv'), { label: 'target', like: { name: 'd.arrow', columns: tr.columns, regression: true } });
    const [train, test] = [join(tempDir(), 'd.arrow'), join(tempDir(), 't.arrow')];
    await writeArrowDataset(train, tr.parts[0]);
    await writeArrowDataset(test, te.parts[0]);
    const { start, rows } = await bench({ data: train, test, workers: [1], epochs: 8, lr: 0.01, repeat: 1, target: 0.2, simulate: true, evals: 2 });
    expect(start.score).toBe('r2');
    expect(start.spec.loss).toBe('mse');
    const [row] = rows;
    expect(row.test_accuracy).toBeGreaterThan(0.3);
    expect(row.epochs_to_target).not.toBeNull();
    // RMSE and R² of one evaluation: RMSE² = (1 − R²) · the test targets' variance, in the target's units.
    const y = te.parts[0].targets!;
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const variance = y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length;
    expect(row.test_rmse! ** 2 / ((1 - row.test_accuracy) * variance)).toBeCloseTo(1, 4);
  });
});
