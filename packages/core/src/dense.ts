/**
 * Kernels of a fully connected layer over input-major weights (see params.ts): flat loops over typed arrays,
 * offsets precomputed, accumulators kept in locals (register blocking over 4 output units), no allocation.
 * They write into buffers the caller owns and validate nothing (validation happens at the public entries).
 */
import type { Features } from './network.ts';

/**
 * Collects the nonzero inputs of one sample (about 19% of an MNIST image): their weight-row offsets
 * (i · stride, so the kernels below add instead of multiply) and their scaled values.
 */
export function gatherNonzero(x: Features, offset: number, n: number, scale: number, stride: number, rows: Int32Array, value: Float64Array): number {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = x[offset + i];
    if (v !== 0) {
      rows[count] = i * stride;
      value[count] = v * scale;
      count++;
    }
  }
  return count;
}

/**
 * z[o] = b[o] + Σₖ value[k] · W[row k][o] over the nonzero inputs only. Outputs are taken 12 a pass with the
 * sums in locals (registers), then 4, then 1: per pass the row list is read once, so wider passes mean fewer
 * reloads; 12 was the fastest width measured (docs/performance.md#one-thread).
 */
export function sparseForward(
  p: Float32Array, wOff: number, bOff: number, out: number,
  rows: Int32Array, value: Float64Array, count: number, z: Float64Array,
): void {
  let o = 0;
  for (; o + 12 <= out; o += 12) {
    const c = bOff + o;
    let s0 = p[c], s1 = p[c + 1], s2 = p[c + 2], s3 = p[c + 3], s4 = p[c + 4], s5 = p[c + 5];
    let s6 = p[c + 6], s7 = p[c + 7], s8 = p[c + 8], s9 = p[c + 9], s10 = p[c + 10], s11 = p[c + 11];
    const base = wOff + o;
    for (let k = 0; k < count; k++) {
      const r = base + rows[k];
      const v = value[k];
      s0 += v * p[r]; s1 += v * p[r + 1]; s2 += v * p[r + 2]; s3 += v * p[r + 3];
      s4 += v * p[r + 4]; s5 += v * p[r + 5]; s6 += v * p[r + 6]; s7 += v * p[r + 7];
      s8 += v * p[r + 8]; s9 += v * p[r + 9]; s10 += v * p[r + 10]; s11 += v * p[r + 11];
    }
    z[o] = s0; z[o + 1] = s1; z[o + 2] = s2; z[o + 3] = s3; z[o + 4] = s4; z[o + 5] = s5;
    z[o + 6] = s6; z[o + 7] = s7; z[o + 8] = s8; z[o + 9] = s9; z[o + 10] = s10; z[o + 11] = s11;
  }
  for (; o + 4 <= out; o += 4) {
    let s0 = p[bOff + o], s1 = p[bOff + o + 1], s2 = p[bOff + o + 2], s3 = p[bOff + o + 3];
    const base = wOff + o;
    for (let k = 0; k < count; k++) {
      const r = base + rows[k];
      const v = value[k];
      s0 += v * p[r]; s1 += v * p[r + 1]; s2 += v * p[r + 2]; s3 += v * p[r + 3];
    }
    z[o] = s0; z[o + 1] = s1; z[o + 2] = s2; z[o + 3] = s3;
  }
  for (; o < out; o++) {
    let s = p[bOff + o];
    for (let k = 0; k < count; k++) s += value[k] * p[wOff + rows[k] + o];
    z[o] = s;
  }
}

/** z[o] = b[o] + Σᵢ a[i] · W[i][o] for a dense input. */
export function denseForward(p: Float32Array, wOff: number, bOff: number, inSize: number, out: number, stride: number, a: Float64Array, z: Float64Array): void {
  let o = 0;
  for (; o + 4 <= out; o += 4) {
    let s0 = p[bOff + o], s1 = p[bOff + o + 1], s2 = p[bOff + o + 2], s3 = p[bOff + o + 3];
    let r = wOff + o;
    for (let i = 0; i < inSize; i++, r += stride) {
      const v = a[i];
      s0 += v * p[r];
      s1 += v * p[r + 1];
      s2 += v * p[r + 2];
      s3 += v * p[r + 3];
    }
    z[o] = s0; z[o + 1] = s1; z[o + 2] = s2; z[o + 3] = s3;
  }
  for (; o < out; o++) {
    let s = p[bOff + o];
    let r = wOff + o;
    for (let i = 0; i < inSize; i++, r += stride) s += a[i] * p[r];
    z[o] = s;
  }
}

