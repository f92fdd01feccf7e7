import { asDense, decodeArrowDataset, isArrowFile, labelHistogram, featureScale, featureType, type DenseDataset } from './arrow-dataset.ts';
import { InputError } from './errors.ts';
import { isGzip, readInput } from './files.ts';
import type { SparseDataset } from './sparse-dataset.ts';
import { gunzipIdx, decodeIdx, parseIdxHeader, type IdxType } from './idx.ts';
import { looksLikeMat, parseMat, type MatFileInfo } from './mat.ts';

/** What `data inspect` says of an IDX file: its element type, dimensions and compression. */
export interface IdxInfo { readonly format: 'idx'; readonly dtype: IdxType; readonly dims: readonly number[]; readonly gzip: boolean }
/** What `data inspect` says of an Arrow dataset file. */
export interface ArrowInfo {
  readonly format: 'arrow';
  /** Samples. */
  readonly rows: number;
  /** The features column: element type and values per sample. */
  readonly features: { type: 'uint8' | 'float32'; length: number };
  /** Shape of one sample. */
  readonly shape: readonly number[];
  /** Samples of each label value. */
  readonly labels: Record<string, number>;
  /** Where the dataset came from (free text). */
  readonly source: string;
  /** Class names by label value, and feature names, when the dataset has them (converted from a table). */
  readonly classes?: readonly string[];
  /** Feature names by index, when known. */
  readonly featureNames?: readonly string[];
  /** A dataset from a table says its task. */
  readonly task?: 'classification' | 'regression';
}
/** What `data inspect` says of a sparse Arrow dataset file. */
export interface SparseArrowInfo {
  readonly format: 'arrow';
  readonly layout: 'sparse';
  readonly rows: number;
  /** The feature count (indices lie below it). */
  readonly features: number;
  /** Stored (index, value) pairs: in all, and a row's mean, fewest and most. */
  readonly nonzeros: { readonly total: number; readonly mean: number; readonly min: number; readonly max: number };
  /** The features in the most rows, most first (ties: lower index first), named where the dataset names them. */
  readonly top: readonly { readonly index: number; readonly name?: string; readonly rows: number }[];
  /** Samples of each label value (classification). */
  readonly labels: Record<string, number> | null;
  readonly task: 'classification' | 'regression';
  readonly source: string;
  readonly classes?: readonly string[];
  /** How the features were made (JSON), when the dataset says. */
  readonly featurizer?: unknown;
}
/** What {@link inspectFile} tells of a file, by its format. */
export type FileInfo = IdxInfo | ArrowInfo | SparseArrowInfo | MatFileInfo;

/** How many of the most frequent features inspect lists. */
const TOP_FEATURES = 10;

/** A sparse dataset's summary: non-zeros per row, and the features in the most rows (sorting a copy of the indices: memory follows the non-zeros, not the feature count). */
export function sparseInfo(ds: SparseDataset): SparseArrowInfo {
  const { rows, indptr, indices } = ds;
  let min = Infinity, max = 0;
  for (let r = 0; r < rows; r++) {
    const k = indptr[r + 1] - indptr[r];
    if (k < min) min = k;
    if (k > max) max = k;
  }
  const total = indptr[rows];
  const sorted = indices.slice(0, total).sort();
  const top: { index: number; rows: number }[] = [];
  for (let k = 0; k < total;) {
    let e = k + 1;
    while (e < total && sorted[e] === sorted[k]) e++;
    // Indices ascend within a row, so a feature's count is its rows; keep the best TOP_FEATURES, in order.
    const c = { index: sorted[k], rows: e - k };
    if (top.length < TOP_FEATURES || c.rows > top[top.length - 1].rows) {
      let at = top.length;
      while (at > 0 && top[at - 1].rows < c.rows) at--;
      top.splice(at, 0, c);
      if (top.length > TOP_FEATURES) top.pop();
    }
    k = e;
  }
  return {
    format: 'arrow', layout: 'sparse', rows, features: ds.featureLength,
    nonzeros: { total, mean: rows ? total / rows : 0, min: rows ? min : 0, max },
    top: top.map((t) => ({ index: t.index, ...(ds.featureNames && { name: ds.featureNames[t.index] }), rows: t.rows })),
    labels: ds.targets ? null : labelHistogram(ds.labels), task: ds.targets ? 'regression' : 'classification', source: ds.source,
    ...(ds.classes && { classes: ds.classes }), ...(ds.featurizer !== undefined && { featurizer: ds.featurizer }),
  };
}

