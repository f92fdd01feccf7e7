/**
 * Sparse datasets (issue 27): the CSR dataset kind, its Arrow layout, `data convert --libsvm`, the fastText reader and
 * `data inspect` of a sparse file. The LIBSVM fixtures are written by scikit-learn's dump_svmlight_file, with scipy's
 * reading of each beside them (test/fixtures/sparse/make.py).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXT_FEATURIZER, encodeText, HogwildError } from '@hogwild/core';
import { decodeArrowDataset, openArrowDataset, readArrowDataset, type SparseDataset } from '@hogwild/data';
import { encodeSparseDataset, tableColumns, sparseColumns, datasetColumns, writeSparseDataset } from './internal.ts';
import { train } from '@hogwild/trainer';
import { readLibsvm } from '../packages/data/src/libsvm.ts';
import { textLines } from '../packages/data/src/text-lines.ts';
import { datasetFromFasttext, readFasttext, type TextFeatureEncoder } from '../packages/data/src/fasttext.ts';
import { createProgram } from '../packages/data/src/cli/program.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { tempDir } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures/sparse');
const fx = (name: string) => join(FIXTURES, name);
const data = (...argv: string[]) => runProgram(createProgram(), argv);
interface Scipy { indptr: number[]; indices: number[]; data: number[]; y: number[]; n_features: number }
const scipy = (name: string): Scipy => JSON.parse(readFileSync(fx(name.replace(/\.svm$/, '.json')), 'utf8'));

/** A sparse dataset's arrays as plain numbers, to compare with scipy's. */
const csr = (ds: SparseDataset) => ({ indptr: [...ds.indptr], indices: [...ds.indices], data: [...ds.values], n_features: ds.featureLength });
const want = (s: Scipy) => ({ indptr: s.indptr, indices: s.indices, data: s.data.map(Math.fround), n_features: s.n_features });

