/**
 * An Arrow dataset file read one record batch at a time, so that reading it never holds the whole file: a 33 MB
 * sparse dataset is checked in one pass and copied into the trainer's shared memory in a second, each with one batch
 * in memory at a time (docs/text.md#memory). The footer gives the schema and each batch's place; a batch is decoded by
 * apache-arrow as a small stream of its own (a schema message made from the footer's schema, then the batch), checked
 * as any stream is. apache-arrow's file writer puts the schema in the footer only, so the stream part has none.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { Message, RecordBatchReader, tableFromIPC, type RecordBatch, type Schema, type Table } from 'apache-arrow';
import { InputError } from './errors.ts';
import { checkInputFile, describeFsError } from './files.ts';
import { arrowFailure, checkArrowFd, checkArrowStream, type ArrowBlock } from './arrow-check.ts';

/** What the dataset readers take from a Table: a file read batch by batch, or a Table in memory, serves. */
export interface BatchSource {
  readonly schema: Schema;
  readonly numRows: number;
  /**
   * The record batches in order. A file's are read again on each pass into one buffer, each batch valid until the
   * next is read: a pass holds the largest batch, not the file (nor the garbage of each batch read before).
   */
  readonly batches: Iterable<RecordBatch>;
}

const ARROW_MAGIC = 'ARROW1';
export const NOT_ARROW = 'not an Arrow IPC file (no ARROW1 magic); make a dataset with: pnpm data convert (from IDX, .mat, CSV, Parquet or an Arrow table)';

/** Whether the bytes start with the Arrow file magic. */
export function isArrowFile(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && Buffer.from(bytes.buffer, bytes.byteOffset, 6).toString('latin1') === ARROW_MAGIC;
}

/** The end-of-stream marker: a continuation and a zero metadata length. */
const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

function readAt(fd: number, into: Uint8Array, at: number, offset: number, length: number, file: string): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, at + done, length - done, offset + done);
    if (n === 0) throw new InputError(file, 'changed while it was read (shorter than its footer says)');
    done += n;
  }
}

/** What tells a file's versions apart: its size, inode and times. */
const stampOf = (st: Stats): string => `${st.size} ${st.ino} ${st.mtimeMs} ${st.ctimeMs}`;

/** Decodes a stream of checked messages; apache-arrow's failures become one-line errors naming the file. */
function decode(stream: Uint8Array, file: string): Table {
  checkArrowStream(stream, file);
  try {
    return tableFromIPC(stream);
  } catch (e) {
    throw arrowFailure(file, e, 'Arrow file');
  }
}

/**
 * The file's schema and row count now (its structure checked: arrow-check.ts), and its record batches read from
 * disk on each pass. A file changed between passes (its size or time) is refused rather than read half old.
 */
export function arrowFileBatches(file: string): BatchSource {
  checkInputFile(file);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new InputError(file, describeFsError(e));
  }
  let head: Uint8Array, blocks: readonly ArrowBlock[], stamp: string, numRows: number, schema: Schema;
  try {
    const st = fstatSync(fd);
    stamp = stampOf(st);
    const magic = new Uint8Array(6);
    readSync(fd, magic, 0, 6, 0);
    if (st.size < 8 || !isArrowFile(magic)) throw new InputError(file, NOT_ARROW);
    const shape = checkArrowFd(fd, st.size, file);
    // Dictionary-encoded columns are no dataset's (arrow-dataset.ts, sparse-dataset.ts): the whole-file reader names what is wrong.
    if (shape.dictionaries.length > 0) return parseTable(file, fd, st.size);
    numRows = shape.rows;
    blocks = shape.batches;
    schema = footerSchema(fd, st.size, shape.dataEnd, file);
    head = framed(Message.encode(Message.from(schema)));
  } finally {
    closeSync(fd);
  }
  return {
    schema, numRows,
    batches: {
      *[Symbol.iterator]() {
        let fd: number;
        try {
          fd = openSync(file, 'r');
        } catch (e) {
          throw new InputError(file, `${describeFsError(e)} (it was there when it was first read)`);
        }
        const unchanged = () => {
          if (stampOf(fstatSync(fd)) !== stamp) throw new InputError(file, 'changed while it was read (its size, modification time or inode differs from the first pass)');
        };
        try {
          unchanged();
          let largest = 0;
          for (const b of blocks) if (b.length > largest) largest = b.length;
          const buffer = new Uint8Array(head.length + largest + EOS.length);
          buffer.set(head, 0);
          for (const b of blocks) {
            const stream = buffer.subarray(0, head.length + b.length + EOS.length);
            readAt(fd, stream, head.length, b.offset, b.length, file);
            stream.set(EOS, stream.length - EOS.length);
            const batches = decode(stream, file).batches;
            if (batches.length !== 1) throw new InputError(file, `corrupted Arrow file: a footer block holds ${batches.length} record batches, expected 1`);
            yield batches[0];
          }
          unchanged();
        } finally {
          closeSync(fd);
        }
      },
    },
  };
}

/** The whole file read and decoded at once (a Table serves as a BatchSource). */
function parseTable(file: string, fd: number, size: number): Table {
  const bytes = new Uint8Array(size);
  readAt(fd, bytes, 0, 0, size, file);
  try {
    return tableFromIPC(bytes);
  } catch (e) {
    throw arrowFailure(file, e, 'Arrow file');
  }
}

/**
 * The schema in the footer (checked by checkArrowFd), read by apache-arrow's file reader from the footer alone: the
 * file's first 8 bytes, its footer, the footer's length and the magic. It reads no batch (there is no dictionary).
 */
function footerSchema(fd: number, size: number, footerAt: number, file: string): Schema {
  const tail = size - footerAt;
  const bytes = new Uint8Array(8 + tail);
  readAt(fd, bytes, 0, 0, 8, file);
  readAt(fd, bytes, 8, footerAt, tail, file);
  try {
    return RecordBatchReader.from(bytes).open().schema;
  } catch (e) {
    throw arrowFailure(file, e, 'Arrow file');
  }
}

/** An encapsulated message: the continuation marker, the metadata's length, the metadata padded to 8 bytes. */
function framed(metadata: Uint8Array): Uint8Array {
  const length = (metadata.length + 7) & ~7;
  const out = new Uint8Array(8 + length);
  const v = new DataView(out.buffer);
  v.setInt32(0, -1, true);
  v.setInt32(4, length, true);
  out.set(metadata, 8);
  return out;
}
