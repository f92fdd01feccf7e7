/**
 * The data a caller gives the library, read once: an Arrow dataset file (from `pnpm data convert`), arrays in memory,
 * or an apache-arrow Table with the dataset's columns, each checked into DatasetColumns, which sessions copy into their
 * arena (a file's columns straight from its bytes: one copy).
 */
import { type Task } from '@hogwild/core';
import { chooseTask, isClassCodes, isRowFeaturizer } from '@hogwild/core/internal';
import { openArrowDataset, type Dataset, type DatasetInfo, type Table } from '@hogwild/data';
import { MAX_CLASSES, datasetColumns, featureScale, tableColumns, type AnyColumns } from '@hogwild/data/internal';
import { TrainerError } from './errors.ts';
import { describeValue, encodeLabels } from './labels.ts';

/**
 * Features in memory, in one of two layouts. Rows: `number[][]` (or an array of typed arrays), one array a sample.
 * Row-major values: a `number[]`, `Float64Array`, `Float32Array` or `Uint8Array` of rows × `featureLength` values.
 * A `Uint8Array` (or `Uint8ClampedArray`) holds pixels, scaled by 1/255 when used, as image datasets are; every other
 * layout holds numbers used as they are (stored as float32, so they must be finite and within float32's range).
 */
export type FeatureValues = readonly ArrayLike<number>[] | ArrayLike<number>;

/**
 * Samples in memory, the way brain.js and tfjs users hold them: rows of numbers (or row-major values with
 * `featureLength`), and a label a row: classes (numbers or strings) or, for regression, the numbers to predict.
 *
 * @example
 * ```ts
 * await train({ data: { features: [[5.1, 3.5], [6.2, 2.9]], labels: ['setosa', 'versicolor'] }, epochs: 20 });
 * await train({ data: { features: [[1], [2], [3]], labels: [0.5, 1.1, 1.4], task: 'regression' } });
 * ```
 */
export interface ArrayData {
  /** The samples: rows (`number[][]`), or row-major values with `featureLength` (see {@link FeatureValues}). */
  readonly features: FeatureValues;
  /**
   * The class of each row. Integers 0 … 255 are class indices as they are. Strings (or other numbers) are classes by
   * name, numbered in sorted order as `data convert` numbers a table's labels, their names kept in the model's
   * `classes`; a test set or an evaluation maps names with the training data's or the model's classes.
   */
  readonly labels: ArrayLike<number> | readonly string[];
  /**
   * 'classification' or 'regression' (numeric labels, predicted as numbers: a linear output and mean squared error on
   * the target standardised by the model). By default `data convert`'s rule (core chooseTask): regression for numbers
   * with fractions, with more than 256 distinct values, or with more than 20 that are in a Float32Array/Float64Array
   * or not the class codes 0 … K−1 or 1 … K.
   * A test set, or an evaluation, takes the task of the training data or the model.
   */
  readonly task?: Task;
  /** Features per sample: required with row-major values, checked against the rows when given with rows. */
  readonly featureLength?: number;
  /** Shape of one sample (default [featureLength]), e.g. [28, 28]. */
  readonly shape?: readonly number[];
  /**
   * Class names by label index, kept in the model. With string labels, the order of the classes (every label must
   * be one of them); by default the names sorted.
   */
  readonly classes?: readonly string[];
  /** Feature names by feature index, kept in the model. */
  readonly featureNames?: readonly string[];
}

/** An Arrow dataset file (from `pnpm data convert`), arrays in memory, or an apache-arrow Table with the dataset's columns. */
export type DataInput = string | ArrayData | Table;

const badIn = (name: string) => (field: string, message: string): TrainerError => new TrainerError('E_USAGE', `${name}.${field}: ${message}`, { field: `${name}.${field}` });

/**
 * Features in memory as one row-major array with `d` values a row: uint8 pixels and float32 values as they are (no
 * copy), everything else copied into float32 and checked finite. `field` names them in errors; `d` is required for
 * row-major values and inferred from rows; `dWhat` says where `d` comes from, in errors.
 */
