/**
 * Structural checks of an Arrow IPC file before apache-arrow reads it. The reader trusts the lengths and counts in
 * the file: a corrupted record-batch header made apache-arrow 21 loop at full CPU for ever (a metadata length of 1
 * at byte 12 of a valid file), and a batch may claim 2^40 rows, which apache-arrow backfills with nulls for us to
 * read. Here every length the reader will follow is checked against the bytes that back it: the footer's blocks
 * against the file, each message's metadata length against its block, and the counts inside a record batch's
 * metadata (rows, field nodes, buffers) against its body, decoded when compressed. The
 * metadata are flatbuffers; the few fields needed are read directly (arrow/format/Message.fbs, File.fbs).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DataError, InputError, NotADatasetError, UsageError } from './errors.ts';

/** The class of a failure: InputError, or NotADatasetError for a table that `data inspect` reads as one instead. */
type Failure = typeof InputError;

const MAGIC = 'ARROW1';
const HEADER_SCHEMA = 1;
const HEADER_RECORD_BATCH = 3;

/**
 * Reads one flatbuffer table's fields the way the flatbuffers library under apache-arrow does (offsets and vtable
 * entries are signed), so that what is checked is what the reader will follow; every access is bounds-checked.
 */
class Table {
  constructor(private readonly v: DataView, private readonly at: number, private readonly fail: (p: string) => never) {
    const vt = this.vtable();
    if (vt < 0 || vt + 4 > v.byteLength) fail('flatbuffer vtable out of bounds');
  }
  private i32(p: number): number {
    if (p < 0 || p + 4 > this.v.byteLength) this.fail('flatbuffer read out of bounds');
    return this.v.getInt32(p, true);
  }
  private i16(p: number): number {
    if (p < 0 || p + 2 > this.v.byteLength) this.fail('flatbuffer read out of bounds');
    return this.v.getInt16(p, true);
  }
  private vtable(): number {
    if (this.at < 0 || this.at + 4 > this.v.byteLength) this.fail('flatbuffer table out of bounds');
    return this.at - this.v.getInt32(this.at, true);
  }
  /** Absolute position of field k, or -1 when absent. */
  field(k: number): number {
    const vt = this.vtable();
    const entry = 4 + 2 * k;
    if (!(entry < this.i16(vt))) return -1;
    const off = this.i16(vt + entry);
    if (off === 0) return -1;
    if (this.at + off < 0 || this.at + off >= this.v.byteLength) this.fail('flatbuffer field out of bounds');
    return this.at + off;
  }
  u8(k: number, dflt = 0): number {
    const p = this.field(k);
    if (p < 0) return dflt;
    if (p + 1 > this.v.byteLength) this.fail('flatbuffer read out of bounds');
    return this.v.getUint8(p);
  }
  /** An int64 field as a number; beyond 2^53 it fails. */
  i64(k: number): number {
    const p = this.field(k);
    if (p < 0) return 0;
    return int64(this.v, p, this.fail);
  }
  table(k: number): Table | null {
    const p = this.field(k);
    return p < 0 ? null : new Table(this.v, p + this.i32(p), this.fail);
  }
  /** The tables of a vector of tables (offsets), each checked as it is opened. */
  tables(k: number): Table[] {
    const { count, at } = this.vector(k, 4);
    const out: Table[] = [];
    for (let i = 0; i < count; i++) out.push(new Table(this.v, at + 4 * i + this.i32(at + 4 * i), this.fail));
    return out;
  }
  /** Checks that string field k (u32 length, then bytes) fits. */
  string(k: number): void {
    this.vector(k, 1);
  }
  /** String field k as text ('' when absent). */
  text(k: number): string {
    const { count, at } = this.vector(k, 1);
    return Buffer.from(this.v.buffer, this.v.byteOffset + at, count).toString('utf8');
  }
  /** An int16 scalar field (0 when absent): an enum such as FloatingPoint's precision. */
  i16field(k: number): number {
    const p = this.field(k);
    return p < 0 ? 0 : this.i16(p);
  }
  /** An int32 scalar field (0 when absent). */
  i32field(k: number): number {
    const p = this.field(k);
    return p < 0 ? 0 : this.i32(p);
  }
  /** A vector of structs of `size` bytes: its element count and the position of the first. */
  vector(k: number, size: number): { count: number; at: number } {
    const p = this.field(k);
    if (p < 0) return { count: 0, at: 0 };
    const at = p + this.i32(p);
    const count = this.i32(at);
    if (count < 0 || at + 4 + count * size > this.v.byteLength) this.fail(`a vector of ${count} entries does not fit its ${this.v.byteLength}-byte metadata`);
    return { count, at: at + 4 };
  }
}

