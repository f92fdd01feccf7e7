// The WebAssembly SIMD kernel: the same per-sample math as src/network.ts (forward, error terms, in-place
// SGD), in float32 with 4-lane SIMD, over parameters, data and scratch that all live in one shared
// WebAssembly.Memory (its buffer is a SharedArrayBuffer, so every worker instance sees the same weights).
//
// Nothing here allocates: the host lays out memory and describes one network view by a block of i32 words
// (see src/wasm-kernel.ts, which writes it):
//   word 0: L (weight layers)   1: hidden activation (0 sigmoid, 1 relu, 2 tanh)   2: loss (0 cross-entropy, 1 square, 2 softmax)
//   word 3: nonzero inputs of the current sample (kept from forward to the update)
//   words 4-18, replication of the parameters (0 in word 4: off, plain Hogwild on the shared parameters):
//     4: merge period of the first-layer rows, in samples   5: replica ptr   6: snapshot ptr   7: shared ptr   8: bytes   9: samples since the last sync
//     10: touch counters ptr (a byte per first-layer row, padded to a multiple of 16 bytes: the samples that changed the row since its last merge, up to 255)
//     11: the first row of this view's merge scan (a multiple of 16; views start apart so that merges at once meet seldom)
//     12: touches that make a row due (a row is merged at the first check, every word-4 samples, after this many changes of it; 1: every changed row)
//     13: locks ptr (shared by all views: one i32 every 64 bytes, groups of ROW_GROUP first-layer rows, then dense blocks)
//     14-15: floats merged so far (f64, read and reset by the host)   16: byte offset of the dense region (first-layer bias onwards)
//     17: merge period of the dense region (0: with the rows)   18: samples since the last dense merge
//   word 20 + 12·l, for layer l:  in, out, stride, W ptr, b ptr, z/a ptr, δ ptr, rows ptr, vals ptr, scaled ptr
// W is input-major with rows of `stride` floats (out rounded up to 4), as in src/params.ts.
// rows/vals hold the layer's nonzero inputs of the current sample: byte offsets of their weight rows and values.

const HIDDEN: i32 = 1;
const LOSS: i32 = 2;
const NONZERO: i32 = 3;
// The descriptor's word numbers are exported (as WebAssembly globals) so that a test checks them against the host's
// DESCRIPTOR table in src/wasm-kernel.ts: the two sides can never disagree silently.
export const LAYER0: i32 = 20;
export const SYNC_EVERY: i32 = 4, REPLICA: i32 = 5, SNAPSHOT: i32 = 6, SHARED: i32 = 7, REPLICA_BYTES: i32 = 8, SINCE_SYNC: i32 = 9;
export const DIRTY_FLAGS: i32 = 10, MERGE_FROM: i32 = 11, MERGE_TOUCHES: i32 = 12, LOCKS: i32 = 13, MERGED: i32 = 14, DENSE_AT: i32 = 16, DENSE_EVERY: i32 = 17, SINCE_DENSE: i32 = 18;
export const WORDS: i32 = 12;
/** Bytes between two lock words (a cache line each, so that merges of neighbouring rows do not contend on one line). */
export const LOCK_SPACING: i32 = 64;
/** Floats of the dense region under one lock. */
export const DENSE_BLOCK: i32 = 256;
/** First-layer rows under one lock (consecutive rows: a merge takes a lock once for all of its dirty rows in a group). */
export const ROW_GROUP: i32 = 8;

const F_IN: i32 = 0, F_OUT: i32 = 1, F_STRIDE: i32 = 2, F_W: i32 = 3, F_B: i32 = 4, F_A: i32 = 5, F_D: i32 = 6, F_ROWS: i32 = 7, F_VALS: i32 = 8, F_SCALED: i32 = 9;

// @ts-ignore: decorator
@inline function field(net: usize, l: i32, f: i32): usize {
  return <usize>load<i32>(net + (<usize>(LAYER0 + l * WORDS + f) << 2));
}
// @ts-ignore: decorator
@inline function word(net: usize, k: i32): i32 {
  return load<i32>(net + (<usize>k << 2));
}

/** Counts a touch of a first-layer row for the merge (a byte per row, saturating at 255: it never wraps to "clean"). */
// @ts-ignore: decorator
@inline function touch(counter: usize): void {
  const c = load<u8>(counter);
  store<u8>(counter, c + <u8>(c != 255));
}

/**
 * Nonzero uint8 inputs: 16 bytes at a time; a block of zero background is skipped, and in a block with ink
 * the positions of nonzero bytes come from a bit mask, visited with count-trailing-zeros (no per-byte branch).
 */
