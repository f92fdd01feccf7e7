import { type DenseDataset } from './arrow-dataset.ts';
import { InputError, UsageError } from './errors.ts';
import { readIdx, type IdxArray } from './idx.ts';
import { readMatVariablesFrom, type MatValues } from './mat.ts';
import { readInput } from './files.ts';
import { basename } from 'node:path';

/** A dataset needs samples, and samples need features (a 22-byte file once claimed 2147483647 samples of 0 features). */
function checkSize(file: string, what: string, rows: number, features: number): void {
  if (features === 0) throw new InputError(file, `${what}: 0 features per sample, nothing to learn from`);
  if (rows === 0) throw new InputError(file, `${what}: no samples`);
}

/** Pairs an IDX image file (rank ≥ 2) with an IDX label file (rank 1) of the same count. */
export function datasetFromIdx(imagesFile: string, labelsFile: string, limit?: number): DenseDataset {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.dims.length < 2) throw new InputError(imagesFile, `IDX rank ${images.dims.length} (dims ${images.dims.join('x')}), expected rank ≥ 2 for images: a count then the shape of one sample`);
  if (labels.dims.length !== 1) throw new InputError(labelsFile, `IDX rank ${labels.dims.length} (dims ${labels.dims.join('x')}), expected rank 1 for labels`);
  const total = images.dims[0];
  if (labels.dims[0] !== total) throw new InputError(labelsFile, `${labels.dims[0]} labels, but ${imagesFile} has ${total} images`);
  const rows = limit === undefined ? total : Math.min(limit, total);
  const shape = images.dims.slice(1);
  const d = shape.reduce((a, b) => a * b, 1);
  checkSize(imagesFile, `images of dims ${images.dims.join('x')}`, total, d);
  const labelBytes = toLabels(labels.values, rows, labelsFile, new Map());
  const features = images.dtype === 'uint8' ? (images.values as Uint8Array).subarray(0, rows * d) : toFloat32(images, rows * d);
  checkFinite(features, d, imagesFile);
  return { rows, featureLength: d, features, labels: labelBytes, shape, source: `${basename(imagesFile)}, ${basename(labelsFile)}` };
}

/**
 * Features must be finite once in float32: a NaN or an infinity (or a float64 beyond float32's range) makes every
 * update it touches NaN, and training would go on silently on garbage.
 */
export function checkFinite(features: Uint8Array | Float32Array, d: number, file: string, firstRow = 0): void {
  if (features instanceof Uint8Array) return;
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i])) {
      throw new InputError(file, `feature ${i % d} of sample ${firstRow + Math.floor(i / d)} is ${features[i]}: features must be finite numbers`);
    }
  }
}

function toFloat32(a: IdxArray, n: number): Float32Array {
  return a.values instanceof Float32Array ? a.values.subarray(0, n) : Float32Array.from(a.values.subarray(0, n));
}

/** Parses "10=0,11=1" into a map of label values. */
export function parseLabelMap(text: string): Map<number, number> {
  const map = new Map<number, number>();
  for (const part of text.split(',')) {
    const m = /^\s*(-?\d+)\s*=\s*(-?\d+)\s*$/.exec(part);
    if (!m) throw new UsageError(`--label-map: expected FROM=TO pairs such as 10=0, found ${JSON.stringify(text)}`);
    map.set(Number(m[1]), Number(m[2]));
  }
  return map;
}

/** Parses "20x20" into [20, 20]. */
export function parseShape(text: string, flag = '--image-shape'): number[] {
  if (!/^\d+(x\d+)*$/.test(text) || text.split('x').some((s) => Number(s) === 0)) {
    throw new UsageError(`${flag}: expected sizes joined by x such as 20x20, found ${JSON.stringify(text)}`);
  }
  return text.split('x').map(Number);
}

function toLabels(values: ArrayLike<number>, rows: number, file: string, map: Map<number, number>): Uint8Array {
  const out = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const raw = values[i];
    const v = map.get(raw) ?? raw;
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      const mapped = map.has(raw) ? ` (mapped from ${raw})` : '';
      throw new InputError(file, `label ${v}${mapped} at row ${i} does not fit uint8 (0–255)${map.size === 0 ? '; a --label-map such as 10=0 may help' : ''}`);
    }
    out[i] = v;
  }
  return out;
}

