import { inflateSync } from 'node:zlib';
import { MAX_PAGES, PAGE, RESERVED, printable } from '@hogwild/core/internal';
import { DataError, InputError } from './errors.ts';
import { inflateCapped, inflateHead, readInput } from './files.ts';

/**
 * MATLAB .mat files: Level 5 (`save -v6`, and `save -v7` with zlib-compressed elements), both byte orders,
 * and Level 4. v7.3 files are HDF5 and are recognised, with advice on re-saving them.
 * Reference: MathWorks, "MAT-File Format" (matfile_format.pdf), chapters 1 (Level 4) and 2 (Level 5).
 */
/** MATLAB's array classes, as a MAT file names them. */
export type MatClass =
  | 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'logical' | 'char' | 'cell' | 'struct' | 'sparse' | 'function_handle' | 'object';

/** MAT file levels: 4, 5 (v6, v7, compressed or not) and 7.3 (HDF5, which is recognised but not read). */
export type MatVersion = 4 | 5 | 7.3;

/** One variable of a MAT file, as {@link inspectMat} lists it. */
export interface MatVariableInfo {
  /** The variable's name. */
  readonly name: string;
  readonly class: MatClass;
  readonly dims: readonly number[];
  /** True for real, full, numeric or logical arrays: what convert can read. */
  readonly supported: boolean;
  /** Present for complex arrays (which convert refuses). */
  readonly complex?: true;
}

/** What a MAT file holds: its level and its variables. */
export interface MatFileInfo {
  readonly format: 'mat';
  readonly version: MatVersion;
  readonly variables: readonly MatVariableInfo[];
}

/** A MAT variable's values, typed by its class. */
export type MatValues = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** One numeric variable read from a MAT file. */
export interface MatArray {
  readonly name: string;
  readonly class: MatClass;
  readonly dims: readonly number[];
  /** Values in ROW-MAJOR order (converted from MATLAB's column-major), typed by class (int64/uint64 as float64). */
  readonly values: MatValues;
}

interface Variable extends MatVariableInfo {
  /** Reads the values in row-major order (see convert); only for supported variables. */
  readonly read: () => MatValues;
}

const CLASS_BY_CODE: Record<number, MatClass> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single',
  8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
  16: 'function_handle', 17: 'object',
};
const NUMERIC = new Set<MatClass>(['double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'logical']);

// Level 5 data types (miINT8 …).
const MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6, MI_SINGLE = 7, MI_DOUBLE = 9;
const MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14, MI_COMPRESSED = 15;
const MI_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

/** Lists the variables of a MAT file (any level) with their class and dimensions, reading no values. */
export function inspectMat(file: string): MatFileInfo {
  const { version, variables } = parseMat(readInput(file), file);
  return { format: 'mat', version, variables: variables.map(({ read: _read, ...info }) => info) };
}

/** Reads one numeric variable, in row-major order. */
export function readMatVariable(file: string, name: string): MatArray {
  return readMatVariableFrom(readInput(file), file, name);
}

/** Reads one numeric variable from the bytes of a MAT file, in row-major order; `file` names it in errors. */
export function readMatVariableFrom(bytes: Uint8Array, file: string, name: string): MatArray {
  return readMatVariablesFrom(bytes, file, [name])[0];
}

/** Several variables from one parse of the file (a compressed file is inflated once, not once per variable). */
export function readMatVariablesFrom(bytes: Uint8Array, file: string, names: readonly string[]): MatArray[] {
  const { variables } = parseMat(bytes, file);
  return names.map((name) => pick(variables, name, file));
}

function pick(variables: readonly Variable[], name: string, file: string): MatArray {
  const v = variables.find((x) => x.name === name);
  if (!v) {
    const names = printable(variables.map((x) => x.name).join(', ') || 'none');
    throw new InputError(file, `no variable named ${JSON.stringify(name)} (variables: ${names})`);
  }
  if (!v.supported) {
    const kind = v.complex ? `complex ${v.class}` : v.class;
    throw new InputError(file, `variable ${JSON.stringify(name)} is ${kind}, expected a real numeric or logical array`);
  }
  return { name: v.name, class: v.class, dims: v.dims, values: v.read() };
}

/** True if the bytes look like a MAT file of any level (used to tell formats apart). */
export function looksLikeMat(bytes: Uint8Array): boolean {
  return isLevel5(bytes) || level4Order(bytes) !== null;
}

/** Parses a MAT file's bytes into its level and variables (values read on demand). */
export function parseMat(bytes: Uint8Array, file: string): { version: MatVersion; variables: Variable[] } {
  if (isV73(bytes)) {
    throw new InputError(file, 'is a MATLAB v7.3 (HDF5) file, which is not supported; re-save it in MATLAB or Octave with: save -v7 FILE.mat VARIABLES');
  }
  if (isLevel5(bytes)) return { version: 5, variables: parseLevel5(bytes, file) };
  const little = level4Order(bytes);
  if (little !== null) return { version: 4, variables: parseLevel4(bytes, file, little) };
  throw new InputError(file, 'not a MAT file: no Level 5 header (MATLAB 5.0 MAT-file…) and no valid Level 4 matrix header');
}

function text(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, Math.min(end, bytes.length) - start)).toString('latin1');
}

