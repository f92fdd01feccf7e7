import { SpecError } from './errors.ts';
import type { Rng } from './rng.ts';
import { countParameters } from './spec.ts';

/**
 * Parameter layout: all weights and biases of a network in one Float32Array (over a SharedArrayBuffer),
 * so that any number of workers can view and update the same parameters without copies.
 *
 * For layer l (inputs inSize, outputs outSize):
 *   weights at weightOffset, stored INPUT-MAJOR: element (o, i) of W (shape [out, in]) lives at
 *           weightOffset + i * stride + o, with stride = outSize rounded up to a multiple of 4. One input's
 *           outgoing weights are contiguous, so a zero input (about 81% of MNIST pixels) skips a whole row in
 *           the forward pass and in the update, the loops over outputs run over contiguous memory, and every
 *           row is whole 4-float SIMD vectors. The padding floats (o ≥ outSize) are 0 and stay 0: their error
 *           terms are 0, so no update ever reaches them.
 *           But a first layer of one or two outputs (a linear 2-class or regression model) is not padded:
 *           stride = outSize. Its rows are as many as the inputs (millions of hashed text features), and padded
 *           they would hold 4 floats an input where the model file holds 2 (docs/text.md#memory); the kernel reads
 *           them a 64- or 32-bit lane at a time, to the same bits (assembly/math.ts, narrowForward). Later layers
 *           have few rows and keep their padding.
 *   biases at biasOffset, outSize floats.
 * Every region starts on a 64-byte boundary (16 floats), so regions never share a cache line and SIMD loads are aligned.
 * Model files transpose to PyTorch's [out, in] on save and back on load.
 */
/** Where one layer's weights (input-major, rows of `stride`) and biases lie in the parameter array. */
export interface LayerLayout {
  /** Inputs of the layer. */
  readonly inSize: number;
  /** Units of the layer. */
  readonly outSize: number;
  /** Floats from one weight row to the next: outSize rounded up to a multiple of 4, or outSize for a first layer of 1 or 2. */
  readonly stride: number;
  /** Float index of W's first row. */
  readonly weightOffset: number;
  /** Float index of the biases. */
  readonly biasOffset: number;
}

/** The layout of every layer's parameters in one Float32Array. */
export interface ParamLayout {
  /** One entry a weight layer, input to output. */
  readonly layers: readonly LayerLayout[];
  /** Total floats, padding included. */
  readonly length: number;
}

/** Floats per cache line: every region is aligned to this. */
export const ALIGN_FLOATS = 16;

const align = (n: number): number => Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;

/** The layout of a network with these layer sizes, every region aligned to a cache line. */
export function paramLayout(layerSizes: readonly number[]): ParamLayout {
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < layerSizes.length; l++) {
    const inSize = layerSizes[l];
    const outSize = layerSizes[l + 1];
    const stride = l === 0 && outSize <= 2 ? outSize : Math.ceil(outSize / 4) * 4;
    const weightOffset = offset;
    offset = align(offset + inSize * stride);
    const biasOffset = offset;
    offset = align(offset + stride);
    layers.push({ inSize, outSize, stride, weightOffset, biasOffset });
  }
  return { layers, length: offset };
}

/** Number of real parameters (no padding). */
export function parameterCount(layout: ParamLayout): number {
  return countParameters([layout.layers[0].inSize, ...layout.layers.map((l) => l.outSize)]);
}

/**
 * A Float32Array over a new SharedArrayBuffer, sized for the layout; over a plain ArrayBuffer where there is no
 * SharedArrayBuffer: a browser page that is not cross-origin isolated (any static host) only predicts, in one thread.
 */
export function allocateParams(layout: ParamLayout): Float32Array {
  const bytes = layout.length * 4;
  return new Float32Array(typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** Initial weights: uniform U(−0.1, 0.1) (the reference), Xavier/Glorot, He, or zeros (a network without hidden layers). */
export type InitName = 'uniform' | 'xavier' | 'he' | 'zeros';
/** Every {@link InitName}. */
export const INIT_NAMES: readonly InitName[] = ['uniform', 'xavier', 'he', 'zeros'];

/**
 * Initialises weights; biases are set to 0.
 * - uniform: U(−0.1, 0.1), the reference's default.
 * - xavier: U(−√(6/(in+out)), +√(6/(in+out))) (Glorot & Bengio 2010), suits sigmoid and tanh.
 * - he: U(−√(6/in), +√(6/in)) (He et al. 2015), suits ReLU.
 * - zeros: every weight 0, for a network without hidden layers (a linear model: convex, nothing to break the symmetry
 *   of). The default for sparse data: a first layer of millions of hashed inputs costs no draws, and the inputs
 *   training never sees keep weight 0 (a compact model drops them).
 * Draws go in PyTorch order (row o of W, then input i) so the same seed gives the same W whatever the storage layout.
 */
export function initParams(params: Float32Array, layout: ParamLayout, rng: Rng, init: InitName = 'uniform'): void {
  if (!INIT_NAMES.includes(init)) {
    throw new SpecError({ field: 'init', problem: `expected one of ${INIT_NAMES.join(', ')}, found ${JSON.stringify(init)}` });
  }
  params.fill(0);
  if (init === 'zeros') {
    if (layout.layers.length > 1) throw new SpecError({ field: 'init', problem: `zeros is for a network without hidden layers (all ${layout.layers[0].outSize} units of a hidden layer would learn the same); use he, xavier or uniform` });
    return;
  }
  for (const l of layout.layers) {
    const limit = init === 'uniform' ? 0.1 : init === 'xavier' ? Math.sqrt(6 / (l.inSize + l.outSize)) : Math.sqrt(6 / l.inSize);
    for (let o = 0; o < l.outSize; o++) {
      for (let i = 0; i < l.inSize; i++) {
        params[l.weightOffset + i * l.stride + o] = (2 * rng.nextFloat() - 1) * limit;
      }
    }
  }
}

/** Reads W[o][i] of layer l (PyTorch order) from the input-major storage. */
export function getWeight(params: Float32Array, layer: LayerLayout, o: number, i: number): number {
  return params[layer.weightOffset + i * layer.stride + o];
}