describe('LIBSVM files', () => {
  it('read to the CSR arrays scipy reads from the same scikit-learn files: 1-based, 0-based (detected), -1/+1 labels, regression targets', async () => {
    for (const name of ['classes-1based.svm', 'classes-0based.svm', 'binary.svm', 'regression.svm']) {
      const { dataset } = await readLibsvm(fx(name));
      expect(csr(dataset), name).toEqual(want(scipy(name)));
    }
    const one = await readLibsvm(fx('classes-1based.svm'));
    expect(one.dataset.featurizer).toEqual({ kind: 'libsvm', indexBase: 1 });
    expect([...one.dataset.labels]).toEqual(scipy('classes-1based.svm').y);
    expect(one.dataset.classes).toBeUndefined();
    const zero = await readLibsvm(fx('classes-0based.svm'));
    expect(zero.dataset.featurizer).toEqual({ kind: 'libsvm', indexBase: 0 });
    expect(zero.indexBaseWhy).toBe('an index 0 first appears on line 1');
    const binary = await readLibsvm(fx('binary.svm'));
    expect(binary.dataset.classes).toEqual(['-1', '1']);
    expect([...binary.dataset.labels]).toEqual(scipy('binary.svm').y.map((y) => (y === 1 ? 1 : 0)));
    const reg = await readLibsvm(fx('regression.svm'));
    expect(reg.task).toBe('regression');
    expect([...reg.dataset.targets!]).toEqual(scipy('regression.svm').y.map(Math.fround));
  });

  it('--zero-based keeps the indices as written; a 1-based file then has one more feature, its column 0 empty', async () => {
    const { dataset } = await readLibsvm(fx('classes-1based.svm'), { zeroBased: true });
    const s = scipy('classes-1based.svm');
    expect(dataset.featureLength).toBe(s.n_features + 1);
    expect([...dataset.indices]).toEqual(s.indices.map((j) => j + 1));
  });

  it('converts to a sparse Arrow file that apache-arrow reads as List<Int32> and List<Float32> columns with the layout in the metadata', async () => {
    const out = join(tempDir(), 'c.arrow');
    const r = await data('convert', '--libsvm', fx('classes-1based.svm'), '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ layout: 'sparse', rows: 40, features: 60, nonzeros: 193, task: 'classification', featurizer: { kind: 'libsvm', indexBase: 1 } });
    const table = tableFromIPC(readFileSync(out));
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual(['indices: List<Int32>', 'values: List<Float32>', 'label: Uint8']);
    const meta = Object.fromEntries(table.schema.metadata);
    expect(meta).toMatchObject({ 'hogwild.layout': 'sparse', 'hogwild.feature_count': '60', 'hogwild.featurizer': '{"kind":"libsvm","indexBase":1}', 'hogwild.task': 'classification', 'hogwild.source': 'classes-1based.svm' });
    const s = scipy('classes-1based.svm');
    const row = (r: number) => ({ indices: [...table.getChild('indices')!.get(r)!], values: [...table.getChild('values')!.get(r)!] });
    for (const r of [0, 1, 17, 39]) {
      expect(row(r)).toEqual({ indices: s.indices.slice(s.indptr[r], s.indptr[r + 1]), values: s.data.slice(s.indptr[r], s.indptr[r + 1]).map(Math.fround) });
    }
    // The dataset reader gives back what was converted; its size grows with the non-zeros (60 features × 40 rows dense would be 9.6 kB of values alone).
    const back = readArrowDataset(out);
    expect(back.layout).toBe('sparse');
    expect(csr(back as SparseDataset)).toEqual(want(s));
    expect(summary.bytes).toBeLessThan(4000);
  });

  it('record batches of a few rows each read back to the same dataset, and the trainer allocator gets one copy of each array', async () => {
    const { dataset } = await readLibsvm(fx('regression.svm'));
    const bytes = await encodeSparseDataset(dataset, 7);
    expect(tableFromIPC(bytes).batches).toHaveLength(6);
    const asked: string[] = [];
    const back = decodeArrowDataset(bytes, 'r.arrow', {
      features: (type, n) => { asked.push(`features ${type} ${n}`); return new Float32Array(new SharedArrayBuffer(4 * n)); },
      labels: (n) => { asked.push(`labels ${n}`); return new Uint8Array(n); },
      int32: (n) => { asked.push(`int32 ${n}`); return new Int32Array(new SharedArrayBuffer(4 * n)); },
    }) as SparseDataset;
    expect(asked).toEqual(['int32 41', 'int32 193', 'features float32 193', 'labels 40']);
    expect(back.indices.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(csr(back)).toEqual(csr(dataset));
    expect([...back.targets!]).toEqual([...dataset.targets!]);
  });

  it('reads a sparse dataset pyarrow wrote (two record batches), and a Table sliced in memory (list offsets not from 0)', async () => {
    const s = scipy('classes-0based.svm');
    const back = readArrowDataset(fx('pyarrow-sparse.arrow')) as SparseDataset;
    expect(csr(back)).toEqual(want(s));
    expect([...back.labels]).toEqual(s.y);
    const { dataset } = await readLibsvm(fx('classes-0based.svm'));
    const table = tableFromIPC(await encodeSparseDataset(dataset, 16)).slice(5, 30);
    const sliced = tableColumns(table, 'sliced').read() as SparseDataset;
    const a = s.indptr[5], e = s.indptr[30];
    expect(csr(sliced)).toEqual({ indptr: s.indptr.slice(5, 31).map((p) => p - a), indices: s.indices.slice(a, e), data: s.data.slice(a, e).map(Math.fround), n_features: 60 });
    expect([...sliced.labels]).toEqual(s.y.slice(5, 30));
  });

  it('a bad line stops the conversion with one error naming FILE:LINE, and nothing is left under --out', async () => {
    const dir = tempDir();
    const cases: [string, string, RegExp][] = [
      ['value', '1 1:0.5 3:2\n# a comment\n0 2:1 4:abc\n', /:3: "4:abc": the value is not a finite number$/],
      ['order', '1 1:0.5 3:2\n0 5:1 4:1\n', /:2: index 4 after 5: indices must ascend within a line$/],
      ['label', 'spam 1:1\n', /:1: label "spam" is not a number$/],
      ['no-label', '1:1 2:1\n', /:1: the line starts with "1:1", not a label: each line is "label index:value …"$/],
      ['pair', '1 1:1 7\n', /:1: "7" is not index:value$/],
      ['huge', '1 1:1e39\n', /:1: "1:1e39": the value is outside float32's range \(±3\.4e38\)$/],
    ];
    for (const [name, text, message] of cases) {
      const file = join(dir, `${name}.svm`);
      writeFileSync(file, text);
      const r = await data('convert', '--libsvm', file, '--out', join(dir, `${name}.arrow`));
      expect(r.code, name).toBe(1);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(r.stderr.trim(), name).toMatch(new RegExp(`^data: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${message.source}`));
    }
    expect(readdirSync(dir).filter((f) => !f.endsWith('.svm'))).toEqual([]);
  });

  it('refuses qid: and multi-label lines in one line that names the line', async () => {
    const out = join(tempDir(), 'x.arrow');
    const q = await data('convert', '--libsvm', fx('qid.svm'), '--out', out);
    expect(q.code).toBe(1);
    expect(q.stderr).toBe(`data: ${fx('qid.svm')}:1: qid: (query ids of ranking data) is not supported: remove the qid:N fields\n`);
    const m = await data('convert', '--libsvm', fx('multilabel.svm'), '--out', out);
    expect(m.code).toBe(1);
    expect(m.stderr).toBe(`data: ${fx('multilabel.svm')}:3: label "0,2" holds several labels: multi-label lines are not supported (one label a line)\n`);
    expect(readdirSync(join(out, '..'))).toEqual([]);
  });

  it('a test set converted --like the training set takes its feature count, index base and classes', async () => {
    const dir = tempDir();
    const trainOut = join(dir, 'train.arrow');
    expect((await data('convert', '--libsvm', fx('binary.svm'), '--out', trainOut)).code).toBe(0);
    const test = join(dir, 'test.svm');
    writeFileSync(test, '1 2:1\n-1 1:1 3:0.5\n');
    const r = await data('convert', '--libsvm', test, '--like', trainOut, '--out', join(dir, 'test.arrow'), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ features: 60, classes: ['-1', '1'], featurizer: { kind: 'libsvm', indexBase: 1 } });
    writeFileSync(test, '1 0:1\n');
    const zero = await data('convert', '--libsvm', test, '--like', trainOut, '--out', join(dir, 'test2.arrow'));
    expect(zero.stderr).toBe(`data: ${test}:1: index 0 in a 1-based file (as ${trainOut} was read)\n`);
    writeFileSync(test, '1 61:1\n');
    const wide = await data('convert', '--libsvm', test, '--like', trainOut, '--out', join(dir, 'test2.arrow'));
    expect(wide.stderr).toBe(`data: ${test}:1: index 61 is beyond the 60 features of ${trainOut}\n`);
    writeFileSync(test, '3 1:1\n');
    const label = await data('convert', '--libsvm', test, '--like', trainOut, '--out', join(dir, 'test2.arrow'));
    expect(label.stderr).toBe(`data: ${test}: label 3 is not among the classes of ${trainOut}\n`);
  });

  it('flags of other sources are refused by name', async () => {
    const r = await data('convert', '--libsvm', fx('binary.svm'), '--label', 'y', '--out', join(tempDir(), 'x.arrow'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('data: --label is not for --libsvm sources\n');
    const z = await data('convert', '--csv', 'x.csv', '--zero-based', '--label', 'y', '--out', join(tempDir(), 'x.arrow'));
    expect(z.stderr).toBe('data: --zero-based is for --libsvm sources only\n');
  });
});

describe('data inspect of a sparse dataset', () => {
  it('says rows, features, non-zeros per row and the most frequent features; --show N lists row N\'s pairs', async () => {
    const out = join(tempDir(), 'c.arrow');
    await data('convert', '--libsvm', fx('classes-0based.svm'), '--out', out);
    const s = scipy('classes-0based.svm');
    const r = await data('inspect', out);
    expect(r.code, r.stderr).toBe(0);
    const perRow = s.indptr.slice(1).map((e, i) => e - s.indptr[i]);
    expect(r.stdout).toContain(`${out}: Arrow IPC, sparse, 40 rows over 60 features\n`);
    expect(r.stdout).toContain(`  non-zeros 193 (8.04% of the cells); a row: mean 4.83, min ${Math.min(...perRow)}, max ${Math.max(...perRow)}\n`);
    const counts = new Map<number, number>();
    for (const j of s.indices) counts.set(j, (counts.get(j) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 10);
    expect(r.stdout).toContain(`  frequent  ${top.map(([j, c]) => `${j}: ${c}`).join(', ')}  (feature: rows)\n`);
    const json = JSON.parse((await data('inspect', out, '--json')).stdout);
    expect(json.top).toEqual(top.map(([index, rows]) => ({ index, rows })));
    const show = await data('inspect', out, '--show', '1');
    const pairs = s.indices.slice(s.indptr[1], s.indptr[2]).map((j, k) => `${j}=${Number(Math.fround(s.data[s.indptr[1] + k]).toPrecision(6))}`);
    expect(show.stdout).toContain(`sample 1, label ${s.y[1]}, ${pairs.length} non-zero features (index=value)\n  ${pairs.join('  ')}\n`);
  });

  it('names the features where the dataset has names', async () => {
    const ds: SparseDataset = {
      layout: 'sparse', rows: 2, featureLength: 4, indptr: Int32Array.from([0, 2, 3]), indices: Int32Array.from([1, 3, 3]), values: Float32Array.from([1, 0.5, 2]),
      labels: Uint8Array.from([0, 1]), classes: ['ham', 'spam'], featureNames: ['free', 'money', 'now', 'lunch'], source: 'names',
    };
    const out = join(tempDir(), 'n.arrow');
    await writeSparseDataset(out, ds);
    expect((await data('inspect', out)).stdout).toContain('  frequent  lunch (3): 2, money (1): 1  (feature: rows)\n');
    expect((await data('inspect', out, '--show', '0')).stdout).toContain('sample 0, label ham, 2 non-zero features (index=value)\n  money(1)=1  lunch(3)=0.5\n');
  });
});

describe('sparse datasets in memory and in the trainer', () => {
  it('the CSR contract is checked: ascending indices below the feature count, finite values', () => {
    const base: SparseDataset = { layout: 'sparse', rows: 1, featureLength: 4, indptr: Int32Array.from([0, 2]), indices: Int32Array.from([2, 1]), values: Float32Array.from([1, 1]), labels: new Uint8Array(1), source: 'mem' };
    expect(() => sparseColumns(base)).toThrow('mem: row 0: feature index 1 does not ascend (after 2)');
    expect(() => sparseColumns({ ...base, indices: Int32Array.from([1, 4]) })).toThrow('mem: row 0: feature index 4 is not below the feature count 4');
    expect(() => sparseColumns({ ...base, indices: Int32Array.from([1, 2]), values: Float32Array.from([1, NaN]) })).toThrow('mem: row 0: feature 2 is NaN, values must be finite');
    expect(() => datasetColumns(base)).toThrow('a sparse dataset has no dense columns');
  });

  it('a sparse file has a sparse summary', async () => {
    const out = join(tempDir(), 'c.arrow');
    await data('convert', '--libsvm', fx('binary.svm'), '--out', out);
    expect(openArrowDataset(out)).toMatchObject({ layout: 'sparse', rows: 40, featureLength: 60, nonzeros: 193, classes: ['-1', '1'] });
  });
});

describe('training on sparse datasets', () => {
  /** A LIBSVM fixture converted, and the same rows as dense float32 arrays. */
  async function both(name: string) {
    const out = join(tempDir(), 'd.arrow');
    await data('convert', '--libsvm', fx(name), '--out', out);
    const s = scipy(name);
    const features = Array.from({ length: s.y.length }, (_, r) => {
      const row = new Array<number>(s.n_features).fill(0);
      for (let k = s.indptr[r]; k < s.indptr[r + 1]; k++) row[s.indices[k]] = Math.fround(s.data[k]);
      return row;
    });
    return { out, features, labels: [...(readArrowDataset(out) as SparseDataset).labels] };
  }

  it('one worker trains the same weights, bit for bit, from the sparse file as from the same rows stored dense', async () => {
    const { out, features, labels } = await both('classes-1based.svm');
    const o = { layers: [60, 16, 3], epochs: 3, workers: 1, seed: 5, standardize: false } as const;
    const sparse = await train({ ...o, data: out });
    const dense = await train({ ...o, data: { features, labels } });
    expect(sparse.model.params).toEqual(dense.model.params);
    expect(sparse.evaluation!.correct).toBe(dense.evaluation!.correct);
  });

  it('trains and evaluates across two workers (plain Hogwild: no replicas), regression included', async () => {
    const cls = await train({ data: (await both('classes-1based.svm')).out, epochs: 30, workers: 2, seed: 1 });
    expect(cls.evaluation!.samples).toBe(40);
    expect(cls.evaluation!.accuracy).toBeGreaterThan(0.8);
    const reg = await train({ data: (await both('regression.svm')).out, epochs: 5, workers: 2, seed: 1 });
    expect(Number.isFinite(reg.evaluation!.regression!.rmse)).toBe(true);
  });

  it('the TypeScript kernel refuses a sparse dataset in one line naming the flag', async () => {
    const err = await train({ data: (await both('binary.svm')).out, epochs: 1, kernel: 'ts' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HogwildError);
    expect((err as HogwildError).message).toMatch(/^kernel: the TypeScript kernel reads dense rows only/);
  });
});

describe('text files read as streams', () => {
  it('gives every line with its number across 1 MiB chunks: CRLF ends, characters split between chunks, a long line, no final newline', async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => (i === 7 ? 'x'.repeat(3 << 20) : `${i} über café ${'é'.repeat(i % 37)}`));
    const file = join(tempDir(), 'lines.txt');
    writeFileSync(file, lines.map((l, i) => (i % 3 === 0 ? `${l}\r\n` : `${l}\n`)).join('').trimEnd());
    let n = 0;
    for await (const r of textLines(file)) {
      expect(r.n).toBe(++n);
      if (r.line !== lines[n - 1]) expect(r.line.slice(0, 40), `line ${n}`).toBe(lines[n - 1].slice(0, 40));
    }
    expect(n).toBe(lines.length);
  });
});

describe('fastText format', () => {
  /** A stand-in for the text featurizer: a word's index in a fixed list, counted (unsorted and repeated on purpose). */
  const words = ['free', 'money', 'now', 'meeting', 'tomorrow', 'lunch', 'winner', 'prize', 'report', 'draft', 'café', 'über'];
  const encoder: TextFeatureEncoder = {
    featurizer: { kind: 'test-words', words }, featureLength: words.length,
    encode: (text) => {
      const ids = text.split(' ').map((w) => words.indexOf(w)).filter((j) => j >= 0);
      return { indices: Int32Array.from(ids), values: new Float32Array(ids.length).fill(1) };
    },
  };

  it('reads labels and text line by line; the dataset sorts each row\'s features and sums repeats', async () => {
    const records = [];
    for await (const r of readFasttext(fx('spam.ft'))) records.push(r);
    expect(records).toHaveLength(30);
    const lines = readFileSync(fx('spam.ft'), 'utf8').split('\n');
    expect(records[2]).toEqual({ line: 3, label: lines[2].split(' ')[0].slice(9), text: lines[2].split(' ').slice(1).join(' ') });
    const { dataset } = await datasetFromFasttext(fx('spam.ft'), encoder);
    expect(dataset.classes).toEqual(['ham', 'spam']);
    expect(dataset.featurizer).toEqual({ kind: 'test-words', words });
    const counts = new Map<number, number>();
    for (const w of records[0].text.split(' ')) counts.set(words.indexOf(w), (counts.get(words.indexOf(w)) ?? 0) + 1);
    const row0 = [...counts].sort((a, b) => a[0] - b[0]);
    expect([...dataset.indices.subarray(0, dataset.indptr[1])]).toEqual(row0.map(([j]) => j));
    expect([...dataset.values.subarray(0, dataset.indptr[1])]).toEqual(row0.map(([, c]) => c));
  });

  it('a line without a label or with two is one error naming its line', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.ft');
    writeFileSync(file, '__label__a hello\n\nno label here\n');
    await expect(datasetFromFasttext(file, encoder)).rejects.toThrow(`${file}:3: no label: each line starts with __label__NAME, then the text`);
    writeFileSync(file, '__label__a __label__b hello\n');
    await expect(datasetFromFasttext(file, encoder)).rejects.toThrow(`${file}:1: two labels ("a", "b"): multi-label lines are not supported (one label a line)`);
  });

  it('convert --fasttext hashes the text with the default featurizer, and a test set --like the training set takes its featurizer and classes', async () => {
    const dir = tempDir();
    const train = join(dir, 'train.arrow'), test = join(dir, 'test.arrow');
    expect((await data('convert', '--fasttext', fx('spam.ft'), '--out', train)).code).toBe(0);
    const ds = readArrowDataset(train) as SparseDataset;
    expect(ds).toMatchObject({ layout: 'sparse', featureLength: 2 ** 20, classes: ['ham', 'spam'] });
    expect(ds.featurizer).toEqual({ kind: 'rows', version: 1, text: DEFAULT_TEXT_FEATURIZER, columns: [{ name: 'text', role: 'text', offset: 0 }], features: 2 ** 20 });
    // Row 0 is encodeText of line 1's text.
    const first = readFileSync(fx('spam.ft'), 'utf8').split('\n')[0].replace(/^__label__\S+ /, '');
    const row = encodeText(first, DEFAULT_TEXT_FEATURIZER, ds.idf);
    expect([...ds.indices.subarray(0, ds.indptr[1])]).toEqual([...row.indices]);
    expect([...ds.values.subarray(0, ds.indptr[1])]).toEqual([...row.values]);
    expect((await data('convert', '--fasttext', fx('spam.ft'), '--like', train, '--out', test)).code).toBe(0);
    expect((readArrowDataset(test) as SparseDataset).featurizer).toEqual(ds.featurizer);
    expect((readArrowDataset(test) as SparseDataset).idf).toEqual(ds.idf);
    const notText = join(dir, 'svm.arrow');
    await data('convert', '--libsvm', fx('binary.svm'), '--out', notText);
    const r = await data('convert', '--fasttext', fx('spam.ft'), '--like', notText, '--out', join(dir, 'x.arrow'));
    expect([r.code, r.stderr]).toEqual([1, `data: ${notText}: was not made from text (its features have no text featurizer): convert the test set --like a text dataset\n`]);
  });
});