function int64(v: DataView, p: number, fail: (p: string) => never): number {
  if (p < 0 || p + 8 > v.byteLength) fail('flatbuffer read out of bounds');
  const n = v.getBigInt64(p, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) fail(`a length of ${n} is out of range`);
  return Number(n);
}

function rootTable(bytes: Uint8Array, fail: (p: string) => never): Table {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) fail('flatbuffer too short');
  return new Table(v, v.getInt32(0, true), fail);
}

/**
 * A failure inside apache-arrow (or a codec under it), in our words. Theirs are about their own internals
 * ("Cannot destructure property 'length' of '(intermediate value)…'", "Unrecognized Int type", an LZ4 checksum) and
 * never reach a message: the checks here name what they can before apache-arrow reads, and what is left is said
 * plainly. Our own errors keep their words (a codec's budget, with the file named); the original is the cause.
 */
export function arrowFailure(file: string, e: unknown, what: 'Arrow file' | 'Arrow stream' | 'Arrow data'): DataError {
  if (e instanceof InputError || e instanceof UsageError) return e;
  if (e instanceof DataError && e.kind === 'input') return new InputError(file, `corrupted ${what}: ${e.message}`, { cause: e });
  return new InputError(file, `corrupted ${what}: apache-arrow cannot decode its schema or record batches`, { cause: e });
}

/** Where the checker reads from: the whole file in memory, or a file handle (then only the footer and metadata are read). */
interface Source { readonly size: number; read(offset: number, length: number): Uint8Array }

/** Where an encapsulated message (its metadata, then its body) lies in the file: a footer Block. */
export interface ArrowBlock { readonly offset: number; readonly length: number }

/**
 * What the structure says about the data: rows (summed over the record batches), the features' list size, and where
 * the dictionaries and record batches lie, before `dataEnd` (where the footer starts).
 */
export interface ArrowShape {
  readonly rows: number;
  readonly featureLength: number | null;
  readonly dictionaries: readonly ArrowBlock[];
  readonly batches: readonly ArrowBlock[];
  readonly dataEnd: number;
}

/** Checks an Arrow IPC file's structure; throws InputError naming the file and the first inconsistency. */
export function checkArrowFile(bytes: Uint8Array, file: string, o: { compressed?: boolean } = {}): ArrowShape {
  return checkArrow({ size: bytes.length, read: (o, n) => bytes.subarray(o, o + n) }, file, o.compressed ?? false);
}

/**
 * The same checks on an Arrow IPC *stream* (no footer): message after message, each prefix, metadata and body inside
 * the bytes, the schema's fields and each record batch's counts, up to the end-of-stream marker or the last byte.
 */
export function checkArrowStream(bytes: Uint8Array, file: string, o: { compressed?: boolean } = {}): void {
  const fail = (problem: string, as: Failure = InputError): never => { throw new as(file, `corrupted Arrow stream: ${problem}`); };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Streams since Arrow 0.15 start each message with 0xFFFFFFFF; anything else is not Arrow at all.
  if (bytes.length < 8 || v.getInt32(0, true) !== -1) throw new InputError(file, 'not an Arrow IPC file or stream (no ARROW1 magic, no stream message)');
  let p = 0;
  let nodes: number | null = null;
  for (let k = 0; p + 4 <= bytes.length; k++) {
    let prefix = 4;
    let length = v.getInt32(p, true);
    if (length === -1) {
      if (p + 8 > bytes.length) fail(`message ${k}: truncated prefix`);
      length = v.getInt32(p + 4, true);
      prefix = 8;
    }
    if (length === 0) return;
    if (length < 0 || p + prefix + length > bytes.length) fail(`message ${k}: metadata length ${length} runs past the ${bytes.length}-byte stream`);
    const meta = bytes.subarray(p + prefix, p + prefix + length);
    const message = rootTable(meta, (q) => fail(`message ${k}: ${q}`));
    const body = message.i64(3);
    if (body < 0 || p + prefix + length + body > bytes.length) fail(`message ${k}: a body of ${body} bytes runs past the ${bytes.length}-byte stream`);
    if (message.u8(1) === HEADER_SCHEMA) {
      const schema = message.table(2);
      if (!schema) fail(`message ${k}: a schema message without a schema`);
      nodes = checkFields(schema!, 0, (q) => fail(`message ${k}: ${q}`));
    } else {
      const batch = message.u8(1) === HEADER_RECORD_BATCH;
      const bodyAt = p + prefix + length;
      checkMessage(bytes.subarray(p, bodyAt), prefix + length, body, (at, n) => bytes.subarray(bodyAt + at, bodyAt + at + n), batch, nodes, o.compressed ?? false, (q, as) => fail(`message ${k}: ${q}`, as));
    }
    p += prefix + length + body;
  }
}

