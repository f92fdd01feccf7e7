/**
 * @hogwild/core's internal entry (`@hogwild/core/internal`): its public names and the internals that the sibling
 * packages and the tests use. Not user API: no doc page, and it changes without notice. A user imports
 * `@hogwild/core`.
 */
export { HogwildError, SpecError, ModelFileError, ERROR_CODES, type ErrorCode, type ErrorKind, type HogwildErrorOptions, type FieldProblem } from './errors.ts';
export { printable } from './printable.ts';
export { nearestName } from './nearest-name.ts';
export { createRng, shuffleInPlace, type Rng } from './rng.ts';
export { ACTIVATIONS, sigmoid, relu, tanh, softmax, linear, type Activation, type ActivationName, type HiddenActivation, type OutputActivation } from './activations.ts';
export { LOSSES, square, crossEntropy, softmaxCrossEntropy, meanSquaredError, checkLabelSmoothing, type Loss, type LossName } from './losses.ts';
export { networkName, validateSpec, parseLayers, countParameters, MAX_PARAMETERS, REFERENCE_SPEC, HIDDEN_ACTIVATIONS, LOSS_NAMES, type NetworkSpec } from './spec.ts';
export {
  paramLayout, parameterCount, allocateParams, initParams, getWeight, INIT_NAMES, ALIGN_FLOATS,
  type LayerLayout, type ParamLayout, type InitName,
} from './params.ts';
export { createNetwork, forward, predict, argmaxOutput, sampleLoss, trainSample, gradients, type NetworkView, type Features } from './network.ts';
export { gradCheck, type GradCheckOptions, type GradCheckResult } from './grad-check.ts';
export { encodeModel, decodeModel, compactModel, firstNonFinite, nonZeroRows, WEIGHT_PRECISIONS, type Model, type CompactOptions, type WeightPrecision } from './safetensors.ts';
export { saveModel, loadModel } from './model-io.ts';
export { openAtomic, writeFileAtomic, writeChunksAtomic, removeStaleTemps, tempFileName, type AtomicFile } from './atomic-file.ts';
export { fitStandardization, SPARSE_FRACTION, type FitOptions, type Standardization } from './standardize.ts';
export { parseReferenceText, formatReferenceText } from './reference-text.ts';
export { createArena, RESERVED, PAGE, MAX_PAGES, REGION_ALIGN, type Arena } from './arena.ts';
export {
  compileKernel, wasmKernelName, relaxedSimdValidates, WASM_KERNELS, KERNEL_ENV, instantiateKernel, createWasmView, mergeStart, reserveLocks, lockCount, setMergePeriods, takeMergedFloats, dirtyRows, DENSE_BLOCK, DESCRIPTOR,
  type KernelExports, type WasmKernelName, type WasmView, type WasmViewOptions, type ViewMerge, type MergePeriods,
} from './wasm-kernel.ts';
export { writeDataDescriptor, DATA_CODES, type DataLayout, type DataInput, type DataLabels } from './data-layout.ts';
export {
  MISSING_TEXTS, MAX_ONE_HOT, MAX_CLASSES, FLOAT_CLASSES, isMissingText, parseNumber, parseCell, booleanText, categoryKey, columnWidth, columnName, encodedNames, oneHotMask,
  createEncoder, createPreprocessor, fitTargetScaling, chooseTask, isClassCodes,
  type Cell, type NumericColumn, type CategoricalColumn, type ColumnEncoding, type Task, type Encoder, type Preprocessing, type Preprocessor, type TargetScaling, type LabelStats,
} from './preprocess.ts';
export {
  DEFAULT_TEXT_FEATURIZER, TEXT_MAX_HASH_BITS, TEXT_MAX_NGRAMS, textFeaturizer, validateTextFeaturizer, textFeatureCount, textTokens, encodeText, encodeTextInto, idfWeight, SparseRowBuilder, murmur3, hashToken,
  type TextFeaturizer, type TextWeighting, type TextNormalization, type SparseRow,
} from './text-features.ts';
export {
  encodeRow, encodeRowInto, isRowFeaturizer, textRowFeaturizer, validateRowFeaturizer, usesIdf, checkIdf, fitTextIdf, weighCountRows, fitIdfOnRows,
  type RowFeaturizer, type RowInput, type ColumnFeatures, type TextColumnFeatures, type NumericColumnFeatures, type CategoricalColumnFeatures,
} from './row-featurizer.ts';
