import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { HogwildError } from './errors.ts';
import { paramLayout } from './params.ts';
import { validateSpec, type NetworkSpec } from './spec.ts';
import type { HiddenActivation } from './activations.ts';
import type { LossName } from './losses.ts';
import type { Arena } from './arena.ts';
import { DATA_WORDS, DataWord, DENSE_BLOCK, HiddenCode, LAYER0, LAYER_WORDS, LOCK_SPACING, LayerWord, LossCode, MergeCode, ROW_GROUP, Word } from './descriptor.ts';

/**
 * Host side of the WebAssembly SIMD kernel (assembly/kernel.ts, built to build/kernel.wasm and, with relaxed SIMD,
 * build/kernel-relaxed.wasm by `pnpm install`).
 * The kernel runs the same per-sample math as network.ts, in float32 SIMD, on parameters in a shared
 * WebAssembly.Memory. This file lays out a network view (descriptor and scratch) in that memory, writing each
 * descriptor word by its name in descriptor.ts, and instantiates the kernel.
 */
export interface KernelExports {
  /** Merges every change of this view's replica into the shared parameters and takes the others' changes (a view that merges). */
  merge(net: number): void;
  /** Copies the shared parameters into this view's replica and sets its samples since the last merge to `phase` (a view that merges). */
  pull(net: number, phase: number): void;
  /**
   * Trains positions [start, end) of the training order of the dataset described at `data` (writeDataDescriptor) on
   * view `net`, by the view's merge protocol; returns the samples' summed cost before their updates.
   */
  train(net: number, data: number, start: number, end: number, lr: number): number;
  /** Classifies samples start … end, adding into the confusion counts at `confusion`; returns how many were right. */
  evaluate(net: number, data: number, start: number, end: number, confusion: number): number;
  /** Writes the first output of samples [start, end) to the dataset's predictions (float32): a regression network's. */
  predictValues(net: number, data: number, start: number, end: number): void;
}

/**
 * The two builds of assembly/kernel.ts (one source): `simd`, WebAssembly SIMD, which every supported runtime runs, and
 * `relaxed`, which adds relaxed SIMD's fused multiply-add (Node 22 and later; Node 20 only with
 * --experimental-wasm-relaxed-simd). Their results differ in the last bits, so a model is bit-identical from run to
 * run on one build and one machine.
 */
export type WasmKernelName = 'simd' | 'relaxed';
/** The builds, in the order bench:core runs them. */
export const WASM_KERNELS: readonly WasmKernelName[] = ['simd', 'relaxed'];
const KERNEL_FILES: Record<WasmKernelName, string> = { simd: 'kernel.wasm', relaxed: 'kernel-relaxed.wasm' };

/**
 * The environment variable that forces one build (`simd` or `relaxed`): for tests that compare a run's bytes with
 * another runtime's, and for benchmarks that compare the builds. Unset: relaxed where the runtime validates it.
 */
export const KERNEL_ENV = 'HOGWILD_KERNEL';

/** HOGWILD_KERNEL_WASM names a kernel file to use instead of the builds (a bundled build, or a variant being measured). */
const kernelUrl = (name: WasmKernelName): URL =>
  process.env.HOGWILD_KERNEL_WASM ? pathToFileURL(process.env.HOGWILD_KERNEL_WASM) : new URL(`../build/${KERNEL_FILES[name]}`, import.meta.url);

let relaxedValid: boolean | null = null;

/**
 * Whether this runtime validates the relaxed build: asked of the build itself (WebAssembly.validate decodes and
 * type-checks the module without compiling it). False where the build is missing; compileKernel then says so.
 */
export function relaxedSimdValidates(): boolean {
  if (relaxedValid === null) {
    try {
      relaxedValid = WebAssembly.validate(new Uint8Array(readFileSync(new URL(`../build/${KERNEL_FILES.relaxed}`, import.meta.url))));
    } catch {
      relaxedValid = false;
    }
  }
  return relaxedValid;
}

/**
 * The build compileKernel() uses: HOGWILD_KERNEL's if set, else `relaxed` where this runtime validates it, else
 * `simd`. Throws E_USAGE for any other value of HOGWILD_KERNEL, or `relaxed` where the runtime does not validate it.
 */