/** Which variables of a MAT file {@link datasetFromMat} reads, and how. */
export interface MatConvertOptions {
  /** The features variable, [n, d] or [n, …shape]. */
  readonly features: string;
  /** The labels variable (n values). */
  readonly labels?: string;
  /** Label values to classes (e.g. Octave's 10 for the digit 0), from "10=0". */
  readonly labelMap?: Map<number, number>;
  /** Shape of one sample; its product must be the feature length. */
  readonly imageShape?: readonly number[];
  /** Each sample row holds an image stored column-major (MATLAB's reshape order): transpose it to row-major. */
  readonly columnMajor?: boolean;
  /** Read only the first n samples. */
  readonly limit?: number;
}

/**
 * A dataset from variables of a .mat file: the features variable is [n, d] (or [n, …shape]), one sample a row;
 * the labels variable is [n, 1] or [1, n]. With `columnMajor`, each row is an image stored column by column,
 * as MATLAB's reshape(X(i,:), 20, 20) reads it (Andrew Ng's ex4data1.mat), and is transposed to upright row-major.
 */
export function datasetFromMat(file: string, o: MatConvertOptions): DenseDataset {
  const bytes = readInput(file);
  const [X, Y] = readMatVariablesFrom(bytes, file, o.labels !== undefined ? [o.features, o.labels] : [o.features]);
  if (X.dims.length < 2) throw new InputError(file, `variable ${JSON.stringify(o.features)} has dims ${X.dims.join('x')}, expected [samples, features]`);
  const total = X.dims[0];
  let shape = X.dims.length === 2 ? [X.dims[1]] : X.dims.slice(1);
  const d = shape.reduce((a, b) => a * b, 1);
  checkSize(file, `variable ${JSON.stringify(o.features)} (dims ${X.dims.join('x')})`, total, d);
  if (o.imageShape) {
    const want = o.imageShape.reduce((a, b) => a * b, 1);
    if (want !== d) throw new UsageError(`--image-shape ${o.imageShape.join('x')} has ${want} elements, but variable ${JSON.stringify(o.features)} has ${d} features per sample`);
    shape = [...o.imageShape];
  }
  if (o.columnMajor && shape.length < 2) throw new UsageError('--column-major needs --image-shape (for example 20x20) to know how each sample is laid out');
  const rows = o.limit === undefined ? total : Math.min(o.limit, total);
  let labels: Uint8Array;
  if (o.labels !== undefined) {
    const count = Y.values.length;
    if (Y.dims.filter((x) => x !== 1).length > 1 || count !== total) {
      throw new InputError(file, `variable ${JSON.stringify(o.labels)} has dims ${Y.dims.join('x')}, expected ${total} labels ([${total}, 1] or [1, ${total}]) to match ${JSON.stringify(o.features)}`);
    }
    labels = toLabels(Y.values, rows, file, o.labelMap ?? new Map());
  } else {
    labels = new Uint8Array(rows);
  }
  const uint8 = X.class === 'uint8' || X.class === 'logical';
  const features = uint8 ? new Uint8Array(rows * d) : new Float32Array(rows * d);
  if (o.columnMajor) {
    transposeSamples(X.values, features, rows, shape);
  } else {
    features.set(X.values.subarray(0, rows * d) as never);
  }
  checkFinite(features, d, file);
  const source = `${basename(file)}:${o.features}${o.labels ? `,${o.labels}` : ''}`;
  return { rows, featureLength: d, features, labels, shape, source };
}

/** Per sample, reorders an image stored column-major (first index fastest) into row-major. */
function transposeSamples(src: MatValues, dst: Uint8Array | Float32Array, rows: number, shape: readonly number[]): void {
  const d = shape.reduce((a, b) => a * b, 1);
  const rank = shape.length;
  const colStride: number[] = [1];
  for (let k = 1; k < rank; k++) colStride[k] = colStride[k - 1] * shape[k - 1];
  const perm = new Int32Array(d);
  const idx = new Array<number>(rank).fill(0);
  for (let dstPos = 0; dstPos < d; dstPos++) {
    let s = 0;
    for (let k = 0; k < rank; k++) s += idx[k] * colStride[k];
    perm[dstPos] = s;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    for (let j = 0; j < d; j++) dst[base + j] = src[base + perm[j]];
  }
}