function gatherU8(x: usize, n: i32, scale: f32, strideBytes: i32, rows: usize, vals: usize, flags: usize): i32 {
  let count = 0;
  let i = 0;
  const zero = i8x16.splat(0);
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
 * the first layer in a training step with replication on; 0 otherwise), each nonzero input's row is counted too, as
 * gatherU8 does: the rows the step will change, for the merges.
 */
function gatherF32(x: usize, n: i32, scale: f32, strideBytes: i32, rows: usize, vals: usize, flags: usize): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) {
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

/**
 * z = b + Σₖ vals[k]·W[row k], over the nonzero inputs only. The outputs are taken in register blocks: a pass over
 * the nonzero rows accumulates 7 vectors (28 outputs), then 4, 3 and 1 for what remains, so 100 outputs take
 * 7+7+7+4 and 10 outputs 3. Seven is the most that V8's 16 SIMD registers hold with the loads in flight
 * (8 spilled an accumulator to the stack); fewer passes means fewer reloads of the row list.
 */
function sparseForward(w: usize, b: usize, stride: i32, rows: usize, vals: usize, count: i32, z: usize): void {
  let o = 0;
  for (; o + 28 <= stride; o += 28) {
    const bo = b + (<usize>o << 2);
    let s0 = v128.load(bo, 0);
    let s1 = v128.load(bo, 16);
    let s2 = v128.load(bo, 32);
    let s3 = v128.load(bo, 48);
    let s4 = v128.load(bo, 64);
    let s5 = v128.load(bo, 80);
    let s6 = v128.load(bo, 96);
    const base = w + (<usize>o << 2);
    let k = 0;
    for (; k < count; k++) {
      const r = base + <usize>load<i32>(rows + (<usize>k << 2));
      const v = f32x4.splat(load<f32>(vals + (<usize>k << 2)));
      s0 = f32x4.add(s0, f32x4.mul(v, v128.load(r, 0)));
      s1 = f32x4.add(s1, f32x4.mul(v, v128.load(r, 16)));
      s2 = f32x4.add(s2, f32x4.mul(v, v128.load(r, 32)));
      s3 = f32x4.add(s3, f32x4.mul(v, v128.load(r, 48)));
      s4 = f32x4.add(s4, f32x4.mul(v, v128.load(r, 64)));
      s5 = f32x4.add(s5, f32x4.mul(v, v128.load(r, 80)));
      s6 = f32x4.add(s6, f32x4.mul(v, v128.load(r, 96)));
    }
    const zo = z + (<usize>o << 2);
    v128.store(zo, s0, 0);
    v128.store(zo, s1, 16);
    v128.store(zo, s2, 32);
    v128.store(zo, s3, 48);
    v128.store(zo, s4, 64);
    v128.store(zo, s5, 80);
    v128.store(zo, s6, 96);
  }
  for (; o + 16 <= stride; o += 16) {
    const bo = b + (<usize>o << 2);
    let s0 = v128.load(bo, 0);
    let s1 = v128.load(bo, 16);
    let s2 = v128.load(bo, 32);
    let s3 = v128.load(bo, 48);
    const base = w + (<usize>o << 2);
    let k = 0;
    for (; k < count; k++) {
      const r = base + <usize>load<i32>(rows + (<usize>k << 2));
      const v = f32x4.splat(load<f32>(vals + (<usize>k << 2)));
      s0 = f32x4.add(s0, f32x4.mul(v, v128.load(r, 0)));
      s1 = f32x4.add(s1, f32x4.mul(v, v128.load(r, 16)));
      s2 = f32x4.add(s2, f32x4.mul(v, v128.load(r, 32)));
      s3 = f32x4.add(s3, f32x4.mul(v, v128.load(r, 48)));
    }
    const zo = z + (<usize>o << 2);
    v128.store(zo, s0, 0);
    v128.store(zo, s1, 16);
    v128.store(zo, s2, 32);
    v128.store(zo, s3, 48);
  }
  for (; o + 12 <= stride; o += 12) {
    const bo = b + (<usize>o << 2);
    let s0 = v128.load(bo, 0);
    let s1 = v128.load(bo, 16);
    let s2 = v128.load(bo, 32);
    const base = w + (<usize>o << 2);
    let k = 0;
    for (; k < count; k++) {
      const r = base + <usize>load<i32>(rows + (<usize>k << 2));
      const v = f32x4.splat(load<f32>(vals + (<usize>k << 2)));
      s0 = f32x4.add(s0, f32x4.mul(v, v128.load(r, 0)));
      s1 = f32x4.add(s1, f32x4.mul(v, v128.load(r, 16)));
      s2 = f32x4.add(s2, f32x4.mul(v, v128.load(r, 32)));
    }
    const zo = z + (<usize>o << 2);
    v128.store(zo, s0, 0);
    v128.store(zo, s1, 16);
    v128.store(zo, s2, 32);
  }
  for (; o + 4 <= stride; o += 4) {
    const bo = b + (<usize>o << 2);
    let s0 = v128.load(bo, 0);
    const base = w + (<usize>o << 2);
    let k = 0;
    for (; k < count; k++) {
      const r = base + <usize>load<i32>(rows + (<usize>k << 2));
      const v = f32x4.splat(load<f32>(vals + (<usize>k << 2)));
      s0 = f32x4.add(s0, f32x4.mul(v, v128.load(r, 0)));
    }
    const zo = z + (<usize>o << 2);
    v128.store(zo, s0, 0);
  }
}

/** W[row k] −= vals[k]·scaled and b −= scaled, scaled = lr·δ held in registers in the same blocks as sparseForward. */
function sparseUpdate(w: usize, b: usize, stride: i32, rows: usize, vals: usize, count: i32, scaled: usize): void {
  let o = 0;
  for (; o + 28 <= stride; o += 28) {
    const so = scaled + (<usize>o << 2);
    const d0 = v128.load(so, 0);
    const d1 = v128.load(so, 16);
    const d2 = v128.load(so, 32);
    const d3 = v128.load(so, 48);
    const d4 = v128.load(so, 64);
    const d5 = v128.load(so, 80);
    const d6 = v128.load(so, 96);
    const base = w + (<usize>o << 2);
    for (let k = 0; k < count; k++) {
      const r = base + <usize>load<i32>(rows + (<usize>k << 2));
      const v = f32x4.splat(load<f32>(vals + (<usize>k << 2)));
      v128.store(r, f32x4.sub(v128.load(r, 0), f32x4.mul(v, d0)), 0);
      v128.store(r, f32x4.sub(v128.load(r, 16), f32x4.mul(v, d1)), 16);
      v128.store(r, f32x4.sub(v128.load(r, 32), f32x4.mul(v, d2)), 32);
      v128.store(r, f32x4.sub(v128.load(r, 48), f32x4.mul(v, d3)), 48);
      v128.store(r, f32x4.sub(v128.load(r, 64), f32x4.mul(v, d4)), 64);
      v128.store(r, f32x4.sub(v128.load(r, 80), f32x4.mul(v, d5)), 80);
      v128.store(r, f32x4.sub(v128.load(r, 96), f32x4.mul(v, d6)), 96);
    }
  }
  for (; o + 16 <= stride; o += 16) {
    const so = scaled + (<usize>o << 2);
    const d0 = v128.load(so, 0);
    const d1 = v128.load(so, 16);
    const d2 = v128.load(so, 32);
    const d3 = v128.load(so, 48);
    const base = w + (<usize>o << 2);
    for (let k = 0; k < count; k++) {
      const r = base + <usize>load<i32>(rows + (<usize>k << 2));
      const v = f32x4.splat(load<f32>(vals + (<usize>k << 2)));
      v128.store(r, f32x4.sub(v128.load(r, 0), f32x4.mul(v, d0)), 0);
      v128.store(r, f32x4.sub(v128.load(r, 16), f32x4.mul(v, d1)), 16);
      v128.store(r, f32x4.sub(v128.load(r, 32), f32x4.mul(v, d2)), 32);
      v128.store(r, f32x4.sub(v128.load(r, 48), f32x4.mul(v, d3)), 48);
    }
  }
  for (; o + 12 <= stride; o += 12) {
    const so = scaled + (<usize>o << 2);
    const d0 = v128.load(so, 0);
    const d1 = v128.load(so, 16);
    const d2 = v128.load(so, 32);
    const base = w + (<usize>o << 2);
    for (let k = 0; k < count; k++) {
      const r = base + <usize>load<i32>(rows + (<usize>k << 2));
      const v = f32x4.splat(load<f32>(vals + (<usize>k << 2)));
      v128.store(r, f32x4.sub(v128.load(r, 0), f32x4.mul(v, d0)), 0);
      v128.store(r, f32x4.sub(v128.load(r, 16), f32x4.mul(v, d1)), 16);
      v128.store(r, f32x4.sub(v128.load(r, 32), f32x4.mul(v, d2)), 32);
    }
  }
  for (; o + 4 <= stride; o += 4) {
    const so = scaled + (<usize>o << 2);
    const d0 = v128.load(so, 0);
    const base = w + (<usize>o << 2);
    for (let k = 0; k < count; k++) {
      const r = base + <usize>load<i32>(rows + (<usize>k << 2));
      const v = f32x4.splat(load<f32>(vals + (<usize>k << 2)));
      v128.store(r, f32x4.sub(v128.load(r, 0), f32x4.mul(v, d0)), 0);
    }
  }
  for (o = 0; o < stride; o += 4) {
    const bo = b + (<usize>o << 2);
    v128.store(bo, f32x4.sub(v128.load(bo), v128.load(scaled + (<usize>o << 2))));
  }
}

/**
 * Backward through a layer whose input is dense (a hidden layer's activations a, length `inSize`):
 * prev[i] = g′(a[i]) · Σₒ W[i][o]·δ[o], read from row i just before row i is updated (W[i] −= a[i]·scaled).
 * Rows go 4 at a time, so the four sums end in one vector by a transposing reduction and g′ is taken on 4 lanes.
 */
function denseBackward(w: usize, b: usize, inSize: i32, stride: i32, a: usize, delta: usize, scaled: usize, prev: usize, hidden: i32): void {
  const strideBytes = <usize>stride << 2;
  let r = w;
  let i = 0;
  for (; i + 4 <= inSize; i += 4, r += strideBytes << 2) {
    const a4 = v128.load(a + (<usize>i << 2));
    const a0 = f32x4.splat(f32x4.extract_lane(a4, 0)), a1 = f32x4.splat(f32x4.extract_lane(a4, 1));
    const a2 = f32x4.splat(f32x4.extract_lane(a4, 2)), a3 = f32x4.splat(f32x4.extract_lane(a4, 3));
    const r1 = r + strideBytes, r2 = r1 + strideBytes, r3 = r2 + strideBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let o: usize = 0; o < strideBytes; o += 16) {
      const d = v128.load(delta + o), l = v128.load(scaled + o);
      const w0 = v128.load(r + o), w1 = v128.load(r1 + o), w2 = v128.load(r2 + o), w3 = v128.load(r3 + o);
      s0 = f32x4.add(s0, f32x4.mul(w0, d));
      s1 = f32x4.add(s1, f32x4.mul(w1, d));
      s2 = f32x4.add(s2, f32x4.mul(w2, d));
      s3 = f32x4.add(s3, f32x4.mul(w3, d));
      v128.store(r + o, f32x4.sub(w0, f32x4.mul(a0, l)));
      v128.store(r1 + o, f32x4.sub(w1, f32x4.mul(a1, l)));
      v128.store(r2 + o, f32x4.sub(w2, f32x4.mul(a2, l)));
      v128.store(r3 + o, f32x4.sub(w3, f32x4.mul(a3, l)));
    }
    // [Σs0, Σs1, Σs2, Σs3]: interleave pairs and add, twice.
    const t01 = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), v128.shuffle<f32>(s0, s1, 2, 6, 3, 7));
    const t23 = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), v128.shuffle<f32>(s2, s3, 2, 6, 3, 7));
    const sums = f32x4.add(v128.shuffle<f32>(t01, t23, 0, 1, 4, 5), v128.shuffle<f32>(t01, t23, 2, 3, 6, 7));
    v128.store(prev + (<usize>i << 2), f32x4.mul(sums, derivative4(a4, hidden)));
  }
  for (; i < inSize; i++, r += strideBytes) {
    const ai = load<f32>(a + (<usize>i << 2));
    const av = f32x4.splat(ai);
    let s = f32x4.splat(0);
    for (let o: usize = 0; o < strideBytes; o += 16) {
      const wv = v128.load(r + o);
      s = f32x4.add(s, f32x4.mul(wv, v128.load(delta + o)));
      v128.store(r + o, f32x4.sub(wv, f32x4.mul(av, v128.load(scaled + o))));
    }
    const sum = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
    store<f32>(prev + (<usize>i << 2), sum * derivative(ai, hidden));
  }
  for (let o: usize = 0; o < strideBytes; o += 16) v128.store(b + o, f32x4.sub(v128.load(b + o), v128.load(scaled + o)));
}