/** Tells the format from the bytes (never the name): Arrow, MAT (Level 4/5, v7.3), IDX, raw or gzip. */
export function inspectFile(file: string): FileInfo {
  const raw = readInput(file);
  if (isArrowFile(raw)) {
    const ds = decodeArrowDataset(raw, file);
    return ds.layout === 'sparse' ? sparseInfo(ds) : arrowInfo(ds);
  }
  if (looksLikeMat(raw) || raw.length >= 128 && Buffer.from(raw.subarray(0, 6)).toString() === 'MATLAB') {
    const { version, variables } = parseMat(raw, file);
    return { format: 'mat', version, variables: variables.map(({ read: _r, ...info }) => info) };
  }
  const gz = isGzip(raw);
  const bytes = gz ? gunzipIdx(raw, file) : raw;
  if (bytes.length >= 2 && bytes[0] === 0 && bytes[1] === 0) {
    const h = parseIdxHeader(bytes, file, gz);
    return { format: 'idx', dtype: h.dtype, dims: h.dims, gzip: gz };
  }
  throw new InputError(file, 'unknown format: not an Arrow IPC file, a MAT file or an IDX file (raw or gzip)');
}

function arrowInfo(ds: DenseDataset): ArrowInfo {
  return {
    format: 'arrow',
    rows: ds.rows,
    features: { type: featureType(ds), length: ds.featureLength },
    shape: ds.shape,
    labels: labelHistogram(ds.labels),
    source: ds.source,
    ...(ds.classes && { classes: ds.classes }),
    ...(ds.featureNames && { featureNames: ds.featureNames }),
    ...((ds.columns || ds.targets) && { task: ds.targets ? 'regression' as const : 'classification' as const }),
  };
}

/** One sample of an Arrow or IDX file as a 2-D image (values in 0–1) and its label, for --show. */
export function sampleImage(file: string, n: number): { pixels: Float32Array; height: number; width: number; label?: number } {
  const raw = readInput(file);
  let values: ArrayLike<number>, shape: readonly number[], count: number, scale: number, label: number | undefined;
  if (isArrowFile(raw)) {
    const ds = asDense(decodeArrowDataset(raw, file), file);
    values = ds.features; shape = ds.shape; count = ds.rows; scale = featureScale(featureType(ds));
    if (n >= 0 && n < count) label = ds.labels[n];
  } else {
    const idx = decodeIdx(raw, file);
    if (idx.dims.length < 2) throw new InputError(file, `IDX rank ${idx.dims.length}: --show needs images (rank ≥ 2)`);
    values = idx.values; shape = idx.dims.slice(1); count = idx.dims[0]; scale = featureScale(idx.dtype === 'uint8' ? 'uint8' : 'float32');
  }
  if (!Number.isInteger(n) || n < 0 || n >= count) throw new InputError(file, `--show ${n}: sample out of range, the file has ${count} (0–${count - 1})`);
  const height = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const width = shape[shape.length - 1];
  const d = shape.reduce((a, b) => a * b, 1);
  const pixels = new Float32Array(height * width);
  for (let i = 0; i < height * width; i++) pixels[i] = values[n * d + i] * scale;
  return { pixels, height, width, label };
}

const RAMP = ' .:-=+*#%@';

/** Draws an image (values in 0–1; other ranges are stretched) as ASCII art, two characters a pixel. */
export function asciiArt(pixels: Float32Array, height: number, width: number): string {
  let min = Infinity, max = -Infinity;
  for (const v of pixels) { if (v < min) min = v; if (v > max) max = v; }
  const lo = min >= 0 && max <= 1 ? 0 : min;
  const span = (min >= 0 && max <= 1 ? 1 : max - min) || 1;
  const lines: string[] = [];
  for (let y = 0; y < height; y++) {
    let line = '';
    for (let x = 0; x < width; x++) {
      const t = (pixels[y * width + x] - lo) / span;
      const c = RAMP[Math.max(0, Math.min(RAMP.length - 1, Math.round(t * (RAMP.length - 1))))];
      line += c + c;
    }
    lines.push(line.replace(/\s+$/, ''));
  }
  return lines.join('\n');
}