function isV73(bytes: Uint8Array): boolean {
  if (bytes.length >= 128 && text(bytes, 0, 19) === 'MATLAB 7.3 MAT-file') return true;
  // HDF5 signature at the start of a 512-byte user block.
  return bytes.length >= 520 && bytes[512] === 0x89 && text(bytes, 513, 516) === 'HDF';
}

/**
 * A Level 5 header: 116 bytes of free text (MATLAB writes "MATLAB 5.0 MAT-file…", other writers their own),
 * 8 bytes of subsystem offset, the version 0x0100 and the endian indicator "IM" (little-endian) or "MI".
 * The text is not checked; the version and the indicator are.
 */
function isLevel5(bytes: Uint8Array): boolean {
  if (bytes.length < 128) return false;
  const e = text(bytes, 126, 128);
  if (e !== 'IM' && e !== 'MI') return false;
  return new DataView(bytes.buffer, bytes.byteOffset).getUint16(124, e === 'IM') === 0x0100;
}

// ---------------------------------------------------------------- Level 5

class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly little: boolean, readonly file: string, readonly base: number) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u32(pos: number): number { return this.view.getUint32(pos, this.little); }
  i32(pos: number): number { return this.view.getInt32(pos, this.little); }
  fail(pos: number, problem: string): never {
    throw new InputError(this.file, `${problem} (at byte ${this.base + pos})`);
  }
}

interface Tag { type: number; size: number; data: number; next: number }

function readTag(r: Reader, pos: number, end: number): Tag {
  if (pos + 8 > end) r.fail(pos, `truncated: a data element tag needs 8 bytes, ${end - pos} remain`);
  const first = r.u32(pos);
  if (first >>> 16 !== 0) {
    // Small data element: type and size packed in 4 bytes, up to 4 bytes of data after them.
    const size = first >>> 16;
    if (size > 4) r.fail(pos, `corrupted small data element: size ${size} > 4`);
    return { type: first & 0xffff, size, data: pos + 4, next: pos + 8 };
  }
  const size = r.u32(pos + 4);
  const data = pos + 8;
  if (data + size > end) r.fail(pos, `truncated: element of type ${first} claims ${size} bytes, ${end - data} remain`);
  // Compressed elements are not padded; all others are padded to 8 bytes.
  const next = first === MI_COMPRESSED ? data + size : Math.min(end, data + Math.ceil(size / 8) * 8);
  return { type: first, size, data, next };
}

