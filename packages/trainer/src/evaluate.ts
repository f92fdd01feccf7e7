/** Library calls over a trained model: parallel evaluation of a dataset, and predictions for rows in memory. */
import { createNetwork, forward, standardize, unscaleTarget, type Model } from '@hogwild/core';
import type { Dataset, TableFormat } from '@hogwild/data';
import { prepareTable, type PreparedTable } from './table-rows.ts';
import { createSession, type Evaluation } from './pool/session.ts';
import type { KernelName } from './protocol.ts';
import { loadData, type DataInput } from './data-input.ts';
import { defaultWorkers } from './options.ts';
import { TrainerError } from './errors.ts';
import { classify, readImage } from './predict/image.ts';

/**
 * Accuracy and confusion counts of `model` on `data`, split across worker threads; the model's input_scale applies.
 * `modelName` names the model in errors (its file, say).
 */
export async function evaluate(model: Model, data: DataInput, o: EvaluateOptions = {}): Promise<Evaluation> {
  return evaluateDataset(model, loadData(data, 'data'), o);
}

export interface EvaluateOptions { readonly workers?: number; readonly kernel?: KernelName; readonly modelName?: string }

/**
 * Evaluates `model` on the raw rows of a table (CSV, Parquet or Arrow), each preprocessed by the model's own
 * preprocessing (its columns by name, fill values, categories and scaling: core createPreprocessor); `label` names
 * the column of the answers. Also says what the preprocessing filled and could not place.
 */
export async function evaluateTable(model: Model, format: TableFormat, file: string, label: string, o: EvaluateOptions = {}): Promise<Evaluation & Omit<PreparedTable, 'dataset'>> {
  const { dataset, ...prepared } = await prepareTable(model, format, file, label);
  // The rows are scaled already: the session must not standardise them again.
  const e = await evaluateDataset({ ...model, standardization: undefined }, dataset, o);
  return { ...e, ...prepared };
}

async function evaluateDataset(model: Model, dataset: Dataset, o: EvaluateOptions): Promise<Evaluation> {
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

export interface Prediction {
  /** The most probable class. */
  readonly label: number;
  /** Its name, when the model has class names. */
  readonly name?: string;
  /** Class probabilities: softmax outputs as they are, sigmoid outputs normalised to sum 1 (empty for regression). */
  readonly probabilities: number[];
  /** Regression: the predicted value, in the target's units. */
  readonly value?: number;
}

/**
 * Classifies rows of features (rows × the model's inputs, row-major) in this thread, with the model's
 * standardisation and input_scale; a regression model gives each row's `value`. `prepared`: the rows come from the
 * model's preprocessing (createPreprocessor), which has scaled them already.
 */
export function predict(model: Model, features: Uint8Array | Float32Array | Float64Array, o: { prepared?: boolean } = {}): Prediction[] {
  const d = model.spec.layers[0];
  if (features.length % d !== 0 || features.length === 0) throw new TrainerError('E_USAGE', `features: ${features.length} values are not a whole number of rows of the model's ${d} inputs`);
  const net = createNetwork(model.spec, model.params);
  const out: Prediction[] = [];
  const row = new Float32Array(d);
  for (let offset = 0; offset < features.length; offset += d) {
    for (let j = 0; j < d; j++) row[j] = features[offset + j];
    // The same preparation as training and evaluation: the model's standardisation (float features), then its input_scale.
    if (model.standardization && !o.prepared) standardize(row, d, model.standardization);
    forward(net, row, 0, model.inputScale);
    const a = net.acts[net.acts.length - 1];
    if (model.spec.loss === 'mse') {
      out.push({ label: 0, probabilities: [], value: unscaleTarget(a[0], model.target) });
      continue;
    }
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i];
    const probabilities = Array.from(a, (v) => v / sum);
    let label = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
    out.push({ label, probabilities, ...(model.classes?.[label] !== undefined && { name: model.classes[label] }) });
  }
  return out;
}
