/**
 * Sparse datasets: each row's non-zero features as (index, value) pairs, in CSR arrays (indptr, indices, values),
 * so that memory and files grow with the non-zeros, not with the feature count (text, LIBSVM files, wide tables).
 */
import {
  DataType, Field, Float32, Int32, List, Precision, RecordBatch, RecordBatchFileWriter, Schema, Struct, Uint8, makeData,
} from 'apache-arrow';
import {
  CLASSES_KEY, FEATURES_KEY, LABEL_KEY, SOURCE_KEY, TASK_KEY, isUint8, metaList, parseJsonOrNull, plainAllocator,
  type DatasetAllocator, type DatasetInfo, type DatasetSummary, type DenseDataset,
} from './arrow-dataset.ts';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { InputError, NotADatasetError } from './errors.ts';
import { writeAtomic } from './files.ts';
import type { BatchSource } from './arrow-file-batches.ts';

/**
 * A sparse dataset in memory (compressed sparse rows). Row r's features are `indices[indptr[r] … indptr[r+1])` with
 * `values` at the same positions; indices ascend within a row and lie in [0, featureLength). Labels, targets and
 * names are as a dense dataset's.
 */
export interface SparseDataset {
  readonly layout: 'sparse';
  readonly rows: number;
  /** The feature count: indices lie below it (the input size of a model trained on it). */
  readonly featureLength: number;
  /** rows + 1 offsets into indices and values: indptr[0] = 0, non-decreasing, indptr[rows] = the non-zero count. */
  readonly indptr: Int32Array;
  /** Each non-zero's feature index, ascending within a row. */
  readonly indices: Int32Array;
  /** Each non-zero's value (finite). */
  readonly values: Float32Array;
  /** The class of each row (all 0 for regression, as in a dense dataset). */
  readonly labels: Uint8Array;
  /** Regression: each row's target; its presence makes the dataset a regression dataset. */
  readonly targets?: Float32Array;
  /** Class names by label value. */
  readonly classes?: readonly string[];
  /** Where the data came from (file names), free text. */
  readonly source: string;
  /** The label column's name, when the data had one. */
  readonly labelName?: string;
  /** Feature names by index, when known (a vocabulary, a wide table's columns). */
  readonly featureNames?: readonly string[];
  /** How the features were made from the raw data (a text featurizer's settings), as JSON; opaque to this package. */
  readonly featurizer?: unknown;
  /**
   * Text weighed by IDF: the weights fitted on the training rows, one a feature (core's fitTextIdf). Data that goes
   * with the featurizer, so that a test set converted --like and a model encode text as these rows were encoded.
   */
  readonly idf?: Float32Array;
  /** No dense feature array: present only so that code holding a Dataset can test `features` before narrowing. */
  readonly features?: undefined;
  /** No table column encodings (they describe dense features); present for the same reason as `features`. */
  readonly columns?: undefined;
}

/** Schema metadata key: the dataset's layout, `sparse` (absent: dense). */
export const LAYOUT_KEY = 'hogwild.layout';
/** Schema metadata key: a sparse dataset's feature count (indices lie below it), in decimal. */
export const FEATURE_COUNT_KEY = 'hogwild.feature_count';
/** Schema metadata key: how a sparse dataset's features were made (a text featurizer's settings), as JSON. */
export const FEATURIZER_KEY = 'hogwild.featurizer';
/**
 * Schema metadata key: a sparse dataset's IDF weights (SparseDataset.idf), float32 little-endian, compressed with raw
 * deflate, in base64: most buckets share a few weights (the unseen 0, the rarest words one), so a million buckets
 * take some hundreds of kB rather than 4 MB.
 */
export const IDF_KEY = 'hogwild.idf';
/** The most features a sparse dataset may have: indices are int32. */
export const MAX_SPARSE_FEATURES = 2 ** 31 - 1;

/**
 * A sparse dataset's columns, checked, not copied yet (still in an Arrow file's bytes or a SparseDataset's arrays).
 * `read` copies them once into arrays from `alloc`: indptr and indices from `alloc.int32`, values from
 * `alloc.features('float32', n)`, labels from `alloc.labels`.
 */
