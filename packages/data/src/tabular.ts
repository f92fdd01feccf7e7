/**
 * Tables into datasets: CSV (csv-parse, streamed), Parquet (hyparquet, a row group at a time) and any Arrow IPC table
 * (file or stream format, LZ4 or ZSTD compressed included). One label column, any number of numeric feature columns
 * (integers or floats of any width, booleans, and fixed-size or equal-length list columns, one feature per item),
 * which become one float32 features column. Labels are integers 0–255 used as they are, or any other values (strings,
 * negative or large numbers) mapped to class indices in sorted order, the names kept.
 *
 * Memory: rows are appended to fixed-size chunks of float32 (about 4 MB each) as they are read; the chunks are the
 * output (written as record batches as they are, or moved chunk by chunk into the two parts of a split). So apart
 * from the output columns the converter holds one input block (CSV buffer, Arrow batch or Parquet column of a row
 * group) and a per-row label id.
 */
import { closeSync, createReadStream, fstatSync, openSync, promises as fsp, readSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import { DataType, RecordBatchReader, type AsyncRecordBatchFileReader, type Field, type RecordBatch, type Vector } from 'apache-arrow';
import { createRng, printable, shuffleInPlace } from '@hogwild/core';
import type { ChunkedDataset, Dataset } from './arrow-dataset.ts';
import { isArrowFile } from './arrow-dataset.ts';
import { arrowFailure, checkArrowFileOnDisk, checkArrowStream } from './arrow-check.ts';
import { registerArrowCodecs, withDecodeBudget } from './codecs.ts';
import { InputError, UsageError } from './errors.ts';
import { checkInputFile, describeFsError, readInput } from './files.ts';
import { asNumber, columnIndex, describeValue } from './columns.ts';
import { openParquetWorker } from './parquet.ts';

/** The table formats read: CSV (or TSV), Parquet, and Arrow IPC (file or stream). */
export type TableFormat = 'csv' | 'parquet' | 'arrow';

/** Which columns of a table are the label and the features, and how a CSV is read. */
export interface TableOptions {
  /** The label column: its name, or its 0-based index (a header-less CSV has only indices). */
  readonly label: string;
  /** Feature columns, names or indices; by default every other numeric column. */
  readonly features?: readonly string[];
  /** CSV: the first row names the columns (default true). */
  readonly header?: boolean;
  /** CSV: the field delimiter (default "," or a tab for .tsv files). */
  readonly delimiter?: string;
  /** Read only the first n rows. */
  readonly limit?: number;
  /** Called now and then with the bytes read so far (CSV) or the rows read so far (Parquet, Arrow) out of the total. */
  readonly onProgress?: (done: number, total: number, unit: 'bytes' | 'rows') => void;
}

/** How the labels became class indices. */
export type LabelMapping =
  | { readonly kind: 'integers' }
  | { readonly kind: 'sorted'; readonly by: 'number' | 'string'; readonly classes: readonly string[] };

/** A table read into a dataset: the dataset, how its labels became classes, and the columns left out. */
export interface TableConversion {
  /**
   * The rows: float32 features (one a feature column, list columns one a value), a uint8 class a row; the class
   * names in `classes` when the labels were named, the feature columns' names in `featureNames`.
   */
  readonly dataset: Dataset;
  /** How the label column became class indices: integers 0–255 as they are, or values sorted and named. */
  readonly labels: LabelMapping;
  /** Columns left out of the default features because they are not numeric. */
  readonly skipped: readonly string[];
}

/** The most classes a label column may have (labels are stored as uint8). */
export const MAX_CLASSES = 256;
const CHUNK_FLOATS = 1 << 20;
/** The most features a row may have (a network's first layer must hold features × hidden weights). */
export const MAX_FEATURES = 1 << 24;

function checkWidth(d: number, file: string): void {
  if (d > MAX_FEATURES) throw new InputError(file, `${d.toLocaleString('en-US')} features a row, more than the ${MAX_FEATURES.toLocaleString('en-US')} a dataset may have`);
}

/** A feature column of a block: `width` values per row, written into `out` at `at`. */
interface FeatureReader { readonly name: string; readonly width: number; read(row: number, out: Float32Array, at: number): void }

/** Rows appended into fixed-size float32 chunks, with per-row label ids (first-seen order). */
class TableBuilder {
  readonly chunkRows: number;
  private readonly chunks: (Float32Array | null)[] = [];
  private chunk: Float32Array;
  private inChunk = 0;
  private ids = new Uint32Array(1024);
  readonly keys = new Map<string, number>();
  rows = 0;

  constructor(readonly d: number, readonly names: readonly string[], readonly file: string) {
    this.chunkRows = Math.max(1, Math.floor(CHUNK_FLOATS / d));
    this.chunk = new Float32Array(this.chunkRows * d);
    this.chunks.push(this.chunk);
  }

  /** The chunk and offset where the next row's d features go. */
  slot(): number {
    if (this.inChunk === this.chunkRows) {
      this.chunk = new Float32Array(this.chunkRows * this.d);
      this.chunks.push(this.chunk);
      this.inChunk = 0;
    }
    return this.inChunk * this.d;
  }

  get current(): Float32Array { return this.chunk; }

  /** Ends the row written at slot(), with its label. */
  commit(label: string): void {
    let id = this.keys.get(label);
    if (id === undefined) {
      id = this.keys.size;
      if (id >= 1 << 16) throw new InputError(this.file, `the label column has over ${1 << 16} distinct values: a classifier needs at most ${MAX_CLASSES} classes (is it a continuous target?)`);
      this.keys.set(label, id);
    }
    if (this.rows === this.ids.length) {
      const grown = new Uint32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.rows++] = id;
    this.inChunk++;
  }

  /** The class mapping of the labels seen: integers 0–255 as they are, anything else sorted. */
  mapping(): { mapping: LabelMapping; toClass: Uint8Array } {
    const keys = [...this.keys.keys()];
    const toClass = new Uint8Array(keys.length);
    if (keys.every((k) => /^(0|[1-9]\d{0,2})$/.test(k) && Number(k) < MAX_CLASSES)) {
      keys.forEach((k, id) => { toClass[id] = Number(k); });
      return { mapping: { kind: 'integers' }, toClass };
    }
    if (keys.length > MAX_CLASSES) {
      throw new InputError(this.file, `the label column has ${keys.length} distinct values: a classifier takes at most ${MAX_CLASSES} classes (is it a continuous target?)`);
    }
    const numeric = keys.every((k) => k.trim() !== '' && Number.isFinite(Number(k)));
    const sorted = [...keys].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const rank = new Map(sorted.map((k, i) => [k, i]));
    keys.forEach((k, id) => { toClass[id] = rank.get(k)!; });
    return { mapping: { kind: 'sorted', by: numeric ? 'number' : 'string', classes: sorted }, toClass };
  }

  /**
   * The rows as datasets with chunked features: all of them (the chunks as they are, no copy), or split by `part`
   * (0 or 1 per row) into two, rows moved chunk by chunk into new chunks while each source chunk is released. So the
   * features are never held twice, apart from one chunk.
   */
  parts(source: string, mapping: LabelMapping, toClass: Uint8Array, part?: Uint8Array): ChunkedDataset[] {
    const d = this.d;
    const classes = mapping.kind === 'sorted' ? mapping.classes : undefined;
    const meta = { featureLength: d, shape: [d], source, featureNames: this.names, ...(classes && { classes }) };
    if (!part) {
      const labels = new Uint8Array(this.rows);
      for (let r = 0; r < this.rows; r++) labels[r] = toClass[this.ids[r]];
      const last = this.rows - (this.chunks.length - 1) * this.chunkRows;
      const featureChunks = this.chunks.map((c, i) => (i === this.chunks.length - 1 ? c!.subarray(0, last * d) : c!));
      this.chunks.length = 0;
      return [{ ...meta, rows: this.rows, labels, featureChunks }];
    }
    const count = [0, 0];
    for (let r = 0; r < this.rows; r++) count[part[r]]++;
    const outs = count.map((n) => ({ labels: new Uint8Array(n), chunks: [] as Float32Array[], at: 0, inChunk: this.chunkRows }));
    for (let c = 0, r = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const n = Math.min(this.chunkRows, this.rows - r);
      for (let k = 0; k < n; k++, r++) {
        const o = outs[part[r]];
        if (o.inChunk === this.chunkRows) {
          o.chunks.push(new Float32Array(Math.min(this.chunkRows, count[part[r]] - o.at) * d));
          o.inChunk = 0;
        }
        o.chunks[o.chunks.length - 1].set(chunk.subarray(k * d, (k + 1) * d), o.inChunk++ * d);
        o.labels[o.at++] = toClass[this.ids[r]];
      }
      this.chunks[c] = null;
    }
    return outs.map((o) => ({ ...meta, rows: o.labels.length, labels: o.labels, featureChunks: o.chunks }));
  }

  /** Row labels as class indices (for a stratified split before finishing). */
  classOfRows(toClass: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.rows);
    for (let r = 0; r < this.rows; r++) out[r] = toClass[this.ids[r]];
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------- CSV

/**
 * The CSV dialect of `data convert --csv` and of predict's rows (csv-parse): quotes, BOM, trimmed fields, empty lines
 * skipped, rows up to 16 MiB; the delimiter defaults to "," or a tab for .tsv files.
 */
function csvParser(file: string, delimiter?: string): ReturnType<typeof parse> {
  return parse({ delimiter: delimiter ?? (/\.tsv$/i.test(file) ? '\t' : ','), bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 1 << 24 });
}

/** csv-parse's own errors carry codes CSV_… (a bad quote, a record too long). */
function isCsvError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('CSV_');
}

async function readCsv(file: string, o: TableOptions): Promise<{ builder: TableBuilder; skipped: string[] }> {
  const size = checkInputFile(file);
  const header = o.header ?? true;
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  let bytes = 0, lastReport = 0;
  input.on('data', (b) => {
    bytes += b.length;
    if (o.onProgress && bytes - lastReport >= 16 << 20) { lastReport = bytes; o.onProgress(bytes, size, 'bytes'); }
  });
  const parser = input.pipe(csvParser(file, o.delimiter));
  input.on('error', (e) => parser.destroy(e));
  let names: string[] | null = null;
  let builder: TableBuilder | null = null;
  let labelAt = -1, featureAt: number[] = [];
  const skipped: string[] = [];
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (names === null) {
        names = header ? record.map((n, i) => n || String(i)) : record.map((_, i) => String(i));
        labelAt = columnIndex(names, o.label, '--label', file);
        if (header) continue;
      }
      if (builder === null) {
        // The first data row decides which columns are numeric, for the default features.
        if (o.features) {
          featureAt = o.features.map((f) => columnIndex(names!, f, '--features', file));
        } else {
          featureAt = [];
          names.forEach((n, i) => {
            if (i === labelAt) return;
            const v = record[i];
            if (v !== undefined && v !== '' && Number.isFinite(Number(v))) featureAt.push(i);
            else skipped.push(n);
          });
        }
        if (featureAt.includes(labelAt)) throw new UsageError(`--features: the label column ${JSON.stringify(names[labelAt])} cannot also be a feature`);
        if (featureAt.length === 0) throw new InputError(file, `no numeric columns besides the label ${JSON.stringify(names[labelAt])}: nothing to learn from${skipped.length ? ` (not numeric: ${skipped.slice(0, 5).join(', ')})` : ''}`);
        builder = new TableBuilder(featureAt.length, featureAt.map((i) => names![i]), file);
      }
      row++;
      if (record.length !== names.length) throw new InputError(file, `data row ${row} has ${record.length} fields, the ${header ? 'header' : 'first row'} has ${names.length}`);
      const at = builder.slot();
      const out = builder.current;
      for (let j = 0; j < featureAt.length; j++) {
        const text = record[featureAt[j]];
        const v = text === '' ? NaN : +text;
        if (!Number.isFinite(v)) throw new InputError(file, `data row ${row}, column ${JSON.stringify(names[featureAt[j]])}: ${text === '' ? describeValue(null) : describeValue(text)}`);
        out[at + j] = v;
      }
      const label = record[labelAt];
      if (label === '') throw new InputError(file, `data row ${row}, label column ${JSON.stringify(names[labelAt])}: empty (every row needs a label)`);
      builder.commit(label);
      if (o.limit !== undefined && builder.rows >= o.limit) break;
    }
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) throw e;
    const err = e as NodeJS.ErrnoException & { code?: string; lines?: number };
    if (isCsvError(e)) throw new InputError(file, `not readable as CSV: ${printable(err.message, 200)}`);
    if (err.code !== undefined) throw new InputError(file, describeFsError(e));
    throw e;
  } finally {
    input.destroy();
  }
  if (names === null) throw new InputError(file, 'has no rows');
  if (builder === null || builder.rows === 0) throw new InputError(file, 'has a header but no data rows');
  o.onProgress?.(size, size, 'bytes');
  return { builder, skipped };
}

