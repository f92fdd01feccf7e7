import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { HogwildError } from './errors.ts';
import { paramLayout } from './params.ts';
import { validateSpec, type NetworkSpec } from './spec.ts';
import type { Arena } from './arena.ts';

/**
 * Host side of the WebAssembly SIMD kernel (assembly/kernel.ts, built to build/kernel.wasm by `pnpm install`).
 * The kernel runs the same per-sample math as network.ts, in float32 SIMD, on parameters in a shared
 * WebAssembly.Memory. This file lays out a network view (descriptor and scratch) in that memory and calls
 * the kernel's two entries.
 */
export interface KernelExports {
  /** Merges this view's replica into the shared parameters and takes the others' changes (replication on). */
  merge(net: number): void;
  /** Copies the shared parameters into this view's replica and sets its samples since the last merge to `phase` (replication on). */
  pull(net: number, phase: number): void;
  train(net: number, features: number, featureLength: number, inputU8: number, scale: number, labels: number, order: number, start: number, end: number, lr: number): number;
  evaluate(net: number, features: number, featureLength: number, inputU8: number, scale: number, labels: number, start: number, end: number, confusion: number): number;
}

/** The built kernel; HOGWILD_KERNEL_WASM names another (a bundled build, or a variant being measured). */
const KERNEL_URL = process.env.HOGWILD_KERNEL_WASM ? pathToFileURL(process.env.HOGWILD_KERNEL_WASM) : new URL('../build/kernel.wasm', import.meta.url);

let compiled: WebAssembly.Module | null = null;

/** Compiles the kernel module, once per thread (the module is then posted to the workers, not recompiled). */
export function compileKernel(): WebAssembly.Module {
  compiled ??= compile();
  return compiled;
}

function compile(): WebAssembly.Module {
  let bytes: Buffer;
  try {
    bytes = readFileSync(KERNEL_URL);
  } catch {
    throw new HogwildError('E_KERNEL', `the WebAssembly kernel ${KERNEL_URL.pathname} is missing: run pnpm install (it builds the kernel), or pnpm --filter @hogwild/core build:wasm`);
  }
  // Compile with the optimising tier up front: by default V8 starts in its baseline compiler (Liftoff) and tiers
  // up only after enough calls, which here cost the first one or two epochs 2-4x their speed. V8 flags are
  // process-wide, so the flag is set for this one synchronous compile and restored in `finally`: no JavaScript of
  // this thread runs in between, and a worker thread compiling WebAssembly in that instant would only get its code
  // optimised up front too (slower to compile, same results). The module is compiled once per process and posted
  // to the workers, which do not compile it again.
  setFlagsFromString('--no-liftoff');
  try {
    return new WebAssembly.Module(new Uint8Array(bytes));
  } catch (e) {
    throw new HogwildError('E_KERNEL', `the WebAssembly kernel ${KERNEL_URL.pathname} is not a kernel module (${(e as Error).message.split('\n')[0]}); unset HOGWILD_KERNEL_WASM or rebuild with pnpm --filter @hogwild/core build:wasm`);
  } finally {
    setFlagsFromString('--liftoff');
  }
}

export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const e = instance.exports as unknown as KernelExports & { sync(net: number): void };
  return { merge: e.sync, pull: e.pull, train: e.train, evaluate: e.evaluate };
}

const HIDDEN_CODE = { sigmoid: 0, relu: 1, tanh: 2 } as const;
const LOSS_CODE = { 'cross-entropy': 0, square: 1, softmax: 2 } as const;
/**
 * The layout of a view's descriptor (i32 words) and of the merge locks, as assembly/kernel.ts reads them; the kernel
 * exports the same names, and test/kernels.test.ts checks that every value here is the kernel's.
 */