/** g′ on 4 lanes, as `derivative`. */
// @ts-ignore: decorator
@inline function derivative4(a: v128, hidden: i32): v128 {
  const one = f32x4.splat(1);
  if (hidden == 0) return f32x4.mul(a, f32x4.sub(one, a));
  if (hidden == 2) return f32x4.sub(one, f32x4.mul(a, a));
  return v128.and(f32x4.gt(a, f32x4.splat(0)), one);
}

/** g′ from the output a: sigmoid a(1−a), tanh 1−a², relu 1 for a > 0 (NOTE: 0 at a = 0, as in activations.ts). */
// @ts-ignore: decorator
@inline function derivative(a: f32, hidden: i32): f32 {
  if (hidden == 0) return a * (<f32>1 - a);
  if (hidden == 2) return <f32>1 - a * a;
  return a > 0 ? <f32>1 : <f32>0;
}

/**
 * e^x for 4 lanes: 2^n · 2^f with n = round(x·log₂e) and 2^f from Cephes' exp2f polynomial on |f| ≤ ½
 * (relative error about 2e-7, float32 rounding). x is clamped to [−87, 88], where float32 e^x is finite and normal.
 * Written for the instructions V8 emits: pmin/pmax are single minps/maxps (min/max add NaN and −0 fix-ups), and
 * n is rounded by adding 1.5·2²³, which leaves n as an integer in the low mantissa bits (no float→int conversion).
 */
