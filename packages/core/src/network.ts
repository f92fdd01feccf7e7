import { ACTIVATIONS, type Activation } from './activations.ts';
import { LOSSES, type Loss } from './losses.ts';
import { paramLayout, type ParamLayout } from './params.ts';
import { SpecError } from './errors.ts';
import { validateSpec, type NetworkSpec } from './spec.ts';
import { denseForward, denseBackward, sparseForward, sparseUpdate, sparseGrad, gatherNonzero } from './dense.ts';

/** Feature storage a sample can come from: raw uint8 pixels (scaled when read) or float features. */
export type Features = Uint8Array | Float32Array | Float64Array;

/**
 * One worker's view of a network: the shared parameters plus this view's own scratch, allocated once here.
 * Any number of views may share one `params` array (one per worker thread); the per-sample functions
 * below allocate nothing.
 */
/** A network over a parameter array, with its scratch allocated once: the per-sample functions below allocate nothing. */
export interface NetworkView {
  readonly spec: NetworkSpec;
  readonly layout: ParamLayout;
  readonly params: Float32Array;
  readonly hidden: Activation;
  readonly output: Activation;
  readonly loss: Loss;
  /** acts[l] = activations of layer l (acts[0] unused: the input is read sparsely), float64 for accuracy. */
  readonly acts: Float64Array[];
  /** deltas[l] = error term of layer l + 1's pre-activations (the output of weight layer l). */
  readonly deltas: Float64Array[];
  /** lr · δ of the layer being updated. */
  readonly scaled: Float64Array;
  /** Nonzero inputs of the current sample: first-layer weight-row offsets (i · stride) and scaled values. */
  readonly nzRow: Int32Array;
  readonly nzValue: Float64Array;
}

/** A view of `params` (in the layout of {@link paramLayout}) as the network `spec`, with its scratch. */
export function createNetwork(spec: NetworkSpec, params: Float32Array): NetworkView {
  const s = validateSpec(spec);
  const layout = paramLayout(s.layers);
  if (params.length < layout.length) {
    throw new SpecError({ field: 'params', problem: `expected at least ${layout.length} floats for layers ${s.layers.join(',')}, found ${params.length}` });
  }
  const loss = LOSSES[s.loss];
  const widest = Math.max(...s.layers);
  return {
    spec: s,
    layout,
    params,
    hidden: ACTIVATIONS[s.activation],
    output: ACTIVATIONS[loss.output],
    loss,
    acts: s.layers.map((n) => new Float64Array(n)),
    deltas: s.layers.slice(1).map((n) => new Float64Array(n)),
    scaled: new Float64Array(widest),
    nzRow: new Int32Array(s.layers[0]),
    nzValue: new Float64Array(s.layers[0]),
  };
}

/**
 * Forward pass: z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = g(z⁽ˡ⁾), for the sample at x[offset … offset + in),
 * each input multiplied by `scale` (1/255 for uint8 pixels). Returns the number of nonzero inputs.
 * Output activations end in net.acts[L].
 */
export function forward(net: NetworkView, x: Features, offset: number, scale: number): number {
  const first = net.layout.layers[0];
  const count = gatherNonzero(x, offset, first.inSize, scale, first.stride, net.nzRow, net.nzValue);
  forwardFrom(net, count);
  return count;
}

/**
 * Forward pass of a sparse sample: its non-zero inputs `indices[from … to)` with `values` at the same positions
 * (indices below the input size, each once), each multiplied by `scale`. Cost grows with the non-zeros, not with the
 * input size: what a text model with a million buckets needs to predict one text. Returns the non-zero count.
 */
export function forwardSparse(net: NetworkView, indices: Int32Array, values: Float32Array, from: number, to: number, scale: number): number {
  const first = net.layout.layers[0];
  let count = 0;
  for (let k = from; k < to; k++) {
    const v = values[k];
    if (v === 0) continue;
    net.nzRow[count] = indices[k] * first.stride;
    net.nzValue[count] = v * scale;
    count++;
  }
  forwardFrom(net, count);
  return count;
}