export const DESCRIPTOR = {
  LAYER0: 20, WORDS: 12,
  SYNC_EVERY: 4, REPLICA: 5, SNAPSHOT: 6, SHARED: 7, REPLICA_BYTES: 8, SINCE_SYNC: 9,
  DIRTY_FLAGS: 10, MERGE_FROM: 11, MERGE_TOUCHES: 12, LOCKS: 13, MERGED: 14, DENSE_AT: 16, DENSE_EVERY: 17, SINCE_DENSE: 18,
  LOCK_SPACING: 64, DENSE_BLOCK: 256, ROW_GROUP: 8,
} as const;
const { SYNC_EVERY: W_SYNC_EVERY, DIRTY_FLAGS: W_DIRTY_FLAGS, MERGED: W_MERGED, MERGE_TOUCHES: W_MERGE_TOUCHES, DENSE_EVERY: W_DENSE_EVERY } = DESCRIPTOR;

const { LAYER0, WORDS, LOCK_SPACING, ROW_GROUP } = DESCRIPTOR;
/** Floats of the dense region (first-layer bias onwards) under one merge lock. */
export const DENSE_BLOCK = DESCRIPTOR.DENSE_BLOCK;

/** Merge locks of one set of shared parameters: one per ROW_GROUP first-layer rows, then one per DENSE_BLOCK floats after them. */
export function lockCount(spec: NetworkSpec): number {
  const layout = paramLayout(spec.layers);
  const dense = layout.length - layout.layers[0].biasOffset;
  return Math.ceil(layout.layers[0].inSize / ROW_GROUP) + Math.ceil(dense / DENSE_BLOCK);
}

/** Reserves the merge locks that every view of the parameters at one offset shares (zeroed: all free). */
export function reserveLocks(arena: Arena, spec: NetworkSpec): number {
  return arena.reserve(LOCK_SPACING * lockCount(spec));
}

/** Byte offsets of one network view's descriptor and scratch in the arena. */
export interface WasmView {
  /** Replication period in samples (0: off). */
  readonly syncEvery: number;
  readonly descriptor: number;
  readonly layers: readonly { z: number; delta: number; rows: number; vals: number; scaled: number }[];
}

/**
 * Reserves one network view in the arena (a descriptor, then activations, error terms and nonzero lists for
 * each layer) and writes its descriptor; `paramsOffset` is the byte offset of the parameters.
 * With `syncEvery` > 0 the view also gets a replica of the parameters and a touch counter per first-layer row (see
 * `sync` in assembly/kernel.ts): every `syncEvery` samples, the rows it has changed at least `touches` times (1 to
 * 255) since their last merge are merged into the shared parameters, and the rest (the dense region) every
 * `denseEvery` samples (0: with the rows), under the locks at
 * `locksOffset` (from reserveLocks, one set shared by every view of these parameters). `mergeFrom`: the first-layer
 * row at which this view's merges start their scan (rounded down to a multiple of 16; see syncRows in the kernel):
 * views of different workers should start apart (mergeStart gives view k of n its row).
 */
export interface MergePeriods { readonly rows: number; readonly touches: number; readonly dense: number }
export interface ViewMerge { readonly locks: number; readonly periods: MergePeriods; readonly from: number }