// -------------------------------------------------------------------------------------------------------------- Arrow

/** The feature readers of one Arrow column, or null when it is not numeric. */
function arrowFeature(name: string, vector: Vector, file: string, rowBase: () => number): FeatureReader | null {
  const type = vector.type as DataType;
  const data = vector.data[0];
  const nullCheck = (row: number): void => {
    if (data.nullCount > 0 && !vector.isValid(row)) throw new InputError(file, `row ${rowBase() + row + 1}, column ${JSON.stringify(name)}: ${describeValue(null)}`);
  };
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isBool(type)) {
    const values = data.values as ArrayLike<number | bigint>;
    const direct = !DataType.isBool(type) && !(DataType.isFloat(type) && type.precision === 0);
    const offset = data.offset;
    return {
      name, width: 1,
      read(row, out, at) {
        nullCheck(row);
        out[at] = direct ? Number(values[offset + row]) : asNumber(vector.get(row))!;
      },
    };
  }
  if (DataType.isFixedSizeList(type) || DataType.isList(type)) {
    const item = type.children[0].type as DataType;
    if (!(DataType.isInt(item) || DataType.isFloat(item) || DataType.isBool(item))) return null;
    const child = data.children[0];
    const childValues = child.values as ArrayLike<number | bigint>;
    const direct = !DataType.isBool(item) && !(DataType.isFloat(item) && item.precision === 0);
    const childVector = (vector as Vector).getChildAt?.(0) ?? null;
    if (DataType.isFixedSizeList(type)) {
      const k = type.listSize;
      if (child.length < (data.offset + data.length) * k) throw new InputError(file, `list column ${JSON.stringify(name)} claims ${k} items a row, its values hold ${child.length} for ${data.length} rows`);
      return {
        name, width: k,
        read(row, out, at) {
          nullCheck(row);
          const base = (data.offset + row) * k;
          for (let j = 0; j < k; j++) {
            out[at + j] = direct ? Number(childValues[child.offset + base + j]) : asNumber(childVector!.get(base + j))!;
          }
        },
      };
    }
    const offsets = data.valueOffsets as Int32Array;
    const k = data.length > 0 ? offsets[data.offset + 1] - offsets[data.offset] : 0;
    return {
      name, width: k,
      read(row, out, at) {
        nullCheck(row);
        const start = offsets[data.offset + row], end = offsets[data.offset + row + 1];
        if (end - start !== k) throw new InputError(file, `row ${rowBase() + row + 1}, list column ${JSON.stringify(name)} has ${end - start} items, the first row ${k}: every row needs the same number of features`);
        for (let j = 0; j < k; j++) out[at + j] = direct ? Number(childValues[child.offset + start + j]) : asNumber(childVector!.get(start + j))!;
      },
    };
  }
  return null;
}

