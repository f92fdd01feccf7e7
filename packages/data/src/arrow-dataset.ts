import {
  DataType, Field, FixedSizeList, Float32, Precision, RecordBatch, RecordBatchFileWriter, Schema, Struct, Uint8, makeData, tableFromIPC,
  type Table,
} from 'apache-arrow';
import { InputError, NotADatasetError } from './errors.ts';
import { writeAtomic } from './files.ts';
import { arrowFailure, checkArrowFile } from './arrow-check.ts';
import { arrowFileBatches, isArrowFile, NOT_ARROW, type BatchSource } from './arrow-file-batches.ts';
import { checkFinite } from './convert.ts';
import { encodedNames, type ColumnEncoding } from '@hogwild/core/internal';
import { sparseColumns, sparseSummary, sparseTableColumns, isSparseSchema, type SparseColumns, type SparseDataset } from './sparse-dataset.ts';

/**
 * A dataset in memory: dense (every feature of every row stored) or sparse (each row's non-zero features only,
 * sparse-dataset.ts). `layout` tells them apart; dense producers may leave it out.
 */
export type Dataset = DenseDataset | SparseDataset;

/**
 * A dense dataset: n samples of d features each (row-major, uint8 or float32) and n uint8 labels.
 * uint8 features are pixels, scaled by 1/255 when used; float32 features are used as they are.
 */
export interface DenseDataset {
  /** Absent or 'dense' (producers written before sparse datasets leave it out). */
  readonly layout?: 'dense';
  readonly rows: number;
  readonly featureLength: number;
  readonly features: Uint8Array | Float32Array;
  readonly labels: Uint8Array;
  /** Shape of one sample, e.g. [28, 28]; its product is featureLength. */
  readonly shape: readonly number[];
  /** Where the data came from (file names), free text. */
  readonly source: string;
  /** Class names by label value (string labels mapped in sorted order); absent for plain integer labels. */
  readonly classes?: readonly string[];
  /** Feature names by feature index (the table columns they came from), when known. */
  readonly featureNames?: readonly string[];
  /**
   * Regression: the target of each row (the file's label column is then float32, and `labels` are all 0). Its
   * presence makes the dataset a regression dataset.
   */
  readonly targets?: Float32Array;
  /** From a table: the columns and how each was encoded into the features (the model takes them over). */
  readonly columns?: readonly ColumnEncoding[];
  /** From a table: the label column's name. */
  readonly labelName?: string;
}

/** How features are stored: uint8 pixels (scaled by 1/255 when used) or float32 values. */
export type FeatureType = 'uint8' | 'float32';
/** The feature type of a dataset. */
export const featureType = (ds: Pick<Dataset, 'features'>): FeatureType => (ds.features instanceof Uint8Array ? 'uint8' : 'float32');
/** The factor a feature is multiplied by when used. */
export const featureScale = (type: FeatureType): number => (type === 'uint8' ? 1 / 255 : 1);

/** Schema metadata key: the shape of one sample, as JSON. */
export const SHAPE_KEY = 'hogwild.shape';
/** Schema metadata key: where the dataset came from. */
export const SOURCE_KEY = 'hogwild.source';
/** Schema metadata key: the class names by label value, as JSON. */
export const CLASSES_KEY = 'hogwild.classes';
/** Schema metadata key: the feature names by index, as JSON. */
export const FEATURES_KEY = 'hogwild.features';
/** Schema metadata key: a table's columns and how each was encoded into the features, as JSON. */
export const COLUMNS_KEY = 'hogwild.columns';
/** Schema metadata key: the name of the table's label column. */
export const LABEL_KEY = 'hogwild.label';
/** Schema metadata key: the task, `classification` or `regression` (datasets from tables only). */
export const TASK_KEY = 'hogwild.task';
export { isArrowFile } from './arrow-file-batches.ts';

/** A dataset whose features lie in several arrays (each a whole number of rows, in order): what a streamed conversion builds. */
export type ChunkedDataset = Omit<DenseDataset, 'features' | 'layout'> & { readonly featureChunks: readonly (Uint8Array | Float32Array)[] };

