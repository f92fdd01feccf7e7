import { HogwildError } from './errors.ts';

/**
 * Standardisation of float features: each feature is centred on the training set's mean and divided by its standard
 * deviation, so features on different scales (centimetres beside grams) train with one learning rate. The statistics
 * are fitted once on the training rows, kept in the model file, and applied by this one function wherever a model
 * meets data (training, evaluation, prediction), so the three can never disagree. Pixels (uint8) are not
 * standardised: they keep their 1/255 scale.
 */
export interface Standardization {
  /** Per feature: the training set's mean. */
  readonly mean: Float32Array;
  /** Per feature: the training set's standard deviation (population), 1 where a feature is constant. */
  readonly std: Float32Array;
}

/** Mean and standard deviation of each of the d features over rows × d row-major values (float64 sums, two passes). */
export function fitStandardization(features: Float32Array, d: number): Standardization {
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
  return { mean: Float32Array.from(mean), std };
}

/** Standardises rows × d row-major features in place: x ← (x − mean) / std, feature by feature. */
export function standardize(features: Float32Array, d: number, s: Standardization): void {
  const { mean, std } = s;
  if (mean.length !== d || std.length !== d) throw new HogwildError('E_USAGE', `standardize: statistics for ${mean.length} features, data has ${d}`);
  const n = features.length - (features.length % d);
  for (let at = 0; at < n; at += d) {
    for (let j = 0; j < d; j++) features[at + j] = (features[at + j] - mean[j]) / std[j];
  }
}