// @ts-ignore: decorator
@inline function exp4(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87)), f32x4.splat(88));
  const t = f32x4.mul(x, f32x4.splat(1.44269504088896341));
  const magic = f32x4.splat(12582912); // 1.5·2²³: t + magic rounds t to an integer (nearest, ties to even)
  const shifted = f32x4.add(t, magic);
  const n = f32x4.sub(shifted, magic);
  const f = f32x4.sub(t, n);
  let p = f32x4.splat(1.535336188319500e-4);
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1.339887440266574e-3));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(9.618437357674640e-3));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(5.550332471162809e-2));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(2.402264791363012e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(6.931472028550421e-1));
  p = f32x4.add(f32x4.mul(p, f), f32x4.splat(1));
  // The bits of `shifted` minus those of `magic` are n as a 32-bit integer; 2^n = (n + 127) << 23.
  const scale = i32x4.shl(i32x4.add(i32x4.sub(shifted, magic), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** a = g(z) in place over whole vectors (lanes past n are padding: computed, never read). */
function activate(z: usize, n: i32, hidden: i32): void {
  const one = f32x4.splat(1);
  const end = <usize>((n + 3) & ~3) << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const v = v128.load(z + o);
    let a: v128;
    if (hidden == 0) a = f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v))));
    else if (hidden == 2) a = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(v, v)), one))); // tanh = 1 − 2/(e^{2z}+1)
    else a = f32x4.max(v, f32x4.splat(0));
    v128.store(z + o, a);
  }
}