function schemaOf(ds: ChunkedDataset): { schema: Schema; featType: FixedSizeList } {
  const first = ds.featureChunks[0];
  const item = first instanceof Uint8Array ? new Uint8() : new Float32();
  const featType = new FixedSizeList(ds.featureLength, new Field('item', item, false));
  const metadata = new Map([[SHAPE_KEY, JSON.stringify(ds.shape)], [SOURCE_KEY, ds.source]]);
  if (ds.classes) metadata.set(CLASSES_KEY, JSON.stringify(ds.classes));
  if (ds.featureNames) metadata.set(FEATURES_KEY, JSON.stringify(ds.featureNames));
  if (ds.columns) metadata.set(COLUMNS_KEY, JSON.stringify(ds.columns));
  if (ds.labelName !== undefined) metadata.set(LABEL_KEY, ds.labelName);
  // Datasets from tables say their task; image datasets (IDX, .mat) keep the schema they always had.
  if (ds.columns || ds.targets) metadata.set(TASK_KEY, ds.targets ? 'regression' : 'classification');
  return { schema: new Schema([new Field('features', featType, false), new Field('label', ds.targets ? new Float32() : new Uint8(), false)], metadata), featType };
}

const chunked = (ds: DenseDataset): ChunkedDataset => ({ ...ds, featureChunks: [ds.features] });

/**
 * Record batches over the dataset's own arrays: zero-copy, each batch a subarray view.
 * Batches of `batchRows` keep readers that stream (pyarrow, DuckDB) from needing one huge buffer.
 */
export function* datasetBatches(ds: DenseDataset | ChunkedDataset, batchRows = 16384): Generator<RecordBatch> {
  const c = 'featureChunks' in ds ? ds : chunked(ds);
  const { schema, featType } = schemaOf(c);
  const d = c.featureLength;
  const item = featType.children[0].type;
  const labelType = schema.fields[1].type as Uint8 | Float32;
  const batch = (values: Uint8Array | Float32Array, labels: Uint8Array | Float32Array): RecordBatch => {
    const n = labels.length;
    const feat = makeData({ type: featType, length: n, nullCount: 0, child: makeData({ type: item, length: n * d, data: values }) });
    const label = makeData({ type: labelType as Uint8, length: n, nullCount: 0, data: labels as Uint8Array });
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: [feat, label] }));
  };
  const labels = c.targets ?? c.labels;
  if (c.rows === 0) {
    yield batch(c.featureChunks[0]?.subarray(0, 0) ?? new Float32Array(0), labels.subarray(0, 0));
    return;
  }
  let row = 0;
  for (const chunk of c.featureChunks) {
    const rows = d === 0 ? c.rows - row : Math.min(chunk.length / d, c.rows - row);
    for (let start = 0; start < rows; start += batchRows) {
      const n = Math.min(batchRows, rows - start);
      yield batch(chunk.subarray(start * d, (start + n) * d), labels.subarray(row + start, row + start + n));
    }
    row += rows;
  }
}

/** Encodes the dataset as an Arrow IPC file (Feather v2) in memory. */
export async function encodeArrowDataset(ds: DenseDataset, batchRows?: number): Promise<Uint8Array> {
  return RecordBatchFileWriter.writeAll(datasetBatches(ds, batchRows)).toUint8Array();
}

/**
 * Writes the dataset as an Arrow IPC file, atomically (temporary file, then rename). The writer hands out
 * views of the dataset's buffers batch by batch, so no second copy of the data is made. Returns the bytes written.
 */
export async function writeArrowDataset(file: string, ds: DenseDataset | ChunkedDataset, force = false): Promise<number> {
  const writer = RecordBatchFileWriter.writeAll(datasetBatches(ds));
  return writeAtomic(file, writer, force);
}

/**
 * Allocates the arrays a dataset is read into: plain by default, or SharedArrayBuffer / WebAssembly memory for the
 * trainer. A sparse dataset takes its values from `features('float32', n)` and its indptr and indices from `int32`.
 */
export interface DatasetAllocator {
  /** An array of `length` features of the type (a sparse dataset's values: float32). */
  features(type: FeatureType, length: number): Uint8Array | Float32Array;
  /** An array of `length` labels. */
  labels(length: number): Uint8Array;
  /** An array of `length` int32 (a sparse dataset's indptr and indices); absent: plain Int32Arrays (allocators written for dense data only). */
  int32?(length: number): Int32Array;
}