export function wasmKernelName(): WasmKernelName {
  const forced = process.env[KERNEL_ENV];
  if (forced === undefined || forced === '') return relaxedSimdValidates() ? 'relaxed' : 'simd';
  if (!(WASM_KERNELS as readonly string[]).includes(forced)) {
    throw new HogwildError('E_USAGE', `${KERNEL_ENV} must be ${WASM_KERNELS.join(' or ')} (or unset: relaxed where the runtime validates it), got ${JSON.stringify(forced)}`);
  }
  if (forced === 'relaxed' && !relaxedSimdValidates()) {
    throw new HogwildError('E_USAGE', `${KERNEL_ENV}=relaxed: Node ${process.version} does not validate relaxed SIMD (Node 22 and later do; Node 20 with node --experimental-wasm-relaxed-simd); unset it or set it to simd`);
  }
  return forced as WasmKernelName;
}

const compiled = new Map<WasmKernelName, WebAssembly.Module>();

/**
 * Compiles a build of the kernel (by default wasmKernelName()'s), once per thread and build (the module is then
 * posted to the workers, not recompiled).
 */
export function compileKernel(name: WasmKernelName = wasmKernelName()): WebAssembly.Module {
  let module = compiled.get(name);
  if (!module) {
    module = compile(kernelUrl(name));
    compiled.set(name, module);
  }
  return module;
}

function compile(url: URL): WebAssembly.Module {
  let bytes: Buffer;
  try {
    bytes = readFileSync(url);
  } catch {
    throw new HogwildError('E_KERNEL', `the WebAssembly kernel ${url.pathname} is missing: run pnpm install (it builds the kernel), or pnpm --filter @hogwild/core build:wasm`);
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
    throw new HogwildError('E_KERNEL', `the WebAssembly kernel ${url.pathname} is not a kernel module (${(e as Error).message.split('\n')[0]}); unset HOGWILD_KERNEL_WASM or rebuild with pnpm --filter @hogwild/core build:wasm`, { cause: e });
  } finally {
    setFlagsFromString('--liftoff');
  }
}

/** An instance of the compiled kernel over `memory` (each thread instantiates its own over the same shared memory). */
export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

const HIDDEN_CODES = { sigmoid: HiddenCode.SIGMOID, relu: HiddenCode.RELU, tanh: HiddenCode.TANH, linear: HiddenCode.LINEAR } as const satisfies Record<HiddenActivation, HiddenCode>;
const LOSS_CODES = { 'cross-entropy': LossCode.CROSS_ENTROPY, square: LossCode.SQUARE, softmax: LossCode.SOFTMAX, mse: LossCode.MSE } as const satisfies Record<LossName, LossCode>;

/**
 * The layout of a view's descriptor, of a data descriptor and of the merge locks, from descriptor.ts (which the kernel
 * reads too): the word numbers (`Word`, and `LayerWord` from word LAYER0 + LAYER_WORDS·l; `DataWord`), the codes of each hidden activation and loss,
 * and the lock array's spacing and grouping.
 */
export const DESCRIPTOR = {
  Word, LayerWord, LAYER0, LAYER_WORDS, DataWord, DATA_WORDS,
  HIDDEN: HIDDEN_CODES, LOSS: LOSS_CODES, MERGE: { plain: MergeCode.PLAIN, replicas: MergeCode.REPLICAS },
  LOCK_SPACING, ROW_GROUP, DENSE_BLOCK,
} as const;

export { DENSE_BLOCK };

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

/** How often a view merges (assembly/merge.ts). */
export interface MergePeriods {
  /** Samples between checks of the first-layer rows. */
  readonly rows: number;
  /** Changes that make a row due: a check merges the rows changed at least this often since their last merge (1 to 255). */
  readonly touches: number;
  /** Samples between merges of the dense region (the first layer's bias and every later layer). */
  readonly dense: number;
}

/** A view that trains on its own replica and merges it into the shared parameters. */
export interface ViewMerge {
  /** The merge locks of the shared parameters (reserveLocks), one set for every view of them. */
  readonly locks: number;
  readonly periods: MergePeriods;
  /**
   * The first-layer row at which this view's merge scans start (rounded down to a multiple of 16): views of different
   * workers should start apart, mergeStart(k, n, rows) for view k of n.
   */
  readonly from: number;
}

/** Byte offsets of one network view's descriptor and scratch in the arena. */
export interface WasmView {
  readonly descriptor: number;
  readonly layers: readonly { z: number; delta: number; rows: number; vals: number; scaled: number }[];
}