/** Output activation and loss: writes δᴸ and returns the sample's cost (as in losses.ts; fused deltas). */
function outputLayer(z: usize, delta: usize, n: i32, label: i32, loss: i32): f32 {
  let cost: f32 = 0;
  if (loss == 2) {
    let max = load<f32>(z);
    for (let i = 1; i < n; i++) max = Mathf.max(max, load<f32>(z + (<usize>i << 2)));
    let sum: f32 = 0;
    for (let i = 0; i < n; i++) {
      const e = Mathf.exp(load<f32>(z + (<usize>i << 2)) - max);
      store<f32>(z + (<usize>i << 2), e);
      sum += e;
    }
    const inv = <f32>1 / sum;
    for (let i = 0; i < n; i++) {
      const a = load<f32>(z + (<usize>i << 2)) * inv;
      store<f32>(z + (<usize>i << 2), a);
      store<f32>(delta + (<usize>i << 2), i == label ? a - 1 : a);
    }
    // (a label beyond the outputs, which the host refuses before training, reads as probability 0, not past z)
    cost = -Mathf.log((label < n ? load<f32>(z + (<usize>label << 2)) : <f32>0) + <f32>1e-30);
  } else {
    for (let i = 0; i < n; i++) {
      const a = <f32>1 / (<f32>1 + Mathf.exp(-load<f32>(z + (<usize>i << 2))));
      store<f32>(z + (<usize>i << 2), a);
      const y: f32 = i == label ? 1 : 0;
      if (loss == 0) {
        cost -= i == label ? Mathf.log(a + <f32>1e-30) : Mathf.log(<f32>1 - a + <f32>1e-30);
        store<f32>(delta + (<usize>i << 2), a - y);
      } else {
        cost += <f32>0.5 * (a - y) * (a - y);
        store<f32>(delta + (<usize>i << 2), (a - y) * a * (<f32>1 - a));
      }
    }
  }
  return cost;
}

/** Forward pass of one sample; outputs end in the last layer's z/a buffer. `flags`: see gatherF32. */
function forward(net: usize, x: usize, inputU8: bool, scale: f32, flags: usize): void {
  const layers = word(net, 0);
  const hidden = word(net, HIDDEN);
  for (let l = 0; l < layers; l++) {
    const inSize = <i32>field(net, l, F_IN);
    const stride = <i32>field(net, l, F_STRIDE);
    const rows = field(net, l, F_ROWS), vals = field(net, l, F_VALS);
    let count: i32;
    if (l == 0) count = inputU8 ? gatherU8(x, inSize, scale, stride << 2, rows, vals, flags) : gatherF32(x, inSize, scale, stride << 2, rows, vals, flags);
    else count = gatherF32(field(net, l - 1, F_A), inSize, 1, stride << 2, rows, vals, 0);
    if (l == 0) store<i32>(net + (<usize>NONZERO << 2), count);
    const z = field(net, l, F_A);
    sparseForward(field(net, l, F_W), field(net, l, F_B), stride, rows, vals, count, z);
    if (l + 1 < layers) activate(z, <i32>field(net, l, F_OUT), hidden);
  }
}