/** Arrays on the heap (ArrayBuffer). */
export const plainAllocator: DatasetAllocator = {
  features: (type, n) => (type === 'uint8' ? new Uint8Array(n) : new Float32Array(n)),
  labels: (n) => new Uint8Array(n),
  int32: (n) => new Int32Array(n),
};

/** Arrays over SharedArrayBuffers, which worker threads share without copying. */
export const sharedAllocator: DatasetAllocator = {
  features: (type, n) => (type === 'uint8' ? new Uint8Array(new SharedArrayBuffer(n)) : new Float32Array(new SharedArrayBuffer(4 * n))),
  labels: (n) => new Uint8Array(new SharedArrayBuffer(n)),
  int32: (n) => new Int32Array(new SharedArrayBuffer(4 * n)),
};

/** Reads an Arrow dataset file (dense or sparse), copying its columns once into arrays from `alloc`. */
export function readArrowDataset(file: string, alloc: DatasetAllocator = plainAllocator): Dataset {
  return openArrowDataset(file).read(alloc);
}

/** What a dataset is, without its columns: what is known (and checked) before they are copied anywhere. */
export type DatasetInfo = Omit<DatasetSummary, 'density'> & { readonly source: string };

/**
 * A checked dense dataset whose columns are not copied yet: they are still in the buffers they were read into (an
 * Arrow file's bytes, a Table's) or a Dataset's arrays. `read` copies them once into arrays from `alloc`; the
 * trainer's allocator hands out regions of its shared memory, so that a file's columns reach the workers in one copy.
 * A sparse dataset's are SparseColumns (sparse-dataset.ts); readers that take both return AnyColumns.
 */
export interface DatasetColumns extends DatasetInfo {
  readonly layout: 'dense';
  /** Fraction of feature values that are not 0 (a pass over them). */
  density(): number;
  /** The dataset, its columns copied into arrays from `alloc` (regression targets into a plain Float32Array). */
  read(alloc?: DatasetAllocator): DenseDataset;
}

/** The columns of a dense or a sparse dataset, told apart by `layout`. */
export type AnyColumns = DatasetColumns | SparseColumns;

/**
 * An Arrow dataset file (dense or sparse), checked a record batch at a time; `read` reads its batches again, copying
 * each into the arrays, so that the file is never held whole (arrow-file-batches.ts). `source` overrides the schema's.
 */
export function openArrowDataset(file: string, o: { source?: string } = {}): AnyColumns {
  return tableColumns(arrowFileBatches(file), file, o);
}

/**
 * The columns of a dense Dataset in memory, to be copied like a file's. A sparse dataset is refused (its columns are
 * sparseColumns'; columnsOf takes either): code written for dense columns gets a clear error, not a wrong read.
 */
export function datasetColumns(ds: Dataset): DatasetColumns {
  if (ds.layout === 'sparse') throw new InputError(ds.source || 'the data', 'a sparse dataset has no dense columns: read it with sparseColumns or columnsOf');
  const { features, labels, targets, ...info } = ds;
  const type = featureType(ds);
  let maxLabel = 0;
  if (!targets) for (let i = 0; i < labels.length; i++) if (labels[i] > maxLabel) maxLabel = labels[i];
  return {
    ...info, layout: 'dense', featureType: type, maxLabel, regression: targets !== undefined,
    density: () => nonzeroShare([features]),
    read(alloc = plainAllocator) {
      const f = alloc.features(type, features.length);
      f.set(features as never);
      const l = alloc.labels(labels.length);
      l.set(labels);
      return { ...ds, features: f, labels: l };
    },
  };
}

/** The dataset if it is dense; a sparse one is refused in one line naming `name` (readers and tools that take dense data only). */
export function asDense(ds: Dataset, name = ds.source || 'the data'): DenseDataset {
  if (ds.layout === 'sparse') throw new InputError(name, 'is a sparse dataset; this takes dense datasets only');
  return ds;
}

/** The columns of a Dataset in memory, dense or sparse. */
export function columnsOf(ds: Dataset): AnyColumns {
  return ds.layout === 'sparse' ? sparseColumns(ds) : datasetColumns(ds);
}

/**
 * One record batch's feature values and labels (or targets), as views on its buffers. apache-arrow's Data.slice (a
 * sliced Table) slices the value buffers themselves and keeps `offset` for the validity bitmaps only, so the values
 * start at 0 (a file's batches have offset 0 anyway).
 */