function parseLevel5(bytes: Uint8Array, file: string): Variable[] {
  const little = text(bytes, 126, 128) === 'IM';
  const r = new Reader(bytes, little, file, 0);
  const vars: Variable[] = [];
  let pos = 128;
  while (pos < bytes.length) {
    // Trailing padding after the last element is allowed.
    if (bytes.length - pos < 8 && bytes.subarray(pos).every((b) => b === 0)) break;
    const tag = readTag(r, pos, bytes.length);
    if (tag.type === MI_COMPRESSED) {
      const v = compressedVariable(r, tag);
      if (v) pushVariable(vars, v);
    } else if (tag.type === MI_MATRIX) {
      pushVariable(vars, parseMatrix(r, tag));
    }
    pos = tag.next;
  }
  return vars;
}

/**
 * The most bytes a dataset may hold: it lives in one shared WebAssembly memory (core's arena), features as float32
 * (uint8 for uint8 and logical arrays). A variable that would need more can never be trained on.
 */
export const MAX_DATASET_BYTES = MAX_PAGES * PAGE - RESERVED;

/** Where the errors of a compressed element's stream say it went wrong. */
const ZLIB = 'zlib stream in a compressed variable';

/**
 * A compressed element's variable, from the first bytes its stream inflates to (inflateHead): its array header,
 * which real writers put there whole (MATLAB's and scipy's take under 200 bytes). Nothing more is inflated until
 * the values are read, and only for a variable that can be read: a damaged header, a size that the dimensions do not
 * account for, or values that a dataset could not hold are refused here, before the rest is inflated (a damaged
 * header left to the full parse let a bomb inflate to whatever its tag claimed); the values are then inflated to no
 * more than that size. So a small file that inflates to gigabytes costs its head, or at most the values its header
 * declares. Elements that are not arrays are skipped, uninflated.
 */
function compressedVariable(r: Reader, tag: Tag): Variable | null {
  const fail = (problem: string): never => r.fail(tag.data - 8, problem);
  const stream = r.bytes.subarray(tag.data, tag.data + tag.size);
  const head = inflateHead(stream, fail, inflateSync, ZLIB);
  if (head.length < 8) fail(`corrupted ${ZLIB} (no element tag)`);
  const hr = new Reader(head, r.little, r.file, tag.data);
  const type = hr.u32(0), size = hr.u32(4), whole = 8 + size;
  if (head.length > whole) fail(`${ZLIB} inflates to more than the ${whole} bytes its header says (corrupted, or a decompression bomb)`);
  if (type !== MI_MATRIX) return null;
  // Errors here are the full parse's, at the same bytes: only the array header is read.
  const at = { values: 0 };
  const v = parseMatrix(hr, { type, size: Math.min(size, head.length - 8), data: 8, next: head.length }, at);
  if (!v || !v.supported) return v;
  const count = v.dims.reduce((a, b) => a * b, 1);
  const each = v.class === 'uint8' || v.class === 'logical' ? 1 : 4;
  if (count * each > MAX_DATASET_BYTES) {
    const gib = (count * each / 2 ** 30).toFixed(1);
    fail(`variable ${JSON.stringify(v.name)} declares ${v.dims.join('x')} ${v.class} values, ${gib} GiB as ${each === 1 ? 'uint8' : 'float32'} features: more than the ${Math.round(MAX_DATASET_BYTES / 2 ** 30)} GiB a dataset may hold (the shared memory); not inflated`);
  }
  if (count > 0) {
    // The values' tag, and with it the most bytes the element can need: its header, then the values padded to 8 bytes
    // (a small element holds up to 4 bytes in its tag's 8).
    if (at.values + 8 > head.length) {
      // A stream that ends here is truncated, which the full parse names; a longer one hides its header's end.
      if (head.length < whole) fail(`${ZLIB}: the array header of ${JSON.stringify(v.name)} ends past the first ${head.length} inflated bytes (no writer puts it further)`);
      return compressedRead(v, r, tag, whole);
    }
    const first = hr.u32(at.values);
    const small = first >>> 16 !== 0;
    const stored = MI_SIZE[small ? first & 0xffff : first];
    if (stored === undefined) hr.fail(at.values, `variable ${JSON.stringify(v.name)}: unsupported storage type ${small ? first & 0xffff : first}`);
    const need = at.values + (small ? 0 : Math.ceil(count * stored / 8) * 8);
    if (size > need) fail(`variable ${JSON.stringify(v.name)}: its compressed element declares ${size} bytes, where ${v.dims.join('x')} values of ${stored} bytes each and the array's header need ${need}; not inflated`);
  }
  return compressedRead(v, r, tag, whole);
}

