/** Regression metrics, computed the way scikit-learn computes them (float64 sums; R² as r2_score). */

export interface RegressionMetrics {
  readonly samples: number;
  /** Root mean squared error, in the target's units. */
  readonly rmse: number;
  /** Mean absolute error. */
  readonly mae: number;
  /** 1 − Σ(y − ŷ)² / Σ(y − ȳ)², as sklearn.metrics.r2_score (1 for a perfect fit, 0 for predicting the mean; NaN for a constant target). */
  readonly r2: number;
  /** Residuals y − ŷ: mean, and the quantiles min, 25%, median, 75%, max. */
  readonly residuals: { readonly mean: number; readonly min: number; readonly q1: number; readonly median: number; readonly q3: number; readonly max: number };
}

/** Linear-interpolated quantile of sorted values (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Metrics of predictions `yhat` against targets `y` (both in the target's units). */
export function regressionMetrics(y: ArrayLike<number>, yhat: ArrayLike<number>): RegressionMetrics {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let sse = 0, sae = 0, sst = 0, sr = 0;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = y[i] - yhat[i];
    r[i] = e;
    sr += e;
    sse += e * e;
    sae += Math.abs(e);
    sst += (y[i] - mean) ** 2;
  }
  r.sort();
  return {
    samples: n, rmse: Math.sqrt(sse / n), mae: sae / n, r2: sst > 0 ? 1 - sse / sst : NaN,
    residuals: { mean: sr / n, min: r[0], q1: quantile(r, 0.25), median: quantile(r, 0.5), q3: quantile(r, 0.75), max: r[n - 1] },
  };
}
