/**
 * Tables with text (issue 27, readers): a column of several words a cell takes the role `text`, and a table with one,
 * or a wide table of mostly zeros, converts to a sparse dataset whose row featurizer (core row-featurizer.ts) gives
 * each row back from its raw cells by encodeRow. The CSV fixtures are written by Python's csv module
 * (test/fixtures/text/make_tables.py).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { encodeRow, type RowFeaturizer } from '@hogwild/core';
import { readArrowDataset, type SparseDataset } from '@hogwild/data';
import { csvRecords, readColumns, selectFeatures, tableDatasets } from '../packages/data/src/internal.ts';
import { createProgram } from '../packages/data/src/cli/program.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { tempDir } from './helpers.ts';

const fx = (name: string) => join(import.meta.dirname, 'fixtures/text', name);
const data = (...argv: string[]) => runProgram(createProgram(), argv);

/** The raw records of a CSV, each as {column: text}, read as convert reads them. */
async function records(file: string): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  let header: string[] | null = null;
  for await (const r of csvRecords(file)) {
    if (header === null) header = r;
    else out.push(Object.fromEntries(header.map((h, j) => [h, r[j]])));
  }
  return out;
}

/** Row r of a sparse dataset as plain arrays. */
const row = (ds: SparseDataset, r: number) => ({ indices: [...ds.indices.subarray(ds.indptr[r], ds.indptr[r + 1])], values: [...ds.values.subarray(ds.indptr[r], ds.indptr[r + 1])] });
const plain = (x: { indices: Int32Array; values: Float32Array }) => ({ indices: [...x.indices], values: [...x.values] });

/** Every row of `ds` is encodeRow of the raw record it came from (rows in file order), with the dataset's IDF weights. */
function expectRowsFromRaw(ds: SparseDataset, raw: readonly Record<string, string>[]): void {
  expect(ds.rows).toBe(raw.length);
  const f = ds.featurizer as RowFeaturizer;
  for (let r = 0; r < ds.rows; r++) expect(row(ds, r), `row ${r}`).toEqual(plain(encodeRow(f, raw[r], ds.idf ?? null)));
}

describe('the text role', () => {
  it('a column of several words a cell, too varied to be categories, is text; one word a cell is an identifier', async () => {
    const spam = await readColumns('csv', fx('spam-small.csv'), { label: 'label' });
    expect(selectFeatures(spam, undefined, 'spam-small.csv').map((r) => [r.name, r.role])).toEqual([['text', 'text'], ['label', 'label']]);
    const mixed = await readColumns('csv', fx('mixed.csv'), { label: 'label' });
    const roles = selectFeatures(mixed, undefined, 'mixed.csv');
    expect(roles.map((r) => [r.name, r.role])).toEqual([['body', 'text'], ['price', 'numeric'], ['color', 'categorical'], ['id', 'left out'], ['label', 'label']]);
    expect(roles[3].why).toMatch(/an identifier/);
  });

  it('--features NAME:text forces the role, even on a column named "text"; an unknown role is refused naming the roles', async () => {
    const dir = tempDir();
    const ok = await data('convert', '--csv', fx('spam-small.csv'), '--label', 'label', '--features', 'text:text', '--out', join(dir, 's.arrow'));
    expect(ok.code, ok.stderr).toBe(0);
    const id = await data('convert', '--csv', fx('mixed.csv'), '--label', 'label', '--features', 'id:text,price', '--out', join(dir, 'id.arrow'), '--json');
    expect(id.code, id.stderr).toBe(0);
    expect(JSON.parse(id.stdout).featurizer.columns.map((c: { name: string; role: string }) => `${c.name}:${c.role}`)).toEqual(['id:text', 'price:numeric']);
    const bad = await data('convert', '--csv', fx('mixed.csv'), '--label', 'label', '--features', 'body:words', '--out', join(dir, 'x.arrow'));
    expect([bad.code, bad.stderr]).toEqual([2, 'data: --features body:words: unknown role "words"; a column\'s role is one of numeric, categorical, text\n']);
    // Without --features the identifier is left out; naming it suggests the roles that take it.
    const named = await data('convert', '--csv', fx('mixed.csv'), '--label', 'label', '--features', 'id', '--out', join(dir, 'x.arrow'));
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/id:categorical forces it into one-hot categories, id:text into hashed words\n$/);
    expect(existsSync(join(dir, 'x.arrow'))).toBe(false);
  });
});

