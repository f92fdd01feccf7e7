/**
 * @hogwild/trainer as a library: train from code on files, the bundled MNIST or your own arrays; evaluate and
 * predict with the model; save and load it. The `trainer` CLI is a thin face on these.
 */
export { train, arrayDataset, TRAIN_DEFAULTS, type TrainOptions, type TrainResult, type TrainStart, type EpochEvent, type ArrayData, type DataInput } from './train.ts';
export { evaluate, predict, predictImage, type Prediction } from './evaluate.ts';
export { bench, SHARE_NOTHING, type BenchOptions, type BenchReport, type BenchRow, type BenchStart, type Ceiling } from './bench/bench.ts';
export { readImage as readDigitImage, classify as predictDigit, imageSize, MAX_IMAGE_PIXELS } from './predict/image.ts';
export { classStats, type ClassStats } from './cli/report.ts';
export { createSession, defaultWorkers, maxWorkers, type Session, type SessionOptions, type Evaluation, type EpochResult, type ParamsCopy } from './pool/session.ts';
export { syncPeriods, stretchPeriods, describeSync, ROW_STALENESS, DENSE_STALENESS, TOUCH_BUDGET, CLOSING_TAIL, STRETCH, type SyncPeriods, type RangePeriods, type SyncFlag } from './pool/sync.ts';
export { learningRate, SCHEDULES, type Schedule, type ScheduleName } from './schedule.ts';
export { TrainerError } from './errors.ts';
export { loadModel, saveModel, type Model, type NetworkSpec } from '@hogwild/core';