const isNumericArrow = (f: Field): boolean => {
  const t = f.type as DataType;
  if (DataType.isInt(t) || DataType.isFloat(t) || DataType.isBool(t)) return true;
  if (DataType.isFixedSizeList(t) || DataType.isList(t)) {
    const item = t.children[0].type as DataType;
    return DataType.isInt(item) || DataType.isFloat(item) || DataType.isBool(item);
  }
  return false;
};

/**
 * An Arrow file (ARROW1) is read from disk a record batch at a time (its footer and batch headers checked on disk
 * first), so a table larger than memory converts in bounded memory; a stream (no footer) is read whole and checked
 * message by message. Compressed buffers decode within the file's budget (codecs.ts).
 */
async function readArrowTable(file: string, o: TableOptions): Promise<{ builder: TableBuilder; skipped: string[] }> {
  registerArrowCodecs();
  checkInputFile(file);
  const head = Buffer.alloc(6);
  const fd = openSync(file, 'r');
  let size: number;
  try {
    readSync(fd, head, 0, 6, 0);
    size = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  if (isArrowFile(head)) {
    checkArrowFileOnDisk(file, { compressed: true });
    const handle = await fsp.open(file, 'r');
    try {
      let reader: AsyncRecordBatchFileReader;
      try {
        reader = await (await RecordBatchReader.from(handle)).open() as AsyncRecordBatchFileReader;
      } catch (e) {
        throw arrowFailure(file, e, 'Arrow file');
      }
      return await withDecodeBudget(size, () => readArrowBatches(file, reader, o));
    } finally {
      await handle.close();
    }
  }
  const bytes = readInput(file);
  checkArrowStream(bytes, file, { compressed: true });
  let reader: RecordBatchReader;
  try {
    reader = RecordBatchReader.from(bytes);
    reader.open();
  } catch (e) {
    throw arrowFailure(file, e, 'Arrow stream');
  }
  return withDecodeBudget(bytes.length, () => readArrowBatches(file, reader, o));
}

async function readArrowBatches(file: string, reader: RecordBatchReader | AsyncRecordBatchFileReader, o: TableOptions): Promise<{ builder: TableBuilder; skipped: string[] }> {
  const names = reader.schema.fields.map((f) => f.name);
  const labelAt = columnIndex(names, o.label, '--label', file);
  const skipped: string[] = [];
  let featureAt: number[];
  if (o.features) {
    featureAt = o.features.map((f) => columnIndex(names, f, '--features', file));
    for (const i of featureAt) {
      if (!isNumericArrow(reader.schema.fields[i])) throw new InputError(file, `column ${JSON.stringify(names[i])} is ${reader.schema.fields[i].type}, not numeric: it cannot be a feature`);
    }
  } else {
    featureAt = [];
    reader.schema.fields.forEach((f, i) => {
      if (i === labelAt) return;
      if (isNumericArrow(f)) featureAt.push(i);
      else skipped.push(f.name);
    });
  }
  if (featureAt.includes(labelAt)) throw new UsageError(`--features: the label column ${JSON.stringify(names[labelAt])} cannot also be a feature`);
  if (featureAt.length === 0) throw new InputError(file, `no numeric columns besides the label ${JSON.stringify(names[labelAt])}: nothing to learn from`);
  let builder: TableBuilder | null = null;
  let seen = 0;
  try {
    for await (const batch of reader as AsyncIterable<RecordBatch>) {
      if (batch.numRows === 0) continue;
      const readers = featureAt.map((i) => arrowFeature(names[i], batch.getChildAt(i)!, file, () => seen)!);
      const label = batch.getChildAt(labelAt)!;
      if (builder === null) {
        checkWidth(readers.reduce((a, r) => a + r.width, 0), file);
        const widthNames = featureAt.flatMap((i, c) => {
          const t = batch.getChildAt(i)!.type as DataType;
          return DataType.isInt(t) || DataType.isFloat(t) || DataType.isBool(t) ? [names[i]] : Array.from({ length: readers[c].width }, (_, j) => `${names[i]}[${j}]`);
        });
        if (widthNames.length === 0) throw new InputError(file, 'the feature columns hold 0 values per row: nothing to learn from');
        builder = new TableBuilder(widthNames.length, widthNames, file);
      }
      const d = builder.d;
      const width = readers.reduce((a, r) => a + r.width, 0);
      if (width !== d) throw new InputError(file, `row ${seen + 1}: the feature columns hold ${width} values, earlier rows ${d}`);
      const n = o.limit !== undefined ? Math.min(batch.numRows, o.limit - builder.rows) : batch.numRows;
      for (let r = 0; r < n; r++) {
        const at = builder.slot();
        const out = builder.current;
        let j = at;
        for (const fr of readers) { fr.read(r, out, j); j += fr.width; }
        for (let k = at; k < at + d; k++) {
          if (!Number.isFinite(out[k])) throw new InputError(file, `row ${seen + r + 1}, feature ${JSON.stringify(builder.names[k - at])}: ${out[k]} is not a finite number in float32`);
        }
        const v = label.get(r);
        if (v === null || v === undefined) throw new InputError(file, `row ${seen + r + 1}, label column ${JSON.stringify(names[labelAt])}: empty (every row needs a label)`);
        builder.commit(typeof v === 'string' ? v : String(v));
      }
      seen += batch.numRows;
      o.onProgress?.(seen, 0, 'rows');
      if (o.limit !== undefined && builder.rows >= o.limit) break;
    }
  } catch (e) {
    throw arrowFailure(file, e, 'Arrow data');
  }
  if (builder === null || builder.rows === 0) throw new InputError(file, 'the table has no rows');
  return { builder, skipped };
}

// ------------------------------------------------------------------------------------------------------------ Parquet

/**
 * Parquet is decoded in a worker thread with a bounded heap (parquet.ts): hyparquet sizes its arrays by counts inside
 * the pages, and a damaged page could otherwise grow one until V8 aborts the whole process. The worker sends one
 * column of one row group at a time, as float64 (features) or strings (labels), so memory stays bounded too.
 */
async function readParquet(file: string, o: TableOptions): Promise<{ builder: TableBuilder; skipped: string[] }> {
  checkInputFile(file);
  const source = await openParquetWorker(file, { label: o.label, features: o.features });
  try {
    const { names, featureAt, labelAt, skipped, total, ranges, widths } = source.plan;
    checkWidth(widths.reduce((a, b) => a + b, 0), file);
    const featureNames = featureAt.flatMap((i, c) => (widths[c] === 0 ? [names[i]] : Array.from({ length: widths[c] }, (_, k) => `${names[i]}[${k}]`)));
    if (featureNames.length === 0) throw new InputError(file, 'the feature columns hold 0 values per row: nothing to learn from');
    const builder = new TableBuilder(featureNames.length, featureNames, file);
    for (const [rowStart, rowEnd] of ranges) {
      const end = o.limit !== undefined ? Math.min(rowEnd, o.limit) : rowEnd;
      if (end <= rowStart) break;
      const cols: Float64Array[] = [];
      for (let c = 0; c < featureAt.length; c++) cols.push(await source.features(featureAt[c], rowStart, end, widths[c]));
      const labels = await source.labels(labelAt, rowStart, end);
      const n = end - rowStart;
      const width = widths.map((w) => Math.max(1, w));
      for (let r = 0; r < n; r++) {
        const at = builder.slot();
        const out = builder.current;
        let j = at;
        for (let c = 0; c < cols.length; c++) {
          const w = width[c];
          for (let k = 0; k < w; k++) out[j++] = cols[c][r * w + k];
        }
        builder.commit(labels[r]);
      }
      o.onProgress?.(end, total, 'rows');
      if (o.limit !== undefined && builder.rows >= o.limit) break;
    }
    if (builder.rows === 0) throw new InputError(file, 'the table has no rows');
    return { builder, skipped };
  } finally {
    await source.close();
  }
}

// ------------------------------------------------------------------------------------------------------------- public

/**
 * The records of a CSV file, or of stdin for "-", parsed as `data convert --csv` parses them (csv-parse: quotes, BOM,
 * trimmed fields, empty lines skipped); the delimiter defaults to "," or a tab for .tsv files.
 */
export function csvRecords(file: string, delimiter?: string): AsyncIterable<string[]> {
  if (file !== '-') checkInputFile(file);
  const input = file === '-' ? process.stdin : createReadStream(file);
  const parser = input.pipe(csvParser(file, delimiter));
  input.on('error', (e: Error) => parser.destroy(new InputError(file === '-' ? 'stdin' : file, describeFsError(e))));
  return (async function* () {
    try {
      for await (const record of parser as AsyncIterable<string[]>) yield record;
    } catch (e) {
      if (e instanceof InputError) throw e;
      if (isCsvError(e)) throw new InputError(file === '-' ? 'stdin' : file, `not readable as CSV: ${printable((e as Error).message, 200)}`);
      throw e;
    }
  })();
}

/**
 * Picks rows for a held-out test set, stratified: of each class, round(count × fraction) rows chosen by a seeded
 * shuffle (at least one row of each class stays in training). Returns 1 for a test row, 0 for a training row.
 */
export function stratifiedSplit(labels: Uint8Array, fraction: number, seed: number): Uint8Array {
  if (!(fraction > 0 && fraction < 1)) throw new UsageError(`--test-fraction: expected a number between 0 and 1, found ${fraction}`);
  const byClass = new Map<number, number[]>();
  for (let r = 0; r < labels.length; r++) {
    let list = byClass.get(labels[r]);
    if (!list) byClass.set(labels[r], (list = []));
    list.push(r);
  }
  const part = new Uint8Array(labels.length);
  const rng = createRng(seed);
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = Uint32Array.from(byClass.get(cls)!);
    shuffleInPlace(rows, rng);
    const take = Math.min(Math.round(rows.length * fraction), rows.length - 1);
    for (let k = 0; k < take; k++) part[rows[k]] = 1;
  }
  return part;
}