/** The variable whose values are read by inflating its element, to no more than `whole` bytes, when they are asked for. */
function compressedRead(v: Variable, r: Reader, tag: Tag, whole: number): Variable {
  const read = (): MatValues => {
    const inner = inflateCapped(r.bytes.subarray(tag.data, tag.data + tag.size), whole, (problem) => r.fail(tag.data - 8, problem), inflateSync, ZLIB);
    const ir = new Reader(inner, r.little, r.file, tag.data);
    return parseMatrix(ir, readTag(ir, 0, inner.length))!.read();
  };
  return { ...v, read };
}

function pushVariable(vars: Variable[], v: Variable | null): void {
  // MATLAB stores class-system data (for objects) as an unnamed variable: not the user's.
  if (v && v.name !== '') vars.push(v);
}

/** `at`, where given, is told where the values' tag starts (after the array's flags, dimensions and name). */
function parseMatrix(r: Reader, tag: Tag, at?: { values: number }): Variable | null {
  const end = tag.data + tag.size;
  if (tag.size === 0) return null;
  const flagsTag = readTag(r, tag.data, end);
  if (flagsTag.type !== MI_UINT32 || flagsTag.size < 8) r.fail(tag.data, `corrupted array flags: type ${flagsTag.type}, ${flagsTag.size} bytes`);
  const flags = r.u32(flagsTag.data);
  const classCode = flags & 0xff;
  const complex = (flags & 0x800) !== 0;
  const logical = (flags & 0x200) !== 0;
  let cls = CLASS_BY_CODE[classCode];
  if (!cls) r.fail(flagsTag.data, `unknown array class ${classCode}`);
  if (classCode === 17) {
    // mxOPAQUE_CLASS (MCOS objects such as string or table): name, type system, class name; no dimensions.
    const nameTag = readTag(r, flagsTag.next, end);
    return { name: text(r.bytes, nameTag.data, nameTag.data + nameTag.size), class: 'object', dims: [], supported: false, read: unsupported };
  }
  const dimsTag = readTag(r, flagsTag.next, end);
  // Dimensions are miINT32; some writers store them as miUINT32, which scipy reads as long as no value has the
  // sign bit set (then it refuses, and so does this reader).
  if ((dimsTag.type !== MI_INT32 && dimsTag.type !== MI_UINT32) || dimsTag.size % 4 !== 0) r.fail(flagsTag.next, `corrupted dimensions: type ${dimsTag.type}, ${dimsTag.size} bytes`);
  const dims: number[] = [];
  for (let i = 0; i < dimsTag.size / 4; i++) {
    const d = r.i32(dimsTag.data + 4 * i);
    if (d < 0) r.fail(dimsTag.data, dimsTag.type === MI_UINT32 ? `dimensions stored as miUINT32 with a value of ${d >>> 0}, above what miINT32 holds` : `negative dimension ${d}`);
    dims.push(d);
  }
  const nameTag = readTag(r, dimsTag.next, end);
  const name = text(r.bytes, nameTag.data, nameTag.data + nameTag.size);
  // MATLAB names are ASCII identifiers; scipy refuses others, and so does this reader.
  if (/[^\x00-\x7f]/.test(name)) r.fail(dimsTag.next, `the array name ${JSON.stringify(printable(name, 64))} is not ASCII`);
  if (logical && NUMERIC.has(cls)) cls = 'logical';
  const supported = NUMERIC.has(cls) && !complex;
  const info = { name, class: cls, dims, supported, ...(complex ? { complex: true as const } : {}) };
  if (!supported) return { ...info, read: unsupported };
  const count = dims.reduce((a, b) => a * b, 1);
  const realPos = nameTag.next;
  if (at) at.values = realPos;
  const read = (): MatValues => {
    if (count === 0) return allocate(cls, 0);
    const realTag = readTag(r, realPos, end);
    const size = MI_SIZE[realTag.type];
    if (size === undefined) r.fail(realPos, `variable ${JSON.stringify(name)}: unsupported storage type ${realTag.type}`);
    if (realTag.size !== count * size) {
      r.fail(realPos, `variable ${JSON.stringify(name)}: ${realTag.size / size} elements stored, dimensions ${dims.join('x')} need ${count}`);
    }
    return convert(r, realTag.type, realTag.data, dims, cls);
  };
  return { ...info, read };
}

