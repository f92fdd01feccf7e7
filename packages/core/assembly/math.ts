// The per-sample math: the same forward pass, error terms and in-place SGD as src/network.ts, in float32 with
// 4-lane SIMD, over one view's parameters and scratch (its descriptor: src/descriptor.ts). Nothing here
// allocates, and nothing here merges: the one hook of the merge is the gather of the first layer, which counts
// the rows a training step changes (touch, in merge.ts). This one source builds two kernels (package.json's
// build:wasm): build/kernel.wasm with WebAssembly SIMD, and build/kernel-relaxed.wasm with relaxed SIMD too, where
// the multiply-adds of the updates, the backward sums and exp4 (madd, nmadd) are one fused instruction each;
// src/wasm-kernel.ts picks one at start-up.
import { DataWord, HiddenCode, LabelCode, LayerWord, LossCode, Word } from '../src/descriptor';
import { dataWord, gatherF32, gatherInputs } from './data';
import { field, setWord, word } from './view';

/**
 * c + a·b on 4 lanes. The relaxed build (--enable relaxed-simd) emits relaxed_madd, which V8 compiles to one FMA
 * where the CPU has one (rounded once; a multiply then an add elsewhere, so the relaxed kernel is deterministic on
 * one machine, not across machines); the SIMD build a multiply then an add, as before the relaxed build existed.
 */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** c − a·b on 4 lanes, as madd. */
// @ts-ignore: decorator
@inline function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

/**
 * c + a·b where c is a sum carried from row to row (sparseForward): a multiply then an add in both builds. The loop
 * waits on each add, and an add's latency (3 cycles on AMD Zen) is shorter than a fused multiply-add's (4): the
 * relaxed build was about 4% faster on R so (AMD EPYC, Node 26, medians of turns).
 */
