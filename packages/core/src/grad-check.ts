import { createNetwork, gradients, sampleLoss, type NetworkView } from './network.ts';
import { allocateParams, initParams, paramLayout } from './params.ts';
import { createRng } from './rng.ts';
import { validateSpec, type NetworkSpec } from './spec.ts';
import { checkLabelSmoothing } from './losses.ts';

/** What {@link gradCheck} compares and how closely. */
export interface GradCheckOptions {
  /** Central-difference step. */
  readonly epsilon?: number;
  /** Samples to check (random inputs in [0, 1), random labels, or random targets in [−2, 2) for mse). */
  readonly samples?: number;
  /** Seed of the network's weights and of the samples. */
  readonly seed?: number;
  /** Pass threshold on the worst relative error. */
  readonly tolerance?: number;
  /** Label smoothing ε of a softmax network (losses.ts): its cost and gradients are checked instead (default 0). */
  readonly labelSmoothing?: number;
  /** The analytic gradient under test (default: backpropagation, network.ts `gradients`). */
  readonly analytic?: typeof gradients;
}

/** The outcome of {@link gradCheck}: the worst relative error and where it was. */
export interface GradCheckResult {
  /** The network checked. */
  readonly spec: NetworkSpec;
  /** Parameters compared (every weight and bias, every sample). */
  readonly checked: number;
  /** The worst relative error |a − n| / max(|a|, |n|, 1e-6). */
  readonly maxRelativeError: number;
  /** Where the worst error was: layer, kind and PyTorch-order indices. */
  readonly worst: { layer: number; tensor: 'weight' | 'bias'; out: number; in: number; analytic: number; numeric: number };
  /** The threshold it was compared with. */
  readonly tolerance: number;
  /** Whether the worst error is within the tolerance. */
  readonly passed: boolean;
}

/**
 * The reference's check_gradient: for every parameter θⱼ of a small network, compare the analytic ∂C/∂θⱼ with
 * the central difference (C(θ + ε) − C(θ − ε)) / (θ⁺ − θ⁻). The parameters are float32, so the step actually
 * taken (θ⁺ − θ⁻ after rounding) is the divisor; the costs are computed in float64.
 * Relative error |a − n| / max(|a|, |n|, 1e-6): the floor keeps parameters whose gradient is ~0 from dividing by 0.
 */
export function gradCheck(spec: NetworkSpec, options: GradCheckOptions = {}): GradCheckResult {
  const s = validateSpec(spec);
  const epsilon = options.epsilon ?? 1e-3;
  const samples = options.samples ?? 3;
  const tolerance = options.tolerance ?? 1e-4;
  const smoothing = options.labelSmoothing ?? 0;
  checkLabelSmoothing(smoothing, s.loss);
  const rng = createRng(options.seed ?? 1);
  const layout = paramLayout(s.layers);
  const params = allocateParams(layout);
  // Larger weights than U(−0.1, 0.1) so the check exercises the nonlinear parts of the activations.
  initParams(params, layout, rng, 'xavier');
  for (const l of layout.layers) for (let o = 0; o < l.outSize; o++) params[l.biasOffset + o] = (rng.nextFloat() - 0.5) * 0.5;
  const net = createNetwork(s, params);
  const inSize = s.layers[0];
  const outSize = s.layers[s.layers.length - 1];
  const x = new Float64Array(inSize);
  const grad = new Float64Array(layout.length);
  let checked = 0;
  let maxRel = 0;
  let worst: GradCheckResult['worst'] = { layer: 0, tensor: 'weight', out: 0, in: 0, analytic: 0, numeric: 0 };
  for (let n = 0; n < samples; n++) {
    for (let i = 0; i < inSize; i++) x[i] = rng.nextFloat() < 0.2 ? 0 : rng.nextFloat();
    // A class, or for regression (mse) a target value (standardised targets lie around [−2, 2]).
    const label = s.loss === 'mse' ? 4 * rng.nextFloat() - 2 : rng.nextInt(outSize);
    (options.analytic ?? gradients)(net, x, 0, 1, label, grad, smoothing);
    layout.layers.forEach((layer, li) => {
      const visit = (index: number, tensor: 'weight' | 'bias', o: number, i: number): void => {
        const numeric = centralDifference(net, params, index, epsilon, x, label, smoothing);
        const analytic = grad[index];
        const rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-6);
        checked++;
        if (rel > maxRel || checked === 1) {
          maxRel = rel;
          worst = { layer: li, tensor, out: o, in: i, analytic, numeric };
        }
      };
      for (let o = 0; o < layer.outSize; o++) {
        for (let i = 0; i < layer.inSize; i++) visit(layer.weightOffset + i * layer.stride + o, 'weight', o, i);
        visit(layer.biasOffset + o, 'bias', o, 0);
      }
    });
  }
  return { spec: s, checked, maxRelativeError: maxRel, worst, tolerance, passed: maxRel <= tolerance };
}

function centralDifference(net: NetworkView, params: Float32Array, index: number, epsilon: number, x: Float64Array, label: number, smoothing: number): number {
  const original = params[index];
  params[index] = original + epsilon;
  const plus = params[index];
  const costPlus = sampleLoss(net, x, 0, 1, label, smoothing);
  params[index] = original - epsilon;
  const minus = params[index];
  const costMinus = sampleLoss(net, x, 0, 1, label, smoothing);
  params[index] = original;
  return (costPlus - costMinus) / (plus - minus);
}