function batchColumns(batch: RecordBatch, d: number) {
  const f = batch.getChild('features')!.data[0];
  const l = batch.getChild('label')!.data[0];
  const child = f.children[0];
  return {
    nulls: f.nullCount > 0 || l.nullCount > 0 || child.nullCount > 0,
    features: child.values.subarray(0, f.length * d) as Uint8Array | Float32Array,
    labels: l.values.subarray(0, l.length) as Uint8Array | Float32Array,
  };
}

function nonzeroShare(chunks: Iterable<Uint8Array | Float32Array>): number {
  let nonzero = 0, values = 0;
  for (const x of chunks) {
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) nonzero++;
    values += x.length;
  }
  return values ? nonzero / values : 0;
}

/**
 * A Table's dataset columns under the dataset file contract (`name` stands for the file in messages), checked where
 * they lie: no nulls, finite features and targets, labels that have class names.
 */
export function tableColumns(table: BatchSource, name: string, o: { source?: string } = {}): AnyColumns {
  if (isSparseSchema(table.schema)) return sparseTableColumns(table, name, o);
  const file = name;
  const { type, d, shape, classes, featureNames, regression, columns, labelName } = checkSchema(table, file);
  let row = 0, maxLabel = 0;
  for (const batch of table.batches) {
    const b = batchColumns(batch, d);
    if (b.nulls) throw new InputError(file, 'null values in "features" or "label": every sample needs every feature and a label');
    checkFinite(b.features, d, file, row);
    const y = b.labels;
    for (let i = 0; i < y.length; i++) {
      if (regression) {
        if (!Number.isFinite(y[i])) throw new InputError(file, `target ${y[i]} at row ${row + i}: regression targets must be finite numbers`);
        continue;
      }
      if (classes && y[i] >= classes.length) throw new InputError(file, `label ${y[i]} at row ${row + i} has no name in ${CLASSES_KEY} (${classes.length} classes)`);
      if (y[i] > maxLabel) maxLabel = y[i];
    }
    row += y.length;
  }
  const rows = table.numRows;
  const info: DatasetInfo = {
    layout: 'dense', rows, featureLength: d, featureType: type, shape, maxLabel, regression, source: o.source ?? table.schema.metadata.get(SOURCE_KEY) ?? '',
    ...(classes && { classes }), ...(featureNames && { featureNames }), ...(columns && { columns }), ...(labelName !== undefined && { labelName }),
  };
  function* featureChunks() {
    for (const batch of table.batches) yield batchColumns(batch, d).features;
  }
  return {
    ...info, layout: 'dense',
    density: () => nonzeroShare(featureChunks()),
    read(alloc = plainAllocator) {
      const features = alloc.features(type, rows * d);
      const labels = alloc.labels(rows);
      const targets = regression ? new Float32Array(rows) : undefined;
      let at = 0;
      for (const batch of table.batches) {
        const b = batchColumns(batch, d);
        if (at + b.labels.length > rows) throw new InputError(file, 'changed while it was read (more rows than when it was checked)');
        features.set(b.features as never, at * d);
        (targets ?? labels).set(b.labels, at);
        at += b.labels.length;
      }
      if (at !== rows) throw new InputError(file, 'changed while it was read (fewer rows than when it was checked)');
      return {
        rows, featureLength: d, features, labels, shape, source: info.source,
        ...(classes && { classes }), ...(featureNames && { featureNames }), ...(targets && { targets }), ...(columns && { columns }), ...(labelName !== undefined && { labelName }),
      };
    },
  };
}

/** What a dataset file holds, read without copying its columns. */
export interface DatasetSummary {
  /** Dense (a FixedSizeList column) or sparse (list columns of the non-zeros: sparse-dataset.ts). */
  readonly layout: 'dense' | 'sparse';
  readonly rows: number;
  readonly featureLength: number;
  readonly featureType: FeatureType;
  readonly shape: readonly number[];
  readonly maxLabel: number;
  /** Fraction of feature values that are not 0 (the inputs a sparse first layer actually touches); NaN unless asked for. */
  readonly density: number;
  /** Sparse: the stored (index, value) pairs, every row's together. */
  readonly nonzeros?: number;
  /** Sparse: how the features were made (a text featurizer's settings), JSON opaque to this package. */
  readonly featurizer?: unknown;
  /** Sparse, made from text weighed by IDF: the weights the featurizer was fitted with, one a feature (hogwild.idf). */
  readonly idf?: Float32Array;
  readonly classes?: readonly string[];
  readonly featureNames?: readonly string[];
  /** The label column holds float32 regression targets. */
  readonly regression: boolean;
  readonly columns?: readonly ColumnEncoding[];
  readonly labelName?: string;
}

