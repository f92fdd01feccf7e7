/**
 * IEEE 754 half precision (safetensors' F16) to and from numbers, by hand: DataView's getFloat16 is newer than the
 * Node and browsers this project supports. Rounding is to nearest, ties to even, as numpy and PyTorch convert.
 */

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The largest finite half: a float32 at or beyond 65520 rounds to infinity. */
export const FLOAT16_MAX = 65504;

/** The 16 bits of the half nearest to `x` (first rounded to float32); beyond ±65504 it is ±Infinity. */
export function toFloat16Bits(x: number): number {
  F32[0] = x;
  const u = U32[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 112; // the half's biased exponent (127 − 15)
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A half subnormal (value = m · 2^-24) or zero: below 2^-25 everything rounds to zero.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa steps the exponent, up to infinity: the bit layout makes that right.
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++;
  return h;
}

/** The number that the 16 bits of a half hold. */
export function fromFloat16Bits(h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}