// @ts-ignore: decorator
@inline function chain(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * Whether sparseForward and sparseUpdate take four rows an iteration: in the relaxed build, which runs where V8
 * validates relaxed SIMD (Node 22 and later), where it made R about 6% faster (Node 26); Node 20's V8 ran the same
 * loops about 9% slower, and Node 20 runs the SIMD build. The order of the sums is the same either way.
 */
const FOUR_ROWS: bool = ASC_FEATURE_RELAXED_SIMD;

/**
 * A first-layer row of one output (T = u32) or two (T = u64), unpadded (params.ts), into the low lanes of a vector
 * whose other lanes are 0: what a row padded to 4 floats would load, its padding lanes 0 as there.
 */
// @ts-ignore: decorator
@inline function loadRow<T>(at: usize): v128 {
  if (sizeof<T>() == 8) return v128.load64_zero(at);
  return v128.load32_zero(at);
}

/** The low lanes of v into a row of loadRow<T>, and nothing past it: the next row is another input's. */
// @ts-ignore: decorator
@inline function storeRow<T>(at: usize, v: v128): void {
  if (sizeof<T>() == 8) v128.store64_lane(at, v, 0);
  else v128.store32_lane(at, v, 0);
}

/**
 * sparseForward over a first layer of one or two outputs (T as loadRow), whose rows are `stride` = outputs floats:
 * each output's sum is the lane of the padded layout's, adding the same products in the same order with the same
 * instructions, so the same bits. The bias and z keep whole vectors (floats past the outputs 0): a few floats, not
 * a row an input.
 */
function narrowForward<T>(w: usize, b: usize, rows: usize, vals: usize, count: i32, z: usize): void {
  let s = v128.load(b);
  let k = 0;
  for (; FOUR_ROWS && k + 4 <= count; k += 4) {
    const at = <usize>k << 2;
    const r = w + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
    const q = w + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
    const p = w + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
    const m = w + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
    s = chain(y, loadRow<T>(m), chain(x, loadRow<T>(p), chain(u, loadRow<T>(q), chain(v, loadRow<T>(r), s))));
  }
  for (; k < count; k++) {
    const at = <usize>k << 2;
    s = chain(f32x4.splat(load<f32>(vals + at)), loadRow<T>(w + <usize>load<i32>(rows + at)), s);
  }
  v128.store(z, s);
}

/** sparseUpdate over a first layer of one or two outputs, as narrowForward: the same bits as the padded layout's. */
function narrowUpdate<T>(w: usize, b: usize, rows: usize, vals: usize, count: i32, scaled: usize): void {
  const d0 = v128.load(scaled);
  let k = 0;
  for (; FOUR_ROWS && k + 4 <= count; k += 4) {
    const at = <usize>k << 2;
    const r = w + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
    const q = w + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
    const p = w + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
    const m = w + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
    storeRow<T>(r, nmadd(v, d0, loadRow<T>(r)));
    storeRow<T>(q, nmadd(u, d0, loadRow<T>(q)));
    storeRow<T>(p, nmadd(x, d0, loadRow<T>(p)));
    storeRow<T>(m, nmadd(y, d0, loadRow<T>(m)));
  }
  for (; k < count; k++) {
    const at = <usize>k << 2;
    const r = w + <usize>load<i32>(rows + at);
    storeRow<T>(r, nmadd(f32x4.splat(load<f32>(vals + at)), d0, loadRow<T>(r)));
  }
  v128.store(b, f32x4.sub(v128.load(b), d0));
}

/**
 * z = b + Σₖ vals[k]·W[row k], over the nonzero inputs only. The outputs are taken in register blocks: a pass over
 * the nonzero rows accumulates 7 vectors (28 outputs), then 4, 3 and 1 for what remains, so 100 outputs take
 * 7+7+7+4 and 10 outputs 3. Seven is the most that V8's 16 SIMD registers hold with the loads in flight
 * (8 spilled an accumulator to the stack); fewer passes means fewer reloads of the row list. With FOUR_ROWS a pass
 * takes four rows an iteration, each sum adding row k, k+1, k+2 then k+3: the order of one row at a time, so the
 * same bits, with a quarter of the loop's own work.
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
    for (; FOUR_ROWS && k + 4 <= count; k += 4) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
      const q = base + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
      const p = base + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
      const m = base + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
      s0 = chain(y, v128.load(m, 0), chain(x, v128.load(p, 0), chain(u, v128.load(q, 0), chain(v, v128.load(r, 0), s0))));
      s1 = chain(y, v128.load(m, 16), chain(x, v128.load(p, 16), chain(u, v128.load(q, 16), chain(v, v128.load(r, 16), s1))));
      s2 = chain(y, v128.load(m, 32), chain(x, v128.load(p, 32), chain(u, v128.load(q, 32), chain(v, v128.load(r, 32), s2))));
      s3 = chain(y, v128.load(m, 48), chain(x, v128.load(p, 48), chain(u, v128.load(q, 48), chain(v, v128.load(r, 48), s3))));
      s4 = chain(y, v128.load(m, 64), chain(x, v128.load(p, 64), chain(u, v128.load(q, 64), chain(v, v128.load(r, 64), s4))));
      s5 = chain(y, v128.load(m, 80), chain(x, v128.load(p, 80), chain(u, v128.load(q, 80), chain(v, v128.load(r, 80), s5))));
      s6 = chain(y, v128.load(m, 96), chain(x, v128.load(p, 96), chain(u, v128.load(q, 96), chain(v, v128.load(r, 96), s6))));
    }
    for (; k < count; k++) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at), v = f32x4.splat(load<f32>(vals + at));
      s0 = chain(v, v128.load(r, 0), s0);
      s1 = chain(v, v128.load(r, 16), s1);
      s2 = chain(v, v128.load(r, 32), s2);
      s3 = chain(v, v128.load(r, 48), s3);
      s4 = chain(v, v128.load(r, 64), s4);
      s5 = chain(v, v128.load(r, 80), s5);
      s6 = chain(v, v128.load(r, 96), s6);
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
    for (; FOUR_ROWS && k + 4 <= count; k += 4) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
      const q = base + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
      const p = base + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
      const m = base + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
      s0 = chain(y, v128.load(m, 0), chain(x, v128.load(p, 0), chain(u, v128.load(q, 0), chain(v, v128.load(r, 0), s0))));
      s1 = chain(y, v128.load(m, 16), chain(x, v128.load(p, 16), chain(u, v128.load(q, 16), chain(v, v128.load(r, 16), s1))));
      s2 = chain(y, v128.load(m, 32), chain(x, v128.load(p, 32), chain(u, v128.load(q, 32), chain(v, v128.load(r, 32), s2))));
      s3 = chain(y, v128.load(m, 48), chain(x, v128.load(p, 48), chain(u, v128.load(q, 48), chain(v, v128.load(r, 48), s3))));
    }
    for (; k < count; k++) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at), v = f32x4.splat(load<f32>(vals + at));
      s0 = chain(v, v128.load(r, 0), s0);
      s1 = chain(v, v128.load(r, 16), s1);
      s2 = chain(v, v128.load(r, 32), s2);
      s3 = chain(v, v128.load(r, 48), s3);
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
    for (; FOUR_ROWS && k + 4 <= count; k += 4) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
      const q = base + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
      const p = base + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
      const m = base + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
      s0 = chain(y, v128.load(m, 0), chain(x, v128.load(p, 0), chain(u, v128.load(q, 0), chain(v, v128.load(r, 0), s0))));
      s1 = chain(y, v128.load(m, 16), chain(x, v128.load(p, 16), chain(u, v128.load(q, 16), chain(v, v128.load(r, 16), s1))));
      s2 = chain(y, v128.load(m, 32), chain(x, v128.load(p, 32), chain(u, v128.load(q, 32), chain(v, v128.load(r, 32), s2))));
    }
    for (; k < count; k++) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at), v = f32x4.splat(load<f32>(vals + at));
      s0 = chain(v, v128.load(r, 0), s0);
      s1 = chain(v, v128.load(r, 16), s1);
      s2 = chain(v, v128.load(r, 32), s2);
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
    for (; FOUR_ROWS && k + 4 <= count; k += 4) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
      const q = base + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
      const p = base + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
      const m = base + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
      s0 = chain(y, v128.load(m, 0), chain(x, v128.load(p, 0), chain(u, v128.load(q, 0), chain(v, v128.load(r, 0), s0))));
    }
    for (; k < count; k++) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at), v = f32x4.splat(load<f32>(vals + at));
      s0 = chain(v, v128.load(r, 0), s0);
    }
    const zo = z + (<usize>o << 2);
    v128.store(zo, s0, 0);
  }
}

/**
 * W[row k] −= vals[k]·scaled and b −= scaled, scaled = lr·δ held in registers in the same blocks as sparseForward,
 * with FOUR_ROWS four rows an iteration as there (rows of distinct inputs, so their order changes nothing).
 */
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
    let k = 0;
    for (; FOUR_ROWS && k + 4 <= count; k += 4) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
      const q = base + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
      const p = base + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
      const m = base + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
      v128.store(r, nmadd(v, d0, v128.load(r, 0)), 0);
      v128.store(r, nmadd(v, d1, v128.load(r, 16)), 16);
      v128.store(r, nmadd(v, d2, v128.load(r, 32)), 32);
      v128.store(r, nmadd(v, d3, v128.load(r, 48)), 48);
      v128.store(r, nmadd(v, d4, v128.load(r, 64)), 64);
      v128.store(r, nmadd(v, d5, v128.load(r, 80)), 80);
      v128.store(r, nmadd(v, d6, v128.load(r, 96)), 96);
      v128.store(q, nmadd(u, d0, v128.load(q, 0)), 0);
      v128.store(q, nmadd(u, d1, v128.load(q, 16)), 16);
      v128.store(q, nmadd(u, d2, v128.load(q, 32)), 32);
      v128.store(q, nmadd(u, d3, v128.load(q, 48)), 48);
      v128.store(q, nmadd(u, d4, v128.load(q, 64)), 64);
      v128.store(q, nmadd(u, d5, v128.load(q, 80)), 80);
      v128.store(q, nmadd(u, d6, v128.load(q, 96)), 96);
      v128.store(p, nmadd(x, d0, v128.load(p, 0)), 0);
      v128.store(p, nmadd(x, d1, v128.load(p, 16)), 16);
      v128.store(p, nmadd(x, d2, v128.load(p, 32)), 32);
      v128.store(p, nmadd(x, d3, v128.load(p, 48)), 48);
      v128.store(p, nmadd(x, d4, v128.load(p, 64)), 64);
      v128.store(p, nmadd(x, d5, v128.load(p, 80)), 80);
      v128.store(p, nmadd(x, d6, v128.load(p, 96)), 96);
      v128.store(m, nmadd(y, d0, v128.load(m, 0)), 0);
      v128.store(m, nmadd(y, d1, v128.load(m, 16)), 16);
      v128.store(m, nmadd(y, d2, v128.load(m, 32)), 32);
      v128.store(m, nmadd(y, d3, v128.load(m, 48)), 48);
      v128.store(m, nmadd(y, d4, v128.load(m, 64)), 64);
      v128.store(m, nmadd(y, d5, v128.load(m, 80)), 80);
      v128.store(m, nmadd(y, d6, v128.load(m, 96)), 96);
    }
    for (; k < count; k++) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at), v = f32x4.splat(load<f32>(vals + at));
      v128.store(r, nmadd(v, d0, v128.load(r, 0)), 0);
      v128.store(r, nmadd(v, d1, v128.load(r, 16)), 16);
      v128.store(r, nmadd(v, d2, v128.load(r, 32)), 32);
      v128.store(r, nmadd(v, d3, v128.load(r, 48)), 48);
      v128.store(r, nmadd(v, d4, v128.load(r, 64)), 64);
      v128.store(r, nmadd(v, d5, v128.load(r, 80)), 80);
      v128.store(r, nmadd(v, d6, v128.load(r, 96)), 96);
    }
  }
  for (; o + 16 <= stride; o += 16) {
    const so = scaled + (<usize>o << 2);
    const d0 = v128.load(so, 0);
    const d1 = v128.load(so, 16);
    const d2 = v128.load(so, 32);
    const d3 = v128.load(so, 48);
    const base = w + (<usize>o << 2);
    let k = 0;
    for (; FOUR_ROWS && k + 4 <= count; k += 4) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
      const q = base + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
      const p = base + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
      const m = base + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
      v128.store(r, nmadd(v, d0, v128.load(r, 0)), 0);
      v128.store(r, nmadd(v, d1, v128.load(r, 16)), 16);
      v128.store(r, nmadd(v, d2, v128.load(r, 32)), 32);
      v128.store(r, nmadd(v, d3, v128.load(r, 48)), 48);
      v128.store(q, nmadd(u, d0, v128.load(q, 0)), 0);
      v128.store(q, nmadd(u, d1, v128.load(q, 16)), 16);
      v128.store(q, nmadd(u, d2, v128.load(q, 32)), 32);
      v128.store(q, nmadd(u, d3, v128.load(q, 48)), 48);
      v128.store(p, nmadd(x, d0, v128.load(p, 0)), 0);
      v128.store(p, nmadd(x, d1, v128.load(p, 16)), 16);
      v128.store(p, nmadd(x, d2, v128.load(p, 32)), 32);
      v128.store(p, nmadd(x, d3, v128.load(p, 48)), 48);
      v128.store(m, nmadd(y, d0, v128.load(m, 0)), 0);
      v128.store(m, nmadd(y, d1, v128.load(m, 16)), 16);
      v128.store(m, nmadd(y, d2, v128.load(m, 32)), 32);
      v128.store(m, nmadd(y, d3, v128.load(m, 48)), 48);
    }
    for (; k < count; k++) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at), v = f32x4.splat(load<f32>(vals + at));
      v128.store(r, nmadd(v, d0, v128.load(r, 0)), 0);
      v128.store(r, nmadd(v, d1, v128.load(r, 16)), 16);
      v128.store(r, nmadd(v, d2, v128.load(r, 32)), 32);
      v128.store(r, nmadd(v, d3, v128.load(r, 48)), 48);
    }
  }
  for (; o + 12 <= stride; o += 12) {
    const so = scaled + (<usize>o << 2);
    const d0 = v128.load(so, 0);
    const d1 = v128.load(so, 16);
    const d2 = v128.load(so, 32);
    const base = w + (<usize>o << 2);
    let k = 0;
    for (; FOUR_ROWS && k + 4 <= count; k += 4) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
      const q = base + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
      const p = base + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
      const m = base + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
      v128.store(r, nmadd(v, d0, v128.load(r, 0)), 0);
      v128.store(r, nmadd(v, d1, v128.load(r, 16)), 16);
      v128.store(r, nmadd(v, d2, v128.load(r, 32)), 32);
      v128.store(q, nmadd(u, d0, v128.load(q, 0)), 0);
      v128.store(q, nmadd(u, d1, v128.load(q, 16)), 16);
      v128.store(q, nmadd(u, d2, v128.load(q, 32)), 32);
      v128.store(p, nmadd(x, d0, v128.load(p, 0)), 0);
      v128.store(p, nmadd(x, d1, v128.load(p, 16)), 16);
      v128.store(p, nmadd(x, d2, v128.load(p, 32)), 32);
      v128.store(m, nmadd(y, d0, v128.load(m, 0)), 0);
      v128.store(m, nmadd(y, d1, v128.load(m, 16)), 16);
      v128.store(m, nmadd(y, d2, v128.load(m, 32)), 32);
    }
    for (; k < count; k++) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at), v = f32x4.splat(load<f32>(vals + at));
      v128.store(r, nmadd(v, d0, v128.load(r, 0)), 0);
      v128.store(r, nmadd(v, d1, v128.load(r, 16)), 16);
      v128.store(r, nmadd(v, d2, v128.load(r, 32)), 32);
    }
  }
  for (; o + 4 <= stride; o += 4) {
    const so = scaled + (<usize>o << 2);
    const d0 = v128.load(so, 0);
    const base = w + (<usize>o << 2);
    let k = 0;
    for (; FOUR_ROWS && k + 4 <= count; k += 4) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at, 0), v = f32x4.splat(load<f32>(vals + at, 0));
      const q = base + <usize>load<i32>(rows + at, 4), u = f32x4.splat(load<f32>(vals + at, 4));
      const p = base + <usize>load<i32>(rows + at, 8), x = f32x4.splat(load<f32>(vals + at, 8));
      const m = base + <usize>load<i32>(rows + at, 12), y = f32x4.splat(load<f32>(vals + at, 12));
      v128.store(r, nmadd(v, d0, v128.load(r, 0)), 0);
      v128.store(q, nmadd(u, d0, v128.load(q, 0)), 0);
      v128.store(p, nmadd(x, d0, v128.load(p, 0)), 0);
      v128.store(m, nmadd(y, d0, v128.load(m, 0)), 0);
    }
    for (; k < count; k++) {
      const at = <usize>k << 2;
      const r = base + <usize>load<i32>(rows + at), v = f32x4.splat(load<f32>(vals + at));
      v128.store(r, nmadd(v, d0, v128.load(r, 0)), 0);
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
 * Its rows are whole vectors: only a first layer goes unpadded (params.ts), and this is never the first.
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
      s0 = madd(w0, d, s0);
      s1 = madd(w1, d, s1);
      s2 = madd(w2, d, s2);
      s3 = madd(w3, d, s3);
      v128.store(r + o, nmadd(a0, l, w0));
      v128.store(r1 + o, nmadd(a1, l, w1));
      v128.store(r2 + o, nmadd(a2, l, w2));
      v128.store(r3 + o, nmadd(a3, l, w3));
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
      s = madd(wv, v128.load(delta + o), s);
      v128.store(r + o, nmadd(av, v128.load(scaled + o), wv));
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
  if (hidden == HiddenCode.SIGMOID) return f32x4.mul(a, f32x4.sub(one, a));
  if (hidden == HiddenCode.TANH) return nmadd(a, a, one);
  if (hidden == HiddenCode.LINEAR) return one;
  return v128.and(f32x4.gt(a, f32x4.splat(0)), one);
}

