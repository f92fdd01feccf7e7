/**
 * The rows of issue 21's table: what real tables hold, and what the converter does with it now. Fixtures by Python's
 * csv module and polars (test/fixtures/tabular/make_tables.py), and R's write.csv (make_r.R).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetFromTableFile, readArrowDataset, readTableFile, writeArrowDataset } from '../src/internal.ts';
import { createProgram } from '../src/cli/program.ts';
import { runProgram, tempDir } from './helpers.ts';

const TABULAR = join(import.meta.dirname, '../../../test/fixtures/tabular');
const table = (name: string): string => join(TABULAR, name);
const csv = (text: string): string => {
  const f = join(tempDir(), 't.csv');
  writeFileSync(f, text);
  return f;
};
const role = (roles: readonly { name: string; role: string }[], name: string) => roles.find((r) => r.name === name)?.role;

describe('real tables', () => {
  it('a continuous target (load_diabetes) is a regression target, stored as float32, not 214 classes', async () => {
    const dir = tempDir();
    const r = await readTableFile('csv', table('diabetes.csv'), { label: 'target' });
    expect(r.task).toBe('regression');
    expect(r.taskWhy).toBe('the labels are floats with 214 distinct values, more than 20');
    const out = join(dir, 'd.arrow');
    await writeArrowDataset(out, r.parts[0]);
    const back = readArrowDataset(out);
    expect(back.targets).toBeInstanceOf(Float32Array);
    expect(Array.from(back.targets!.subarray(0, 3))).toEqual([151, 75, 141]);
    expect(back.classes).toBeUndefined();
  });

  it('whole numbers with many values that are not class codes (ChickWeight\'s grams, by R\'s write.csv) are a regression target; the codes 1 … K stay classes', async () => {
    const r = await readTableFile('csv', table('chickweight.csv'), { label: 'weight' });
    expect([r.task, r.taskWhy]).toEqual(['regression', 'the labels are whole numbers with 212 distinct values, more than 20, and not the codes 0 … K−1 or 1 … K of classes']);
    // Chick is numbered 1 … 50, every number present: the codes of 50 classes.
    const c = await readTableFile('csv', table('chickweight.csv'), { label: 'Chick' });
    expect([c.task, c.taskWhy]).toEqual(['classification', 'the labels are whole numbers with 50 distinct values']);
  });

  it('labels {0, 100, 200} are renumbered 0..2, the names kept', async () => {
    const { dataset, labels } = await datasetFromTableFile('csv', table('fruit.csv'), { label: 'kind' });
    expect(labels).toEqual({ kind: 'sorted', by: 'number', classes: ['0', '100', '200'] });
    expect(Math.max(...dataset.labels)).toBe(2);
  });

  it('NA in data row 1 leaves the column numeric, with its missing cells filled with the training mean', async () => {
    const r = await readTableFile('csv', table('fruit.csv'), { label: 'kind' });
    expect(role(r.roles, 'weight')).toBe('numeric');
    expect(r.roles.find((x) => x.name === 'weight')!.missing).toBe(18);
    expect(r.filled).toBe(18);
    const weight = r.columns.find((c) => c.name === 'weight')!;
    const ds = await datasetFromTableFile('csv', table('fruit.csv'), { label: 'kind' });
    expect(weight.role === 'numeric' && ds.dataset.features[0]).toBe(weight.role === 'numeric' ? weight.fill : NaN);
  });

  it('NA in data row 10 is a missing value: filled (mean), the row dropped (drop), or refused naming the cells and the count (error)', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `${i === 9 ? 'NA' : i},${i === 4 ? '' : i * 2},${i % 2}`);
    const f = csv(`a,b,y\n${rows.join('\n')}\n`);
    const mean = await datasetFromTableFile('csv', f, { label: 'y' });
    expect(mean.dataset.rows).toBe(12);
    expect(mean.dataset.features[9 * 2]).toBeCloseTo((66 - 9) / 11, 5);
    const drop = await datasetFromTableFile('csv', f, { label: 'y', missing: 'drop' });
    expect(drop.dataset.rows).toBe(10);
    await expect(datasetFromTableFile('csv', f, { label: 'y', missing: 'error' })).rejects.toThrow(/2 missing cells in numeric columns \(column "a": data row 10; column "b": data row 5\); --missing mean fills them/);
  });

  it('a string feature is one-hot encoded over the training split\'s categories; the missing value is its own category; a held-out category is all zeros, counted', async () => {
    const r = await readTableFile('csv', table('fruit.csv'), { label: 'kind' });
    expect(r.columns.find((c) => c.name === 'color')).toEqual({ name: 'color', role: 'categorical', categories: ['blue', 'green', 'red', null] });
    expect(r.columns.find((c) => c.name === 'ripe')).toEqual({ name: 'ripe', role: 'categorical', categories: ['false', 'true'] });
    expect(r.parts[0].featureNames).toEqual(['weight', 'color=blue', 'color=green', 'color=red', 'color=', 'ripe=false', 'ripe=true']);
    // A category only in the held-out rows is not one of the training split's.
    const rows = Array.from({ length: 40 }, (_, i) => `${i},${i === 39 ? 'teal' : ['red', 'blue'][i % 2]},${i % 2}`);
    const s = await readTableFile('csv', csv(`x,c,y\n${rows.join('\n')}\n`), { label: 'y', testFraction: 0.5, seed: 1 });
    const cats = (s.columns[1] as { categories: readonly (string | null)[] }).categories;
    const inTest = s.unseen[1].c === 1;
    expect(cats.includes('teal')).toBe(!inTest);
  });

  it('an identifier column is left out with the reason; every column gets its line in the role table', async () => {
    const dir = tempDir();
    const r = await runProgram(createProgram(), ['convert', '--csv', table('fruit.csv'), '--label', 'kind', '--out', join(dir, 'f.arrow')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}id {6}left out {5}300 distinct values: an identifier or a date, not a category \(more than 100\), nor text \(most cells are one word\)$/m);
    expect(r.stdout).toMatch(/^ {2}weight {2}numeric {6}18 missing, filled with the training mean$/m);
    expect(r.stdout).toMatch(/^ {2}color {3}categorical {2}3 categories \(training split\), 14 missing, its own category$/m);
    expect(r.stdout).toMatch(/^ {2}kind {4}label {8}3 classes$/m);
    expect(r.stderr).toMatch(/data: note: task: classification, because the labels are whole numbers with 3 distinct values; --task regression overrides it/);
  });

  it('reads Parquet and Arrow nulls (polars) as missing values, to the same dataset as the CSV: pandas\' True and polars\' true one category', async () => {
    const c = await datasetFromTableFile('csv', table('fruit.csv'), { label: 'kind' });
    for (const [format, name] of [['parquet', 'fruit.parquet'], ['arrow', 'fruit.arrow']] as const) {
      const t = await datasetFromTableFile(format, table(name), { label: 'kind' });
      expect(t.dataset.featureNames, name).toEqual(['weight', 'color=blue', 'color=green', 'color=red', 'color=', 'ripe=false', 'ripe=true']);
      expect(c.dataset.featureNames, name).toEqual(t.dataset.featureNames);
      expect(t.dataset.features, name).toEqual(c.dataset.features);
      expect(t.dataset.labels, name).toEqual(c.dataset.labels);
    }
  });

  it('--features forces a role, or refuses it with the reason: every bad cell counted, the first few named; 0x10 is not a number', async () => {
    const f = csv('a,b,y\n1,0x10,0\n2,x,1\n3,4,0\n4,y,1\n5,z,0\n6,w,1\n');
    await expect(datasetFromTableFile('csv', f, { label: 'y', features: ['a', 'b:numeric'] })).rejects.toThrow(/--features b:numeric: 5 cells are not a number \(data row 1: "0x10", data row 2: "x", data row 4: "y", …\), more than the 1 that are/);
    const forced = await datasetFromTableFile('csv', f, { label: 'y', features: ['b:categorical', 'a'] });
    expect(forced.dataset.featureNames!.slice(0, 2)).toEqual(['b=4', 'b=0x10']);
    await expect(datasetFromTableFile('csv', f, { label: 'y', features: ['b'] })).rejects.toThrow(/--features b: 6 distinct values in 6 rows: an identifier, not a category \(more than half the rows\); b:categorical forces it/);
  });

  it('a numeric column with a stray word is left out naming the cell, and --features NAME:numeric reads the word as a missing value', async () => {
    const x = Array.from({ length: 40 }, (_, i) => (i * 1.5).toFixed(1));
    const f = csv(['x,z,y', ...x.map((v, i) => `${i === 7 ? 'unknown' : v},${i % 3},${i % 2}`)].join('\n') + '\n');
    const auto = await readTableFile('csv', f, { label: 'y' });
    expect(auto.roles.find((r) => r.name === 'x')).toMatchObject({ role: 'left out', why: '1 cell is not a number among 39 numbers (data row 8: "unknown"): --features x:numeric reads it as missing' });
    const r = await readTableFile('csv', f, { label: 'y', features: ['x:numeric', 'z'] });
    expect(r.roles.find((c) => c.name === 'x')).toMatchObject({ role: 'numeric', notNumbers: { count: 1, named: 'data row 8: "unknown"' } });
    const { dataset } = await datasetFromTableFile('csv', f, { label: 'y', features: ['x:numeric', 'z'] });
    const mean = x.filter((_, i) => i !== 7).reduce((a, v) => a + Number(v), 0) / 39;
    expect(dataset.features[7 * dataset.featureLength]).toBeCloseTo(mean, 4);
    await expect(readTableFile('csv', f, { label: 'y', features: ['x:numeric', 'z'], missing: 'error' })).rejects.toThrow(/1 missing cell in numeric columns \(column "x": data row 8: "unknown"\)/);
  });

  it('--label 99 says the index is out of range', async () => {
    await expect(datasetFromTableFile('csv', table('iris.csv'), { label: '99' })).rejects.toThrow(/--label 99: index out of range: iris\.csv has 5 columns \(indices 0–4\)/);
  });

  it('a row without a label is dropped, with a count', async () => {
    const r = await readTableFile('csv', csv('x,y\n1,a\n2,\n3,b\n4,NA\n'), { label: 'y' });
    expect(r.dropped.label).toBe(2);
    expect(r.parts[0].rows).toBe(2);
  });

  it('--like gives a test set converted on its own the training file\'s encoding, and refuses labels it does not know', async () => {
    const dir = tempDir();
    const train = await readTableFile('csv', table('fruit-train.csv'), { label: 'kind' });
    const like = { name: 'train.arrow', columns: train.columns, classes: (train.labels as { classes: readonly string[] }).classes, regression: false };
    const test = await readTableFile('csv', table('fruit-test.csv'), { label: 'kind', like });
    expect(test.columns).toEqual(train.columns);
    expect(test.unseen[0]).toEqual({ color: 1 });
    const only = join(dir, 'one.csv');
    writeFileSync(only, 'id,weight,color,ripe,kind\nX,150,red,True,300\n');
    await expect(readTableFile('csv', only, { label: 'kind', like })).rejects.toThrow(/1 row has a label that is not among the classes of train\.arrow \(data row 1: "300"\)/);
  });
});
