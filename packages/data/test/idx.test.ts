import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetFromIdx } from '../src/convert.ts';
import { readIdx } from '../src/idx.ts';
import { fixture, tempDir } from './helpers.ts';

describe('IDX reader', () => {
  it('inflates a gzip file no further than its IDX header says (a decompression bomb is refused)', () => {
    // gzip (zlib's writer) of a header for 2x2 uint8 images followed by 50 MB instead of 4 bytes.
    const body = Buffer.alloc(50_000_000 + 12);
    body.set([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 2]);
    const f = join(tempDir(), 'bomb.idx.gz');
    writeFileSync(f, gzipSync(body));
    expect(() => readIdx(f)).toThrow(`${f}: gzip stream inflates to more than the 16 bytes its header says (corrupted, or a decompression bomb)`);
  });
  it('reads every element type, big-endian, any rank', () => {
    for (const [name, dtype, ctor] of [['i8', 'int8', Int8Array], ['i16', 'int16', Int16Array], ['i32', 'int32', Int32Array], ['f32', 'float32', Float32Array], ['f64', 'float64', Float64Array]] as const) {
      const a = readIdx(fixture(`types-${name}.idx`));
      expect(a.dtype).toBe(dtype);
      expect(a.dims).toEqual([2, 3, 4]);
      expect(a.values).toBeInstanceOf(ctor);
      const scale = dtype.startsWith('float') ? 1.5 : 1;
      expect([...a.values]).toEqual(Array.from({ length: 24 }, (_, i) => (i - 5) * scale));
    }
  });

  it('reads gzip and raw files alike, telling them apart by the bytes', () => {
    const raw = readIdx(fixture('small-images.idx'));
    const gz = readIdx(fixture('small-images.idx.gz'));
    expect(raw.gzip).toBe(false);
    expect(gz.gzip).toBe(true);
    expect(gz.dims).toEqual([5, 3, 2]);
    expect(gz.values).toEqual(raw.values);
    // A gzip file named like a raw one is still read as gzip.
    const dir = tempDir();
    writeFileSync(join(dir, 'plain-name'), readFileSync(fixture('small-images.idx.gz')));
    expect(readIdx(join(dir, 'plain-name')).values).toEqual(raw.values);
  });

  const bad = (bytes: Uint8Array | string): string => {
    const dir = tempDir();
    const f = join(dir, 'bad.idx');
    writeFileSync(f, bytes);
    return f;
  };
  const good = readFileSync(fixture('small-images.idx'));

  it('rejects a truncated file', () => {
    const f = bad(good.subarray(0, good.length - 1));
    expect(() => readIdx(f)).toThrow(`${f}: truncated: header says 5x3x2 uint8 (46 bytes), file has 45`);
  });
  it('rejects trailing bytes (element count disagrees with the header)', () => {
    const f = bad(Buffer.concat([good, Buffer.from([1, 2])]));
    expect(() => readIdx(f)).toThrow(`${f}: has trailing bytes: header says 5x3x2 uint8 (46 bytes), file has 48`);
  });
  it('rejects a wrong magic number', () => {
    const f = bad(Buffer.from([1, 2, 8, 1, 0, 0, 0, 0]));
    expect(() => readIdx(f)).toThrow(`${f}: not an IDX file: magic 01 02 08 01, expected 00 00 followed by a type and a rank`);
  });
  it('rejects an unknown element type', () => {
    const f = bad(Buffer.from([0, 0, 0x0a, 1, 0, 0, 0, 0]));
    expect(() => readIdx(f)).toThrow(`${f}: unknown IDX element type 0x0a, expected one of 08, 09, 0b, 0c, 0d, 0e`);
  });
  it('rejects a header cut short', () => {
    const f = bad(Buffer.from([0, 0, 8, 3, 0, 0, 0, 5]));
    expect(() => readIdx(f)).toThrow(`${f}: truncated IDX header: 8 bytes, rank 3 needs 16`);
  });
  it('rejects a corrupted gzip stream', () => {
    const gz = Buffer.from(readFileSync(fixture('small-images.idx.gz')));
    gz[gz.length - 12] ^= 0xff;
    const f = bad(gz);
    expect(() => readIdx(f)).toThrow(new RegExp(`^${f}: corrupted gzip stream`));
  });
  it('rejects an empty file, a directory and a missing file', () => {
    const f = bad('');
    expect(() => readIdx(f)).toThrow(`${f}: is empty`);
    const dir = tempDir();
    mkdirSync(join(dir, 'd'));
    expect(() => readIdx(join(dir, 'd'))).toThrow(`${join(dir, 'd')}: is a directory, expected a file`);
    expect(() => readIdx(join(dir, 'missing.idx'))).toThrow(`${join(dir, 'missing.idx')}: no such file`);
  });
  it('rejects image and label files of different counts', () => {
    const labels = readFileSync(fixture('small-labels.idx'));
    const f = bad(Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, 4]), labels.subarray(8, 12)]));
    expect(() => datasetFromIdx(fixture('small-images.idx'), f)).toThrow(`${f}: 4 labels, but ${fixture('small-images.idx')} has 5 images`);
  });
  it('rejects labels that do not fit uint8', () => {
    const f = bad(Buffer.from([0, 0, 0x0b, 1, 0, 0, 0, 5, 0, 1, 0, 2, 1, 0, 0, 1, 0, 0]));
    expect(() => datasetFromIdx(fixture('small-images.idx'), f)).toThrow(`${f}: label 256 at row 2 does not fit uint8 (0–255); a --label-map such as 10=0 may help`);
  });
  it('rejects an image file of rank 1 and a label file of rank 2', () => {
    expect(() => datasetFromIdx(fixture('small-labels.idx'), fixture('small-labels.idx'))).toThrow('IDX rank 1 (dims 5), expected rank ≥ 2 for images');
    expect(() => datasetFromIdx(fixture('small-images.idx'), fixture('small-images.idx'))).toThrow('IDX rank 3 (dims 5x3x2), expected rank 1 for labels');
  });
});
