// How the kernel reads a sample's inputs from a dataset in the shared memory, through its data descriptor (the words
// of src/descriptor.ts's DataWord, written by the host's src/data-layout.ts): dense rows of uint8 pixels or float32
// values, or sparse rows of (index, value) pairs. Each kind ends in the same list of the first layer's nonzero inputs
// (their weight rows and values) that the math (math.ts) works on, so the cost of a sample follows its nonzeros.
import { DataWord, InputCode } from '../src/descriptor';
import { touch } from './merge';

/** Word k (a DataWord) of a data descriptor. */
// @ts-ignore: decorator
@inline export function dataWord(data: usize, k: i32): i32 {
  return load<i32>(data + (<usize>k << 2));
}

/** The float32 word k of a data descriptor (SCALE). */
// @ts-ignore: decorator
@inline export function dataFloat(data: usize, k: i32): f32 {
  return load<f32>(data + (<usize>k << 2));
}

/**
 * Sample s's nonzero inputs into the first layer's lists: each one's weight row (its index times `strideBytes`) into
 * `rows`, its value times the dataset's scale into `vals`. Returns their count. With `flags`, each one's touch
 * counter is counted too (gatherF32).
 */
export function gatherInputs(data: usize, s: i32, strideBytes: i32, rows: usize, vals: usize, flags: usize): i32 {
  const kind = dataWord(data, DataWord.INPUT);
  const n = dataWord(data, DataWord.FEATURES);
  const scale = dataFloat(data, DataWord.SCALE);
  const values = <usize>dataWord(data, DataWord.VALUES);
  if (kind == InputCode.U8) return gatherU8(values + <usize>s * <usize>n, n, scale, strideBytes, rows, vals, flags);
  if (kind == InputCode.F32) return gatherF32(values + ((<usize>s * <usize>n) << 2), n, scale, strideBytes, rows, vals, flags);
  return gatherSparse(data, s, scale, strideBytes, rows, vals, flags);
}

/**
 * A sparse row's entries, as they are: their indices are distinct (the host checks it when it loads the data), so
 * each weight row appears once in the list, as the dense gathers make it.
 */
function gatherSparse(data: usize, s: i32, scale: f32, strideBytes: i32, rows: usize, vals: usize, flags: usize): i32 {
  const offsets = <usize>dataWord(data, DataWord.OFFSETS);
  const indices = <usize>dataWord(data, DataWord.INDICES);
  const values = <usize>dataWord(data, DataWord.VALUES);
  const from = load<i32>(offsets + (<usize>s << 2));
  const to = load<i32>(offsets + (<usize>(s + 1) << 2));
  let count = 0;
  for (let k = from; k < to; k++) {
    const i = load<i32>(indices + (<usize>k << 2));
    store<i32>(rows + (<usize>count << 2), i * strideBytes);
    store<f32>(vals + (<usize>count << 2), load<f32>(values + (<usize>k << 2)) * scale);
    if (flags != 0) touch(flags + <usize>i);
    count++;
  }
  return count;
}

/**
 * Nonzero uint8 inputs: 64 bytes at a time (then 16, then one); a block of zero background is skipped, and in a
 * block with ink the positions of nonzero bytes come from a bit mask, visited with count-trailing-zeros (no
 * per-byte branch).
 */
function gatherU8(x: usize, n: i32, scale: f32, strideBytes: i32, rows: usize, vals: usize, flags: usize): i32 {
  let count = 0;
  let i = 0;
  const zero = i8x16.splat(0);
  // One mask of 64 bytes (four of 16): a digit's ink spans few of them, so the visits end (a mispredicted branch
  // each) fewer times a sample than with masks of 16; R about 7% faster (AMD EPYC, Node 26).
  for (; i + 64 <= n; i += 64) {
    const p = x + <usize>i;
    let mask = <u64>i8x16.bitmask(i8x16.ne(v128.load(p), zero)) | <u64>i8x16.bitmask(i8x16.ne(v128.load(p, 16), zero)) << 16
      | <u64>i8x16.bitmask(i8x16.ne(v128.load(p, 32), zero)) << 32 | <u64>i8x16.bitmask(i8x16.ne(v128.load(p, 48), zero)) << 48;
    while (mask != 0) {
      const j = i + <i32>ctz(mask);
      store<i32>(rows + (<usize>count << 2), j * strideBytes);
      store<f32>(vals + (<usize>count << 2), <f32>load<u8>(x + <usize>j) * scale);
      if (flags != 0) touch(flags + <usize>j);
      count++;
      mask &= mask - 1;
    }
  }
  for (; i + 16 <= n; i += 16) {
    let mask = i8x16.bitmask(i8x16.ne(v128.load(x + <usize>i), zero));
    while (mask != 0) {
      const j = i + ctz(mask);
      store<i32>(rows + (<usize>count << 2), j * strideBytes);
      store<f32>(vals + (<usize>count << 2), <f32>load<u8>(x + <usize>j) * scale);
      if (flags != 0) touch(flags + <usize>j);
      count++;
      mask &= mask - 1;
    }
  }
  for (; i < n; i++) {
    const b = load<u8>(x + <usize>i);
    if (b != 0) {
      store<i32>(rows + (<usize>count << 2), i * strideBytes);
      store<f32>(vals + (<usize>count << 2), <f32>b * scale);
      if (flags != 0) touch(flags + <usize>i);
      count++;
    }
  }
  return count;
}

/**
 * Nonzero float inputs (float32 features, or the activations of a hidden layer). With `flags` (the touch counters of
 * the first layer, in a training step of a view that merges; 0 otherwise), each nonzero input's row is counted too,
 * as gatherU8 does: the rows the step will change, for the merges.
 */
export function gatherF32(x: usize, n: i32, scale: f32, strideBytes: i32, rows: usize, vals: usize, flags: usize): i32 {
  let count = 0;
  let i = 0;
  if (flags == 0) {
    // Four inputs at a time where all four are nonzero (a sigmoid or tanh layer's always are): one store of their
    // values and one of their rows, the same as four of the loop below.
    const zero = f32x4.splat(0), scalev = f32x4.splat(scale), step = i32x4.splat(strideBytes << 2);
    let row = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(strideBytes));
    for (; i + 4 <= n; i += 4, row = i32x4.add(row, step)) {
      const v = v128.load(x + (<usize>i << 2));
      if (!i32x4.all_true(f32x4.ne(v, zero))) break;
      v128.store(vals + (<usize>count << 2), f32x4.mul(v, scalev));
      v128.store(rows + (<usize>count << 2), row);
      count += 4;
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != 0) {
      store<i32>(rows + (<usize>count << 2), i * strideBytes);
      store<f32>(vals + (<usize>count << 2), v * scale);
      if (flags != 0) touch(flags + <usize>i);
      count++;
    }
  }
  return count;
}

