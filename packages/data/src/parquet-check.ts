/**
 * Structural checks of Parquet's Thrift (compact protocol) structures before hyparquet parses them: hyparquet sizes a
 * list by the count it reads (`new Array(count)`), so one flipped bit in a footer or page header could ask V8 for an
 * array too large to exist, which aborts the process instead of throwing. Here every count is checked against the
 * bytes left (each element takes at least one), every length against the end, and nesting is bounded.
 */
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
