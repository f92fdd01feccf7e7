/**
 * The data a caller gives the library, read once: an Arrow dataset file (from `pnpm data convert`), arrays in memory,
 * or an apache-arrow Table with the dataset's columns, each into a Dataset that sessions copy into their arena.
 */
import { datasetFromTable, featureScale, featureType, readArrowDataset, type Dataset, type Table } from '@hogwild/data';
import { TrainerError } from './errors.ts';

/** Samples in memory: `features` row-major (rows × featureLength; uint8 pixels are scaled by 1/255, floats used as they are). */
export interface ArrayData {
  readonly features: Uint8Array | Float32Array;
  /** Class of each row, 0 … classes − 1 (at most 255). */
  readonly labels: ArrayLike<number>;
  readonly featureLength: number;
  /** Shape of one sample (default [featureLength]). */
  readonly shape?: readonly number[];
  /** Class names by label value, kept in the model. */
  readonly classes?: readonly string[];
  /** Feature names by feature index, kept in the model. */
  readonly featureNames?: readonly string[];
}

/** An Arrow dataset file (from `pnpm data convert`), arrays in memory, or an apache-arrow Table with the dataset's columns. */
export type DataInput = string | ArrayData | Table;

/** Arrays in memory as a dataset, checked: labels integers 0 … 255, features of the stated length. */
export function arrayDataset(a: ArrayData, name: string): Dataset {
  const d = a.featureLength;
  const bad = (field: string, message: string) => new TrainerError('E_USAGE', `${name}.${field}: ${message}`, { field: `${name}.${field}` });
  if (!Number.isInteger(d) || d < 1) throw bad('featureLength', `expected a positive integer, found ${JSON.stringify(d)}`);
  if (!(a.features instanceof Uint8Array || a.features instanceof Float32Array)) throw bad('features', 'expected a Uint8Array or a Float32Array');
  const rows = a.features.length / d;
  if (!Number.isInteger(rows) || rows === 0) throw bad('features', `${a.features.length} values are not a positive whole number of rows of ${d}`);
  if (a.labels.length !== rows) throw bad('labels', `${a.labels.length} labels for ${rows} rows`);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = a.labels[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw bad(`labels[${i}]`, `expected an integer class 0 … 255, found ${v}`);
    labels[i] = v;
  }
  if (a.features instanceof Float32Array) {
    for (let i = 0; i < a.features.length; i++) {
      if (!Number.isFinite(a.features[i])) throw bad(`features[${i}]`, `${a.features[i]}, features must be finite`);
    }
  }
  const shape = a.shape ? [...a.shape] : [d];
  if (shape.reduce((x, y) => x * y, 1) !== d) throw bad('shape', `${JSON.stringify(shape)} does not hold ${d} features`);
  if (a.classes && (a.classes.length > 256 || a.classes.some((c) => typeof c !== 'string'))) throw bad('classes', 'expected at most 256 names (strings)');
  if (a.featureNames && (a.featureNames.length !== d || a.featureNames.some((c) => typeof c !== 'string'))) throw bad('featureNames', `expected ${d} names (strings)`);
  return {
    rows, featureLength: d, features: a.features, labels, shape, source: name,
    ...(a.classes && { classes: [...a.classes] }), ...(a.featureNames && { featureNames: [...a.featureNames] }),
  };
}

function isTable(input: DataInput): input is Table {
  return typeof input === 'object' && 'schema' in input && 'batches' in input;
}

/** Reads the input once into a Dataset; `name` stands for arrays and Tables in messages (a file is named by its path). */
export function loadData(input: DataInput, name: string): Dataset {
  if (typeof input === 'string') return { ...readArrowDataset(input), source: input };
  return isTable(input) ? datasetFromTable(input, name) : arrayDataset(input, name);
}

/** What a dataset holds, for choosing the network and describing the run. */
export interface DatasetSummary {
  readonly rows: number;
  readonly featureLength: number;
  readonly maxLabel: number;
  readonly shape: readonly number[];
  /** What features are multiplied by when used (1/255 for uint8). */
  readonly scale: number;
  readonly classes?: readonly string[];
  readonly featureNames?: readonly string[];
  /** The labels are regression targets (Dataset.targets). */
  readonly regression: boolean;
}

export function summarize(ds: Dataset): DatasetSummary {
  let maxLabel = 0;
  for (let i = 0; i < ds.labels.length; i++) if (ds.labels[i] > maxLabel) maxLabel = ds.labels[i];
  return {
    rows: ds.rows, featureLength: ds.featureLength, maxLabel, shape: ds.shape, scale: featureScale(featureType(ds)), regression: ds.targets !== undefined,
    ...(ds.classes && { classes: ds.classes }), ...(ds.featureNames && { featureNames: ds.featureNames }),
  };
}

/** The fraction of nonzero features (what the sparse first layer executes). */
export function inputDensity(ds: Dataset): number {
  let nonzero = 0;
  const x = ds.features;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nonzero++;
  return x.length ? nonzero / x.length : 0;
}