export interface SparseColumns extends DatasetInfo {
  readonly layout: 'sparse';
  /** The stored (index, value) pairs, every row's together. */
  readonly nonzeros: number;
  /** Fraction of the rows × features cells stored (non-zeros / (rows × featureLength)). */
  density(): number;
  /** The dataset, its arrays copied once into arrays from `alloc` (regression targets into a plain Float32Array). */
  read(alloc?: DatasetAllocator): SparseDataset;
  /** Calls `visit` with the stored indices and values, a part at a time (views valid during the call), copying nothing. */
  scan(visit: (indices: Int32Array, values: Float32Array) => void): void;
}

/** The pieces of a sparse dataset that describe it, without its arrays. */
type SparseMeta = Omit<SparseDataset, 'indptr' | 'indices' | 'values' | 'labels' | 'targets' | 'rows' | 'layout' | 'features' | 'columns'>;

const int32Of = (alloc: DatasetAllocator, n: number): Int32Array => (alloc.int32 ? alloc.int32(n) : new Int32Array(n));

function maxLabelOf(labels: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > m) m = labels[i];
  return m;
}

function infoOf(meta: SparseMeta, rows: number, nonzeros: number, maxLabel: number, regression: boolean): Omit<SparseColumns, 'read' | 'density' | 'scan'> {
  const { source, featureLength, classes, featureNames, labelName, featurizer, idf } = meta;
  return {
    layout: 'sparse', rows, featureLength, featureType: 'float32', shape: [featureLength], maxLabel, regression, source, nonzeros,
    ...(classes && { classes }), ...(featureNames && { featureNames }), ...(labelName !== undefined && { labelName }), ...(featurizer !== undefined && { featurizer }), ...(idf && { idf }),
  };
}

const densityOf = (nonzeros: number, rows: number, d: number): number => (rows * d ? nonzeros / (rows * d) : 0);

/** The columns of a SparseDataset in memory, checked (checkSparse), to be copied like a file's. */
export function sparseColumns(ds: SparseDataset): SparseColumns {
  checkSparse(ds, ds.source || 'the data');
  const nonzeros = ds.indptr[ds.rows];
  return {
    ...infoOf(ds, ds.rows, nonzeros, ds.targets ? 0 : maxLabelOf(ds.labels), ds.targets !== undefined),
    density: () => densityOf(nonzeros, ds.rows, ds.featureLength),
    read(alloc = plainAllocator) {
      const indptr = int32Of(alloc, ds.rows + 1);
      indptr.set(ds.indptr.subarray(0, ds.rows + 1));
      const indices = int32Of(alloc, nonzeros);
      indices.set(ds.indices.subarray(0, nonzeros));
      const values = alloc.features('float32', nonzeros) as Float32Array;
      values.set(ds.values.subarray(0, nonzeros));
      const labels = alloc.labels(ds.rows);
      labels.set(ds.labels);
      return { ...ds, indptr, indices, values, labels };
    },
    scan: (visit) => visit(ds.indices.subarray(0, nonzeros), ds.values.subarray(0, nonzeros)),
  };
}

/**
 * Checks the CSR contract: rows + 1 offsets from 0, non-decreasing; indices ascending within each row and below
 * featureLength; finite values; a label (or target) a row, labels with class names where there are names.
 */
export function checkSparse(ds: SparseDataset, name: string): void {
  const { rows, featureLength: d, indptr, indices, values, labels, targets, classes } = ds;
  if (!Number.isInteger(d) || d < 1 || d > MAX_SPARSE_FEATURES) throw new InputError(name, `featureLength ${d}: expected an integer from 1 to ${MAX_SPARSE_FEATURES}`);
  if (indptr.length < rows + 1 || indptr[0] !== 0) throw new InputError(name, `indptr: expected ${rows + 1} offsets starting at 0, found ${indptr.length}${indptr.length ? ` starting at ${indptr[0]}` : ''}`);
  const nnz = indptr[rows];
  if (indices.length < nnz || values.length < nnz) throw new InputError(name, `indptr ends at ${nnz}, but there are ${indices.length} indices and ${values.length} values`);
  if (labels.length !== rows || (targets && targets.length !== rows)) throw new InputError(name, `${rows} rows, but ${targets ? targets.length : labels.length} ${targets ? 'targets' : 'labels'}`);
  checkRows(indptr, indices, values, 0, rows, d, name, 0);
  if (targets) {
    for (let i = 0; i < rows; i++) if (!Number.isFinite(targets[i])) throw new InputError(name, `target ${targets[i]} at row ${i}: regression targets must be finite numbers`);
  } else if (classes) {
    for (let i = 0; i < rows; i++) if (labels[i] >= classes.length) throw new InputError(name, `label ${labels[i]} at row ${i} has no name in classes (${classes.length} classes)`);
  }
}

