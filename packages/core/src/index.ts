/**
 * The math of hogwild: network specs, parameters in one Float32Array, the forward and backward passes in
 * TypeScript (the readable reference), model files in safetensors and the reference's text format, and the errors
 * every package throws ({@link HogwildError}, with a stable `code` and its `kind`). The WebAssembly kernel's host
 * side and the helpers the other packages share are internal (`@hogwild/core/internal`, no stable API).
 *
 * @module @hogwild/core
 */
export { HogwildError, SpecError, ModelFileError, ERROR_CODES, type ErrorCode, type ErrorKind, type HogwildErrorOptions, type FieldProblem } from './errors.ts';
export { createRng, type Rng } from './rng.ts';
export type { ActivationName, HiddenActivation, OutputActivation } from './activations.ts';
export type { LossName } from './losses.ts';
export { validateSpec, parseLayers, countParameters, type NetworkSpec } from './spec.ts';
export { paramLayout, initParams, type LayerLayout, type ParamLayout, type InitName } from './params.ts';
export { createNetwork, forward, predict, sampleLoss, trainSample, gradients, type NetworkView, type Features } from './network.ts';
export { gradCheck, type GradCheckOptions, type GradCheckResult } from './grad-check.ts';
export { encodeModel, decodeModel, compactModel, type Model, type CompactOptions, type WeightPrecision } from './safetensors.ts';
export { saveModel, loadModel } from './model-io.ts';
export { parseReferenceText, formatReferenceText } from './reference-text.ts';
export type { ColumnEncoding, NumericColumn, CategoricalColumn, Task } from './preprocess.ts';
export {
  DEFAULT_TEXT_FEATURIZER, textFeaturizer, validateTextFeaturizer, textFeatureCount, textTokens, encodeText,
  type TextFeaturizer, type TextWeighting, type TextNormalization, type SparseRow,
} from './text-features.ts';
export { encodeRow, type RowFeaturizer, type RowInput, type ColumnFeatures, type TextColumnFeatures, type NumericColumnFeatures, type CategoricalColumnFeatures } from './row-featurizer.ts';