describe('tables with text convert to sparse datasets', () => {
  it('a text column alone: hashed words weighed by IDF fitted on its rows, each row equal to encodeRow of its raw cell; --hash-bits, --ngrams and --no-idf set the featurizer', async () => {
    const dir = tempDir();
    const out = join(dir, 's.arrow');
    const r = await data('convert', '--csv', fx('spam-small.csv'), '--label', 'label', '--hash-bits', '12', '--ngrams', '2', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ layout: 'sparse', rows: 48, features: 4096, task: 'classification', classes: ['ham', 'spam'] });
    const ds = readArrowDataset(out) as SparseDataset;
    expect(ds.featurizer).toMatchObject({ kind: 'rows', features: 4096, text: { hashBits: 12, ngrams: 2, idf: true }, columns: [{ name: 'text', role: 'text', offset: 0 }] });
    // The IDF weights fitted on these rows: a bucket in every row weighs 1, one in no row 0.
    expect(ds.idf?.length).toBe(4096);
    expect(ds.idf!.some((w) => w === 0) && ds.idf!.every((w) => w === 0 || w >= 1)).toBe(true);
    expectRowsFromRaw(ds, await records(fx('spam-small.csv')));
    // --no-idf: log(1 + count) weights alone, no IDF weights kept.
    const plainOut = join(dir, 'plain.arrow');
    expect((await data('convert', '--csv', fx('spam-small.csv'), '--label', 'label', '--hash-bits', '12', '--no-idf', '--out', plainOut)).code).toBe(0);
    const plainDs = readArrowDataset(plainOut) as SparseDataset;
    expect([(plainDs.featurizer as RowFeaturizer).text.idf, plainDs.idf]).toEqual([false, undefined]);
    expectRowsFromRaw(plainDs, await records(fx('spam-small.csv')));
    const range = await data('convert', '--csv', fx('spam-small.csv'), '--label', 'label', '--hash-bits', '31', '--out', join(dir, 'x.arrow'));
    expect([range.code, range.stderr]).toEqual([2, 'data: --hash-bits: expected an integer from 1 to 30 (2^bits features a text column), found 31\n']);
  });

  it('a mixed table gives one vector a row: the text\'s buckets, then the standardised number, then the one-hot category; each equal to encodeRow of the raw record', async () => {
    const dir = tempDir();
    const out = join(dir, 'm.arrow');
    const r = await data('convert', '--csv', fx('mixed.csv'), '--label', 'label', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sparse \(text column "body"\) over 1,048,580 features \("body": 2\^20 hashed buckets, 1 numeric column, 1 categorical column, words and word pairs weighed by IDF\)/);
    const ds = readArrowDataset(out) as SparseDataset;
    const f = ds.featurizer as RowFeaturizer;
    expect(f.columns.map((c) => c.role)).toEqual(['text', 'numeric', 'categorical']);
    const raw = await records(fx('mixed.csv'));
    const prices = raw.map((x) => x.price).filter((p) => p !== '').map(Number);
    const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
    const std = Math.sqrt(prices.reduce((a, b) => a + (b - mean) ** 2, 0) / prices.length);
    expect(f.columns[1]).toMatchObject({ name: 'price', index: 2 ** 20 });
    const price = f.columns[1] as Extract<RowFeaturizer['columns'][number], { role: 'numeric' }>;
    expect(price.center).toBeCloseTo(mean, 3);
    expect(price.scale).toBeCloseTo(std, 3);
    // A missing price is the training mean: 0 once centred, so not stored.
    expect(price.fill).toBeCloseTo(0, 6);
    expect(f.columns[2]).toEqual({ name: 'color', role: 'categorical', offset: 2 ** 20 + 1, categories: ['blue', 'green', 'red'] });
    expectRowsFromRaw(ds, raw);
    expect(raw[7].price).toBe('');
    expect(row(ds, 7).indices.includes(2 ** 20)).toBe(false);
  });

  it('encodeRow finds a category from raw text as the table reader keys it: "1.0" is 1, "TRUE" is true', () => {
    const f: RowFeaturizer = { kind: 'rows', version: 1, text: { kind: 'hashed-text', version: 1, hashBits: 4, ngrams: 1, lowercase: true, weighting: 'log', normalize: 'l2' }, columns: [{ name: 'c', role: 'categorical', offset: 0, categories: ['1', 'true', 'x'] }], features: 3 };
    expect(plain(encodeRow(f, { c: '1.0' }))).toEqual({ indices: [0], values: [1] });
    expect(plain(encodeRow(f, { c: 'TRUE' }))).toEqual({ indices: [1], values: [1] });
    expect(plain(encodeRow(f, { c: 'x' }))).toEqual({ indices: [2], values: [1] });
    expect(plain(encodeRow(f, { c: 'NA' }))).toEqual({ indices: [], values: [] });
  });

  it('a held-out split and a test set converted --like the training set take its featurizer, not a refitted one, and its label column when --label is left out', async () => {
    const dir = tempDir();
    const train = join(dir, 'train.arrow'), held = join(dir, 'held.arrow'), like = join(dir, 'like.arrow');
    const r = await data('convert', '--csv', fx('mixed.csv'), '--label', 'label', '--test-fraction', '0.25', '--test-out', held, '--out', train);
    expect(r.code, r.stderr).toBe(0);
    const a = readArrowDataset(train) as SparseDataset, b = readArrowDataset(held) as SparseDataset;
    expect([a.rows, b.rows]).toEqual([30, 10]);
    expect(b.featurizer).toEqual(a.featurizer);
    // The IDF weights are fitted on the 30 training rows only, and the held-out part is weighed with them.
    expect(a.idf).toBeInstanceOf(Float32Array);
    expect(b.idf).toEqual(a.idf);
    const l = await data('convert', '--csv', fx('mixed.csv'), '--label', 'label', '--like', train, '--out', like);
    expect(l.code, l.stderr).toBe(0);
    const c = readArrowDataset(like) as SparseDataset;
    expect(c.featurizer).toEqual(a.featurizer);
    expect(c.idf).toEqual(a.idf);
    expect(c.classes).toEqual(a.classes);
    expectRowsFromRaw(c, await records(fx('mixed.csv')));
    const again = await data('convert', '--csv', fx('mixed.csv'), '--label', 'label', '--like', train, '--ngrams', '2', '--out', join(dir, 'x.arrow'));
    expect([again.code, again.stderr]).toEqual([2, `data: --like takes the text featurizer of ${train}: drop --ngrams\n`]);
    // Without --label, the table's label column is the one the training set was converted from.
    const same = join(dir, 'same.arrow');
    const unlabelled = await data('convert', '--csv', fx('mixed.csv'), '--like', train, '--out', same);
    expect(unlabelled.code, unlabelled.stderr).toBe(0);
    expect(readArrowDataset(same)).toEqual(c);
  });

  it('reads a text column of an Arrow table (written by apache-arrow) as it reads a CSV\'s', async () => {
    const dir = tempDir();
    const raw = await records(fx('spam-small.csv'));
    const file = join(dir, 't.arrow');
    writeFileSync(file, tableToIPC(tableFromArrays({ text: raw.map((x) => x.text), label: raw.map((x) => x.label) }), 'file'));
    const fromArrow = await tableDatasets('arrow', file, { label: 'label' });
    const fromCsv = await tableDatasets('csv', fx('spam-small.csv'), { label: 'label' });
    expect(fromArrow.dataset.layout).toBe('sparse');
    const [x, y] = [fromArrow.dataset as SparseDataset, fromCsv.dataset as SparseDataset];
    expect([...x.indices]).toEqual([...y.indices]);
    expect([...x.values]).toEqual([...y.values]);
  });

  it('--jsonl reads JSON lines (Python\'s json) to the same sparse dataset as the CSV of the same rows; a bad line is one error naming it', async () => {
    const dir = tempDir();
    const out = join(dir, 'j.arrow');
    const r = await data('convert', '--jsonl', fx('mixed.jsonl'), '--label', 'label', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const j = readArrowDataset(out) as SparseDataset;
    const c = (await tableDatasets('csv', fx('mixed.csv'), { label: 'label' })).dataset as SparseDataset;
    expect(j.featurizer).toEqual(c.featurizer);
    expect([...j.indptr]).toEqual([...c.indptr]);
    expect([...j.indices]).toEqual([...c.indices]);
    expect([...j.values]).toEqual([...c.values]);
    const bad = join(dir, 'bad.jsonl');
    const lines = readFileSync(fx('mixed.jsonl'), 'utf8').split('\n');
    lines[2] = lines[2].slice(0, 20);
    writeFileSync(bad, lines.join('\n'));
    const e = await data('convert', '--jsonl', bad, '--label', 'label', '--out', join(dir, 'x.arrow'));
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(new RegExp(`^data: ${bad.replace(/[.]/g, '\\.')}:3: not JSON: [^\n]+\n$`));
    lines[2] = '{"body": "a b", "extra": 1}';
    writeFileSync(bad, lines.join('\n'));
    const k = await data('convert', '--jsonl', bad, '--label', 'label', '--out', join(dir, 'x.arrow'));
    expect([k.code, k.stderr]).toEqual([1, `data: ${bad}:3: key "extra" is not among the columns of line 1's object ("body", "price", "color", "id", "label")\n`]);
    expect(readdirSync(dir).sort()).toEqual(['bad.jsonl', 'j.arrow']);
  });

  it('--hash-bits and --ngrams set the featurizer of --fasttext too', async () => {
    const dir = tempDir();
    const ft = join(dir, 's.ft');
    writeFileSync(ft, (await records(fx('spam-small.csv'))).map((x) => `__label__${x.label} ${x.text}`).join('\n') + '\n');
    const r = await data('convert', '--fasttext', ft, '--hash-bits', '10', '--ngrams', '3', '--out', join(dir, 'f.arrow'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ features: 1024, featurizer: { text: { hashBits: 10, ngrams: 3 } } });
  });

  it('a bad row stops the conversion with one line naming the file and row, and nothing is left under --out', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, readFileSync(fx('spam-small.csv'), 'utf8').replace('\n', '\nan extra,field,here\n'));
    const r = await data('convert', '--csv', bad, '--label', 'label', '--out', join(dir, 'out.arrow'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`data: ${bad}: 1 data row has another number of fields than the header's 2 (data row 1 has 3)\n`);
    expect(readdirSync(dir)).toEqual(['bad.csv']);
  });
});