/**
 * The same checks on a file on disk, reading only its footer and each record batch's metadata (a few kilobytes,
 * whatever the file's size): for a cache check that needs the row count and the schema, not the data.
 */
export function checkArrowFileOnDisk(file: string, o: { compressed?: boolean } = {}): ArrowShape {
  const fd = openSync(file, 'r');
  try {
    return checkArrowFd(fd, fstatSync(fd).size, file, o);
  } finally {
    closeSync(fd);
  }
}

/** checkArrowFileOnDisk on a file already open (`size` bytes). */
export function checkArrowFd(fd: number, size: number, file: string, o: { compressed?: boolean } = {}): ArrowShape {
  return checkArrow({
    size,
    read(offset, length) {
      const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      readSync(fd, buf, 0, buf.length, offset);
      return buf;
    },
  }, file, o.compressed ?? false);
}

function checkArrow(src: Source, file: string, compressed = false): ArrowShape {
  const fail = (problem: string, as: Failure = InputError): never => { throw new as(file, `corrupted Arrow file: ${problem}`); };
  const n = src.size;
  if (n < 6 + 2 + 4 + 6) fail('too short for an Arrow file');
  const tail = src.read(n - 10, 10);
  if (Buffer.from(tail.buffer, tail.byteOffset + 4, 6).toString('latin1') !== MAGIC) fail('no ARROW1 magic at the end (truncated?)');
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
  const footerStart = n - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) fail(`footer length ${footerLength} does not fit the ${n}-byte file`);
  const footerBytes = src.read(footerStart, footerLength);
  const footer = rootTable(footerBytes, (p) => fail(`footer: ${p}`));
  const schema = footer.table(1);
  if (!schema) fail('the footer has no schema');
  const nodes = checkFields(schema!, 0, fail);
  // Footer: 0 version, 1 schema, 2 dictionaries, 3 recordBatches (Block: offset i64, metaDataLength i32, pad, bodyLength i64).
  const fv = new DataView(footerBytes.buffer, footerBytes.byteOffset, footerLength);
  let rows = 0;
  const placed: ArrowBlock[][] = [[], []];
  for (const k of [2, 3]) {
    const blocks = footer.vector(k, 24);
    for (let b = 0; b < blocks.count; b++) {
      const at = blocks.at + 24 * b;
      const offset = int64(fv, at, fail);
      const metaLength = fv.getInt32(at + 8, true);
      const bodyLength = int64(fv, at + 16, fail);
      const what = `${k === 2 ? 'dictionary' : 'record batch'} ${b}`;
      if (offset < 8 || metaLength < 8 || bodyLength < 0 || offset + metaLength + bodyLength > footerStart) {
        fail(`${what} claims bytes ${offset}–${offset + metaLength + bodyLength}, outside the data (${footerStart} bytes)`);
      }
      rows += checkMessage(src.read(offset, metaLength), metaLength, bodyLength, (at, n) => src.read(offset + metaLength + at, n), k === 3, nodes, compressed, (p, as) => fail(`${what}: ${p}`, as));
      placed[k - 2].push({ offset, length: metaLength + bodyLength });
    }
  }
  return { rows, featureLength: featuresListSize(schema!), dictionaries: placed[0], batches: placed[1], dataEnd: footerStart };
}

/** The list size of a FixedSizeList column named "features" (Field: 0 name, 2 type_type, 3 type), or null. */
function featuresListSize(schema: Table): number | null {
  const FIXED_SIZE_LIST = 16;
  for (const field of schema.tables(1)) {
    if (field.text(0) !== 'features' || field.u8(2) !== FIXED_SIZE_LIST) continue;
    return field.table(3)?.i32field(0) ?? null;
  }
  return null;
}

