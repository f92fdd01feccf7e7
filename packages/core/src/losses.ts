import type { OutputActivation } from './activations.ts';
import { HogwildError } from './errors.ts';

/**
 * Losses as a small table. `value` is the cost of one sample; `outputDelta` writes the output error term
 * δᴸ = ∂C/∂zᴸ for the loss together with its output activation. `label` is the class of the sample, or for a
 * regression loss (mse) its target value. `smoothing` ε is label smoothing, which only softmax takes (the trainer
 * refuses it with the other losses, and they ignore it): the target is (1 − ε) on the label plus ε/K on each of the
 * K classes instead of the one-hot y; 0 (or absent) is the one-hot target.
 */
export type LossName = 'cross-entropy' | 'square' | 'softmax' | 'mse';

/** A loss C with its output activation, and δᴸ = ∂C/∂zᴸ computed together with it. */
export interface Loss {
  /** Its name, as in a spec and a model file. */
  readonly name: LossName;
  /** The output activation this loss is paired with. */
  readonly output: OutputActivation;
  /** C(a, y) for one sample; y is the one-hot target of `label` (softmax: smoothed by `smoothing`). */
  value(a: Float64Array, label: number, n: number, smoothing?: number): number;
  /** delta[i] = ∂C/∂z[i] for one sample. */
  outputDelta(a: Float64Array, label: number, delta: Float64Array, n: number, smoothing?: number): void;
}

/** Keeps log() finite when an output saturates to exactly 0 or 1 in floating point. */
const TINY = 1e-300;

/** Square loss C = ½ Σ (a − y)², with sigmoid outputs: δᴸ = (a − y) ∘ a(1 − a). */
export const square: Loss = {
  name: 'square',
  output: 'sigmoid',
  value(a, label, n) {
    let c = 0;
    for (let i = 0; i < n; i++) {
      const d = a[i] - (i === label ? 1 : 0);
      c += d * d;
    }
    return 0.5 * c;
  },
  outputDelta(a, label, delta, n) {
    for (let i = 0; i < n; i++) delta[i] = (a[i] - (i === label ? 1 : 0)) * a[i] * (1 - a[i]);
  },
};

/**
 * Summed binary cross-entropy C = −Σ [y ln a + (1 − y) ln(1 − a)] with sigmoid outputs.
 * NOTE: fused delta. ∂C/∂a = (a − y)/(a(1 − a)) and sigmoid′ = a(1 − a) cancel: δᴸ = a − y, which also never divides by 0.
 */
export const crossEntropy: Loss = {
  name: 'cross-entropy',
  output: 'sigmoid',
  value(a, label, n) {
    let c = 0;
    for (let i = 0; i < n; i++) c -= i === label ? Math.log(a[i] + TINY) : Math.log(1 - a[i] + TINY);
    return c;
  },
  outputDelta(a, label, delta, n) {
    for (let i = 0; i < n; i++) delta[i] = a[i] - (i === label ? 1 : 0);
  },
};

/**
 * Label smoothing ε is a number in [0, 1), and above 0 fits the softmax loss only: refused otherwise with E_USAGE of
 * field `labelSmoothing`, the loss named. The one check of train(), bench(), the session and the gradient check.
 */
export function checkLabelSmoothing(smoothing: number, loss: LossName): void {
  if (typeof smoothing !== 'number' || !(smoothing >= 0 && smoothing < 1)) throw new HogwildError('E_USAGE', { field: 'labelSmoothing', problem: `expected a number in [0, 1), found ${JSON.stringify(smoothing)}` });
  if (smoothing > 0 && loss !== 'softmax') throw new HogwildError('E_USAGE', { field: 'labelSmoothing', problem: `${smoothing} needs the softmax loss, found loss ${loss}${loss === 'mse' ? ' (regression)' : ''}` });
}

/**
 * Categorical cross-entropy C = −Σ yᵢ ln aᵢ with softmax outputs: −ln a_label for the one-hot y, and with label
 * smoothing ε the target yᵢ = (1 − ε)[i = label] + ε/K, so C = −(1 − ε) ln a_label − (ε/K) Σ ln aᵢ.
 * NOTE: fused delta. The softmax Jacobian times ∂C/∂a collapses to δᴸ = a − y (Σ yᵢ = 1 either way).
 */
export const softmaxCrossEntropy: Loss = {
  name: 'softmax',
  output: 'softmax',
  value(a, label, n, smoothing = 0) {
    if (!(smoothing > 0)) return -Math.log(a[label] + TINY);
    let logs = 0;
    for (let i = 0; i < n; i++) logs += Math.log(a[i] + TINY);
    return -(1 - smoothing) * Math.log(a[label] + TINY) - (smoothing / n) * logs;
  },
  outputDelta(a, label, delta, n, smoothing = 0) {
    if (!(smoothing > 0)) {
      for (let i = 0; i < n; i++) delta[i] = a[i] - (i === label ? 1 : 0);
      return;
    }
    const share = smoothing / n;
    for (let i = 0; i < n; i++) delta[i] = a[i] - (i === label ? 1 - smoothing : 0) - share;
  },
};

/**
 * Regression: C = ½ (a − y)² on one linear output, y the (standardised) target passed as `label`. With a = z,
 * δᴸ = a − y. (The mean over samples is what the trainer reports; per sample it is this half square.)
 */
export const meanSquaredError: Loss = {
  name: 'mse',
  output: 'linear',
  value(a, target) {
    const d = a[0] - target;
    return 0.5 * d * d;
  },
  outputDelta(a, target, delta) {
    delta[0] = a[0] - target;
  },
};

/** The losses by name. */
export const LOSSES: Readonly<Record<LossName, Loss>> = {
  square,
  'cross-entropy': crossEntropy,
  softmax: softmaxCrossEntropy,
  mse: meanSquaredError,
};
