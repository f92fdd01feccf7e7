/**
 * Standardisation of float features: each feature is centred on the training set's mean and divided by its standard
 * deviation, so features on different scales (centimetres beside grams) train with one learning rate. The statistics
 * are fitted once on the training rows, kept in the model file, and applied by the model's Preprocessor
 * (preprocess.ts) wherever a model meets data (training, evaluation, prediction), so the three can never disagree.
 * Pixels (uint8) are not standardised: they keep their 1/255 scale.
 */
export interface Standardization {
  /** Per feature: the training set's mean. */
  readonly mean: Float32Array;
  /**
   * Per feature: what it is divided by: the training set's standard deviation (population), 1 where a feature is
   * constant, and with `auto` for a mostly-zero feature its largest absolute value (FitOptions.sparse).
   */
  readonly std: Float32Array;
}

/** How `standardize: 'auto'` tells a mostly-zero feature: more than this fraction of its training values are 0. */
export const SPARSE_FRACTION = 0.5;

/** Options of fitStandardization: which features are scaled without centring, and which are left as they are. */
export interface FitOptions {
  /**
   * Mostly-zero features (SPARSE_FRACTION) are not centred (mean 0) but divided by their largest absolute value (std
   * holds it), as scikit-learn's MaxAbsScaler does for sparse data: their zeros stay zero, so the kernel keeps
   * skipping them, and their values lie in [−1, 1].
   */
  readonly sparse?: boolean;
  /** Features left as they are (mean 0, std 1): one-hot indicators (preprocess.ts oneHotMask). */
  readonly keep?: Uint8Array;
}

/**
 * Mean and standard deviation of each of the d features over rows × d row-major values (float64 sums, two passes);
 * with `sparse`, a mostly-zero feature's mean 0 and its largest |value| in place of the deviation.
 */
export function fitStandardization(features: Float32Array, d: number, o: FitOptions = {}): Standardization {
  const rows = Math.floor(features.length / d);
  const sum = new Float64Array(d);
  for (let r = 0, at = 0; r < rows; r++) for (let j = 0; j < d; j++, at++) sum[j] += features[at];
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = rows > 0 ? sum[j] / rows : 0;
  const sq = new Float64Array(d);
  for (let r = 0, at = 0; r < rows; r++) {
    for (let j = 0; j < d; j++, at++) {
      const x = features[at] - mean[j];
      sq[j] += x * x;
    }
  }
  const std = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const s = rows > 0 ? Math.sqrt(sq[j] / rows) : 0;
    // A constant feature (or one whose spread float32 cannot hold) is only centred.
    std[j] = s > 0 && Number.isFinite(1 / Math.fround(s)) ? s : 1;
  }
  if (o.sparse) {
    const zeros = new Float64Array(d);
    const maxAbs = new Float64Array(d);
    for (let r = 0, at = 0; r < rows; r++) {
      for (let j = 0; j < d; j++, at++) {
        const x = features[at];
        if (x === 0) zeros[j]++;
        else if (Math.abs(x) > maxAbs[j]) maxAbs[j] = Math.abs(x);
      }
    }
    for (let j = 0; j < d; j++) {
      if (zeros[j] <= SPARSE_FRACTION * rows) continue;
      mean[j] = 0;
      // By the largest |value|, not the standard deviation: a rare feature's small std would blow its values up, and
      // the first layer's steps with them (docs/tables.md#scaling-that-keeps-sparsity).
      std[j] = maxAbs[j] > 0 && Number.isFinite(1 / Math.fround(maxAbs[j])) ? maxAbs[j] : 1;
    }
  }
  if (o.keep) {
    for (let j = 0; j < d; j++) if (o.keep[j]) { mean[j] = 0; std[j] = 1; }
  }
  return { mean: Float32Array.from(mean), std };
}
