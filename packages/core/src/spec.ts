import type { HiddenActivation } from './activations.ts';
import { SpecError } from './errors.ts';
import { LOSSES, type LossName } from './losses.ts';

/** A fully connected network: layer sizes from input to output, the hidden activation and the loss (which fixes the output activation). */
export interface NetworkSpec {
  /** Layer sizes, input to output (at least 2). */
  readonly layers: readonly number[];
  /** The hidden layers' activation. */
  readonly activation: HiddenActivation;
  /** The loss, which fixes the output activation (softmax for `softmax`, sigmoid otherwise). */
  readonly loss: LossName;
}

/** The hidden activations a spec may name. */
export const HIDDEN_ACTIVATIONS: readonly HiddenActivation[] = ['sigmoid', 'relu', 'tanh', 'linear'];
/** The losses a spec may name. */
export const LOSS_NAMES: readonly LossName[] = ['cross-entropy', 'square', 'softmax', 'mse'];

/** The reference configuration R of the original project: 784-100-10, sigmoid, summed cross-entropy. */
export const REFERENCE_SPEC: NetworkSpec = { layers: [784, 100, 10], activation: 'sigmoid', loss: 'cross-entropy' };

/** The most parameters a network may have: 2^26 float32 (256 MiB), so that the shared weights, each worker's replica and the data fit one WebAssembly memory (4 GiB). */
export const MAX_PARAMETERS = 2 ** 26;

/** Weights and biases of a network with these layer sizes (no padding). */
export function countParameters(layers: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < layers.length; i++) n += layers[i] * layers[i + 1] + layers[i + 1];
  return n;
}

/** Validates a spec at the public entry; returns a frozen copy. Throws a {@link SpecError} naming the field. */
export function validateSpec(spec: NetworkSpec): NetworkSpec {
  const layers = spec.layers;
  if (!Array.isArray(layers) || layers.length < 2) {
    throw new SpecError({ field: 'layers', problem: `expected at least 2 sizes (input and output), found ${JSON.stringify(layers)}` });
  }
  for (let i = 0; i < layers.length; i++) {
    const n = layers[i];
    if (!Number.isInteger(n) || n < 1) {
      throw new SpecError(`layers[${i}]: expected a positive integer, found ${JSON.stringify(n)}`, { field: 'layers' });
    }
  }
  const parameters = countParameters(layers);
  if (parameters > MAX_PARAMETERS) {
    throw new SpecError({ field: 'layers', problem: `${layers.join(',')} has ${parameters.toLocaleString('en-US')} parameters, more than the ${MAX_PARAMETERS.toLocaleString('en-US')} a model may have (256 MiB of float32 per copy, and each worker keeps copies)` });
  }
  if (!HIDDEN_ACTIVATIONS.includes(spec.activation)) {
    throw new SpecError({ field: 'activation', problem: `expected one of ${HIDDEN_ACTIVATIONS.join(', ')}, found ${JSON.stringify(spec.activation)}` });
  }
  if (!(spec.loss in LOSSES)) {
    throw new SpecError({ field: 'loss', problem: `expected one of ${LOSS_NAMES.join(', ')}, found ${JSON.stringify(spec.loss)}` });
  }
  if (spec.loss === 'softmax' && layers[layers.length - 1] < 2) {
    throw new SpecError({ field: 'layers', problem: `softmax needs at least 2 outputs, found ${layers[layers.length - 1]}` });
  }
  if (spec.loss === 'mse' && layers[layers.length - 1] !== 1) {
    throw new SpecError({ field: 'layers', problem: `mse (regression) has one output, the predicted value; found ${layers[layers.length - 1]}` });
  }
  return Object.freeze({ layers: Object.freeze([...layers]), activation: spec.activation, loss: spec.loss });
}

/** Parses "784,100,10" into sizes (an error names the field `layers`; the CLI names its flag from it). */
export function parseLayers(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new SpecError({ field: 'layers', problem: `expected comma-separated positive integers such as 784,100,10, found ${JSON.stringify(text)}` });
  }
  return sizes;
}


/** "784-128-10 relu/softmax", or "1048576-2 softmax (no hidden layer)" where the hidden activation has no layer to act in. */
export function networkName(spec: NetworkSpec): string {
  return spec.layers.length > 2 ? `${spec.layers.join('-')} ${spec.activation}/${spec.loss}` : `${spec.layers.join('-')} ${spec.loss} (no hidden layer)`;
}