/** Checks rows [from, to) of CSR arrays whose offsets index `indices` and `values` directly; `firstRow` numbers them in messages. */
function checkRows(indptr: Int32Array, indices: Int32Array, values: Float32Array, from: number, to: number, d: number, name: string, firstRow: number): void {
  for (let r = from; r < to; r++) {
    const a = indptr[r], b = indptr[r + 1];
    if (b < a) throw new InputError(name, `row ${firstRow + r - from}: offsets go down (${a} then ${b})`);
    let last = -1;
    for (let k = a; k < b; k++) {
      const j = indices[k];
      if (j <= last || j >= d) {
        throw new InputError(name, `row ${firstRow + r - from}: feature index ${j} ${j >= d ? `is not below the feature count ${d}` : j < 0 ? 'is negative' : `does not ascend (after ${last})`}`);
      }
      last = j;
      if (!Number.isFinite(values[k])) throw new InputError(name, `row ${firstRow + r - from}: feature ${j} is ${values[k]}, values must be finite`);
    }
  }
}

/** Whether a schema is a sparse dataset's (metadata hogwild.layout=sparse). */
export function isSparseSchema(schema: Schema): boolean {
  return schema.metadata.get(LAYOUT_KEY) === 'sparse';
}

/** A sparse dataset's Arrow schema: indices List<Int32>, values List<Float32>, label Uint8 (classes) or Float32 (targets). */
function sparseSchema(meta: SparseMeta, regression: boolean): Schema {
  const metadata = new Map([[LAYOUT_KEY, 'sparse'], [FEATURE_COUNT_KEY, String(meta.featureLength)], [SOURCE_KEY, meta.source]]);
  if (meta.featurizer !== undefined) metadata.set(FEATURIZER_KEY, JSON.stringify(meta.featurizer));
  if (meta.idf) {
    if (meta.idf.length !== meta.featureLength) throw new InputError(meta.source, `${meta.idf.length} IDF weights for ${meta.featureLength} features`);
    const bytes = new Uint8Array(meta.idf.buffer, meta.idf.byteOffset, meta.idf.byteLength);
    metadata.set(IDF_KEY, deflateRawSync(bytes, { level: 9 }).toString('base64'));
  }
  if (meta.classes) metadata.set(CLASSES_KEY, JSON.stringify(meta.classes));
  if (meta.featureNames) metadata.set(FEATURES_KEY, JSON.stringify(meta.featureNames));
  if (meta.labelName !== undefined) metadata.set(LABEL_KEY, meta.labelName);
  metadata.set(TASK_KEY, regression ? 'regression' : 'classification');
  return new Schema([
    new Field('indices', new List(new Field('item', new Int32(), false)), false),
    new Field('values', new List(new Field('item', new Float32(), false)), false),
    new Field('label', regression ? new Float32() : new Uint8(), false),
  ], metadata);
}

/**
 * Record batches of a sparse dataset, `batchRows` rows each (streaming readers never need one huge buffer). The
 * indices and values are views of the dataset's arrays; each batch's offsets are rebased to 0 (rows + 1 int32).
 */
