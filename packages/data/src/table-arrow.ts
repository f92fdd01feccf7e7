/**
 * Any Arrow IPC table (file or stream, LZ4 or ZSTD compressed included) into a ColumnStore: numbers (integers and
 * floats of any width), strings (plain or dictionary-encoded) and booleans (strings "true"/"false", so categories),
 * fixed-size or equal-length lists of numbers (one value per item); nulls and NaN floats are missing. Other types
 * (dates, structs, binary) are kept out, named with their type.
 */
import { closeSync, fstatSync, openSync, promises as fsp, readSync } from 'node:fs';
import { DataType, RecordBatchReader, type AsyncRecordBatchFileReader, type RecordBatch, type Vector } from 'apache-arrow';
import { printable } from '@hogwild/core/internal';
import { isArrowFile } from './arrow-dataset.ts';
import { arrowFailure, checkArrowFileOnDisk, checkArrowStream } from './arrow-check.ts';
import { registerArrowCodecs, withDecodeBudget } from './codecs.ts';
import { InputError, UsageError } from './errors.ts';
import { checkInputFile, readInput } from './files.ts';
import { asNumber, columnIndex } from './columns.ts';
import { newColumnStore, type CellSink, type ColumnStore, type SinkMaker } from './table-columns.ts';
import type { TableOptions } from './tabular.ts';

type Kind = 'number' | 'string' | 'bool' | 'list' | 'unsupported';

const isNumberType = (t: DataType): boolean => DataType.isInt(t) || DataType.isFloat(t);

function kindOf(t: DataType): Kind {
  if (isNumberType(t)) return 'number';
  if (DataType.isBool(t)) return 'bool';
  const text = (x: DataType) => DataType.isUtf8(x) || DataType.isLargeUtf8(x) || DataType.isUtf8View(x);
  if (text(t) || (DataType.isDictionary(t) && text(t.dictionary))) return 'string';
  if ((DataType.isFixedSizeList(t) || DataType.isList(t)) && isNumberType(t.children[0].type)) return 'list';
  return 'unsupported';
}

/**
 * An Arrow file (ARROW1) is read from disk a record batch at a time (its footer and batch headers checked on disk
 * first), so a table larger than memory converts in bounded memory; a stream (no footer) is read whole and checked
 * message by message. Compressed buffers decode within the file's budget (codecs.ts).
 */
export async function readArrowColumns<S extends CellSink = ColumnStore>(file: string, o: TableOptions, make: SinkMaker<S> = newColumnStore as unknown as SinkMaker<S>): Promise<S> {
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
      return await withDecodeBudget(size, () => readBatches(file, reader, o, make));
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
  return withDecodeBudget(bytes.length, () => readBatches(file, reader, o, make));
}

/** Items a row of list column `v` (fixed size, or the first row's length for a variable list). */
function listWidth(v: Vector): number {
  const t = v.type as DataType;
  if (DataType.isFixedSizeList(t)) return t.listSize;
  const data = v.data[0];
  const offsets = data.valueOffsets as Int32Array;
  return data.length > 0 ? offsets[data.offset + 1] - offsets[data.offset] : 0;
}

async function readBatches<S extends CellSink>(file: string, reader: RecordBatchReader | AsyncRecordBatchFileReader, o: TableOptions, make: SinkMaker<S>): Promise<S> {
  const fields = reader.schema.fields;
  const names = fields.map((f) => f.name);
  const labelAt = o.label === undefined ? -1 : columnIndex(names, o.label, '--label', file);
  const kinds = fields.map((f) => kindOf(f.type as DataType));
  let store: S | null = null;
  let seen = 0;
  try {
    for await (const batch of reader as AsyncIterable<RecordBatch>) {
      if (batch.numRows === 0) continue;
      const vectors = fields.map((_, j) => batch.getChildAt(j)!);
      if (store === null) {
        const widths = kinds.map((k, j) => (k === 'list' ? listWidth(vectors[j]) : 1));
        store = make(names, widths, labelAt);
        kinds.forEach((k, j) => {
          const t = fields[j].type as DataType;
          if (k === 'unsupported') store!.stats[j].unsupported = String(t);
          if (k === 'number' && DataType.isFloat(t)) store!.stats[j].floats = true;
          if (k === 'list') store!.stats[j].list = true;
        });
      }
      const n = o.limit !== undefined ? Math.min(batch.numRows, o.limit - store.rows) : batch.numRows;
      for (let r = 0; r < n; r++) {
        store.beginRow();
        for (let j = 0; j < vectors.length; j++) readCell(store, j, kinds[j], vectors[j], r, seen, file);
        store.endRow();
      }
      seen += batch.numRows;
      o.onProgress?.(seen, 0, 'rows');
      if (o.limit !== undefined && store.rows >= o.limit) break;
    }
  } catch (e) {
    throw arrowFailure(file, e, 'Arrow data');
  }
  if (store === null || store.rows === 0) throw new InputError(file, 'the table has no rows');
  return store;
}

function readCell(store: CellSink, j: number, kind: Kind, v: Vector, r: number, seen: number, file: string): void {
  if (kind === 'unsupported') return;
  const value = v.get(r);
  if (value === null || value === undefined) return store.missing(j);
  if (kind === 'number') return store.number(j, asNumber(value)!);
  if (kind === 'bool' || kind === 'string') return store.string(j, String(value));
  const width = store.stats[j].width;
  const items = (typeof (value as Vector).toArray === 'function' ? (value as Vector).toArray() : value) as ArrayLike<unknown>;
  if (items.length !== width) throw new InputError(file, `row ${seen + r + 1}, list column ${JSON.stringify(store.names[j])} has ${items.length} items, the first row ${width}: every row needs the same number of features`);
  for (let k = 0; k < width; k++) {
    const x = items[k];
    store.number(j, x === null || x === undefined ? NaN : asNumber(x)!, k);
  }
}
