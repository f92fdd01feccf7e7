import { HogwildError } from './errors.ts';

/**
 * Activation functions as a small table: `apply` maps pre-activations z to outputs a (in place allowed),
 * `derivMul` multiplies error terms by g′ written in terms of the output a (the reference's form:
 * sigmoid′ = a(1−a)). Both work on whole vectors so that a call costs once per layer, not per unit.
 */
/** Activations a hidden layer may use. */
export type HiddenActivation = 'sigmoid' | 'relu' | 'tanh' | 'linear';
/** Activations of the output layer (fixed by the loss). */
export type OutputActivation = 'sigmoid' | 'softmax' | 'linear';
/** Every activation by name. */
export type ActivationName = HiddenActivation | OutputActivation;

/** An activation g applied to a whole layer, with its derivative expressed through its output. */
export interface Activation {
  /** Its name, as in a spec and a model file. */
  readonly name: ActivationName;
  /** a[i] = g(z[i]) for i in [0, n). */
  apply(z: Float64Array, a: Float64Array, n: number): void;
  /** delta[i] *= g′(z[i]) expressed through a[i] = g(z[i]). Softmax has no elementwise form and is only used fused with its loss. */
  derivMul(a: Float64Array, delta: Float64Array, n: number): void;
}

/** σ(z) = 1 / (1 + e^−z); σ′ = a(1 − a). */
export const sigmoid: Activation = {
  name: 'sigmoid',
  apply(z, a, n) {
    for (let i = 0; i < n; i++) a[i] = 1 / (1 + Math.exp(-z[i]));
  },
  derivMul(a, delta, n) {
    for (let i = 0; i < n; i++) delta[i] *= a[i] * (1 - a[i]);
  },
};

/** tanh(z); tanh′ = 1 − a². */
export const tanh: Activation = {
  name: 'tanh',
  apply(z, a, n) {
    for (let i = 0; i < n; i++) a[i] = Math.tanh(z[i]);
  },
  derivMul(a, delta, n) {
    for (let i = 0; i < n; i++) delta[i] *= 1 - a[i] * a[i];
  },
};

/** max(0, z); relu′ = 1 where a > 0, else 0 (the subgradient 0 at z = 0). */
export const relu: Activation = {
  name: 'relu',
  apply(z, a, n) {
    for (let i = 0; i < n; i++) a[i] = z[i] > 0 ? z[i] : 0;
  },
  // NOTE: ReLU′(0) is taken as 0 (the subgradient PyTorch and tinygrad use), so a unit at exactly 0 gets no update.
  derivMul(a, delta, n) {
    for (let i = 0; i < n; i++) if (!(a[i] > 0)) delta[i] = 0;
  },
};

/** softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ (shifted by max z), the output of the `softmax` loss only. */
export const softmax: Activation = {
  name: 'softmax',
  apply(z, a, n) {
    // Subtract the maximum first: exp never overflows and the result is unchanged.
    let max = z[0];
    for (let i = 1; i < n; i++) if (z[i] > max) max = z[i];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(z[i] - max);
      a[i] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let i = 0; i < n; i++) a[i] *= inv;
  },
  derivMul() {
    // The kernels never call it (validateSpec pairs softmax with its fused loss): reaching it is a bug.
    throw new HogwildError('E_INTERNAL', 'softmax has no elementwise derivative: it is only used fused with the cross-entropy loss');
  },
};

/**
 * The identity (a = z, g′ = 1): the output of a regression network, and a hidden layer that is a linear projection
 * (fastText's recipe for text: an embedding of the input's features, then softmax).
 */
export const linear: Activation = {
  name: 'linear',
  apply(z, a, n) {
    if (a !== z) for (let i = 0; i < n; i++) a[i] = z[i];
  },
  derivMul() {},
};

/** The activations by name. */
export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = { sigmoid, tanh, relu, softmax, linear };