/** One fused SGD step on the shared parameters; returns the cost before the update. */
function step(net: usize, x: usize, inputU8: bool, scale: f32, label: i32, lr: f32): f32 {
  // With replication, the gather counts the first-layer rows this step changes (see syncRows).
  forward(net, x, inputU8, scale, word(net, SYNC_EVERY) > 0 ? <usize>word(net, DIRTY_FLAGS) : 0);
  const layers = word(net, 0);
  const hidden = word(net, HIDDEN);
  const top = layers - 1;
  const cost = outputLayer(field(net, top, F_A), field(net, top, F_D), <i32>field(net, top, F_OUT), label, word(net, LOSS));
  const lrv = f32x4.splat(lr);
  for (let l = top; l >= 0; l--) {
    const stride = <i32>field(net, l, F_STRIDE);
    const delta = field(net, l, F_D), scaled = field(net, l, F_SCALED);
    for (let o: usize = 0; o < (<usize>stride << 2); o += 16) v128.store(scaled + o, f32x4.mul(lrv, v128.load(delta + o)));
    if (l > 0) {
      denseBackward(field(net, l, F_W), field(net, l, F_B), <i32>field(net, l, F_IN), stride, field(net, l - 1, F_A), delta, scaled, field(net, l - 1, F_D), hidden);
    } else {
      // The input layer: only the rows of nonzero inputs change, and no error term is computed for it.
      const count = word(net, NONZERO);
      sparseUpdate(field(net, 0, F_W), field(net, 0, F_B), stride, field(net, 0, F_ROWS), field(net, 0, F_VALS), count, scaled);
    }
  }
  return cost;
}

/**
 * Replication (delayed Hogwild! writes): a worker trains on its own copy (replica) of the parameters and
 * every few samples merges what it changed into the shared parameters: shared += replica − snapshot (this
 * worker's change since the last merge), then replica = snapshot = shared (taking in the other workers' changes).
 * Why: with plain Hogwild every sample writes ~150 rows of the first layer (the pixels that are ink, mostly the
 * same central ones for every digit) and all of the small dense layers, and each of those cache lines then travels
 * between the cores (about 100 ns a line). Merging every n samples pays for each line once per n samples instead.
 *
 * What a merge touches: the first-layer rows this worker has changed T times since their last merge (a counter byte
 * per row, counted by the gather of each training step; checked every c samples), and the dense region (the first
 * layer's bias and every later layer, which every sample changes), every d samples. Counting touches instead of
 * samples is what keeps the traffic down: MNIST's ~150 ink pixels a sample are mostly the same ~230 central ones,
 * but over a window of samples many other rows are touched once or twice, and merging every row touched in the
 * window (T = 1, every n samples: 365 rows per 8 samples) paid a whole row for each; a row merged after T touches
 * costs 1/T row per touch, about 150/T rows a sample. In the simulation (R, 21 seeds) the rule with T = 64 ÷ W
 * (now 64 ÷ (W − 1)) lost half the accuracy of the window rule with n = 128 ÷ W, with 14–35% fewer merged bytes a
 * sample (pool/sync.ts). Rows the worker did not touch keep their old values in its replica until it next changes
 * them; the others' updates to such a row reach it then, so a rarely used row misses only about one update per
 * other worker (the Hogwild! argument for sparse updates). The two periods are separate because the two parts
 * tolerate staleness very differently (measured with the simulation, pool/simulated.ts): the small output layer,
 * stiff under per-sample SGD, lost 5 points of R's accuracy at 16 workers merging every 8 samples and none merging
 * every sample, while the large, sparse first layer held its accuracy with its rows merged every 8 samples. The host
 * calls `sync` after each of a range's last samples too (CLOSING_TAIL in pool/sync.ts), so that a range does not end
 * with every worker's unmerged changes added at once.
 *
 * Nothing is lost: each group of ROW_GROUP consecutive rows (and each block of DENSE_BLOCK dense floats) is merged
 * under its own spin lock, an i32 in the shared lock array taken with an atomic compare-exchange. Without it two
 * workers merging the same row at once both read the old shared value and the later write drops the other's whole
 * n-sample change. A lock is held for the read-add-write of a group's dirty rows (at most 8 rows: under a
 * microsecond for the reference network), workers merge out of phase (the host staggers their first merge) and scan
 * from different rows, so a worker seldom waits; a lock per group instead of per row takes an eighth of the atomic
 * operations. WebAssembly atomics are sequentially consistent, so the plain stores inside a critical section are
 * visible before the releasing store.
 */
export function sync(net: usize): void {
  syncRows(net, 1);
  // The dense region goes with every full merge too, so a task's closing sync leaves nothing unmerged.
  syncDense(net);
  store<i32>(net + (<usize>SINCE_SYNC << 2), 0);
}

