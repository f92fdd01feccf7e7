/**
 * Structural checks of Parquet's Thrift (compact protocol) structures before hyparquet parses them: hyparquet sizes a
 * list by the count it reads (`new Array(count)`), so one flipped bit in a footer or page header could ask V8 for an
 * array too large to exist, which aborts the process instead of throwing. Here every count is checked against the
 * bytes left (each element takes at least one), every length against the end, and nesting is bounded.
 */
import type { ColumnMetaData, PageHeader, SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';

const STOP = 0, TRUE = 1, FALSE = 2, BYTE = 3, I16 = 4, I32 = 5, I64 = 6, DOUBLE = 7, BINARY = 8, LIST = 9, STRUCT = 12;

/** Walks one Thrift struct of `bytes` from `at`; returns where it ends, or calls `fail`. */
export function walkThriftStruct(bytes: Uint8Array, at: number, fail: (problem: string) => never, depth = 0): number {
  if (depth > 32) fail('Thrift structures nested more than 32 deep');
  for (;;) {
    if (at >= bytes.length) fail('a Thrift structure runs past its bytes');
    const byte = bytes[at++];
    const type = byte & 0x0f;
    if (type === STOP) return at;
    if (byte >> 4 === 0) at = varint(bytes, at, fail).at;
    at = element(bytes, at, type, fail, depth);
  }
}

function element(bytes: Uint8Array, at: number, type: number, fail: (problem: string) => never, depth: number): number {
  switch (type) {
    case TRUE: case FALSE: return at;
    case BYTE: return at + 1;
    case I16: case I32: case I64: return varint(bytes, at, fail).at;
    case DOUBLE: return at + 8;
    case BINARY: {
      const v = varint(bytes, at, fail);
      if (v.value > bytes.length - v.at) fail(`a Thrift string of ${v.value} bytes runs past its ${bytes.length - v.at}`);
      return v.at + v.value;
    }
    case LIST: {
      if (at >= bytes.length) fail('a Thrift list runs past its bytes');
      const head = bytes[at++];
      let size = head >> 4;
      if (size === 15) ({ value: size, at } = varint(bytes, at, fail));
      if (size > bytes.length - at) fail(`a Thrift list claims ${size} elements in ${bytes.length - at} bytes`);
      const elem = head & 0x0f;
      for (let i = 0; i < size; i++) at = elem === TRUE || elem === FALSE ? at + 1 : element(bytes, at, elem, fail, depth + 1);
      return at;
    }
    case STRUCT: return walkThriftStruct(bytes, at, fail, depth + 1);
    default: return fail(`unknown Thrift type ${type}`);
  }
}

function varint(bytes: Uint8Array, at: number, fail: (problem: string) => never): { value: number; at: number } {
  let value = 0;
  for (let shift = 0; shift < 70; shift += 7) {
    if (at >= bytes.length) fail('a Thrift number runs past its bytes');
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, at };
  }
  return fail('a Thrift number longer than 10 bytes');
}

/** The footer (file metadata) of a Parquet file of `size` bytes, read through `read`, checked as above. */
export async function checkParquetFooter(size: number, read: (start: number, end: number) => Promise<ArrayBuffer>, fail: (problem: string) => never): Promise<void> {
  if (size < 12) fail(`${size} bytes, too short for Parquet (PAR1 … PAR1)`);
  const tail = new Uint8Array(await read(size - 8, size));
  if (Buffer.from(tail.subarray(4)).toString('latin1') !== 'PAR1') fail('no PAR1 magic at the end (not Parquet, or truncated)');
  const length = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
  if (length < 2 || length > size - 12) fail(`footer length ${length} does not fit the ${size}-byte file`);
  const footer = new Uint8Array(await read(size - 8 - length, size - 8));
  walkThriftStruct(footer, 0, fail);
}

/**
 * The run lengths of one data page's RLE/bit-packed hybrid streams (repetition and definition levels, dictionary
 * indices, booleans), checked before hyparquet decodes the page. hyparquet 1.33 repeats an RLE run's value `count`
 * times into an array sized by the page's value count, with no bound, so one damaged run length grows a JavaScript
 * array until V8 aborts the whole process (ERR_WORKER_OUT_OF_MEMORY never fires; the fuzzer found it). Each stream is
 * walked as hyparquet's `readRleBitPackedHybrid` walks it (the same varints, starts and ends, from the same
 * decompressed bytes), and a run longer than the page's values left is refused. This keeps the guard in our code, so
 * that it reaches everyone who installs the package (a patch of the workspace's hyparquet does not travel).
 */