function unsupported(): never {
  throw new DataError('E_INTERNAL', 'unreachable: unsupported variables are never read');
}

function allocate(cls: MatClass, n: number): MatValues {
  switch (cls) {
    case 'single': return new Float32Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'logical': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint32': return new Uint32Array(n);
    default: return new Float64Array(n); // double, and int64/uint64 (exact up to 2^53)
  }
}

/**
 * Converts stored elements (possibly a smaller storage type, as MATLAB writes doubles) to the class's type, in
 * row-major order. A matrix (2-D, the usual case) is transposed as it is converted, in one pass and one array the size
 * of the result, so a large variable costs its stored bytes and its values once; N-D arrays are reordered after.
 */
function convert(r: Reader, type: number, pos: number, dims: readonly number[], cls: MatClass): MatValues {
  const count = dims.reduce((a, b) => a * b, 1);
  const out = allocate(cls, count);
  const v = r.view, le = r.little;
  // Source element k (column-major) is row i, column j of a rows x cols matrix and goes to i * cols + j; for N-D
  // arrays rows = count and cols = 1, so the order is kept and columnToRowMajor reorders it.
  const matrix = dims.length === 2;
  const rows = matrix ? dims[0] : count, cols = matrix ? dims[1] : 1;
  let i = 0, dst = 0;
  const step = (): void => {
    if (++i === rows) { i = 0; dst -= (rows - 1) * cols - 1; } else dst += cols;
  };
  switch (type) {
    case MI_INT8: for (let k = 0; k < count; k++, step()) out[dst] = v.getInt8(pos + k); break;
    case MI_UINT8: for (let k = 0; k < count; k++, step()) out[dst] = v.getUint8(pos + k); break;
    case MI_INT16: for (let k = 0; k < count; k++, step()) out[dst] = v.getInt16(pos + 2 * k, le); break;
    case MI_UINT16: for (let k = 0; k < count; k++, step()) out[dst] = v.getUint16(pos + 2 * k, le); break;
    case MI_INT32: for (let k = 0; k < count; k++, step()) out[dst] = v.getInt32(pos + 4 * k, le); break;
    case MI_UINT32: for (let k = 0; k < count; k++, step()) out[dst] = v.getUint32(pos + 4 * k, le); break;
    case MI_SINGLE: for (let k = 0; k < count; k++, step()) out[dst] = v.getFloat32(pos + 4 * k, le); break;
    case MI_DOUBLE: for (let k = 0; k < count; k++, step()) out[dst] = v.getFloat64(pos + 8 * k, le); break;
    case MI_INT64: for (let k = 0; k < count; k++, step()) out[dst] = Number(v.getBigInt64(pos + 8 * k, le)); break;
    case MI_UINT64: for (let k = 0; k < count; k++, step()) out[dst] = Number(v.getBigUint64(pos + 8 * k, le)); break;
    default: r.fail(pos, `unsupported storage type ${type}`);
  }
  return matrix ? out : columnToRowMajor(out, dims);
}

// ---------------------------------------------------------------- Level 4

/** Level 4 type word MOPT: M byte order (0 little, 1 big), O = 0, P precision, T matrix type. Returns little-endianness or null. */
function level4Order(bytes: Uint8Array): boolean | null {
  if (bytes.length < 20) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const little of [true, false]) {
    const mopt = view.getInt32(0, little);
    if (validMopt(mopt) && Math.floor(mopt / 1000) === (little ? 0 : 1)) {
      const rows = view.getInt32(4, little), cols = view.getInt32(8, little), imagf = view.getInt32(12, little), namlen = view.getInt32(16, little);
      if (rows >= 0 && cols >= 0 && (imagf === 0 || imagf === 1) && namlen > 0 && namlen < 4096) return little;
    }
  }
  return null;
}