export function* sparseBatches(ds: SparseDataset, batchRows = 16384): Generator<RecordBatch> {
  const schema = sparseSchema(ds, ds.targets !== undefined);
  const [indType, valType, labelType] = schema.fields.map((f) => f.type) as [List<Int32>, List<Float32>, Uint8];
  const labels = ds.targets ?? ds.labels;
  const batch = (from: number, to: number): RecordBatch => {
    const n = to - from, a = ds.indptr[from], nnz = ds.indptr[to] - a;
    const offsets = new Int32Array(n + 1);
    for (let r = 0; r <= n; r++) offsets[r] = ds.indptr[from + r] - a;
    const ind = makeData({ type: indType, length: n, nullCount: 0, valueOffsets: offsets, child: makeData({ type: indType.children[0].type, length: nnz, nullCount: 0, data: ds.indices.subarray(a, a + nnz) }) });
    const val = makeData({ type: valType, length: n, nullCount: 0, valueOffsets: offsets, child: makeData({ type: valType.children[0].type, length: nnz, nullCount: 0, data: ds.values.subarray(a, a + nnz) }) });
    const label = makeData({ type: labelType, length: n, nullCount: 0, data: labels.subarray(from, to) as Uint8Array });
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: [ind, val, label] }));
  };
  if (ds.rows === 0) {
    yield batch(0, 0);
    return;
  }
  for (let start = 0; start < ds.rows; start += batchRows) yield batch(start, Math.min(ds.rows, start + batchRows));
}

/** Encodes a sparse dataset as an Arrow IPC file in memory. */
export async function encodeSparseDataset(ds: SparseDataset, batchRows?: number): Promise<Uint8Array> {
  return RecordBatchFileWriter.writeAll(sparseBatches(ds, batchRows)).toUint8Array();
}

/** Writes a sparse dataset as an Arrow IPC file, atomically, batch by batch from views of its arrays. Returns the bytes written. */
export async function writeSparseDataset(file: string, ds: SparseDataset, force = false): Promise<number> {
  return writeAtomic(file, RecordBatchFileWriter.writeAll(sparseBatches(ds)), force);
}

/** One record batch's CSR pieces, as views on its buffers (offsets index the views directly); `file` and `at` name a malformed batch. */
function sparseBatchColumns(batch: RecordBatch, file: string, at: number) {
  const ind = batch.getChild('indices')?.data[0];
  const val = batch.getChild('values')?.data[0];
  const l = batch.getChild('label')?.data[0];
  const ic = ind?.children[0], vc = val?.children[0];
  const n = batch.numRows;
  // A damaged file can leave a column without its data, its offsets or its values: refused here, not met as a crash later.
  if (!ind || !val || !l || !ic || !vc || !ind.valueOffsets || !val.valueOffsets || !ic.values || !vc.values || !l.values ||
      ind.length !== n || val.length !== n || l.length !== n || ind.valueOffsets.length < n + 1 || val.valueOffsets.length < n + 1 || l.values.length < n) {
    throw new InputError(file, `record batch ${at} is malformed (a column's data, offsets or length do not fit its ${n} rows)`);
  }
  // apache-arrow's Data.slice slices the offsets and values themselves (`offset` is for the validity bitmaps), and a
  // list's children are not sliced: its offsets index them directly, from wherever they start.
  const offsets = ind.valueOffsets.subarray(0, n + 1) as Int32Array;
  const valOffsets = val.valueOffsets.subarray(0, n + 1) as Int32Array;
  return {
    nulls: ind.nullCount > 0 || val.nullCount > 0 || l.nullCount > 0 || ic.nullCount > 0 || vc.nullCount > 0,
    offsets, valOffsets,
    indices: ic.values as Int32Array, values: vc.values as Float32Array,
    labels: l.values.subarray(0, n) as Uint8Array | Float32Array,
  };
}

const isInt32 = (t: DataType): boolean => DataType.isInt(t) && t.bitWidth === 32 && t.isSigned;
const isFloat32 = (t: DataType): boolean => DataType.isFloat(t) && t.precision === Precision.SINGLE;

