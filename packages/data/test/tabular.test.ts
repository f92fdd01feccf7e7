import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bool, CompressionType, Table, compressionRegistry, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { checkArrowFileOnDisk, checkArrowStream } from '../src/arrow-check.ts';
import { registerArrowCodecs, withDecodeBudget } from '../src/codecs.ts';
import { datasetFromTableFile, readArrowDataset, stratifiedSplit, writeArrowDataset, type DenseDataset } from '../src/internal.ts';
import { createProgram } from '../src/cli/program.ts';
import { runProgram, tempDir } from './helpers.ts';

/** Fixtures from scikit-learn's iris, written by Python's csv module and by polars (test/fixtures/tabular/make_*.{py,mjs}). */
const TABULAR = join(import.meta.dirname, '../../../test/fixtures/tabular');
const table = (name: string): string => join(TABULAR, name);
const SPECIES = ['setosa', 'versicolor', 'virginica'];
const MEASUREMENTS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/** The iris rows as the CSV writes them: four numbers and a species name. */
function irisRows(): { x: number[]; species: string }[] {
  return readFileSync(table('iris.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((line) => {
    const f = line.split(',');
    return { x: f.slice(0, 4).map(Number), species: f[4] };
  });
}

function expectIris(ds: DenseDataset): void {
  const rows = irisRows();
  expect(ds.rows).toBe(150);
  expect(ds.featureLength).toBe(4);
  expect(ds.features).toBeInstanceOf(Float32Array);
  expect(Array.from(ds.features)).toEqual(rows.flatMap((r) => r.x.map(Math.fround)));
}

