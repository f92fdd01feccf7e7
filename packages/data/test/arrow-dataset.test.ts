import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Field, FixedSizeList, Float32, RecordBatch, RecordBatchFileWriter, Schema, Struct, Uint8, makeData, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { asDense, decodeArrowDataset as decodeAny, encodeArrowDataset, openArrowDataset, peekArrowDataset, readArrowDataset as readAny, sharedAllocator, tableColumns, writeArrowDataset, labelHistogram } from '../src/arrow-dataset.ts';
import { datasetFromIdx } from '../src/convert.ts';
import { checkArrowFileOnDisk } from '../src/arrow-check.ts';
import { mnistIdxFiles } from '../src/mnist.ts';
import { fixture, tempDir } from './helpers.ts';

// These files are dense: the readers' union narrowed once here.
const readArrowDataset = (...a: Parameters<typeof readAny>) => asDense(readAny(...a));
const decodeArrowDataset = (...a: Parameters<typeof decodeAny>) => asDense(decodeAny(...a));

describe('Arrow datasets', () => {
  it('a cache check reads the footer and batch headers only, and finds the rows and feature length there', async () => {
    const ds = datasetFromIdx(fixture('small-images.idx'), fixture('small-labels.idx'));
    const f = join(tempDir(), 'small.arrow');
    await writeArrowDataset(f, ds);
    expect(checkArrowFileOnDisk(f)).toMatchObject({ rows: 5, featureLength: 6 });
    const bytes = readFileSync(f);
    new DataView(bytes.buffer, bytes.byteOffset).setInt32(12, 1, true);
    writeFileSync(f, bytes);
    expect(() => checkArrowFileOnDisk(f)).toThrow(/corrupted Arrow file: record batch 0: metadata length 1/);
  });
  it('refuses null feature values, which a reader of the values alone would take as numbers', async () => {
    // apache-arrow writes a features column whose items carry a validity bitmap with one null.
    const item = new Float32();
    const featType = new FixedSizeList(2, new Field('item', item, true));
    const values = makeData({ type: item, length: 4, nullCount: 1, nullBitmap: Uint8Array.from([0b1011]), data: Float32Array.from([1, 2, 0, 4]) });
    const feat = makeData({ type: featType, length: 2, nullCount: 0, child: values });
    const label = makeData({ type: new Uint8(), length: 2, nullCount: 0, data: Uint8Array.from([0, 1]) });
    const schema = new Schema([new Field('features', featType, false), new Field('label', new Uint8(), false)]);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children: [feat, label] }));
    const bytes = await RecordBatchFileWriter.writeAll([batch]).toUint8Array();
    expect(() => decodeArrowDataset(bytes, 'nulls.arrow')).toThrow('nulls.arrow: null values in "features" or "label": every sample needs every feature and a label');
  });
  it('refuses a file with an infinite feature', async () => {
    const ds = { rows: 2, featureLength: 2, features: Float32Array.from([0, 1, Infinity, 2]), labels: Uint8Array.from([0, 1]), shape: [2], source: 't' };
    const f = join(tempDir(), 'inf.arrow');
    await writeArrowDataset(f, ds);
    expect(() => readArrowDataset(f)).toThrow(`${f}: feature 0 of sample 1 is Infinity: features must be finite numbers`);
  });
  it('refuses, rather than hangs on, a record batch whose metadata length was changed (apache-arrow 21 looped for ever)', async () => {
    const ds = datasetFromIdx(fixture('small-images.idx'), fixture('small-labels.idx'));
    const bytes = await encodeArrowDataset(ds);
    new DataView(bytes.buffer, bytes.byteOffset).setInt32(12, 1, true); // the first message's metadata length
    expect(() => decodeArrowDataset(bytes, 'm.arrow')).toThrow(/^m\.arrow: corrupted Arrow file: record batch 0: metadata length 1 disagrees with the footer's \d+$/);
  });
  it('MNIST training set: IDX → Arrow → typed arrays gives back the original bytes and labels', async () => {
    const files = mnistIdxFiles();
    const ds = datasetFromIdx(files.trainImages, files.trainLabels);
    const out = join(tempDir(), 'train.arrow');
    await writeArrowDataset(out, ds);
    const back = readArrowDataset(out, sharedAllocator);
    expect(back.rows).toBe(60000);
    expect(back.featureLength).toBe(784);
    expect(back.shape).toEqual([28, 28]);
    expect(back.features.buffer).toBeInstanceOf(SharedArrayBuffer);
    const raw = readFileSync(files.trainImages);
    expect(Buffer.compare(Buffer.from(back.features.buffer), raw.subarray(16))).toBe(0);
    expect(Buffer.compare(Buffer.from(back.labels.buffer), readFileSync(files.trainLabels).subarray(8))).toBe(0);
    expect(Object.values(labelHistogram(back.labels))).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // The summary reads the same file without copying it: sizes, largest label, share of nonzero pixels.
    let nonzero = 0;
    for (let i = 16; i < raw.length; i++) if (raw[i] !== 0) nonzero++;
    expect(peekArrowDataset(out)).toEqual({ layout: 'dense', rows: 60000, featureLength: 784, featureType: 'uint8', shape: [28, 28], maxLabel: 9, density: nonzero / (60000 * 784), regression: false });
  });

  it('writes plain Arrow types with the shape and source in the schema metadata', async () => {
    const ds = datasetFromIdx(fixture('small-images.idx'), fixture('small-labels.idx'));
    const out = join(tempDir(), 's.arrow');
    await writeArrowDataset(out, ds);
    const table = tableFromIPC(readFileSync(out));
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual(['features: FixedSizeList[6]<Uint8>', 'label: Uint8']);
    expect(table.schema.metadata.get('hogwild.shape')).toBe('[3,2]');
    expect(table.schema.metadata.get('hogwild.source')).toBe('small-images.idx, small-labels.idx');
    expect([...table.getChild('label')!.toArray()]).toEqual([0, 1, 2, 1, 0]);
  });

  it('gzip and raw inputs give the same file', async () => {
    const dir = tempDir();
    await writeArrowDataset(join(dir, 'a.arrow'), datasetFromIdx(fixture('small-images.idx'), fixture('small-labels.idx')));
    await writeArrowDataset(join(dir, 'b.arrow'), datasetFromIdx(fixture('small-images.idx.gz'), fixture('small-labels.idx')));
    const a = decodeArrowDataset(readFileSync(join(dir, 'a.arrow')), 'a');
    const b = decodeArrowDataset(readFileSync(join(dir, 'b.arrow')), 'b');
    expect(b.features).toEqual(a.features);
    expect(b.labels).toEqual(a.labels);
  });

  it('reads a Table sliced in memory from where the slice starts', async () => {
    const rows = 10, d = 3;
    const ds = { rows, featureLength: d, shape: [d], source: 'x', features: Float32Array.from({ length: rows * d }, (_, i) => i), labels: Uint8Array.from({ length: rows }, (_, i) => i % 3) };
    const back = asDense(tableColumns(tableFromIPC(await encodeArrowDataset(ds)).slice(4, 7), 'sliced').read());
    expect([...back.features]).toEqual(Array.from({ length: 9 }, (_, i) => 12 + i));
    expect([...back.labels]).toEqual([1, 2, 0]);
  });

  it('keeps float features as float32', async () => {
    const labels = join(tempDir(), 'two-labels.idx');
    writeFileSync(labels, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 1, 0]));
    const ds = datasetFromIdx(fixture('types-f64.idx'), labels);
    expect(ds.features).toBeInstanceOf(Float32Array);
    expect(ds.shape).toEqual([3, 4]);
    const out = join(tempDir(), 'f.arrow');
    await writeArrowDataset(out, ds);
    const back = readArrowDataset(out);
    expect(back.features).toBeInstanceOf(Float32Array);
    expect([...back.features]).toEqual(Array.from({ length: 24 }, (_, i) => (i - 5) * 1.5));
  });

  it('refuses to overwrite without force, and leaves no partial file when writing fails', async () => {
    const dir = tempDir();
    const ds = datasetFromIdx(fixture('small-images.idx'), fixture('small-labels.idx'));
    const out = join(dir, 'x.arrow');
    await writeArrowDataset(out, ds);
    await expect(writeArrowDataset(out, ds)).rejects.toThrow(`--out: ${out} exists; pass --force to overwrite it`);
    await writeArrowDataset(out, ds, true);
    await expect(writeArrowDataset(join(dir, 'no-such-dir', 'y.arrow'), ds)).rejects.toThrow(/y.arrow: cannot write \(ENOENT\)/);
  });

  it('rejects a file that is not Arrow, and a truncated one', async () => {
    const dir = tempDir();
    const f = join(dir, 'x.arrow');
    expect(() => readArrowDataset(fixture('small-images.idx'))).toThrow(`${fixture('small-images.idx')}: not an Arrow IPC file (no ARROW1 magic); make a dataset with: pnpm data convert (from IDX, .mat, CSV, Parquet or an Arrow table)`);
    await writeArrowDataset(f, datasetFromIdx(fixture('small-images.idx'), fixture('small-labels.idx')));
    const bytes = readFileSync(f);
    writeFileSync(f, bytes.subarray(0, bytes.length - 40));
    expect(() => readArrowDataset(f)).toThrow(new RegExp(`^${f}: corrupted Arrow file`));
  });
  it('reads a file a record batch at a time, once to check and again on each copy, to the dataset that its whole bytes give', async () => {
    const ds = datasetFromIdx(fixture('small-images.idx'), fixture('small-labels.idx'));
    const f = join(tempDir(), 'batches.arrow');
    writeFileSync(f, await encodeArrowDataset(ds, 2)); // 5 rows: batches of 2, 2 and 1
    const whole = decodeArrowDataset(readFileSync(f), f);
    const cols = openArrowDataset(f);
    expect(cols.rows).toBe(5);
    expect(asDense(cols.read())).toEqual(whole);
    expect(asDense(cols.read())).toEqual(whole); // each read reads the batches again
    expect(peekArrowDataset(f)).toMatchObject({ rows: 5, featureLength: 6, maxLabel: Math.max(...ds.labels) });
  });
  it('refuses to copy a file changed after it was checked, in one line naming it', async () => {
    const ds = datasetFromIdx(fixture('small-images.idx'), fixture('small-labels.idx'));
    const f = join(tempDir(), 'changed.arrow');
    await writeArrowDataset(f, ds);
    const cols = openArrowDataset(f);
    await writeArrowDataset(f, { ...ds, rows: 4, features: ds.features.subarray(0, 24), labels: ds.labels.subarray(0, 4) }, true);
    expect(() => cols.read()).toThrow(`${f}: changed while it was read (its size, modification time or inode differs from the first pass)`);
  });
});

