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
  sync(net: number): void;
  /** Copies the shared parameters into this view's replica (replication on). */
  pull(net: number): void;
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
  // up only after enough calls, which here cost the first one or two epochs 2-4x their speed.
  setFlagsFromString('--no-liftoff');
  try {
    return new WebAssembly.Module(new Uint8Array(bytes));
  } finally {
    setFlagsFromString('--liftoff');
  }
}

export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

const HIDDEN_CODE = { sigmoid: 0, relu: 1, tanh: 2 } as const;
const LOSS_CODE = { 'cross-entropy': 0, square: 1, softmax: 2 } as const;
const LAYER0 = 12;
const WORDS = 12;

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
 * With `syncEvery` > 0 the view also gets a replica of the parameters (see `sync` in assembly/kernel.ts),
 * merged into the shared parameters every `syncEvery` samples.
 */
export function createWasmView(arena: Arena, spec: NetworkSpec, paramsOffset: number, syncEvery = 0): WasmView {
  const s = validateSpec(spec);
  const layout = paramLayout(s.layers);
  const descriptor = arena.reserve(4 * (LAYER0 + WORDS * layout.layers.length));
  const layers = layout.layers.map((l) => ({
    z: arena.reserve(4 * l.stride),
    delta: arena.reserve(4 * l.stride),
    rows: arena.reserve(4 * l.inSize),
    vals: arena.reserve(4 * l.inSize),
    scaled: arena.reserve(4 * l.stride),
  }));
  // The replica covers every parameter (see sync in assembly/kernel.ts for why).
  const bytes = 4 * layout.length;
  const replica = syncEvery > 0 ? arena.reserve(bytes) : 0;
  const snapshot = syncEvery > 0 ? arena.reserve(bytes) : 0;
  const words = new Int32Array(arena.buffer, descriptor, LAYER0 + WORDS * layout.layers.length);
  words[0] = layout.layers.length;
  words[1] = HIDDEN_CODE[s.activation];
  words[2] = LOSS_CODE[s.loss];
  if (syncEvery > 0) words.set([syncEvery, replica, snapshot, paramsOffset, bytes, 0], 4);
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