describe('wide tables of mostly zeros', () => {
  it('are stored sparse, unscaled zeros unstored, smaller than dense; the summary takes a few lines and --verbose lists every column', async () => {
    const dir = tempDir();
    const out = join(dir, 'w.arrow');
    const r = await data('convert', '--csv', fx('wide.csv'), '--label', 'label', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    const raw = await records(fx('wide.csv'));
    const nonzero = raw.reduce((a, x) => a + Object.entries(x).filter(([k, v]) => k !== 'label' && Number(v) !== 0).length, 0);
    expect(s).toMatchObject({ layout: 'sparse', rows: 120, features: 150, nonzeros: nonzero });
    expect(s.why).toMatch(/^wide and mostly zeros: 2\.9% of 18,000 cells are not 0/);
    // Dense float32 features alone would take 120 × 150 × 4 bytes.
    expect(s.bytes).toBeLessThan(120 * 150 * 4 / 2);
    const ds = readArrowDataset(out) as SparseDataset;
    const f = ds.featurizer as RowFeaturizer;
    expect(f.columns.every((c) => c.role === 'numeric' && c.center === 0)).toBe(true);
    expect(ds.featureNames?.slice(0, 3)).toEqual(['x0', 'x1', 'x2']);
    expectRowsFromRaw(ds, raw);
    const text = await data('convert', '--csv', fx('wide.csv'), '--label', 'label', '--out', join(dir, 'w2.arrow'));
    expect(text.stdout.split('\n').length).toBeLessThan(10);
    expect(text.stdout).toContain('150 numeric columns: x0, x1, x2, x3, x4, … x149');
    const verbose = await data('convert', '--csv', fx('wide.csv'), '--label', 'label', '--out', join(dir, 'w3.arrow'), '--verbose');
    expect(verbose.stdout.split('\n').filter((l) => /^ {2}x\d+ +numeric/.test(l))).toHaveLength(150);
    const inspect = await data('inspect', fx('wide.csv'), '--label', 'label');
    expect(inspect.stdout).toContain('  150 numeric columns: x0, x1, x2, x3, x4, … x149\n  (151 columns; --verbose lists every one)\n');
  });

  it('with decimals that are not float32s, each row is still encodeRow of its raw cells; a missing cell is the training mean, scaled', async () => {
    const r = await tableDatasets('csv', fx('wide-decimals.csv'), { label: 'label' });
    const ds = r.dataset as SparseDataset;
    expect(ds.layout).toBe('sparse');
    const raw = await records(fx('wide-decimals.csv'));
    expectRowsFromRaw(ds, raw);
    const v3 = (ds.featurizer as RowFeaturizer).columns[3] as Extract<RowFeaturizer['columns'][number], { role: 'numeric' }>;
    const values = raw.map((x) => x.v3).filter((v) => v !== '').map(Number);
    expect(v3.fill).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length / Math.max(...values.map(Math.abs)), 6);
    expect(row(ds, 5).indices).toContain(3);
  });

  it('a narrow or dense numeric table stays dense', async () => {
    const r = await tableDatasets('csv', join(import.meta.dirname, 'fixtures/tabular/iris.csv'), { label: 'species' });
    expect(r.dataset.layout).not.toBe('sparse');
  });
});