/** The forward pass from the first layer's list of `count` nonzero inputs (net.nzRow, net.nzValue) on. */
function forwardFrom(net: NetworkView, count: number): void {
  const { layout, params, acts } = net;
  const layers = layout.layers;
  const first = layers[0];
  sparseForward(params, first.weightOffset, first.biasOffset, first.outSize, net.nzRow, net.nzValue, count, acts[1]);
  const last = layers.length - 1;
  for (let l = 1; l <= last; l++) {
    net.hidden.apply(acts[l], acts[l], layers[l - 1].outSize);
    const layer = layers[l];
    denseForward(params, layer.weightOffset, layer.biasOffset, layer.inSize, layer.outSize, layer.stride, acts[l], acts[l + 1]);
  }
  net.output.apply(acts[last + 1], acts[last + 1], layers[last].outSize);
}

/** Index of the largest output after a forward pass (ties: the first). */
export function argmaxOutput(net: NetworkView): number {
  const a = net.acts[net.acts.length - 1];
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** Forward pass and class prediction for one sample. */
export function predict(net: NetworkView, x: Features, offset: number, scale: number): number {
  forward(net, x, offset, scale);
  return argmaxOutput(net);
}

/** Cost of one sample (forward pass included); `smoothing`: label smoothing (losses.ts, softmax only). */
export function sampleLoss(net: NetworkView, x: Features, offset: number, scale: number, label: number, smoothing = 0): number {
  forward(net, x, offset, scale);
  const a = net.acts[net.acts.length - 1];
  return net.loss.value(a, label, a.length, smoothing);
}

/** The output error term δᴸ = ∂C/∂zᴸ (the loss's fused delta) into the last deltas array; returns the sample's cost. */
function outputDelta(net: NetworkView, label: number, smoothing: number): number {
  const a = net.acts[net.acts.length - 1];
  const n = a.length;
  const cost = net.loss.value(a, label, n, smoothing);
  net.loss.outputDelta(a, label, net.deltas[net.deltas.length - 1], n, smoothing);
  return cost;
}

/**
 * The fused per-sample SGD step, in place on the shared parameters (no locks: Hogwild!):
 * forward, δᴸ, then for each layer from the top: δˡ⁻¹ = g′ ∘ Wᵀδˡ computed from each weight row just before
 * that row is updated (W −= α δ aᵀ, b −= α δ). No error term is computed for the input layer.
 * `smoothing`: label smoothing ε of a softmax network (losses.ts; 0: the one-hot target).
 * Returns the sample's cost before the update.
 */
export function trainSample(net: NetworkView, x: Features, offset: number, scale: number, label: number, lr: number, smoothing = 0): number {
  const count = forward(net, x, offset, scale);
  const cost = outputDelta(net, label, smoothing);
  const { params, acts, deltas, scaled } = net;
  const layers = net.layout.layers;
  for (let l = layers.length - 1; l >= 1; l--) {
    const layer = layers[l];
    denseBackward(params, layer.weightOffset, layer.biasOffset, layer.inSize, layer.outSize, layer.stride, acts[l], deltas[l], deltas[l - 1], scaled, lr, null);
    net.hidden.derivMul(acts[l], deltas[l - 1], layer.inSize);
  }
  const first = layers[0];
  sparseUpdate(params, first.weightOffset, first.biasOffset, first.outSize, net.nzRow, net.nzValue, count, deltas[0], scaled, lr);
  return cost;
}

/**
 * ∂C/∂θ for one sample, written into `grad` (same layout as the parameters; zero inputs give zero rows).
 * The parameters are not changed. Returns the sample's cost. `smoothing`: as in {@link trainSample}.
 */
export function gradients(net: NetworkView, x: Features, offset: number, scale: number, label: number, grad: Float64Array | Float32Array, smoothing = 0): number {
  grad.fill(0);
  const count = forward(net, x, offset, scale);
  const cost = outputDelta(net, label, smoothing);
  const { params, acts, deltas, scaled } = net;
  const layers = net.layout.layers;
  for (let l = layers.length - 1; l >= 1; l--) {
    const layer = layers[l];
    denseBackward(params, layer.weightOffset, layer.biasOffset, layer.inSize, layer.outSize, layer.stride, acts[l], deltas[l], deltas[l - 1], scaled, 0, grad);
    net.hidden.derivMul(acts[l], deltas[l - 1], layer.inSize);
  }
  const first = layers[0];
  sparseGrad(grad, first.weightOffset, first.biasOffset, first.outSize, net.nzRow, net.nzValue, count, deltas[0]);
  return cost;
}