export function createWasmView(arena: Arena, spec: NetworkSpec, paramsOffset: number, merge?: ViewMerge): WasmView {
  const syncEvery = merge?.periods.rows ?? 0, locksOffset = merge?.locks ?? 0, denseEvery = merge?.periods.dense ?? 0, mergeFrom = merge?.from ?? 0, touches = merge?.periods.touches ?? 1;
  const s = validateSpec(spec);
  if (syncEvery > 0 && locksOffset <= 0) throw new RangeError('createWasmView: replication needs the locks of reserveLocks');
  const layout = paramLayout(s.layers);
  const descriptor = arena.reserve(4 * (LAYER0 + WORDS * layout.layers.length));
  const layers = layout.layers.map((l) => ({
    z: arena.reserve(4 * l.stride),
    delta: arena.reserve(4 * l.stride),
    rows: arena.reserve(4 * l.inSize),
    vals: arena.reserve(4 * l.inSize),
    scaled: arena.reserve(4 * l.stride),
  }));
  const bytes = 4 * layout.length;
  const rows0 = layout.layers[0].inSize;
  const replica = syncEvery > 0 ? arena.reserve(bytes) : 0;
  const snapshot = syncEvery > 0 ? arena.reserve(bytes) : 0;
  // The merge reads the flags 16 at a time: the padding past the last row stays 0.
  const flags = syncEvery > 0 ? arena.reserve(16 * Math.ceil(rows0 / 16)) : 0;
  const words = new Int32Array(arena.buffer, descriptor, LAYER0 + WORDS * layout.layers.length);
  words[0] = layout.layers.length;
  words[1] = HIDDEN_CODE[s.activation];
  words[2] = LOSS_CODE[s.loss];
  if (syncEvery > 0) {
    const from = Math.min(Math.max(0, Math.floor(mergeFrom / 16) * 16), 16 * Math.floor((rows0 - 1) / 16));
    words.set([syncEvery, replica, snapshot, paramsOffset, bytes, 0, flags, from, Math.min(255, Math.max(1, Math.floor(touches))), locksOffset, 0, 0, 4 * layout.layers[0].biasOffset, denseEvery, 0], W_SYNC_EVERY);
  }
  // A parameter address: in this view's replica when replication is on, else in the shared parameters.
  const at = (floatOffset: number): number => (syncEvery > 0 ? replica : paramsOffset) + 4 * floatOffset;
  layout.layers.forEach((l, i) => {
    const v = layers[i];
    words.set([l.inSize, l.outSize, l.stride, at(l.weightOffset), at(l.biasOffset), v.z, v.delta, v.rows, v.vals, v.scaled], LAYER0 + WORDS * i);
  });
  // Reserved memory is zeroed, so error terms start at 0 and their padding lanes (o ≥ outSize) stay 0.
  if (syncEvery > 0) {
    const shared = new Uint8Array(arena.buffer, paramsOffset, bytes);
    new Uint8Array(arena.buffer, replica, bytes).set(shared);
    new Uint8Array(arena.buffer, snapshot, bytes).set(shared);
  }
  return { descriptor, layers, syncEvery };
}

/** The first-layer row at which view k of n starts its merge scans: the layer's 16-row blocks shared out evenly. */
export function mergeStart(k: number, n: number, rows: number): number {
  return 16 * Math.floor((k * Math.ceil(rows / 16)) / Math.max(1, n));
}

/**
 * Sets a replicated view's merge periods (as createWasmView's syncEvery, touches and denseEvery; each at least 1,
 * touches at most 255), for the next training task: call it before the task's `pull`, which restarts the counts.
 */
export function setMergePeriods(memory: WebAssembly.Memory, view: WasmView | number, periods: MergePeriods): void {
  const { rows: syncEvery, touches, dense: denseEvery } = periods;
  const descriptor = typeof view === 'number' ? view : view.descriptor;
  const words = new Int32Array(memory.buffer, descriptor, LAYER0);
  if (words[W_SYNC_EVERY] <= 0) throw new RangeError('setMergePeriods: the view has no replica');
  const int = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`setMergePeriods: ${name} must be an integer from 1 to ${max}, got ${v}`);
  };
  int('syncEvery', syncEvery, 2 ** 31 - 1);
  int('touches', touches, 255);
  int('denseEvery', denseEvery, 2 ** 31 - 1);
  words[W_SYNC_EVERY] = syncEvery;
  words[W_MERGE_TOUCHES] = touches;
  words[W_DENSE_EVERY] = denseEvery;
}

/** Floats this view has merged into the shared parameters since the last call (replication on); resets the count. */
export function takeMergedFloats(memory: WebAssembly.Memory, view: WasmView | number): number {
  const descriptor = typeof view === 'number' ? view : view.descriptor;
  const f64 = new Float64Array(memory.buffer, descriptor + 4 * W_MERGED, 1);
  const n = f64[0];
  f64[0] = 0;
  return n;
}

/** Rows of the first layer this view changed since its last merge (for tests; replication on). */
export function dirtyRows(memory: WebAssembly.Memory, view: WasmView, rows: number): number[] {
  const flags = new Int32Array(memory.buffer, view.descriptor, LAYER0)[W_DIRTY_FLAGS];
  const bytes = new Uint8Array(memory.buffer, flags, rows);
  const out: number[] = [];
  bytes.forEach((b, i) => { if (b) out.push(i); });
  return out;
}