function validMopt(mopt: number): boolean {
  if (mopt < 0 || mopt > 1052) return false;
  const o = Math.floor(mopt / 100) % 10, p = Math.floor(mopt / 10) % 10, t = mopt % 10;
  return o === 0 && p <= 5 && t <= 2;
}

// Level 4 precisions P: double, single, int32, int16, uint16, uint8 (mapped to Level 5 storage types).
const P_TYPE = [MI_DOUBLE, MI_SINGLE, MI_INT32, MI_INT16, MI_UINT16, MI_UINT8];

function parseLevel4(bytes: Uint8Array, file: string, little: boolean): Variable[] {
  const r = new Reader(bytes, little, file, 0);
  const vars: Variable[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 20 > bytes.length) r.fail(pos, `truncated: a Level 4 matrix header needs 20 bytes, ${bytes.length - pos} remain`);
    const mopt = r.i32(pos);
    if (!validMopt(mopt) || Math.floor(mopt / 1000) !== (little ? 0 : 1)) r.fail(pos, `corrupted Level 4 type word ${mopt}`);
    const p = Math.floor(mopt / 10) % 10, t = mopt % 10;
    const rows = r.i32(pos + 4), cols = r.i32(pos + 8), imagf = r.i32(pos + 12), namlen = r.i32(pos + 16);
    if (rows < 0 || cols < 0 || namlen <= 0 || (imagf !== 0 && imagf !== 1)) r.fail(pos, 'corrupted Level 4 matrix header');
    const namePos = pos + 20;
    if (namePos + namlen > bytes.length) r.fail(pos, 'truncated: Level 4 matrix name');
    const name = text(bytes, namePos, namePos + namlen).replace(/\0.*$/s, '');
    const type = P_TYPE[p];
    const count = rows * cols;
    const dataPos = namePos + namlen;
    const partBytes = count * MI_SIZE[type];
    const end = dataPos + partBytes * (imagf ? 2 : 1);
    if (end > bytes.length) r.fail(pos, `truncated: variable ${JSON.stringify(name)} needs ${end - dataPos} bytes of data, ${bytes.length - dataPos} remain`);
    const cls: MatClass = t === 1 ? 'char' : t === 2 ? 'sparse' : 'double';
    const complex = imagf === 1;
    const supported = cls === 'double' && !complex;
    // NOTE: Level 4 holds only double matrices in MATLAB; P is a storage precision, converted to double on read.
    vars.push({
      name, class: cls, dims: [rows, cols], supported, ...(complex ? { complex: true as const } : {}),
      read: supported ? () => convert(r, type, dataPos, [rows, cols], 'double') : unsupported,
    });
    pos = end;
  }
  return vars;
}

// ---------------------------------------------------------------- order

/** MATLAB's column-major (first index fastest) to row-major (last index fastest), same dims. */
export function columnToRowMajor<T extends MatValues>(values: T, dims: readonly number[]): T {
  const n = values.length;
  if (dims.length < 2 || n <= 1) return values;
  const out = new (values.constructor as { new (n: number): T })(n);
  if (dims.length === 2) {
    const [rows, cols] = dims;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = values[j * rows + i];
    return out;
  }
  const rank = dims.length;
  const colStride = new Array<number>(rank);
  colStride[0] = 1;
  for (let k = 1; k < rank; k++) colStride[k] = colStride[k - 1] * dims[k - 1];
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let dst = 0; dst < n; dst++) {
    out[dst] = values[src];
    // Advance the row-major counter (last index fastest), tracking the column-major source offset.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      src += colStride[k];
      if (idx[k] < dims[k]) break;
      src -= colStride[k] * dims[k];
      idx[k] = 0;
    }
  }
  return out;
}
