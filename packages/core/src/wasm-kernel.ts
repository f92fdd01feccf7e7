import { readFileSync } from 'node:fs';
import { HogwildError } from './errors.ts';
import { paramLayout, type ParamLayout } from './params.ts';
import { validateSpec, type NetworkSpec } from './spec.ts';
import type { ArenaPlan } from './arena.ts';

/**
 * Host side of the WebAssembly SIMD kernel (assembly/kernel.ts, built to build/kernel.wasm by `pnpm install`).
 * The kernel runs the same per-sample math as network.ts, in float32 SIMD, on parameters in a shared
 * WebAssembly.Memory. This file lays out a network view (descriptor and scratch) in that memory and calls
 * the kernel's two entries.
 */
export interface KernelExports {
  train(net: number, features: number, featureLength: number, inputU8: number, scale: number, labels: number, order: number, start: number, end: number, lr: number): number;
  evaluate(net: number, features: number, featureLength: number, inputU8: number, scale: number, labels: number, start: number, end: number, confusion: number): number;
}

const KERNEL_URL = process.env.HOGWILD_KERNEL_WASM ? new URL('file://' + process.env.HOGWILD_KERNEL_WASM) : new URL('../build/kernel.wasm', import.meta.url);

/** Compiles the kernel module (once per thread; a WebAssembly.Module can also be posted to workers). */
export function compileKernel(): WebAssembly.Module {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(KERNEL_URL);
  } catch {
    throw new HogwildError('E_KERNEL', `the WebAssembly kernel ${KERNEL_URL.pathname} is missing: run pnpm install (it builds the kernel), or pnpm --filter @hogwild/core build:wasm`);
  }
  return new WebAssembly.Module(bytes);
}

export function instantiateKernel(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

const HIDDEN_CODE = { sigmoid: 0, relu: 1, tanh: 2 } as const;
const LOSS_CODE = { 'cross-entropy': 0, square: 1, softmax: 2 } as const;
const LAYER0 = 8;
const WORDS = 12;

/** Byte offsets of one network view's descriptor and scratch, reserved in an arena plan. */
export interface WasmViewPlan {
  readonly descriptor: number;
  readonly layers: readonly { z: number; delta: number; rows: number; vals: number; scaled: number }[];
}

/** Reserves a view's descriptor and scratch (activations, error terms, nonzero lists) in the plan. */
export function planWasmView(spec: NetworkSpec, plan: ArenaPlan): WasmViewPlan {
  const layout = paramLayout(validateSpec(spec).layers);
  const descriptor = plan.reserve(4 * (LAYER0 + WORDS * layout.layers.length));
  const layers = layout.layers.map((l) => ({
    z: plan.reserve(4 * l.stride),
    delta: plan.reserve(4 * l.stride),
    rows: plan.reserve(4 * l.inSize),
    vals: plan.reserve(4 * l.inSize),
    scaled: plan.reserve(4 * l.stride),
  }));
  return { descriptor, layers };
}

/** Writes the descriptor words of a planned view; `paramsOffset` is the byte offset of the parameters. */
export function writeWasmView(memory: WebAssembly.Memory, spec: NetworkSpec, view: WasmViewPlan, paramsOffset: number): void {
  const s = validateSpec(spec);
  const layout: ParamLayout = paramLayout(s.layers);
  const words = new Int32Array(memory.buffer, view.descriptor, LAYER0 + WORDS * layout.layers.length);
  words[0] = layout.layers.length;
  words[1] = HIDDEN_CODE[s.activation];
  words[2] = LOSS_CODE[s.loss];
  layout.layers.forEach((l, i) => {
    const v = view.layers[i];
    words.set([l.inSize, l.outSize, l.stride, paramsOffset + 4 * l.weightOffset, paramsOffset + 4 * l.biasOffset, v.z, v.delta, v.rows, v.vals, v.scaled], LAYER0 + WORDS * i);
  });
  // Error terms and activations start at 0: their padding lanes (o ≥ outSize) must stay 0.
  for (const v of view.layers) new Uint8Array(memory.buffer, v.z, v.scaled - v.z).fill(0);
}