/** How a view trains, besides its network (createWasmView). */
export interface WasmViewOptions {
  /**
   * The replicas protocol: the view trains on a replica of the parameters that it merges into the shared ones on
   * `merge.periods`. Absent: plain Hogwild, every step on the shared parameters.
   */
  readonly merge?: ViewMerge;
  /** Label smoothing ε of a softmax network (0, the default: the one-hot target). */
  readonly smoothing?: number;
  /**
   * The most nonzero inputs a sample of the data it reads has (a sparse dataset's longest row): the first layer's
   * lists of nonzero inputs get room for that many instead of one per input, which a layer of millions of hashed
   * features would make large. Default: the input size.
   */
  readonly inputNonzeros?: number;
}

/**
 * Reserves one network view in the arena (a descriptor, then activations, error terms and nonzero lists for each
 * layer) and writes its descriptor; `paramsOffset` is the byte offset of the shared parameters. Without `merge` the
 * view trains on the shared parameters (plain Hogwild); with it, the view also gets a replica and snapshot of the
 * parameters and a touch counter per first-layer row, and the kernel merges on `merge.periods`.
 */
export function createWasmView(arena: Arena, spec: NetworkSpec, paramsOffset: number, o: WasmViewOptions = {}): WasmView {
  const s = validateSpec(spec);
  const { merge, smoothing = 0 } = o;
  if (merge) {
    if (!Number.isInteger(merge.locks) || merge.locks <= 0) throw new HogwildError('E_USAGE', `createWasmView: merge.locks must be the byte offset reserveLocks returned, got ${merge.locks}`);
    if (!Number.isInteger(merge.from) || merge.from < 0) throw new HogwildError('E_USAGE', `createWasmView: merge.from must be a first-layer row (an integer from 0), got ${merge.from}`);
    checkPeriods('createWasmView: merge.periods', merge.periods);
  }
  if (!Number.isFinite(smoothing) || smoothing < 0 || smoothing >= 1) throw new HogwildError('E_USAGE', `createWasmView: smoothing must be from 0 to below 1, got ${smoothing}`);
  const layout = paramLayout(s.layers);
  const inputNonzeros = o.inputNonzeros ?? layout.layers[0].inSize;
  if (!Number.isInteger(inputNonzeros) || inputNonzeros < 0) throw new HogwildError('E_USAGE', `createWasmView: inputNonzeros must be an integer from 0, got ${inputNonzeros}`);
  const descriptor = arena.reserve(4 * (LAYER0 + LAYER_WORDS * layout.layers.length));
  const layers = layout.layers.map((l, i) => {
    const listed = i === 0 ? Math.min(l.inSize, inputNonzeros) : l.inSize;
    // Whole vectors even where the rows are not (a first layer of one or two outputs): the kernel takes these 4 floats at a time.
    const lanes = Math.ceil(l.outSize / 4) * 4;
    return {
      z: arena.reserve(4 * lanes),
      delta: arena.reserve(4 * lanes),
      rows: arena.reserve(4 * listed),
      vals: arena.reserve(4 * listed),
      scaled: arena.reserve(4 * lanes),
    };
  });
  const bytes = 4 * layout.length;
  const rows0 = layout.layers[0].inSize;
  const replica = merge ? arena.reserve(bytes) : 0;
  const snapshot = merge ? arena.reserve(bytes) : 0;
  // The merge reads the counters 16 at a time: the padding past the last row stays 0.
  const touchCounts = merge ? arena.reserve(16 * Math.ceil(rows0 / 16)) : 0;

  const words = new Int32Array(arena.buffer, descriptor, LAYER0 + LAYER_WORDS * layout.layers.length);
  words[Word.LAYERS] = layout.layers.length;
  words[Word.HIDDEN] = HIDDEN_CODES[s.activation];
  words[Word.LOSS] = LOSS_CODES[s.loss];
  words[Word.NONZERO] = 0;
  new Float32Array(arena.buffer, descriptor, LAYER0)[Word.SMOOTHING] = smoothing;
  words[Word.MERGE] = merge ? MergeCode.REPLICAS : MergeCode.PLAIN;
  if (merge) {
    words[Word.REPLICA] = replica;
    words[Word.SNAPSHOT] = snapshot;
    words[Word.SHARED] = paramsOffset;
    words[Word.PARAMS_BYTES] = bytes;
    words[Word.TOUCH_COUNTS] = touchCounts;
    words[Word.ROWS_FROM] = Math.min(Math.floor(merge.from / 16) * 16, 16 * Math.floor((rows0 - 1) / 16));
    words[Word.LOCKS] = merge.locks;
    words[Word.DENSE_AT] = 4 * layout.layers[0].biasOffset;
    writePeriods(words, merge.periods);
    words[Word.SINCE_ROWS] = 0;
    words[Word.SINCE_DENSE] = 0;
    new Float64Array(arena.buffer, descriptor + 4 * Word.MERGED, 1)[0] = 0;
  }
  // A parameter address: in this view's replica when it merges, else in the shared parameters.
  const params = merge ? replica : paramsOffset;
  layout.layers.forEach((l, i) => {
    const at = LAYER0 + LAYER_WORDS * i;
    const v = layers[i];
    words[at + LayerWord.IN] = l.inSize;
    words[at + LayerWord.OUT] = l.outSize;
    words[at + LayerWord.STRIDE] = l.stride;
    words[at + LayerWord.W] = params + 4 * l.weightOffset;
    words[at + LayerWord.B] = params + 4 * l.biasOffset;
    words[at + LayerWord.A] = v.z;
    words[at + LayerWord.DELTA] = v.delta;
    words[at + LayerWord.ROWS] = v.rows;
    words[at + LayerWord.VALS] = v.vals;
    words[at + LayerWord.SCALED] = v.scaled;
  });
  // Reserved memory is zeroed, so error terms start at 0 and their padding lanes (o ≥ outSize) stay 0.
  if (merge) {
    const shared = new Uint8Array(arena.buffer, paramsOffset, bytes);
    new Uint8Array(arena.buffer, replica, bytes).set(shared);
    new Uint8Array(arena.buffer, snapshot, bytes).set(shared);
  }
  return { descriptor, layers };
}