/**
 * Backward through a dense layer: prev[i] = Σₒ W[i][o] δ[o] (the caller multiplies by g′), read from row i
 * before row i is updated. With `grad` null, updates in place: W[i][o] −= lr·a[i]·δ[o], b[o] −= lr·δ[o].
 * With `grad`, writes ∂C/∂W = a δᵀ and ∂C/∂b = δ there instead and leaves the parameters alone.
 */
export function denseBackward(
  p: Float32Array, wOff: number, bOff: number, inSize: number, out: number, stride: number,
  a: Float64Array, delta: Float64Array, prev: Float64Array, scaled: Float64Array, lr: number,
  grad: Float64Array | Float32Array | null,
): void {
  if (grad === null) {
    for (let o = 0; o < out; o++) scaled[o] = lr * delta[o];
    let r = wOff;
    for (let i = 0; i < inSize; i++, r += stride) {
      const ai = a[i];
      let s = 0;
      for (let o = 0; o < out; o++) {
        const w = p[r + o];
        s += w * delta[o];
        p[r + o] = w - ai * scaled[o];
      }
      prev[i] = s;
    }
    for (let o = 0; o < out; o++) p[bOff + o] -= scaled[o];
  } else {
    let r = wOff;
    for (let i = 0; i < inSize; i++, r += stride) {
      const ai = a[i];
      let s = 0;
      for (let o = 0; o < out; o++) {
        s += p[r + o] * delta[o];
        grad[r + o] = ai * delta[o];
      }
      prev[i] = s;
    }
    for (let o = 0; o < out; o++) grad[bOff + o] = delta[o];
  }
}

/**
 * First-layer update over the nonzero inputs only: W[row k][o] −= lr·value[k]·δ[o], b −= lr·δ.
 * lr·δ is held in locals 8 outputs a pass (wider passes measured slower here), then 4, then 1.
 */
export function sparseUpdate(
  p: Float32Array, wOff: number, bOff: number, out: number,
  rows: Int32Array, value: Float64Array, count: number, delta: Float64Array, scaled: Float64Array, lr: number,
): void {
  for (let o = 0; o < out; o++) scaled[o] = lr * delta[o];
  let o = 0;
  for (; o + 8 <= out; o += 8) {
    const d0 = scaled[o], d1 = scaled[o + 1], d2 = scaled[o + 2], d3 = scaled[o + 3];
    const d4 = scaled[o + 4], d5 = scaled[o + 5], d6 = scaled[o + 6], d7 = scaled[o + 7];
    const base = wOff + o;
    for (let k = 0; k < count; k++) {
      const r = base + rows[k];
      const v = value[k];
      p[r] -= v * d0; p[r + 1] -= v * d1; p[r + 2] -= v * d2; p[r + 3] -= v * d3;
      p[r + 4] -= v * d4; p[r + 5] -= v * d5; p[r + 6] -= v * d6; p[r + 7] -= v * d7;
    }
  }
  for (; o + 4 <= out; o += 4) {
    const d0 = scaled[o], d1 = scaled[o + 1], d2 = scaled[o + 2], d3 = scaled[o + 3];
    const base = wOff + o;
    for (let k = 0; k < count; k++) {
      const r = base + rows[k];
      const v = value[k];
      p[r] -= v * d0; p[r + 1] -= v * d1; p[r + 2] -= v * d2; p[r + 3] -= v * d3;
    }
  }
  for (; o < out; o++) {
    const d = scaled[o];
    for (let k = 0; k < count; k++) p[wOff + rows[k] + o] -= value[k] * d;
  }
  for (o = 0; o < out; o++) p[bOff + o] -= scaled[o];
}

/** First-layer gradient: rows of nonzero inputs get value·δ (the caller zeroed `grad`), the bias gets δ. */
export function sparseGrad(
  grad: Float64Array | Float32Array, wOff: number, bOff: number, out: number,
  rows: Int32Array, value: Float64Array, count: number, delta: Float64Array,
): void {
  for (let k = 0; k < count; k++) {
    const r = wOff + rows[k];
    const v = value[k];
    for (let o = 0; o < out; o++) grad[r + o] = v * delta[o];
  }
  for (let o = 0; o < out; o++) grad[bOff + o] = delta[o];
}