/** The sparse contract on a table's schema and metadata. */
function checkSparseSchema(table: BatchSource, file: string): SparseMeta & { regression: boolean } {
  const field = (name: string) => table.schema.fields.find((f) => f.name === name);
  const ind = field('indices'), val = field('values'), label = field('label');
  if (!ind || !val || !label) {
    throw new NotADatasetError(file, `${LAYOUT_KEY} is sparse, but the columns are ${table.schema.fields.map((f) => JSON.stringify(f.name)).join(', ') || 'none'}: expected "indices", "values" and "label"`);
  }
  if (!DataType.isList(ind.type) || !isInt32(ind.type.children[0].type)) throw new InputError(file, `column "indices" is ${ind.type}, expected List<Int32>`);
  if (!DataType.isList(val.type) || !isFloat32(val.type.children[0].type)) throw new InputError(file, `column "values" is ${val.type}, expected List<Float32>`);
  const regression = isFloat32(label.type);
  if (!isUint8(label.type) && !regression) throw new InputError(file, `column "label" is ${label.type}, expected uint8 (classes) or float32 (regression targets)`);
  const meta = table.schema.metadata;
  const countText = meta.get(FEATURE_COUNT_KEY);
  const d = countText !== undefined && /^[1-9]\d{0,9}$/.test(countText) ? Number(countText) : NaN;
  if (!(d <= MAX_SPARSE_FEATURES)) throw new InputError(file, `schema metadata ${FEATURE_COUNT_KEY} ${countText === undefined ? 'is missing' : JSON.stringify(countText)}: expected the feature count, an integer from 1 to ${MAX_SPARSE_FEATURES}`);
  const task = meta.get(TASK_KEY);
  if (task !== undefined && task !== (regression ? 'regression' : 'classification')) throw new InputError(file, `schema metadata ${TASK_KEY} ${JSON.stringify(task)} does not fit a ${label.type} label column`);
  const classes = metaList(meta.get(CLASSES_KEY), CLASSES_KEY, file, (n) => n >= 1 && n <= 256);
  const featureNames = metaList(meta.get(FEATURES_KEY), FEATURES_KEY, file, (n) => n === d);
  const featurizerText = meta.get(FEATURIZER_KEY);
  const featurizer = featurizerText === undefined ? undefined : parseJsonOrNull(featurizerText);
  if (featurizerText !== undefined && featurizer === null && featurizerText.trim() !== 'null') throw new InputError(file, `schema metadata ${FEATURIZER_KEY} is not JSON`);
  const idfText = meta.get(IDF_KEY);
  const idf = idfText === undefined ? undefined : readIdf(idfText, d, file);
  const labelName = meta.get(LABEL_KEY);
  return {
    featureLength: d, regression, source: meta.get(SOURCE_KEY) ?? '',
    ...(classes && { classes }), ...(featureNames && { featureNames }), ...(labelName !== undefined && { labelName }), ...(featurizer !== undefined && { featurizer }), ...(idf && { idf }),
  };
}

/** The IDF weights of schema metadata hogwild.idf: d finite float32 weights ≥ 0, or an InputError naming the key. */
function readIdf(text: string, d: number, file: string): Float32Array {
  let bytes: Buffer;
  try {
    bytes = inflateRawSync(Buffer.from(text, 'base64'), { maxOutputLength: 4 * d + 1 });
  } catch {
    throw new InputError(file, `schema metadata ${IDF_KEY} is not raw-deflated base64 of ${d} float32 weights`);
  }
  if (bytes.length !== 4 * d) throw new InputError(file, `schema metadata ${IDF_KEY} holds ${bytes.length} bytes, expected ${4 * d} (a float32 weight for each of the ${d} features)`);
  const idf = new Float32Array(d);
  new Uint8Array(idf.buffer).set(bytes);
  for (let j = 0; j < d; j++) if (!(idf[j] >= 0 && idf[j] < Infinity)) throw new InputError(file, `schema metadata ${IDF_KEY}: feature ${j}'s weight is ${idf[j]}, expected a finite number ≥ 0`);
  return idf;
}

/**
 * A sparse dataset Table's columns under the dataset file contract, checked where they lie: no nulls, the same
 * offsets in both list columns, indices ascending and below the feature count, finite values and targets, labels
 * with class names. `name` stands for the file in messages.
 */