/** The first-layer row at which view k of n starts its merge scans: the layer's 16-row blocks shared out evenly. */
export function mergeStart(k: number, n: number, rows: number): number {
  return 16 * Math.floor((k * Math.ceil(rows / 16)) / Math.max(1, n));
}

/**
 * Sets the merge periods of a view that merges, for its next training task: call it before the task's `pull`,
 * which restarts the counts. (The trainer lengthens the periods as the learning rate falls:
 * docs/merge-protocol.md#periods-that-follow-the-learning-rate.)
 */
export function setMergePeriods(memory: WebAssembly.Memory, view: WasmView | number, periods: MergePeriods): void {
  const words = new Int32Array(memory.buffer, descriptorOf(view), LAYER0);
  if (words[Word.MERGE] !== MergeCode.REPLICAS) throw new HogwildError('E_USAGE', 'setMergePeriods: the view does not merge (createWasmView was given no merge)');
  checkPeriods('setMergePeriods: periods', periods);
  writePeriods(words, periods);
}

function checkPeriods(what: string, p: MergePeriods): void {
  const int = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new HogwildError('E_USAGE', `${what}.${name} must be an integer from 1 to ${max}, got ${v}`);
  };
  int('rows', p.rows, 2 ** 31 - 1);
  int('touches', p.touches, 255);
  int('dense', p.dense, 2 ** 31 - 1);
}

function writePeriods(words: Int32Array, p: MergePeriods): void {
  words[Word.ROWS_EVERY] = p.rows;
  words[Word.DUE_TOUCHES] = p.touches;
  words[Word.DENSE_EVERY] = p.dense;
}

function descriptorOf(view: WasmView | number): number {
  return typeof view === 'number' ? view : view.descriptor;
}

/** Floats this view has merged into the shared parameters since the last call (a view that merges); resets the count. */
export function takeMergedFloats(memory: WebAssembly.Memory, view: WasmView | number): number {
  const merged = new Float64Array(memory.buffer, descriptorOf(view) + 4 * Word.MERGED, 1);
  const n = merged[0];
  merged[0] = 0;
  return n;
}

/** Rows of the first layer this view changed since their last merge (for tests; a view that merges). */
export function dirtyRows(memory: WebAssembly.Memory, view: WasmView, rows: number): number[] {
  const counts = new Int32Array(memory.buffer, view.descriptor, LAYER0)[Word.TOUCH_COUNTS];
  const bytes = new Uint8Array(memory.buffer, counts, rows);
  const out: number[] = [];
  bytes.forEach((b, i) => { if (b) out.push(i); });
  return out;
}
