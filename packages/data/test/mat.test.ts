import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetFromMat } from '../src/convert.ts';
import { inspectMat, readMatVariable } from '../src/mat.ts';
import { fixture, tempDir } from './helpers.ts';

const base = Array.from({ length: 12 }, (_, i) => i); // numpy arange(12).reshape(3, 4), row-major

const EXPECTED: Record<string, { cls: string; values: number[]; ctor: Function }> = {
  d: { cls: 'double', values: base.map((x) => x / 4 - 1), ctor: Float64Array },
  s: { cls: 'single', values: base.map((x) => x * 1.5), ctor: Float32Array },
  i8: { cls: 'int8', values: base.map((x) => x - 6), ctor: Int8Array },
  u8: { cls: 'uint8', values: base.map((x) => x * 20), ctor: Uint8Array },
  i16: { cls: 'int16', values: base.map((x) => -x * 1000 || 0), ctor: Int16Array },
  u16: { cls: 'uint16', values: base.map((x) => x * 5000), ctor: Uint16Array },
  i32: { cls: 'int32', values: base.map((x) => -x * 100000 || 0), ctor: Int32Array },
  u32: { cls: 'uint32', values: base.map((x) => x * 300000000), ctor: Uint32Array },
  i64: { cls: 'int64', values: base.map((x) => -x * 1e12 || 0), ctor: Float64Array },
  u64: { cls: 'uint64', values: base.map((x) => x * 1e12), ctor: Float64Array },
  b: { cls: 'logical', values: base.map((x) => (x % 3 === 0 ? 1 : 0)), ctor: Uint8Array },
};