export function featureMatrix(
  f: FeatureValues, d: number | undefined, field: string, dWhat = 'featureLength',
): { values: Uint8Array | Float32Array; rows: number; featureLength: number } {
  const bad = (where: string, message: string) => new TrainerError('E_USAGE', `${field}${where}: ${message}`, { field: `${field}${where}` });
  if (d !== undefined && (!Number.isInteger(d) || d < 1)) {
    throw new TrainerError('E_USAGE', `${field.replace(/features$/, 'featureLength')}: expected a positive integer, found ${JSON.stringify(d)}`, { field: field.replace(/features$/, 'featureLength') });
  }
  if (f === null || typeof f !== 'object' || typeof (f as ArrayLike<number>).length !== 'number') {
    throw bad('', `expected rows (number[][]) or row-major numbers (number[], Float64Array, Float32Array, Uint8Array), found ${f === null ? 'null' : typeof f}`);
  }
  if (f.length === 0) throw bad('', 'no samples (an empty array)');
  const isRows = Array.isArray(f) && typeof f[0] === 'object' && f[0] !== null;
  if (isRows) {
    const rows = f as readonly ArrayLike<number>[];
    const width = d ?? rows[0].length;
    if (!Number.isInteger(width) || width < 1) throw bad('[0]', `expected an array of numbers, one a feature, found ${describeValue(rows[0])}`);
    const out = new Float32Array(rows.length * width);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (row === null || typeof row !== 'object' || row.length !== width) {
        throw bad(`[${r}]`, `expected ${width} numbers ${d === undefined ? 'like row 0' : `(${dWhat})`}, found ${row !== null && typeof row === 'object' ? `${row.length}` : describeValue(row)}`);
      }
      for (let j = 0; j < width; j++) store(row[j], out, r * width + j, `[${r}][${j}]`, bad);
    }
    return { values: out, rows: rows.length, featureLength: width };
  }
  if (d === undefined) {
    throw new TrainerError('E_USAGE', `${field.replace(/features$/, 'featureLength')}: required with row-major features (${kindOf(f)}): the values per sample`, { field: field.replace(/features$/, 'featureLength') });
  }
  const rows = f.length / d;
  if (!Number.isInteger(rows)) throw bad('', `${f.length} values are not a whole number of rows of ${d} (${dWhat})`);
  if (f instanceof Uint8Array) return { values: f, rows, featureLength: d };
  // Canvas ImageData holds pixels too: viewed as uint8, not copied.
  if (f instanceof Uint8ClampedArray) return { values: new Uint8Array(f.buffer, f.byteOffset, f.length), rows, featureLength: d };
  if (f instanceof Float32Array) {
    for (let i = 0; i < f.length; i++) if (!Number.isFinite(f[i])) throw bad(`[${i}]`, `${f[i]}, features must be finite`);
    return { values: f, rows, featureLength: d };
  }
  const out = new Float32Array(f.length);
  for (let i = 0; i < f.length; i++) store(f[i], out, i, `[${i}]`, bad);
  return { values: out, rows, featureLength: d };
}

/** Stores `v` at out[i] as float32: a finite number that stays finite in float32. */
function store(v: unknown, out: Float32Array, i: number, where: string, bad: (where: string, message: string) => TrainerError): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(where, `expected a finite number, found ${describeValue(v)}`);
  out[i] = v;
  if (!Number.isFinite(out[i])) throw bad(where, `${v} is outside float32's range (±3.4e38)`);
}

const kindOf = (f: object): string => (Array.isArray(f) ? 'number[]' : f.constructor?.name ?? 'an array');

/** What a test set or an evaluation takes from the training data or the model: its classes and its task. */
export interface LabelContext {
  readonly classes?: readonly string[];
  readonly task?: Task;
}