describe('tables into datasets', () => {
  it('reads a CSV with a header: string labels become classes in sorted order, names kept, values as float32', async () => {
    const { dataset, labels, skipped } = await datasetFromTableFile('csv', table('iris.csv'), { label: 'species' });
    expectIris(dataset);
    expect(labels).toEqual({ kind: 'sorted', by: 'string', classes: SPECIES });
    expect(dataset.classes).toEqual(SPECIES);
    expect(dataset.featureNames).toEqual(MEASUREMENTS);
    expect(Array.from(dataset.labels)).toEqual(irisRows().map((r) => SPECIES.indexOf(r.species)));
    expect(skipped).toEqual([]);
  });

  it('reads a header-less TSV by column index, integer labels used as they are', async () => {
    const { dataset, labels } = await datasetFromTableFile('csv', table('iris-noheader.tsv'), { label: '0', header: false });
    expectIris(dataset);
    expect(labels).toEqual({ kind: 'integers' });
    expect(dataset.classes).toBeUndefined();
    expect(Array.from(dataset.labels)).toEqual(irisRows().map((r) => SPECIES.indexOf(r.species)));
  });

  it('reads what polars writes, to the same dataset as the CSV: Parquet (zstd), LZ4 Arrow files, ZSTD Arrow streams, list columns', async () => {
    const csv = (await datasetFromTableFile('csv', table('iris.csv'), { label: 'species' })).dataset;
    for (const [format, name] of [['parquet', 'iris.parquet'], ['arrow', 'iris-lz4.arrow'], ['arrow', 'iris-zstd.arrows']] as const) {
      const { dataset } = await datasetFromTableFile(format, table(name), { label: 'species' });
      expect(dataset.features, name).toEqual(csv.features);
      expect(dataset.labels, name).toEqual(csv.labels);
      expect(dataset.classes, name).toEqual(SPECIES);
      expect(dataset.featureNames, name).toEqual(MEASUREMENTS);
    }
    const list = (await datasetFromTableFile('parquet', table('iris-list.parquet'), { label: 'class' })).dataset;
    expect(list.features).toEqual(csv.features);
    expect(list.labels).toEqual(csv.labels);
    expect(list.featureNames).toEqual(['measurements[0]', 'measurements[1]', 'measurements[2]', 'measurements[3]']);
  });

  it('takes chosen feature columns by name or index, and leaves non-numeric columns out of the default', async () => {
    const { dataset } = await datasetFromTableFile('csv', table('iris.csv'), { label: '4', features: ['petal_width', '0'] });
    expect(dataset.featureNames).toEqual(['petal_width', 'sepal_length']);
    expect(Array.from(dataset.features.subarray(0, 2))).toEqual([0.2, 5.1].map(Math.fround));
    const dir = tempDir();
    const f = join(dir, 't.csv');
    writeFileSync(f, 'id,colour,size,kind\n1,red,2.5,a\n2,blue,3.5,b\n');
    const r = await datasetFromTableFile('csv', f, { label: 'kind' });
    expect(r.dataset.featureNames).toEqual(['id', 'size']);
    expect(r.skipped).toEqual(['colour']);
  });

  it('maps numeric labels outside 0-255 in numeric order, and keeps class and feature names through the Arrow file', async () => {
    const dir = tempDir();
    const f = join(dir, 'n.csv');
    writeFileSync(f, 'x,y\n1,-1\n2,1000\n3,-1\n4,20\n');
    const { dataset, labels } = await datasetFromTableFile('csv', f, { label: 'y' });
    expect(labels).toEqual({ kind: 'sorted', by: 'number', classes: ['-1', '20', '1000'] });
    expect(Array.from(dataset.labels)).toEqual([0, 2, 0, 1]);
    const out = join(dir, 'n.arrow');
    await writeArrowDataset(out, dataset);
    const back = readArrowDataset(out);
    expect(back.classes).toEqual(['-1', '20', '1000']);
    expect(back.featureNames).toEqual(['x']);
    expect(back.labels).toEqual(dataset.labels);
  });

  it('takes float and int64 label columns of an Arrow table: whole numbers 0-255 are the classes, others are named', async () => {
    const dir = tempDir();
    const f = join(dir, 'f.arrow');
    writeFileSync(f, tableToIPC(tableFromArrays({ x: Float64Array.from([0.5, 1.5, 2.5, 3.5]), y: Float64Array.from([2, 0, 1, 2]), z: BigInt64Array.from([7n, -3n, 7n, 1000n]) }), 'file'));
    const floats = await datasetFromTableFile('arrow', f, { label: 'y', features: ['x'] });
    expect(floats.labels).toEqual({ kind: 'integers' });
    expect(Array.from(floats.dataset.labels)).toEqual([2, 0, 1, 2]);
    const int64 = await datasetFromTableFile('arrow', f, { label: 'z', features: ['x'] });
    expect(int64.labels).toEqual({ kind: 'sorted', by: 'number', classes: ['-3', '7', '1000'] });
    expect(Array.from(int64.dataset.labels)).toEqual([1, 0, 1, 2]);
  });

  it('splits stratified by class and seeded: disjoint, every row once, the same classes in both', async () => {
    const a = await datasetFromTableFile('csv', table('iris.csv'), { label: 'species', testFraction: 0.2, seed: 7 });
    const b = await datasetFromTableFile('csv', table('iris.csv'), { label: 'species', testFraction: 0.2, seed: 7 });
    const c = await datasetFromTableFile('csv', table('iris.csv'), { label: 'species', testFraction: 0.2, seed: 8 });
    expect(a.dataset.rows).toBe(120);
    expect(a.test!.rows).toBe(30);
    const count = (l: Uint8Array) => [0, 1, 2].map((k) => l.filter((v) => v === k).length);
    expect(count(a.test!.labels)).toEqual([10, 10, 10]);
    expect(a.test!.classes).toEqual(SPECIES);
    expect(a.test!.features).toEqual(b.test!.features);
    expect(a.test!.features).not.toEqual(c.test!.features);
    const key = (ds: DenseDataset, r: number) => `${Array.from(ds.features.subarray(r * 4, r * 4 + 4)).join()}|${ds.labels[r]}`;
    const all = irisRows().map((r) => `${r.x.map(Math.fround).join()}|${SPECIES.indexOf(r.species)}`).sort();
    const union = [...Array.from({ length: 120 }, (_, r) => key(a.dataset, r)), ...Array.from({ length: 30 }, (_, r) => key(a.test!, r))].sort();
    expect(union).toEqual(all);
    // A class of one row stays in training.
    expect(Array.from(stratifiedSplit(Uint8Array.from([0, 1, 1, 1, 1]), 0.5, 1)).slice(0, 1)).toEqual([0]);
  });

  const refusals: [string, string, string, RegExp][] = [
    ['a row with too few fields', 'x,z,y\n1,2,a\n3,b\n', 'y', /1 data row has another number of fields than the header's 3 \(data row 2 has 2\)/],
    ['an unknown label column', 'x,y\n1,a\n', 'species', /--label "species": t\.csv has no such column; its columns are "x", "y"/],
    ['no feature to learn from', 'name,y\nann,a\n', 'y', /no columns to learn from besides the label "y" \("name": 1 distinct values in 1 rows: an identifier/],
    ['a header without rows', 'x,y\n', 'y', /has a header but no data rows/],
    ['only empty labels', 'x,y\n1,\n', 'y', /every label in column "y" is missing/],
    ['more than 256 classes', 'x,y\n' + Array.from({ length: 300 }, (_, i) => `${i},c${i}`).join('\n') + '\n', 'y', /300 distinct values: a classifier takes at most 256 classes/],
    ['unbalanced quotes', 'x,y\n1,"a\n', 'y', /not readable as CSV/],
  ];
  for (const [what, text, label, message] of refusals) {
    it(`refuses ${what} in one line that names the file`, async () => {
      const f = join(tempDir(), 't.csv');
      writeFileSync(f, text);
      await expect(datasetFromTableFile('csv', f, { label })).rejects.toThrow(message);
    });
  }

  it('refuses a file that is not the format named, naming it', async () => {
    await expect(datasetFromTableFile('parquet', table('iris.csv'), { label: 'species' })).rejects.toThrow(/iris\.csv: not a Parquet file/);
    await expect(datasetFromTableFile('arrow', table('iris.csv'), { label: 'species' })).rejects.toThrow(/iris\.csv: not an Arrow IPC file or stream/);
    await expect(datasetFromTableFile('csv', '/nonexistent/t.csv', { label: 'y' })).rejects.toThrow(/\/nonexistent\/t\.csv: no such file/);
  });
});

describe('data convert from tables', () => {
  it('writes the training and held-out files, says how labels became classes, and the trainer-side reader gets the names', async () => {
    const dir = tempDir();
    const out = join(dir, 'train.arrow'), testOut = join(dir, 'test.arrow');
    const r = await runProgram(createProgram(), ['convert', '--csv', table('iris.csv'), '--label', 'species', '--test-fraction', '0.2', '--seed', '3', '--out', out, '--test-out', testOut]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('data: labels: column "species" has 3 classes, numbered in string (code point) order: 0=setosa, 1=versicolor, 2=virginica\n');
    expect(r.stdout).toMatch(/^wrote .*train\.arrow: 120 rows, features float32\[4\] \(sepal_length, sepal_width, petal_length, petal_width\)/m);
    expect(r.stdout).toMatch(/wrote .*test\.arrow: 30 held-out rows \(20%, stratified, seed 3\)\nlabels setosa:10 versicolor:10 virginica:10\n/);
    expect(readArrowDataset(testOut).classes).toEqual(SPECIES);
  });

  const usage: [string, string[], RegExp][] = [
    ['a table without --label', ['--csv', 'x.csv', '--out', 'o.arrow'], /--csv needs --label COLUMN/],
    ['--test-fraction without --test-out', ['--csv', 'x.csv', '--label', 'y', '--test-fraction', '0.2', '--out', 'o.arrow'], /--test-fraction and --test-out go together/],
    ['--test-fraction of 1', ['--csv', 'x.csv', '--label', 'y', '--test-fraction', '1', '--test-out', 't.arrow', '--out', 'o.arrow'], /option '--test-fraction <f>' argument '1' is invalid/],
    ['--no-header with Parquet', ['--parquet', 'x.parquet', '--label', 'y', '--no-header', '--out', 'o.arrow'], /--no-header is for --csv sources only/],
    ['two sources', ['--csv', 'x.csv', '--mat', 'x.mat', '--out', 'o.arrow'], /--mat and --csv: give one source, not several/],
    ['--label with --mat', ['--mat', 'x.mat', '--features', 'X', '--label', 'y', '--out', 'o.arrow'], /--label is for table sources only/],
  ];
  for (const [what, args, message] of usage) {
    it(`exits 2 for ${what}`, async () => {
      const r = await runProgram(createProgram(), ['convert', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('the decode budget of compressed Arrow buffers', () => {
  it('belongs to each read: a read of a large file running at the same time neither lifts nor replaces a small file\'s', async () => {
    registerArrowCodecs();
    // What apache-arrow hands a codec: the compressed bytes, just after the buffer's 8-byte decoded length.
    const claiming = (bytes: number) => {
      const buffer = new Uint8Array(16);
      new DataView(buffer.buffer).setBigInt64(0, BigInt(bytes), true);
      return buffer.subarray(8);
    };
    const zstd = compressionRegistry.get(CompressionType.ZSTD)!;
    let startSmall!: () => void, endLarge!: () => void;
    const smallMayGo = new Promise<void>((r) => { startSmall = r; });
    const largeMayEnd = new Promise<void>((r) => { endLarge = r; });
    // A 0-byte file may decode to 64 MiB in all; a 1 GiB file to 256 GiB. The large read starts after the small one
    // and is still running when the small one decodes.
    const small = withDecodeBudget(0, async () => {
      await smallMayGo;
      return zstd.decode!(claiming(100 * 2 ** 20));
    });
    const large = withDecodeBudget(2 ** 30, async () => {
      startSmall();
      await largeMayEnd;
    });
    await expect(small).rejects.toThrow('a compressed buffer claims 104857600 bytes decoded, beyond what the file may hold (64 MiB left)');
    endLarge();
    await large;
  });
});

describe('record batches that claim more rows than their bytes hold', () => {
  // The fuzzer's case (iris-zstd.arrows, seed 1, case 2210: "int32 at 392 set to 1073741824"): the batch's length, 150
  // rows, becomes 2^30. apache-arrow backfills the missing rows with nulls and the reader stored every one of them
  // (20 bytes a row: 18 GiB). The same field of the LZ4 Arrow file lies at byte 400 (its 8-byte magic first).
  const cases: [string, string, number, string][] = [
    ['a ZSTD Arrow stream', 'iris-zstd.arrows', 392, 'corrupted Arrow stream: message 1: 1073741824 rows cannot fit a 1664-byte body (7258 bytes decoded)'],
    ['an LZ4 Arrow file', 'iris-lz4.arrow', 400, 'corrupted Arrow file: record batch 0: 1073741824 rows cannot fit a 2368-byte body (7200 bytes decoded)'],
  ];
  for (const [what, name, at, problem] of cases) {
    it(`refuses ${what} whose compressed batch claims 2^30 rows for 7 kB of decoded values, with E_INPUT, before apache-arrow allocates them`, async () => {
      const bytes = new Uint8Array(readFileSync(table(name)));
      new DataView(bytes.buffer).setInt32(at, 2 ** 30, true);
      const file = join(tempDir(), name);
      writeFileSync(file, bytes);
      // The check refuses it from the metadata alone: on a regression this fails here, before any read allocates.
      expect(() => (name.endsWith('.arrows') ? checkArrowStream(bytes, file, { compressed: true }) : checkArrowFileOnDisk(file, { compressed: true }))).toThrow(`${file}: ${problem}`);
      const rss = process.memoryUsage().rss;
      await expect(datasetFromTableFile('arrow', file, { label: 'species' })).rejects.toMatchObject({ code: 'E_INPUT', message: `${file}: ${problem}` });
      expect(process.memoryUsage().rss - rss).toBeLessThan(500 * 2 ** 20);
    });
  }

  it('reads a table of booleans only, whose rows outnumber its body\'s bytes (a bit a value), as a file and as a stream', async () => {
    const flags = Array.from({ length: 1000 }, (_, i) => i % 3 === 0);
    const t = new Table({ x: vectorFromArray(flags, new Bool()), y: vectorFromArray(flags.map((f) => !f), new Bool()) });
    for (const [format, ext] of [['file', 'arrow'], ['stream', 'arrows']] as const) {
      const file = join(tempDir(), `flags.${ext}`);
      writeFileSync(file, tableToIPC(t, format));
      const { dataset } = await datasetFromTableFile('arrow', file, { label: 'y' });
      expect(dataset.rows, format).toBe(1000);
    }
  });
});
