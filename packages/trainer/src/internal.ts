/**
 * @hogwild/trainer's internal entry (`@hogwild/trainer/internal`): its public names and the internals that the sibling
 * packages and the tests use. Not user API: no doc page, and it changes without notice. A user imports
 * `@hogwild/trainer`.
 */
export { train, type TrainOptions, type TrainResult, type TrainStart, type EpochEvent } from './train.ts';
export { arrayDataset, type ArrayData, type DataInput, type FeatureValues } from './data-input.ts';
export { encodeLabels, type EncodedLabels } from './labels.ts';
export {
  TRAIN_DEFAULTS, BENCH_DEFAULTS, NETWORK, SCHEDULE, MERGE, WORKERS, BENCH, START, defaultWorkers, maxWorkers,
  type NetworkOptions, type ScheduleOptions, type MergeOptions, type WorkerOptions, type StartOptions, type OptionDef,
} from './options.ts';
export { readState as trainingState, type TrainingState } from './resume.ts';
export { evaluate, evaluateTable, predict, predictImage, type Prediction, type EvaluateOptions } from './evaluate.ts';
export { regressionMetrics, type RegressionMetrics } from './metrics.ts';
export { prepareTable, modelColumns, type PreparedTable } from './table-rows.ts';
export { bench, SHARE_NOTHING, type BenchOptions, type BenchReport, type BenchRow, type BenchStart, type Ceiling } from './bench/bench.ts';
export { readImage as readDigitImage, classify as predictDigit, imageSize, MAX_IMAGE_PIXELS } from './predict/image.ts';
export { createSession, type Session, type SessionOptions, type Evaluation, type EpochResult, type ParamsCopy } from './pool/session.ts';
export { mergeProtocol, stretchPeriods, describeMerges, TOUCH_BUDGET, DENSE_STALENESS, CLOSING_TAIL, STRETCH, type MergeProtocol, type RangePlan } from './merge-plan.ts';
export { learningRate, SCHEDULES, type Schedule, type ScheduleName } from './schedule.ts';
export { TrainerError, ExpectedError } from './errors.ts';
export { loadModel, saveModel, HogwildError, ERROR_CODES, type ErrorCode, type ErrorKind, type Model, type NetworkSpec } from '@hogwild/core/internal';