/**
 * Arrays in memory as a dataset, checked: features into one row-major array (see {@link FeatureValues}), labels into
 * class indices (strings named as `data convert` names them; {@link ArrayData.labels}) or regression targets. `name`
 * is the field the arrays came in ("data", "test"), named in errors (`data.features[3]: …`, `err.field` set).
 * `like`: the training data's or the model's classes and task, which a test set's or an evaluation's labels follow.
 */
export function arrayDataset(a: ArrayData, name: string, like: LabelContext = {}): Dataset {
  const { classes } = like;
  const bad = badIn(name);
  if (a === null || typeof a !== 'object') throw new TrainerError('E_USAGE', `${name}: expected a file name, an apache-arrow Table or { features, labels }, found ${describeValue(a)}`, { field: name });
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    throw new TrainerError('E_USAGE', `${name}: expected { features, labels }, found an array (put the samples in \`features\` and their classes in \`labels\`)`, { field: name });
  }
  if (a.features === undefined) throw bad('features', 'missing: the samples, as rows (number[][]) or row-major numbers with featureLength');
  if (a.labels === undefined || a.labels === null || typeof a.labels !== 'object' || typeof a.labels.length !== 'number') {
    throw bad('labels', `expected an array of class labels (numbers or strings), one a row, found ${describeValue(a.labels)}`);
  }
  const { values, rows, featureLength: d } = featureMatrix(a.features, a.featureLength, `${name}.features`);
  if (a.labels.length !== rows) throw bad('labels', `${a.labels.length} labels for ${rows} rows`);
  if (a.task !== undefined && a.task !== 'classification' && a.task !== 'regression') throw bad('task', `expected 'classification' or 'regression', found ${describeValue(a.task)}`);
  if (like.task !== undefined && a.task !== undefined && a.task !== like.task) throw bad('task', `${a.task}, but the ${name === 'test' ? 'training data' : 'model'} is ${like.task}`);
  const targets = regressionTargets(a, name, like.task);
  if (a.classes && (!Array.isArray(a.classes) || a.classes.length > MAX_CLASSES || a.classes.some((c) => typeof c !== 'string') || new Set(a.classes).size !== a.classes.length)) {
    throw bad('classes', `expected at most ${MAX_CLASSES} distinct names (strings)`);
  }
  const shape = a.shape ? [...a.shape] : [d];
  if (shape.reduce((x, y) => x * y, 1) !== d) throw bad('shape', `${JSON.stringify(shape)} does not hold ${d} features`);
  if (a.featureNames && (a.featureNames.length !== d || a.featureNames.some((c) => typeof c !== 'string'))) throw bad('featureNames', `expected ${d} names (strings)`);
  if (targets) {
    if (a.classes) throw bad('classes', 'a regression has no classes');
    return { rows, featureLength: d, features: values, labels: new Uint8Array(rows), targets, shape, source: name, ...(a.featureNames && { featureNames: [...a.featureNames] }) };
  }
  const strings = typeof a.labels[0] === 'string';
  // The caller's own classes order string labels; with numeric labels they name the indices (as the model keeps them).
  const known = strings && a.classes ? a.classes : classes;
  const encoded = encodeLabels(a.labels, `${name}.labels`, known, strings && a.classes ? 'the' : "the model's");
  const names = encoded.classes ?? a.classes ?? classes;
  return {
    rows, featureLength: d, features: values, labels: encoded.labels, shape, source: name,
    ...(names && { classes: [...names] }), ...(a.featureNames && { featureNames: [...a.featureNames] }),
  };
}

/**
 * The labels as float32 regression targets when the task is regression (given, the training data's or the model's,
 * or chosen by `data convert`'s rule from numeric labels); null for classes.
 */