/** {@link TableOptions}, and a held-out test set. */
export interface TableConvertOptions extends TableOptions {
  /** Hold out this fraction of the rows (stratified by label) as a second dataset. */
  readonly testFraction?: number;
  /** Seed of the stratified split (default 1). */
  readonly seed?: number;
}

/**
 * Reads a CSV, Parquet or Arrow table into a dataset with chunked features (and a held-out test set with
 * `testFraction`), for writing with writeArrowDataset without a second copy of the features.
 */
export async function readTableFile(format: TableFormat, file: string, o: TableConvertOptions): Promise<{ parts: ChunkedDataset[]; labels: LabelMapping; skipped: readonly string[] }> {
  const { builder, skipped } = format === 'csv' ? await readCsv(file, o) : format === 'parquet' ? await readParquet(file, o) : await readArrowTable(file, o);
  const { mapping, toClass } = builder.mapping();
  const source = basename(file);
  if (o.testFraction === undefined) return { parts: builder.parts(source, mapping, toClass), labels: mapping, skipped };
  const part = stratifiedSplit(builder.classOfRows(toClass), o.testFraction, o.seed ?? 1);
  const parts = builder.parts(source, mapping, toClass, part);
  if (parts[1].rows === 0) throw new InputError(file, `--test-fraction ${o.testFraction} of ${builder.rows} rows leaves no test rows`);
  return { parts, labels: mapping, skipped };
}