export function checkPageRuns(page: Uint8Array, header: PageHeader, chunk: ColumnMetaData, schema: SchemaElement[], fail: (problem: string) => never): void {
  const v1 = header.data_page_header, v2 = header.data_page_header_v2;
  if (!v1 && !v2) return;
  let path;
  try {
    path = getSchemaPath(schema, chunk.path_in_schema);
  } catch (e) {
    return fail(`no schema column for ${JSON.stringify(chunk.path_in_schema)} (${(e as Error)?.message ?? e})`);
  }
  const maxRep = getMaxRepetitionLevel(path), maxDef = getMaxDefinitionLevel(path);
  const boolean = path[path.length - 1].element.type === 'BOOLEAN';
  const decompress = (bytes: Uint8Array, size: number): Uint8Array => {
    try {
      return decompressPage(bytes, size, chunk.codec, compressors);
    } catch (e) {
      // A damaged footer may leave the codec out, or give a number no codec has: hyparquet then reads it as undefined.
      if (typeof chunk.codec !== 'string') return fail('its column chunk names no compression codec that Parquet defines');
      return fail(`a ${chunk.codec} page does not decompress (${(e as Error)?.message ?? e})`);
    }
  };
  if (v1) {
    const r = runReader(decompress(page, header.uncompressed_page_size), fail);
    if (path.length > 1 && maxRep) r.hybrid('repetition levels', bitWidth(maxRep), v1.num_values);
    if (maxDef) r.hybrid('definition levels', bitWidth(maxDef), v1.num_values);
    // The values left after the nulls are at most num_values: a run within that bound grows nothing without end.
    if (v1.encoding === 'PLAIN_DICTIONARY' || v1.encoding === 'RLE_DICTIONARY' || v1.encoding === 'RLE') {
      if (boolean) r.hybrid('boolean values', 1, v1.num_values, undefined, true);
      else {
        const width = r.byte();
        if (width) r.hybrid('dictionary indices', width, v1.num_values, r.left(), true);
      }
    }
    return;
  }
  // Version 2: the levels come first, uncompressed, with their lengths in the header; then the (compressed) values.
  const d = v2!;
  const levels = runReader(page, fail);
  if (maxRep) levels.hybrid('repetition levels', bitWidth(maxRep), d.num_values, d.repetition_levels_byte_length);
  levels.seek(d.repetition_levels_byte_length);
  if (maxDef) levels.hybrid('definition levels', bitWidth(maxDef), d.num_values, d.definition_levels_byte_length);
  const size = header.uncompressed_page_size - d.definition_levels_byte_length - d.repetition_levels_byte_length;
  let values = page.subarray(levels.at());
  if (d.is_compressed !== false && size) values = decompress(values, size);
  const r = runReader(values, fail);
  const count = d.num_values - d.num_nulls;
  if (d.encoding === 'RLE') r.hybrid('boolean values', 1, count);
  else if (d.encoding === 'PLAIN_DICTIONARY' || d.encoding === 'RLE_DICTIONARY') {
    const width = r.byte();
    r.hybrid('dictionary indices', width, count, size - 1);
  }
}

const bitWidth = (value: number): number => 32 - Math.clz32(value);

/** A cursor over a page's bytes that walks hybrid streams as hyparquet reads them (its offsets, its varints). */
function runReader(bytes: Uint8Array, fail: (problem: string) => never) {
  let at = 0;
  const need = (n: number, what: string): void => {
    if (!(n >= 0 && at + n <= bytes.length)) fail(`${what} runs past the page's ${bytes.length} bytes`);
  };
  // hyparquet's readVarInt: 7 bits a byte OR-ed in at a growing shift (in 32-bit arithmetic, as there).
  const varint = (what: string): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      need(1, what);
      const b = bytes[at++];
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
  };
  return {
    at: () => at,
    left: () => bytes.length - at,
    seek: (to: number) => { at = to; },
    byte: (): number => { need(1, 'a bit width'); return bytes[at++]; },
    /**
     * One stream of `total` values (at most `total`, when `bound`); `length` its bytes, else a 4-byte length first
     * (as hyparquet reads it).
     */
    hybrid(what: string, width: number, total: number, length?: number, bound = false): void {
      if (length === undefined) {
        need(4, `the length of the ${what}`);
        length = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
        at += 4;
      }
      const start = at;
      // hyparquet reads runs until it has its values, past `length` if they are not there (into the next stream or
      // the values, where a run may claim billions), so the walk does too. A v1 page's values hold only
      // the non-null values, fewer than num_values (`bound`): that walk also ends with the page's bytes.
      for (let seen = 0; seen < total && (!bound || at < bytes.length);) {
        const header = varint(`a run header of the ${what}`);
        if (header & 1) {
          const count = (header >> 1) << 3;
          if (count < 0) fail(`the ${what} have a bit-packed run of ${header >>> 1} groups`);
          // hyparquet reads a first byte, then one more each time the next value's bits are not all loaded.
          const bytesOfRun = count * width > 0 ? Math.ceil((count * width) / 8) : at < bytes.length ? 1 : 0;
          need(bytesOfRun, `a bit-packed run of the ${what}`);
          at += bytesOfRun;
          seen = Math.min(total, seen + count);
        } else {
          const count = header >>> 1;
          if (count > total - seen) fail(`the ${what} have a run of ${count} values where ${total - seen} of ${total} are left`);
          need((width + 7) >> 3, `a run of the ${what}`);
          at += (width + 7) >> 3;
          seen += count;
        }
      }
      at = start + length;
    },
  };
}