function regressionTargets(a: ArrayData, name: string, task: Task | undefined): Float32Array | null {
  const labels = a.labels;
  const numeric = labels.length > 0 && typeof labels[0] === 'number';
  const wanted = a.task ?? task;
  if (wanted === 'classification' || (wanted === undefined && !numeric)) return null;
  const y = new Float32Array(labels.length);
  let fractional = false;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      if (wanted === undefined) return null; // classes by name, or a bad label encodeLabels names
      throw new TrainerError('E_USAGE', `${name}.labels[${i}]: expected a finite number (a regression target), found ${describeValue(v)}`, { field: `${name}.labels[${i}]` });
    }
    y[i] = v;
    if (!Number.isFinite(y[i])) throw new TrainerError('E_USAGE', `${name}.labels[${i}]: ${v} is outside float32's range (±3.4e38)`, { field: `${name}.labels[${i}]` });
    if (!Number.isInteger(v)) fractional = true;
  }
  if (wanted === 'regression') return y;
  const floats = labels instanceof Float32Array || labels instanceof Float64Array;
  const distinct = new Set(y);
  return chooseTask({ numeric: true, fractional, floats, distinct: distinct.size, codes: isClassCodes(distinct) }).task === 'regression' ? y : null;
}

function isTable(input: DataInput): input is Table {
  return typeof input === 'object' && input !== null && 'schema' in input && 'batches' in input;
}

/**
 * Reads and checks the input once; its columns stay where they are (a file's bytes, a Table's buffers, the arrays)
 * until a session copies them into its memory. `name` stands for arrays and Tables in messages (a file is named by
 * its path). `like`: the classes and task of the training data or the model, which labels in memory follow.
 */
export function loadData(input: DataInput, name: string, like: LabelContext = {}): AnyColumns {
  if (typeof input !== 'string' && !isTable(input)) return datasetColumns(arrayDataset(input, name, like));
  return typeof input === 'string' ? openArrowDataset(input, { source: input }) : tableColumns(input, name);
}

/** A JSON value with its objects' keys sorted: two featurizers compare by content, whatever order wrote them. */
const canonical = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));

/**
 * Refuses sparse data whose rows were made from raw records otherwise than `reference`'s (a model's, or the training
 * data's): another row featurizer, or other IDF weights, as a test set converted on its own instead of `--like` the
 * training set is (its IDF weights fitted on itself). Data without a row featurizer (LIBSVM, arrays) is not checked.
 */
export function checkSameFeatures(reference: { featurizer?: unknown; idf?: Float32Array }, referenceName: string, data: AnyColumns): void {
  if (data.layout !== 'sparse' || !isRowFeaturizer(reference.featurizer) || !isRowFeaturizer(data.featurizer)) return;
  const a = reference.idf, b = data.idf;
  const sameIdf = a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((w, j) => w === b[j]));
  const sameFeaturizer = canonical(reference.featurizer) === canonical(data.featurizer);
  if (sameIdf && sameFeaturizer) return;
  throw new TrainerError('E_INPUT', `${data.source}: its rows were made ${sameFeaturizer ? 'with other IDF weights' : 'by another featurizer'} than ${referenceName}'s: convert its raw file with data convert --like (the training set)`);
}

/** The classes and task that data or a model sets for the labels that follow it. */
export const labelContext = (x: { classes?: readonly string[]; regression?: boolean; spec?: { loss: string } }): LabelContext => ({
  ...(x.classes && { classes: x.classes }), task: x.regression || x.spec?.loss === 'mse' ? 'regression' : 'classification',
});

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
  /** The rows are sparse (index, value) lists, as text and LIBSVM files make them. */
  readonly sparse: boolean;
}

export function summarize(ds: DatasetInfo & { readonly layout?: 'dense' | 'sparse' }): DatasetSummary {
  return {
    rows: ds.rows, featureLength: ds.featureLength, maxLabel: ds.maxLabel, shape: ds.shape, scale: featureScale(ds.featureType), regression: ds.regression, sparse: ds.layout === 'sparse',
    ...(ds.classes && { classes: ds.classes }), ...(ds.featureNames && { featureNames: ds.featureNames }),
  };
}