/**
 * Schema { 0 endianness, 1 fields: [Field], 2 custom_metadata: [KeyValue] } and Field { 0 name, 1 nullable, 2 type_type,
 * 3 type, 4 dictionary, 5 children: [Field], 6 custom_metadata }: every vector and string inside the bytes, nesting at
 * most 64 deep, and each type one that apache-arrow reads, with the parameters and children it needs (else it fails on
 * its own internals: "Unrecognized Int type", a TypeError from a missing child). Returns the field nodes a record
 * batch of this schema holds: one per field, its children's after it, one for a dictionary-encoded field (its index).
 */
function checkFields(t: Table, depth: number, fail: (p: string) => never): number {
  if (depth > 64) fail('fields nested more than 64 deep');
  const [fieldsAt, metaAt] = depth === 0 ? [1, 2] : [5, 6];
  if (depth > 0) t.string(0);
  for (const kv of t.tables(metaAt)) { kv.string(0); kv.string(1); }
  const children = t.tables(fieldsAt);
  let nodes = depth === 0 ? 0 : 1;
  for (const child of children) nodes += checkFields(child, depth + 1, fail);
  if (depth === 0) return nodes;
  const name = JSON.stringify(t.text(0).slice(0, 64));
  const type = t.u8(2);
  if (!READABLE_TYPES.has(type)) fail(`field ${name} has type id ${type}, not an Arrow type apache-arrow reads`);
  const params = t.table(3);
  if (type === TYPE_INT) {
    const bits = params?.i32field(0) ?? 0;
    if (bits !== 8 && bits !== 16 && bits !== 32 && bits !== 64) fail(`field ${name} is an integer of ${bits} bits, expected 8, 16, 32 or 64`);
  }
  const precision = type === TYPE_FLOAT ? params?.i16field(0) ?? 0 : 0;
  if (precision < 0 || precision > 2) fail(`field ${name} has floating-point precision ${precision}, expected 0, 1 or 2 (half, single, double)`);
  // Each parameter is read at its own width (a short enum, an int size): a wider read can run past the metadata.
  const unit = UNITS[type], enumValue = unit ? params?.i16field(0) ?? 0 : 0;
  if (unit && (enumValue < 0 || enumValue > unit[1])) fail(`field ${name} has ${unit[0]} ${enumValue}, expected 0 to ${unit[1]}`);
  const fixedSize = type === TYPE_FIXED_SIZE_BINARY || type === TYPE_FIXED_SIZE_LIST ? params?.i32field(0) ?? 0 : 0;
  if (fixedSize < 0) fail(`field ${name} has a fixed size of ${fixedSize}`);
  if (ONE_CHILD_TYPES.has(type) && children.length !== 1) fail(`field ${name} is a list or map with ${children.length} child fields, expected 1`);
  return t.field(4) >= 0 ? 1 : nodes;
}

// Type ids of Schema.fbs that apache-arrow 21 decodes (0 NONE reads as Null; 22 RunEndEncoded, 25 ListView and
// 26 LargeListView it does not), and those with parameters or children checked above.
const READABLE_TYPES = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24]);
const TYPE_INT = 2, TYPE_FLOAT = 3, TYPE_FIXED_SIZE_BINARY = 15, TYPE_FIXED_SIZE_LIST = 16;
/** Enum parameters (a short, field 0) and their last value: Date, Time, Timestamp, Interval, Duration units; Union mode. */
const UNITS: Record<number, [string, number]> = { 8: ['date unit', 1], 9: ['time unit', 3], 10: ['time unit', 3], 11: ['interval unit', 2], 14: ['union mode', 1], 18: ['time unit', 3] };
const ONE_CHILD_TYPES = new Set([12, 16, 17, 21]); // List, FixedSizeList, Map, LargeList

/**
 * A message (its block's first metaLength bytes; `body` reads its body): its prefix agrees with the block, and a
 * record batch's counts fit its body and its schema's `nodes` field nodes (null when no schema came before a stream's
 * batch): other counts made apache-arrow fail on its own internals ("Cannot destructure property 'length' of …"), or
 * backfill rows the body does not hold. Returns its rows.
 */