describe('MAT reader', () => {
  for (const version of ['v6', 'v7']) {
    for (const order of ['le', 'be']) {
      const file = fixture(`classes-${version}-${order}.mat`);
      it(`reads every numeric class from a Level 5 ${version} ${order === 'le' ? 'little' : 'big'}-endian file, row-major`, () => {
        for (const [name, e] of Object.entries(EXPECTED)) {
          const a = readMatVariable(file, name);
          expect(a.class, name).toBe(e.cls);
          expect(a.dims, name).toEqual([3, 4]);
          expect(a.values, name).toBeInstanceOf(e.ctor);
          expect([...a.values], name).toEqual(e.values);
        }
        const nd = readMatVariable(file, 'nd');
        expect(nd.dims).toEqual([2, 3, 4]);
        expect([...nd.values]).toEqual(Array.from({ length: 24 }, (_, i) => i));
      });
      it(`lists unsupported variables without failing (${version} ${order})`, () => {
        const info = inspectMat(file);
        expect(info.version).toBe(5);
        const byName = Object.fromEntries(info.variables.map((v) => [v.name, v]));
        expect(byName.txt).toEqual({ name: 'txt', class: 'char', dims: [1, 5], supported: false });
        expect(byName.c).toEqual({ name: 'c', class: 'double', dims: [1, 2], supported: false, complex: true });
        expect(byName.cel).toMatchObject({ class: 'cell', supported: false });
        expect(byName.st).toMatchObject({ class: 'struct', supported: false });
        expect(byName.sp).toMatchObject({ class: 'sparse', dims: [3, 3], supported: false });
        expect(byName.d).toEqual({ name: 'd', class: 'double', dims: [3, 4], supported: true });
        expect(info.variables).toHaveLength(18);
      });
    }
  }

  it('reports the class, not the storage type, of a double stored as small integers', () => {
    // scipy stores [7, 8, 255] as double; MATLAB itself would store them as uint8: both read as class double.
    for (const f of ['classes-v6-le.mat', 'classes-v4-le.mat']) {
      const a = readMatVariable(fixture(f), 'small');
      expect(a.class).toBe('double');
      expect(a.values).toBeInstanceOf(Float64Array);
      expect([...a.values]).toEqual([7, 8, 255]);
    }
  });

  for (const order of ['le', 'be']) {
    it(`reads Level 4 files (${order})`, () => {
      const info = inspectMat(fixture(`classes-v4-${order}.mat`));
      expect(info.version).toBe(4);
      expect(info.variables.map((v) => [v.name, v.class, v.supported])).toEqual([
        ['d', 'double', true], ['small', 'double', true], ['c', 'double', false], ['txt', 'char', false],
      ]);
      expect([...readMatVariable(fixture(`classes-v4-${order}.mat`), 'd').values]).toEqual(EXPECTED.d.values);
    });
  }

  it('reads a Level 5 file whose header text was written by another tool', () => {
    const info = inspectMat(fixture('classes-v6-other-header.mat'));
    expect(info.version).toBe(5);
    expect([...readMatVariable(fixture('classes-v6-other-header.mat'), 'd').values]).toEqual(EXPECTED.d.values);
  });

  it('says how to re-save a v7.3 (HDF5) file', () => {
    const f = fixture('v73.mat');
    expect(() => inspectMat(f)).toThrow(`${f}: is a MATLAB v7.3 (HDF5) file, which is not supported; re-save it in MATLAB or Octave with: save -v7 FILE.mat VARIABLES`);
  });
  it('names a variable that does not exist, listing those that do', () => {
    const f = fixture('ex4-like-v7.mat');
    expect(() => readMatVariable(f, 'Z')).toThrow(`${f}: no variable named "Z" (variables: X, y)`);
  });
  it('refuses a variable that is not numeric', () => {
    const f = fixture('classes-v6-le.mat');
    expect(() => readMatVariable(f, 'cel')).toThrow(`${f}: variable "cel" is cell, expected a real numeric or logical array`);
    expect(() => readMatVariable(f, 'c')).toThrow(`${f}: variable "c" is complex double, expected a real numeric or logical array`);
  });

  const corrupt = (name: string, edit: (b: Buffer) => Buffer): string => {
    const f = join(tempDir(), name);
    writeFileSync(f, edit(Buffer.from(readFileSync(fixture(name)))));
    return f;
  };
  it('rejects a corrupted zlib stream', () => {
    const f = corrupt('ex4-like-v7.mat', (b) => { for (let i = 200; i < 260; i++) b[i] ^= 0x5a; return b; });
    expect(() => readMatVariable(f, 'X')).toThrow(new RegExp(`^${f}: corrupted zlib stream in a compressed variable .*\\(at byte 128\\)$`));
  });
  it('inflates a compressed variable no further than its element tag says (a decompression bomb is refused)', () => {
    // A real writer's Level 5 header, then one compressed element (zlib, as MATLAB writes it) whose miMATRIX tag
    // claims 64 bytes but whose stream inflates to 50 MB.
    const header = readFileSync(fixture('ex4-like-v7.mat')).subarray(0, 128);
    const inner = Buffer.alloc(50_000_000);
    inner.writeUInt32LE(14, 0);
    inner.writeUInt32LE(64, 4);
    const z = deflateSync(inner);
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(z.length, 4);
    const f = join(tempDir(), 'bomb.mat');
    writeFileSync(f, Buffer.concat([header, tag, z]));
    expect(z.length).toBeLessThan(100_000);
    expect(() => inspectMat(f)).toThrow(`${f}: zlib stream in a compressed variable inflates to more than the 72 bytes its header says (corrupted, or a decompression bomb) (at byte 128)`);
  });
  it('refuses samples without features and files without samples (scipy wrote both)', () => {
    expect(() => datasetFromMat(fixture('v4-no-features.mat'), { features: 'X' })).toThrow(`${fixture('v4-no-features.mat')}: variable "X" (dims 2147483647x0): 0 features per sample, nothing to learn from`);
    expect(() => datasetFromMat(fixture('v6-no-samples.mat'), { features: 'X', labels: 'y' })).toThrow(`${fixture('v6-no-samples.mat')}: variable "X" (dims 0x4): no samples`);
  });
  // Four files from scipy's own test data (scipy/io/matlab/tests/data, BSD-3-Clause), read as scipy.io.loadmat reads them.
  it('agrees with scipy on its own test files: miUINT32 dimensions read, negative ones, non-ASCII names and left-over zlib data refused', () => {
    const ok = readMatVariable(fixture('miuint32_for_miint32.mat'), 'an_array');
    expect(ok.dims).toEqual([1, 10]);
    expect(Array.from(ok.values as ArrayLike<number>, Number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // as scipy.io.loadmat gives
    expect(() => inspectMat(fixture('bad_miuint32.mat'))).toThrow(/bad_miuint32\.mat: dimensions stored as miUINT32 with a value of 2147483649, above what miINT32 holds \(at byte \d+\)$/);
    expect(() => inspectMat(fixture('bad_miutf8_array_name.mat'))).toThrow(/bad_miutf8_array_name\.mat: the array name ".+ray_name" is not ASCII \(at byte \d+\)$/);
    expect(() => inspectMat(fixture('corrupted_zlib_data.mat'))).toThrow(/corrupted_zlib_data\.mat: zlib stream in a compressed variable inflates to more than the \d+ bytes its header says/);
  });
  it('refuses features that are not finite, naming the sample and the feature', () => {
    const f = fixture('nan-features-v6.mat');
    expect(() => datasetFromMat(f, { features: 'X', labels: 'y' })).toThrow(`${f}: feature 2 of sample 1 is NaN: features must be finite numbers`);
  });
  it('rejects a truncated file', () => {
    const f = corrupt('classes-v6-le.mat', (b) => b.subarray(0, 1000));
    expect(() => inspectMat(f)).toThrow(new RegExp(`^${f}: truncated: element of type 14 claims \\d+ bytes, \\d+ remain \\(at byte \\d+\\)$`));
    const g = corrupt('classes-v4-be.mat', (b) => b.subarray(0, 60));
    expect(() => inspectMat(g)).toThrow(new RegExp(`^${g}: truncated: variable "d" needs 96 bytes of data, \\d+ remain`));
  });
  it('rejects a file that is not a MAT file', () => {
    const f = fixture('make-fixtures.py');
    expect(() => inspectMat(f)).toThrow(`${f}: not a MAT file: no Level 5 header (MATLAB 5.0 MAT-file…) and no valid Level 4 matrix header`);
  });
});

describe('ex4data1-shaped files', () => {
  const upright = readFileSync(fixture('ex4-upright.bin'));
  const digits = readFileSync(fixture('ex4-labels.bin'));
  for (const f of ['ex4-like-v7.mat', 'ex4-like-v6-be.mat']) {
    it(`--column-major --label-map 10=0 turns ${f} into upright row-major images with labels 0-9`, () => {
      const ds = datasetFromMat(fixture(f), { features: 'X', labels: 'y', labelMap: new Map([[10, 0]]), imageShape: [20, 20], columnMajor: true });
      expect(ds.rows).toBe(60);
      expect(ds.shape).toEqual([20, 20]);
      expect(ds.features).toBeInstanceOf(Float32Array);
      expect([...ds.labels]).toEqual([...digits]);
      for (let i = 0; i < upright.length; i++) expect(Math.round(ds.features[i] * 255)).toBe(upright[i]);
    });
  }
  it('without --column-major the images come out transposed', () => {
    const ds = datasetFromMat(fixture('ex4-like-v7.mat'), { features: 'X', labels: 'y', labelMap: new Map([[10, 0]]), imageShape: [20, 20] });
    // Pixel (r, c) of the upright image lands at (c, r).
    expect(Math.round(ds.features[3 * 20 + 11] * 255)).toBe(upright[11 * 20 + 3]);
  });
  it('without a label map, label 10 is kept (it fits uint8); a map that overflows is refused', () => {
    const ds = datasetFromMat(fixture('ex4-like-v7.mat'), { features: 'X', labels: 'y' });
    expect(Math.max(...ds.labels)).toBe(10);
    const f = fixture('ex4-like-v7.mat');
    expect(() => datasetFromMat(f, { features: 'X', labels: 'y', labelMap: new Map([[10, 300]]) })).toThrow(
      new RegExp(`^${f}: label 300 \\(mapped from 10\\) at row \\d+ does not fit uint8 \\(0–255\\)$`),
    );
  });
});