/** One array of the features, each chunk released once copied. */
export function contiguous(c: ChunkedDataset): Dataset {
  const { featureChunks, ...rest } = c;
  const features = new Float32Array(c.rows * c.featureLength);
  let at = 0;
  for (const chunk of featureChunks) {
    features.set(chunk, at);
    at += chunk.length;
  }
  return { ...rest, features };
}

/** What {@link datasetFromTableFile} returns: a {@link TableConversion}, and the held-out rows with `testFraction`. */
export interface TableFileConversion extends TableConversion {
  /** The rows held out by `testFraction` (stratified by class, seeded), in the same layout as `dataset`; absent without it. */
  readonly test?: Dataset;
}

/**
 * Reads a CSV, Parquet or Arrow table into a dataset in memory (and a held-out test set with `testFraction`).
 *
 * @returns `dataset` (float32 features, a class a row, `classes` and `featureNames` kept), `labels` (how the label
 * column became classes), `skipped` (columns left out of the default features as not numeric) and, with
 * `testFraction`, `test`. Throws an InputError (E_INPUT) naming the file, row or column that is wrong, or a
 * UsageError (E_USAGE) for options that do not fit the table.
 */
export async function datasetFromTableFile(format: TableFormat, file: string, o: TableConvertOptions): Promise<TableFileConversion> {
  const { parts, labels, skipped } = await readTableFile(format, file, o);
  return { dataset: contiguous(parts[0]), ...(parts[1] && { test: contiguous(parts[1]) }), labels, skipped };
}