export function sparseTableColumns(table: BatchSource, name: string, o: { source?: string } = {}): SparseColumns {
  const { regression, ...meta } = checkSparseSchema(table, name);
  const d = meta.featureLength;
  // Each pass views one record batch at a time (a file's are read from disk again on each: arrow-file-batches.ts)
  // and checks it on every pass: what reaches the kernel holds the CSR contract even if the file changed between.
  function* batches() {
    let i = 0, row = 0;
    for (const batch of table.batches) {
      const b = sparseBatchColumns(batch, name, i++);
      if (b.nulls) throw new InputError(name, 'null values in "indices", "values" or "label": every row needs its lists (empty for no features) and a label');
      const n = b.labels.length;
      for (let r = 0; r <= n; r++) {
        if (r > 0 && b.offsets[r] < b.offsets[r - 1]) throw new InputError(name, `row ${row + r - 1}: list offsets go down (${b.offsets[r - 1]} then ${b.offsets[r]})`);
        if (b.offsets[r] - b.offsets[0] !== b.valOffsets[r] - b.valOffsets[0]) throw new InputError(name, `row ${row + Math.max(0, r - 1)}: "indices" and "values" have different lengths`);
      }
      // Offsets are relative to each child's buffer: view the children from the batch's first offsets.
      const k0 = b.offsets[0], v0 = b.valOffsets[0];
      if (k0 < 0 || v0 < 0) throw new InputError(name, `row ${row}: negative list offsets`);
      const nnz = b.offsets[n] - k0;
      if (b.indices.length < b.offsets[n] || b.values.length < b.valOffsets[n]) throw new InputError(name, `row ${row}: list offsets run past the list values`);
      const rebased = new Int32Array(n + 1);
      for (let r = 0; r <= n; r++) rebased[r] = b.offsets[r] - k0;
      const indices = b.indices.subarray(k0, k0 + nnz), values = b.values.subarray(v0, v0 + nnz);
      checkRows(rebased, indices, values, 0, n, d, name, row);
      let maxLabel = 0;
      for (let k = 0; k < n; k++) {
        const y = b.labels[k];
        if (regression) {
          if (!Number.isFinite(y)) throw new InputError(name, `target ${y} at row ${row + k}: regression targets must be finite numbers`);
        } else {
          if (meta.classes && y >= meta.classes.length) throw new InputError(name, `label ${y} at row ${row + k} has no name in ${CLASSES_KEY} (${meta.classes.length} classes)`);
          if (y > maxLabel) maxLabel = y;
        }
      }
      yield { rows: n, offsets: rebased, indices, values, labels: b.labels, maxLabel };
      row += n;
    }
  }
  let nonzeros = 0, maxLabel = 0;
  for (const b of batches()) {
    nonzeros += b.indices.length;
    if (b.maxLabel > maxLabel) maxLabel = b.maxLabel;
  }
  const rows = table.numRows;
  const source = o.source ?? meta.source;
  return {
    ...infoOf({ ...meta, source }, rows, nonzeros, maxLabel, regression),
    density: () => densityOf(nonzeros, rows, d),
    read(alloc = plainAllocator) {
      const indptr = int32Of(alloc, rows + 1);
      const indices = int32Of(alloc, nonzeros);
      const values = alloc.features('float32', nonzeros) as Float32Array;
      const labels = alloc.labels(rows);
      const targets = regression ? new Float32Array(rows) : undefined;
      let at = 0, r0 = 0;
      for (const b of batches()) {
        const n = b.rows, nnz = b.indices.length;
        if (r0 + n > rows || at + nnz > nonzeros) throw new InputError(name, 'changed while it was read (more rows or non-zeros than when it was checked)');
        indices.set(b.indices, at);
        values.set(b.values, at);
        for (let r = 0; r < n; r++) indptr[r0 + r] = at + b.offsets[r];
        (targets ?? labels).set(b.labels, r0);
        at += nnz;
        r0 += n;
      }
      if (r0 !== rows || at !== nonzeros) throw new InputError(name, 'changed while it was read (fewer rows or non-zeros than when it was checked)');
      indptr[rows] = at;
      return {
        layout: 'sparse', rows, featureLength: d, indptr, indices, values, labels, source,
        ...(targets && { targets }), ...(meta.classes && { classes: meta.classes }), ...(meta.featureNames && { featureNames: meta.featureNames }),
        ...(meta.labelName !== undefined && { labelName: meta.labelName }), ...(meta.featurizer !== undefined && { featurizer: meta.featurizer }), ...(meta.idf && { idf: meta.idf }),
      };
    },
    scan(visit) {
      for (const b of batches()) visit(b.indices, b.values);
    },
  };
}

/** A sparse dataset file's summary (as summarizeArrowDataset gives a dense one's). */
export function sparseSummary(c: SparseColumns, o: { density?: boolean } = {}): DatasetSummary {
  const { read: _read, scan: _scan, density, source: _source, ...info } = c;
  return { ...info, density: o.density ? density() : NaN };
}