function checkMessage(block: Uint8Array, metaLength: number, bodyLength: number, body: (at: number, n: number) => Uint8Array, recordBatch: boolean, nodes: number | null, compressed: boolean, fail: (p: string, as?: Failure) => never): number {
  if (block.length < metaLength) fail('truncated message');
  const v = new DataView(block.buffer, block.byteOffset, metaLength);
  const continuation = v.getInt32(0, true) === -1;
  const prefix = continuation ? 8 : 4;
  const length = v.getInt32(continuation ? 4 : 0, true);
  // The block's length covers the prefix, the metadata and its padding to 8 bytes.
  if (length <= 0 || prefix + length > metaLength || prefix + length + 8 <= metaLength) fail(`metadata length ${length} disagrees with the footer's ${metaLength - prefix}`);
  const meta = block.subarray(prefix, prefix + length);
  const message = rootTable(meta, fail);
  // Message: 0 version, 1 header_type, 2 header, 3 bodyLength.
  if (message.i64(3) !== bodyLength) fail(`body length ${message.i64(3)} disagrees with the footer's ${bodyLength}`);
  if (!recordBatch) return 0;
  if (message.u8(1) !== HEADER_RECORD_BATCH) fail(`message type ${message.u8(1)}, expected a record batch`);
  const batch = message.table(2);
  if (!batch) fail('record batch without a header');
  // RecordBatch: 0 length, 1 nodes (FieldNode: length i64, null_count i64), 2 buffers (Buffer: offset i64, length i64), 3 compression.
  const rows = batch!.i64(0);
  const isCompressed = batch!.field(3) >= 0;
  if (isCompressed && !compressed) fail('compressed record batches (LZ4 or ZSTD) are not read here; convert the table with: pnpm data convert --arrow FILE --label COLUMN --out FILE.arrow', NotADatasetError);
  const mv = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  const buffers = batch!.vector(2, 16);
  // Compressed, each non-empty buffer starts with its decoded length (-1: stored as is), which the codec holds it to.
  let decoded = 0;
  for (let i = 0; i < buffers.count; i++) {
    const at = int64(mv, buffers.at + 16 * i, fail);
    const len = int64(mv, buffers.at + 16 * i + 8, fail);
    if (at < 0 || len < 0 || at + len > bodyLength) fail(`buffer ${i} claims bytes ${at}–${at + len} of a ${bodyLength}-byte body`);
    if (!isCompressed || len === 0) continue;
    if (len < 8) fail(`compressed buffer ${i} has ${len} bytes, fewer than its 8-byte decoded length`);
    const prefix = body(at, 8);
    const n = int64(new DataView(prefix.buffer, prefix.byteOffset, 8), 0, fail);
    if (n < -1) fail(`compressed buffer ${i} claims ${n} bytes decoded`);
    decoded += n === -1 ? len - 8 : n;
  }
  // A value, a row included, takes at least a bit of the (decoded) body: more than that are not in the file, and
  // apache-arrow would backfill them as nulls, which the readers then store row by row.
  const backing = isCompressed ? decoded : bodyLength;
  const most = 8 * backing + 64;
  const what = isCompressed ? `a ${bodyLength}-byte body (${backing} bytes decoded)` : `a ${bodyLength}-byte body`;
  if (rows < 0 || rows > most) fail(`${rows} rows cannot fit ${what}`);
  const fieldNodes = batch!.vector(1, 16);
  if (nodes !== null && fieldNodes.count !== nodes) fail(`${fieldNodes.count} field nodes, the schema's fields need ${nodes}`);
  for (let i = 0; i < fieldNodes.count; i++) {
    const len = int64(mv, fieldNodes.at + 16 * i, fail);
    const nulls = int64(mv, fieldNodes.at + 16 * i + 8, fail);
    if (len < 0 || nulls < 0 || nulls > len || len > most) fail(`field node ${i} claims ${len} values (${nulls} null) for ${what}`);
  }
  // 4 variadicBufferCounts (string and binary views): each count is of buffers the batch has.
  const variadic = batch!.vector(4, 8);
  for (let i = 0; i < variadic.count; i++) {
    const n = int64(mv, variadic.at + 8 * i, fail);
    if (n < 0 || n > buffers.count) fail(`view column ${i} claims ${n} data buffers, the batch has ${buffers.count}`);
  }
  return rows;
}