/** Summarises a dataset file (see summarizeArrowDataset), reading it a record batch at a time. */
export function peekArrowDataset(file: string, o: { density?: boolean } = { density: true }): DatasetSummary {
  return summarize(arrowFileBatches(file), file, o);
}

/**
 * What a dataset holds, from its bytes without copying its columns: rows, features, shape, the largest label, and
 * (with `density`, a pass over every value) the fraction of nonzero features. Give the same bytes to
 * decodeArrowDataset (or the trainer's session) afterwards, so the file is read once.
 */
export function summarizeArrowDataset(bytes: Uint8Array, file: string, o: { density?: boolean } = {}): DatasetSummary {
  return summarize(parseTable(bytes, file), file, o);
}

function summarize(table: BatchSource, file: string, o: { density?: boolean }): DatasetSummary {
  if (isSparseSchema(table.schema)) return sparseSummary(sparseTableColumns(table, file), o);
  const { type, d, shape, classes, featureNames, regression, columns, labelName } = checkSchema(table, file);
  let maxLabel = 0, nonzero = 0;
  for (const batch of table.batches) {
    const { features: x, labels: v } = batchColumns(batch, d);
    for (let i = 0; i < v.length; i++) if (v[i] > maxLabel) maxLabel = v[i];
    if (!o.density) continue;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) nonzero++;
  }
  const values = table.numRows * d;
  return {
    layout: 'dense', rows: table.numRows, featureLength: d, featureType: type, shape, maxLabel: regression ? 0 : maxLabel, density: !o.density ? NaN : values ? nonzero / values : 0, regression,
    ...(classes && { classes }), ...(featureNames && { featureNames }), ...(columns && { columns }), ...(labelName !== undefined && { labelName }),
  };
}

/**
 * A dataset from the bytes of an Arrow dataset file, checked; `file` names it in errors. The columns are copied
 * once into arrays from `alloc`.
 */
export function decodeArrowDataset(bytes: Uint8Array, file: string, alloc: DatasetAllocator = plainAllocator): Dataset {
  return tableColumns(parseTable(bytes, file), file).read(alloc);
}

/**
 * A dataset from an apache-arrow Table already in memory (for example from tableFromIPC or a library caller), under
 * the same contract as a dataset file; `name` stands for the file in messages. The columns are copied once into
 * arrays from `alloc`.
 */
export function datasetFromTable(table: Table, name: string, alloc: DatasetAllocator = plainAllocator): Dataset {
  return tableColumns(table, name).read(alloc);
}

/** Parses an Arrow file (its schema is checked by the dense or the sparse reader): the Table's vectors are views on `bytes` (zero-copy). */
function parseTable(bytes: Uint8Array, file: string): Table {
  if (!isArrowFile(bytes)) throw new InputError(file, NOT_ARROW);
  checkArrowFile(bytes, file);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw arrowFailure(file, e, 'Arrow file');
  }
  return table;
}

