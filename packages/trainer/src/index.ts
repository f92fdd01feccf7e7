/**
 * @hogwild/trainer as a library: train from code on files, the bundled MNIST or your own arrays (`number[][]` and
 * string labels included); evaluate and predict with the model; save and load it. The `trainer` CLI is a thin face
 * on these. Unknown option fields are refused with the nearest known name, and every error is a
 * {@link HogwildError} with `code`, `kind` and, for a bad option or argument, `field`.
 *
 * @module @hogwild/trainer
 */
export { train, type TrainOptions, type TrainResult, type TrainStart, type EpochEvent } from './train.ts';
export type { ArrayData, DataInput, FeatureValues } from './data-input.ts';
export {
  TRAIN_DEFAULTS, BENCH_DEFAULTS,
  type NetworkOptions, type ScheduleOptions, type MergeOptions, type WorkerOptions, type StartOptions,
} from './options.ts';
export { evaluate, evaluateTable, evaluateRecordsCsv, predict, predictImage, type Prediction, type EvaluateOptions } from './evaluate.ts';
export type { RecordData, RecordInput, RawRecord } from './record-rows.ts';
export type { RegressionMetrics } from './metrics.ts';
export { bench, type BenchOptions, type BenchReport, type BenchRow, type BenchStart, type Ceiling } from './bench/bench.ts';
export type { Evaluation } from './pool/session.ts';
export type { ScheduleName } from './schedule.ts';
export { TrainerError } from './errors.ts';
export { loadModel, saveModel, HogwildError, ERROR_CODES, type ErrorCode, type ErrorKind, type Model, type NetworkSpec } from '@hogwild/core';