/** g′ from the output a: sigmoid a(1−a), tanh 1−a², relu 1 for a > 0 (NOTE: 0 at a = 0, as in activations.ts). */
// @ts-ignore: decorator
@inline function derivative(a: f32, hidden: i32): f32 {
  if (hidden == HiddenCode.SIGMOID) return a * (<f32>1 - a);
  if (hidden == HiddenCode.TANH) return <f32>1 - a * a;
  if (hidden == HiddenCode.LINEAR) return 1;
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
  p = madd(p, f, f32x4.splat(1.339887440266574e-3));
  p = madd(p, f, f32x4.splat(9.618437357674640e-3));
  p = madd(p, f, f32x4.splat(5.550332471162809e-2));
  p = madd(p, f, f32x4.splat(2.402264791363012e-1));
  p = madd(p, f, f32x4.splat(6.931472028550421e-1));
  p = madd(p, f, f32x4.splat(1));
  // The bits of `shifted` minus those of `magic` are n as a 32-bit integer; 2^n = (n + 127) << 23.
  const scale = i32x4.shl(i32x4.add(i32x4.sub(shifted, magic), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** a = g(z) in place over whole vectors (lanes past n are padding: computed, never read). */
function activate(z: usize, n: i32, hidden: i32): void {
  if (hidden == HiddenCode.LINEAR) return; // a = z
  const one = f32x4.splat(1);
  const end = <usize>((n + 3) & ~3) << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const v = v128.load(z + o);
    let a: v128;
    if (hidden == HiddenCode.SIGMOID) a = f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v))));
    else if (hidden == HiddenCode.TANH) a = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(exp4(f32x4.add(v, v)), one))); // tanh = 1 − 2/(e^{2z}+1)
    else a = f32x4.max(v, f32x4.splat(0));
    v128.store(z + o, a);
  }
}