/**
 * Merges the first-layer rows changed at least `touches` times, in row order from this view's MERGE_FROM row round
 * to it again, found 16 counters at a time (a bitmask of an unsigned compare), each group of ROW_GROUP rows under its
 * lock, taken once for all of the group's due rows; their counters go back to 0, the others keep counting. Views start their scans at different rows (the host spreads them over
 * the layer), so two workers merging at the same time walk different groups instead of queueing at each lock in turn.
 */
function syncRows(net: usize, touches: i32): void {
  const threshold = i8x16.splat(<i8>max(touches, 1));
  const replica = <usize>word(net, REPLICA), snapshot = <usize>word(net, SNAPSHOT), shared = <usize>word(net, SHARED);
  const locks = <usize>word(net, LOCKS);
  const flags = <usize>word(net, DIRTY_FLAGS);
  const rows = <usize>field(net, 0, F_IN);
  const rowBytes = <usize>field(net, 0, F_STRIDE) << 2;
  const w0 = <usize>field(net, 0, F_W) - replica; // byte offset of the first-layer weights in the parameters
  let held: usize = 0; // the lock of the group being merged (0: none)
  let heldGroup: usize = -1;
  let dirty: usize = 0;
  const blocks = (rows + 15) >> 4;
  let block = <usize>word(net, MERGE_FROM) >> 4;
  for (let j: usize = 0; j < blocks; j++, block++) {
    if (block >= blocks) block = 0;
    const i = block << 4;
    const counts = v128.load(flags + i);
    const due = i8x16.ge_u(counts, threshold);
    let mask = i8x16.bitmask(due);
    if (mask == 0) continue;
    v128.store(flags + i, v128.andnot(counts, due));
    while (mask != 0) {
      const row = i + <usize>ctz(mask);
      mask &= mask - 1;
      const group = row / <usize>ROW_GROUP;
      if (group != heldGroup) {
        if (held != 0) release(held);
        held = locks + group * <usize>LOCK_SPACING;
        heldGroup = group;
        acquire(held);
      }
      mergeRange(replica, snapshot, shared, w0 + row * rowBytes, rowBytes);
      dirty++;
    }
  }
  if (held != 0) release(held);
  addMerged(net, (dirty * rowBytes) >> 2);
}

/** Merges the dense region (the first-layer bias and every later layer), a block of DENSE_BLOCK floats under each lock. */
function syncDense(net: usize): void {
  const replica = <usize>word(net, REPLICA), snapshot = <usize>word(net, SNAPSHOT), shared = <usize>word(net, SHARED);
  const locks = <usize>word(net, LOCKS);
  const groups = (<usize>field(net, 0, F_IN) + <usize>ROW_GROUP - 1) / <usize>ROW_GROUP;
  const denseAt = <usize>word(net, DENSE_AT), bytes = <usize>word(net, REPLICA_BYTES);
  const blockBytes = <usize>DENSE_BLOCK << 2;
  let b: usize = 0; // block b of the dense region is guarded by lock groups + b, whatever called the merge
  for (let at = denseAt; at < bytes; at += blockBytes, b++) {
    const lock = locks + (groups + b) * <usize>LOCK_SPACING;
    acquire(lock);
    mergeRange(replica, snapshot, shared, at, min(blockBytes, bytes - at));
    release(lock);
  }
  store<i32>(net + (<usize>SINCE_DENSE << 2), 0);
  addMerged(net, (bytes - denseAt) >> 2);
}

// @ts-ignore: decorator
@inline function addMerged(net: usize, floats: usize): void {
  const at = net + (<usize>MERGED << 2);
  store<f64>(at, load<f64>(at) + <f64>floats);
}

/** shared += replica − snapshot, then replica = snapshot = shared, over [at, at + bytes) of the parameters. */
// @ts-ignore: decorator
@inline function mergeRange(replica: usize, snapshot: usize, shared: usize, at: usize, bytes: usize): void {
  const end = at + bytes;
  for (let o = at; o < end; o += 16) {
    const merged = f32x4.add(v128.load(shared + o), f32x4.sub(v128.load(replica + o), v128.load(snapshot + o)));
    v128.store(shared + o, merged);
    v128.store(replica + o, merged);
    v128.store(snapshot + o, merged);
  }
}

/** Reads of a taken lock before a worker sleeps on it (a few microseconds: longer than a merge of 8 rows holds it). */
const SPIN: i32 = 2000;

/**
 * Takes a merge lock: 0 free, 1 taken, 2 taken with a sleeper (Drepper's "Futexes Are Tricky", mutex 3). A worker
 * spins briefly, then sleeps in atomic.wait (memory.atomic.wait32) until the holder's release wakes it: with more workers than
 * cores (oversubscribed), a holder the system has paused would otherwise cost every waiter a whole time slice of
 * spinning. Uncontended, it is one compare-exchange, as before.
 */
