/** `trainer gradcheck`: the core's finite-difference check, for one or every activation × loss. */
import { gradCheck, paramLayout, type GradCheckResult, type HiddenActivation, type LossName } from '@hogwild/core';
import { checkLabelSmoothing, HIDDEN_ACTIVATIONS, LOSS_NAMES, parameterCount } from '@hogwild/core/internal';
import { specFromFlags } from './options.ts';

export function gradcheckCommand(o: { layers: readonly number[]; activation: HiddenActivation; loss: LossName; all?: boolean; seed: number; tolerance: number; labelSmoothing?: number; json?: boolean }): void {
  const base = specFromFlags({}, o); // the flags' defaults are cli/program.ts's
  const specs = o.all
    // mse (regression) has one output.
    ? HIDDEN_ACTIVATIONS.flatMap((activation) => LOSS_NAMES.map((loss) => ({ ...base, activation, loss, ...(loss === 'mse' && { layers: [...base.layers.slice(0, -1), 1] }) })))
    : [base];
  const smoothing = o.labelSmoothing ?? 0;
  if (!o.all) checkLabelSmoothing(smoothing, base.loss);
  // Label smoothing applies to softmax networks only: with --all the others are checked without it.
  const results: GradCheckResult[] = specs.map((spec) => gradCheck(spec, { seed: o.seed, tolerance: o.tolerance, labelSmoothing: spec.loss === 'softmax' ? smoothing : 0 }));
  for (const r of results) {
    const w = r.worst;
    if (o.json) {
      process.stdout.write(JSON.stringify({ layers: r.spec.layers, activation: r.spec.activation, loss: r.spec.loss, ...(r.spec.loss === 'softmax' && smoothing > 0 && { label_smoothing: smoothing }), checked: r.checked, max_relative_error: r.maxRelativeError, tolerance: r.tolerance, passed: r.passed, worst: w }) + '\n');
    } else {
      process.stdout.write(`${r.passed ? 'ok  ' : 'FAIL'} ${r.spec.layers.join('-')} ${r.spec.activation}/${r.spec.loss}${r.spec.loss === 'softmax' && smoothing > 0 ? ` (label smoothing ${smoothing})` : ''}: ${r.checked} gradients (${r.checked / parameterCount(paramLayout(r.spec.layers))} samples), worst relative error ${r.maxRelativeError.toExponential(2)} ` +
        `(layer ${w.layer} ${w.tensor}[${w.tensor === 'weight' ? `${w.out},${w.in}` : w.out}]: backprop ${w.analytic.toExponential(6)}, numeric ${w.numeric.toExponential(6)}), tolerance ${r.tolerance}\n`);
    }
  }
  if (results.some((r) => !r.passed)) process.exitCode = 1;
}
