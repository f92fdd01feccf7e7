import { DataError, InputError } from './errors.ts';
import { gunzipSync } from 'node:zlib';
import { inflateBounded, isGzip, readInput } from './files.ts';

/**
 * IDX files (LeCun's MNIST format): magic 00 00 TT RR (TT the element type, RR the rank), RR big-endian
 * uint32 dimensions, then the elements, big-endian, row-major. Raw or gzip, told apart by the bytes.
 */
/** The element types an IDX file may hold (its third magic byte). */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPES: Record<number, { name: IdxType; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

/** An IDX file's elements, typed by its element type. */
export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** What an IDX header says. */
export interface IdxHeader {
  /** The element type. */
  readonly dtype: IdxType;
  /** The dimensions, outermost first (e.g. [60000, 28, 28]). */
  readonly dims: readonly number[];
  /** Whether the file was gzip-compressed. */
  readonly gzip: boolean;
}

/** An IDX file read: its header and its elements. */
export interface IdxArray extends IdxHeader {
  /** Elements in row-major order, in the machine's byte order (uint8 and int8 are views on the file bytes: zero-copy). */
  readonly values: IdxValues;
}

/** Parses the header; checks the element count against the data length. */
export function parseIdxHeader(bytes: Uint8Array, file: string, gzip = false): IdxHeader & { dataOffset: number; elementSize: number } {
  if (bytes.length < 4) throw new InputError(file, `truncated IDX header: ${bytes.length} bytes, expected at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new InputError(file, `not an IDX file: magic ${hex(bytes.subarray(0, 4))}, expected 00 00 followed by a type and a rank`);
  }
  const type = TYPES[bytes[2]];
  if (!type) throw new InputError(file, `unknown IDX element type 0x${bytes[2].toString(16).padStart(2, '0')}, expected one of 08, 09, 0b, 0c, 0d, 0e`);
  const rank = bytes[3];
  if (rank === 0) throw new InputError(file, 'IDX rank is 0, expected at least 1 dimension');
  const dataOffset = 4 + 4 * rank;
  if (bytes.length < dataOffset) throw new InputError(file, `truncated IDX header: ${bytes.length} bytes, rank ${rank} needs ${dataOffset}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = dataOffset + count * type.size;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw new InputError(file, `${what}: header says ${dims.join('x')} ${type.name} (${expected} bytes), file has ${bytes.length}`);
  }
  return { dtype: type.name, dims, gzip, dataOffset, elementSize: type.size };
}

/** The total length (header and data) that an IDX header implies, from its first bytes. */
function idxLength(head: Uint8Array, file: string): number {
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0 || !TYPES[head[2]]) return parseIdxHeader(head, file).dataOffset; // throws the usual message
  const rank = head[3];
  if (head.length < 4 + 4 * rank) throw new InputError(file, `truncated IDX header: ${head.length} bytes, rank ${rank} needs ${4 + 4 * rank}`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let count = 1;
  for (let i = 0; i < rank; i++) count *= view.getUint32(4 + 4 * i, false);
  return 4 + 4 * rank + count * TYPES[head[2]].size;
}

/** A gzip IDX file, inflated to no more than its IDX header says (a 1 MB file once inflated to 2.3 GB). */
export function gunzipIdx(raw: Uint8Array, file: string): Uint8Array {
  const fail = (problem: string): never => { throw new InputError(file, problem); };
  return inflateBounded(raw, fail, gunzipSync, (head) => idxLength(head, file), 'gzip stream');
}

/** Decodes the bytes of an IDX file (raw or gzip); `file` names it in errors (InputError, code E_INPUT). */
export function decodeIdx(raw: Uint8Array, file: string): IdxArray {
  const gz = isGzip(raw);
  const bytes = gz ? gunzipIdx(raw, file) : raw;
  const h = parseIdxHeader(bytes, file, gz);
  const count = h.dims.reduce((a, b) => a * b, 1);
  const data = bytes.subarray(h.dataOffset);
  let values: IdxValues;
  switch (h.dtype) {
    case 'uint8': values = data; break;
    case 'int8': values = new Int8Array(data.buffer, data.byteOffset, count); break;
    default: values = bigEndian(data, h.dtype, count);
  }
  return { dtype: h.dtype, dims: h.dims, gzip: gz, values };
}

/** Reads an IDX file (raw or gzip, told apart by the bytes); throws an InputError (code E_INPUT) naming the file and what is wrong. */
export function readIdx(file: string): IdxArray {
  return decodeIdx(readInput(file), file);
}

function bigEndian(data: Uint8Array, dtype: IdxType, count: number): IdxValues {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (dtype) {
    case 'int16': { const out = new Int16Array(count); for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false); return out; }
    case 'int32': { const out = new Int32Array(count); for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false); return out; }
    case 'float32': { const out = new Float32Array(count); for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false); return out; }
    case 'float64': { const out = new Float64Array(count); for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false); return out; }
    default: throw new DataError('E_INTERNAL', `unreachable: ${dtype}`);
  }
}

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}