/**
 * Output activation and loss: writes δᴸ and returns the sample's cost (as in losses.ts; fused deltas). `smoothing`:
 * label smoothing ε of softmax, the target (1 − ε)[i = label] + ε/n (not above 0, or NaN: the one-hot target).
 */
function outputLayer(z: usize, delta: usize, n: i32, label: i32, target: f32, loss: i32, smoothing: f32): f32 {
  let cost: f32 = 0;
  if (loss == LossCode.MSE) {
    // One linear output: a = z, δ = a − y, C = ½(a − y)².
    const d = load<f32>(z) - target;
    store<f32>(delta, d);
    return <f32>0.5 * d * d;
  }
  if (loss == LossCode.SOFTMAX) {
    let max = load<f32>(z);
    for (let i = 1; i < n; i++) max = Mathf.max(max, load<f32>(z + (<usize>i << 2)));
    let sum: f32 = 0;
    for (let i = 0; i < n; i++) {
      const e = Mathf.exp(load<f32>(z + (<usize>i << 2)) - max);
      store<f32>(z + (<usize>i << 2), e);
      sum += e;
    }
    const inv = <f32>1 / sum;
    if (smoothing > 0) {
      // δ = a − y with y = (1 − ε)[i = label] + ε/n; C = −(1 − ε) ln a_label − (ε/n) Σ ln aᵢ (losses.ts).
      const share = smoothing / <f32>n;
      let logs: f32 = 0;
      for (let i = 0; i < n; i++) {
        const a = load<f32>(z + (<usize>i << 2)) * inv;
        store<f32>(z + (<usize>i << 2), a);
        store<f32>(delta + (<usize>i << 2), a - (i == label ? <f32>1 - smoothing : <f32>0) - share);
        logs += Mathf.log(a + <f32>1e-30);
      }
      return -(<f32>1 - smoothing) * Mathf.log((label < n ? load<f32>(z + (<usize>label << 2)) : <f32>0) + <f32>1e-30) - share * logs;
    }
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
      if (loss == LossCode.CROSS_ENTROPY) {
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

/**
 * Forward pass of sample s of the dataset `data` (a data descriptor); outputs end in the last layer's z/a buffer.
 * `flags`: the first layer's touch counters (see gatherF32), or 0.
 */
export function forward(net: usize, data: usize, s: i32, flags: usize): void {
  const layers = word(net, Word.LAYERS);
  const hidden = word(net, Word.HIDDEN);
  for (let l = 0; l < layers; l++) {
    const inSize = <i32>field(net, l, LayerWord.IN);
    const stride = <i32>field(net, l, LayerWord.STRIDE);
    const rows = field(net, l, LayerWord.ROWS), vals = field(net, l, LayerWord.VALS);
    let count: i32;
    if (l == 0) count = gatherInputs(data, s, stride << 2, rows, vals, flags);
    else count = gatherF32(field(net, l - 1, LayerWord.A), inSize, 1, stride << 2, rows, vals, 0);
    if (l == 0) setWord(net, Word.NONZERO, count);
    const z = field(net, l, LayerWord.A);
    const w = field(net, l, LayerWord.W), b = field(net, l, LayerWord.B);
    // Rows of fewer than 4 floats: a first layer of one or two outputs (params.ts), the only layer left unpadded.
    if (stride == 2) narrowForward<u64>(w, b, rows, vals, count, z);
    else if (stride == 1) narrowForward<u32>(w, b, rows, vals, count, z);
    else sparseForward(w, b, stride, rows, vals, count, z);
    if (l + 1 < layers) activate(z, <i32>field(net, l, LayerWord.OUT), hidden);
  }
}

/**
 * One fused SGD step on sample s, on the view's parameters (its replica, or the shared ones); returns the cost before
 * the update. `smoothing`: label smoothing of a softmax network (outputLayer). `flags`: the touch counters of a view
 * whose protocol counts the first-layer rows a step changes (the replicas', mergeRows), else 0.
 */
export function step(net: usize, data: usize, s: i32, label: i32, target: f32, lr: f32, smoothing: f32, flags: usize): f32 {
  forward(net, data, s, flags);
  const layers = word(net, Word.LAYERS);
  const hidden = word(net, Word.HIDDEN);
  const top = layers - 1;
  const cost = outputLayer(field(net, top, LayerWord.A), field(net, top, LayerWord.DELTA), <i32>field(net, top, LayerWord.OUT), label, target, word(net, Word.LOSS), smoothing);
  const lrv = f32x4.splat(lr);
  for (let l = top; l >= 0; l--) {
    const stride = <i32>field(net, l, LayerWord.STRIDE);
    const delta = field(net, l, LayerWord.DELTA), scaled = field(net, l, LayerWord.SCALED);
    // Whole vectors (one for a stride of 1 or 2): δ and lr·δ are padded where the rows are not (wasm-kernel.ts).
    for (let o: usize = 0; o < (<usize>stride << 2); o += 16) v128.store(scaled + o, f32x4.mul(lrv, v128.load(delta + o)));
    if (l > 0) {
      denseBackward(field(net, l, LayerWord.W), field(net, l, LayerWord.B), <i32>field(net, l, LayerWord.IN), stride, field(net, l - 1, LayerWord.A), delta, scaled, field(net, l - 1, LayerWord.DELTA), hidden);
    } else {
      // The input layer: only the rows of nonzero inputs change, and no error term is computed for it.
      const count = word(net, Word.NONZERO);
      const w = field(net, 0, LayerWord.W), b = field(net, 0, LayerWord.B), rows = field(net, 0, LayerWord.ROWS), vals = field(net, 0, LayerWord.VALS);
      if (stride == 2) narrowUpdate<u64>(w, b, rows, vals, count, scaled);
      else if (stride == 1) narrowUpdate<u32>(w, b, rows, vals, count, scaled);
      else sparseUpdate(w, b, stride, rows, vals, count, scaled);
    }
  }
  return cost;
}

/** One SGD step on sample s: its label is a uint8 class, or a float32 target (regression). */
// @ts-ignore: decorator
@inline export function sampleStep(net: usize, data: usize, s: u32, lr: f32, smoothing: f32, flags: usize): f32 {
  const labels = <usize>dataWord(data, DataWord.LABELS);
  const targets = dataWord(data, DataWord.LABEL) == LabelCode.TARGETS;
  const label: i32 = targets ? 0 : <i32>load<u8>(labels + <usize>s);
  const target: f32 = targets ? load<f32>(labels + (<usize>s << 2)) : 0;
  return step(net, data, <i32>s, label, target, lr, smoothing, flags);
}