// @ts-ignore: decorator
@inline function acquire(lock: usize): void {
  let c = atomic.cmpxchg<i32>(lock, 0, 1);
  if (c == 0) return;
  for (let i = 0; i < SPIN; i++) {
    if (atomic.load<i32>(lock) == 0) {
      c = atomic.cmpxchg<i32>(lock, 0, 1);
      if (c == 0) return;
    }
  }
  if (c != 2) c = atomic.xchg<i32>(lock, 2);
  while (c != 0) {
    atomic.wait<i32>(lock, 2, -1);
    c = atomic.xchg<i32>(lock, 2);
  }
}

/** Lets a merge lock go, waking one sleeper if there is one. */
// @ts-ignore: decorator
@inline function release(lock: usize): void {
  if (atomic.xchg<i32>(lock, 0) == 2) atomic.notify(lock, 1);
}

/**
 * Takes the shared values into the replica without pushing (at the start of a task: before an evaluation, or after
 * the host changed the parameters), and sets the samples since the last merge to `phase`, so that workers that
 * start together merge out of phase (the host gives worker k of W the phase k·n/W).
 */
export function pull(net: usize, phase: i32): void {
  const replica = <usize>word(net, REPLICA), snapshot = <usize>word(net, SNAPSHOT), shared = <usize>word(net, SHARED);
  const bytes = <usize>word(net, REPLICA_BYTES);
  for (let o: usize = 0; o < bytes; o += 16) {
    const v = v128.load(shared + o);
    v128.store(replica + o, v);
    v128.store(snapshot + o, v);
  }
  memory.fill(<usize>word(net, DIRTY_FLAGS), 0, <usize>field(net, 0, F_IN));
  store<i32>(net + (<usize>SINCE_SYNC << 2), phase);
  const denseEvery = word(net, DENSE_EVERY);
  store<i32>(net + (<usize>SINCE_DENSE << 2), denseEvery > 0 ? phase % denseEvery : 0);
}

/**
 * Trains on samples order[start … end) (each an index into the dataset), in place on the shared parameters.
 * Returns the summed cost (float64) of those samples before their updates.
 */
export function train(net: usize, features: usize, featureLength: i32, inputU8: bool, scale: f32, labels: usize, order: usize, start: i32, end: i32, lr: f32): f64 {
  let total: f64 = 0;
  const bytesPerSample = inputU8 ? featureLength : featureLength << 2;
  const every = word(net, SYNC_EVERY), denseEvery = word(net, DENSE_EVERY), touches = word(net, MERGE_TOUCHES);
  let since = word(net, SINCE_SYNC), sinceDense = word(net, SINCE_DENSE);
  for (let t = start; t < end; t++) {
    const s = load<u32>(order + (<usize>t << 2));
    total += <f64>step(net, features + <usize>s * <usize>bytesPerSample, inputU8, scale, load<u8>(labels + <usize>s), lr);
    if (every > 0 && ++since >= every) {
      syncRows(net, touches);
      since = 0;
      if (denseEvery == 0) syncDense(net);
    }
    if (denseEvery > 0 && ++sinceDense >= denseEvery) {
      syncDense(net);
      sinceDense = 0;
    }
  }
  if (every > 0) {
    store<i32>(net + (<usize>SINCE_SYNC << 2), since);
    store<i32>(net + (<usize>SINCE_DENSE << 2), sinceDense);
  }
  return total;
}

/** Classifies samples [start, end) and adds each to confusion[label·classes + predicted] (i32 counts). Returns the correct count. */
export function evaluate(net: usize, features: usize, featureLength: i32, inputU8: bool, scale: f32, labels: usize, start: i32, end: i32, confusion: usize): i32 {
  const layers = word(net, 0);
  const top = layers - 1;
  const classes = <i32>field(net, top, F_OUT);
  const out = field(net, top, F_A);
  const bytesPerSample = inputU8 ? featureLength : featureLength << 2;
  let correct = 0;
  for (let s = start; s < end; s++) {
    forward(net, features + <usize>s * <usize>bytesPerSample, inputU8, scale, 0);
    let best = 0;
    let bestV = load<f32>(out);
    for (let i = 1; i < classes; i++) {
      const v = load<f32>(out + (<usize>i << 2));
      if (v > bestV) { bestV = v; best = i; }
    }
    const label = <i32>load<u8>(labels + <usize>s);
    if (best == label) correct++;
    // The host checks labels against the outputs before training or evaluating (pool/memory.ts); this guard only
    // keeps a caller of the exported kernel that did not from writing outside the confusion matrix.
    if (label >= classes) continue;
    const c = confusion + (<usize>(label * classes + best) << 2);
    store<i32>(c, load<i32>(c) + 1);
  }
  return correct;
}