/** The dataset contract on a table's schema: a FixedSizeList<uint8|float32> column "features" and a uint8 "label". */
function checkSchema(table: BatchSource, file: string): { type: FeatureType; d: number; shape: number[]; classes?: string[]; featureNames?: string[]; regression: boolean; columns?: ColumnEncoding[]; labelName?: string } {
  const featField = table.schema.fields.find((f) => f.name === 'features');
  const labelField = table.schema.fields.find((f) => f.name === 'label');
  if (!featField || !labelField) {
    const found = table.schema.fields.map((f) => JSON.stringify(f.name));
    throw new NotADatasetError(file, `expected columns "features" and "label", found ${found.length > 8 ? `${found.slice(0, 8).join(', ')}, … (${found.length})` : found.join(', ') || 'none'}; ` +
      'for a table with a column per feature: pnpm data convert --arrow FILE --label COLUMN --out DATASET.arrow');
  }
  if (!DataType.isFixedSizeList(featField.type)) throw new InputError(file, `column "features" is ${featField.type}, expected FixedSizeList<uint8|float32>`);
  const itemType = featField.type.children[0].type;
  const type: FeatureType | null = isUint8(itemType) ? 'uint8' : DataType.isFloat(itemType) && itemType.precision === Precision.SINGLE ? 'float32' : null;
  if (type === null) throw new InputError(file, `column "features" has items of type ${itemType}, expected uint8 or float32`);
  const regression = DataType.isFloat(labelField.type) && labelField.type.precision === Precision.SINGLE;
  if (!isUint8(labelField.type) && !regression) throw new InputError(file, `column "label" is ${labelField.type}, expected uint8 (classes) or float32 (regression targets)`);
  const d = featField.type.listSize;
  const meta = table.schema.metadata;
  let shape: number[] = [d];
  const shapeText = meta.get(SHAPE_KEY);
  if (shapeText !== undefined) {
    try {
      shape = JSON.parse(shapeText);
    } catch {
      throw new InputError(file, `schema metadata ${SHAPE_KEY} is not JSON: ${JSON.stringify(shapeText)}`);
    }
    if (!Array.isArray(shape) || shape.reduce((a, b) => a * b, 1) !== d) {
      throw new InputError(file, `schema metadata ${SHAPE_KEY} ${shapeText} does not match the feature length ${d}`);
    }
  }
  const classes = metaList(meta.get(CLASSES_KEY), CLASSES_KEY, file, (n) => n >= 1 && n <= 256);
  const featureNames = metaList(meta.get(FEATURES_KEY), FEATURES_KEY, file, (n) => n === d);
  const task = meta.get(TASK_KEY);
  if (task !== undefined && task !== (regression ? 'regression' : 'classification')) throw new InputError(file, `schema metadata ${TASK_KEY} ${JSON.stringify(task)} does not fit a ${labelField.type} label column`);
  const columns = metaColumns(meta.get(COLUMNS_KEY), d, file);
  const labelName = meta.get(LABEL_KEY);
  return { type, d, shape, regression, ...(classes && { classes }), ...(featureNames && { featureNames }), ...(columns && { columns }), ...(labelName !== undefined && { labelName }) };
}

/** Schema metadata hogwild.columns: the column encodings (preprocess.ts), which must name the d features. */
function metaColumns(text: string | undefined, d: number, file: string): ColumnEncoding[] | undefined {
  if (text === undefined) return undefined;
  const list = parseJsonOrNull(text);
  const ok = Array.isArray(list) && list.every((c) => c !== null && typeof c === 'object' && typeof c.name === 'string' &&
    ((c.role === 'numeric' && typeof c.fill === 'number') || (c.role === 'categorical' && Array.isArray(c.categories) && c.categories.every((k: unknown) => k === null || typeof k === 'string'))));
  if (!ok || encodedNames(list as ColumnEncoding[]).length !== d) throw new InputError(file, `schema metadata ${COLUMNS_KEY} is not a list of column encodings for the ${d} features`);
  return list as ColumnEncoding[];
}

/** JSON text's value, or null where it is not JSON (the callers refuse both alike, naming the key). */
export function parseJsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A schema metadata value that must be a JSON list of strings of a length `ok` accepts; undefined when absent. */
export function metaList(text: string | undefined, key: string, file: string, ok: (n: number) => boolean): string[] | undefined {
  if (text === undefined) return undefined;
  const list = parseJsonOrNull(text);
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string') || !ok(list.length)) {
    throw new InputError(file, `schema metadata ${key} is not a JSON list of names of the right length: ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)}`);
  }
  return list;
}

/** Counts of each label value, as { "0": 5923, … } for the labels present. */
export function labelHistogram(labels: Uint8Array): Record<string, number> {
  const counts = new Array<number>(256).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const out: Record<string, number> = {};
  counts.forEach((c, v) => { if (c > 0) out[String(v)] = c; });
  return out;
}

/** Types read back from IPC are generic Int instances, not the Uint8 subclass: compare by properties. */
export function isUint8(t: DataType): boolean {
  return DataType.isInt(t) && t.bitWidth === 8 && !t.isSigned;
}
