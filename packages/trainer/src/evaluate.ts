/** Library calls over a trained model: parallel evaluation of a dataset, and predictions for rows in memory. */
import type { Model } from '@hogwild/core';
import { createPredictor, recordInput, type Prediction } from '@hogwild/core/infer';
import type { Dataset, TableFormat } from '@hogwild/data';
import { sparseColumns, type AnyColumns } from '@hogwild/data/internal';
import { featurizerOf, isRecordList, prepareRecordsCsv, recordDataset, type PreparedRecords, type RecordData, type RecordInput } from './record-rows.ts';
import { prepareTable, type PreparedTable } from './table-rows.ts';
import { createSession, type Evaluation } from './pool/session.ts';
import type { KernelName } from './protocol.ts';
import { checkSameFeatures, featureMatrix, labelContext, loadData, type DataInput, type FeatureValues } from './data-input.ts';
import { WORKERS, checkGroup, defaultWorkers, refuseUnknown } from './options.ts';
import { TrainerError } from './errors.ts';
import { classify, readImage } from './predict/image.ts';

/** How {@link evaluate} runs. */
export interface EvaluateOptions {
  /** Worker threads (default: one per physical core). */
  readonly workers?: number;
  /** The compute kernel (default wasm). */
  readonly kernel?: KernelName;
  /** Names the model in errors (its file, say; default "the model"). */
  readonly modelName?: string;
}

/**
 * Accuracy and confusion counts of `model` on `data`, split across worker threads, with the model's preprocessing
 * (standardisation, input_scale). `data` takes the shapes `train()` takes; string labels are mapped with the model's
 * classes. A model with a row featurizer (a text model) also takes raw records with their labels
 * (`{ records, labels }`: objects naming its columns, or plain texts), each made into features by core encodeRow.
 */
export async function evaluate(model: Model, data: DataInput | RecordData, o: EvaluateOptions = {}): Promise<Evaluation> {
  refuseUnknown(o, ['workers', 'kernel', 'modelName']);
  checkGroup(WORKERS, { workers: o.workers, kernel: o.kernel });
  if (typeof data === 'object' && data !== null && 'records' in data) return evaluateDataset(model, sparseColumns(recordDataset(model, data, 'data')), o);
  const columns = loadData(data as DataInput, 'data', labelContext(model));
  checkSameFeatures(model, o.modelName ?? 'the model', columns);
  return evaluateDataset(model, columns, o);
}

/**
 * Evaluates a model with a row featurizer (a text model) on a CSV's raw rows: the header names its columns, each
 * row goes through core encodeRow, `label` names the column of the answers. Also says how many rows had no label.
 */
export async function evaluateRecordsCsv(model: Model, file: string, label: string, o: EvaluateOptions = {}): Promise<Evaluation & Omit<PreparedRecords, 'dataset'>> {
  refuseUnknown(o, ['workers', 'kernel', 'modelName']);
  checkGroup(WORKERS, { workers: o.workers, kernel: o.kernel });
  const { dataset, dropped } = await prepareRecordsCsv(model, file, label);
  return { ...(await evaluateDataset(model, sparseColumns(dataset), o)), dropped };
}

/**
 * Evaluates `model` on the raw rows of a table (CSV, Parquet or Arrow), each preprocessed by the model's own
 * preprocessing (its columns by name, fill values, categories and scaling: core createPreprocessor); `label` names
 * the column of the answers. Also says what the preprocessing filled and could not place.
 */
export async function evaluateTable(model: Model, format: TableFormat, file: string, label: string, o: EvaluateOptions = {}): Promise<Evaluation & Omit<PreparedTable, 'dataset'>> {
  refuseUnknown(o, ['workers', 'kernel', 'modelName']);
  checkGroup(WORKERS, { workers: o.workers, kernel: o.kernel });
  const { dataset, ...prepared } = await prepareTable(model, format, file, label);
  // The rows are scaled already: the session must not standardise them again.
  const e = await evaluateDataset({ ...model, standardization: undefined }, dataset, o);
  return { ...e, ...prepared };
}

async function evaluateDataset(model: Model, dataset: Dataset | AnyColumns, o: EvaluateOptions): Promise<Evaluation> {
  if (dataset.featureLength !== model.spec.layers[0]) {
    throw new TrainerError('E_INPUT', `${o.modelName ?? 'the model'}: the model takes ${model.spec.layers[0]} inputs, but ${dataset.source} has ${dataset.featureLength} features per sample`);
  }
  const session = await createSession({
    spec: model.spec, kernel: o.kernel ?? 'wasm', workers: o.workers ?? defaultWorkers(), params: model.params, inputScale: model.inputScale,
    test: dataset, standardize: model.standardization, ...(model.target && { target: model.target }),
  });
  try {
    return await session.evaluate('test');
  } finally {
    await session.close();
  }
}

/** Reads a digit from an image (a file, or its bytes: PNG, JPEG, … of any size) the MNIST way, and classifies it. */
export async function predictImage(model: Model, image: string | Uint8Array): Promise<Prediction> {
  const sample = await readImage(image);
  const { digit, probabilities } = classify(model, sample);
  return { label: digit, probabilities };
}

export type { Prediction };

/**
 * Predicts samples in this thread. A model with a row featurizer (a text model) takes raw records: objects naming
 * its columns (`{ subject: 'hi', size: 3 }`), or plain texts for a model of one text column, each made into features
 * by core encodeRow, as `data convert` made the training data. Otherwise, with the model's preprocessing (standardisation, input_scale): rows
 * (`number[][]`) or row-major values of the model's inputs per row (`number[]`, `Float64Array`, `Float32Array`,
 * `Uint8Array`), the shapes `train()` takes; a regression model gives each row's `value`. Core's infer, the code the
 * exported web page runs. `prepared`: the rows come from the model's table preprocessing (createPreprocessor), which
 * has scaled them already. One {@link Prediction} a row, in order.
 */
export function predict(model: Model, samples: FeatureValues | readonly RecordInput[], o: { prepared?: boolean } = {}): Prediction[] {
  if (isRecordList(samples)) {
    const f = featurizerOf(model, 'samples');
    const predictor = createPredictor(model);
    return samples.map((r, i) => predictor.predictRecord(recordInput(f, r as RecordInput, `samples[${i}]`)));
  }
  const d = model.spec.layers[0];
  const { values: features } = featureMatrix(samples, d, 'features', "the model's inputs");
  const predictor = createPredictor(model, o);
  const out: Prediction[] = [];
  for (let offset = 0; offset < features.length; offset += d) out.push(predictor.predict(features, offset));
  return out;
}
