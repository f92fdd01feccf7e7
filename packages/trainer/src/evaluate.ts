/** Library calls over a trained model: parallel evaluation of a dataset, and predictions for rows in memory. */
import { createNetwork, forward, standardize, type Model } from '@hogwild/core';
import { createSession, type Evaluation } from './pool/session.ts';
import type { KernelName } from './protocol.ts';
import { featureMatrix, loadData, type DataInput, type FeatureValues } from './data-input.ts';
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
 * classes.
 */
export async function evaluate(model: Model, data: DataInput, o: EvaluateOptions = {}): Promise<Evaluation> {
  refuseUnknown(o, ['workers', 'kernel', 'modelName']);
  const run = checkGroup(WORKERS, { workers: o.workers, kernel: o.kernel });
  const dataset = loadData(data, 'data', model.classes);
  if (dataset.featureLength !== model.spec.layers[0]) {
    throw new TrainerError('E_INPUT', `${o.modelName ?? 'the model'}: the model takes ${model.spec.layers[0]} inputs, but ${dataset.source} has ${dataset.featureLength} features per sample`);
  }
  const session = await createSession({
    spec: model.spec, kernel: run.kernel ?? 'wasm', workers: run.workers ?? defaultWorkers(), params: model.params, inputScale: model.inputScale,
    test: dataset, standardize: model.standardization,
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

/** One row's prediction. */
export interface Prediction {
  /** The most probable class. */
  readonly label: number;
  /** Its name, when the model has class names. */
  readonly name?: string;
  /** Class probabilities: softmax outputs as they are, sigmoid outputs normalised to sum 1. */
  readonly probabilities: number[];
}

/**
 * Classifies samples in this thread, with the model's preprocessing (standardisation, input_scale): rows
 * (`number[][]`) or row-major values of the model's inputs per row (`number[]`, `Float64Array`, `Float32Array`,
 * `Uint8Array`), the shapes `train()` takes. One {@link Prediction} a row, in order.
 */
export function predict(model: Model, samples: FeatureValues): Prediction[] {
  const d = model.spec.layers[0];
  const { values: features } = featureMatrix(samples, d, 'features', "the model's inputs");
  const net = createNetwork(model.spec, model.params);
  const out: Prediction[] = [];
  const row = new Float32Array(d);
  for (let offset = 0; offset < features.length; offset += d) {
    for (let j = 0; j < d; j++) row[j] = features[offset + j];
    // The same preparation as training and evaluation: the model's standardisation (float features), then its input_scale.
    if (model.standardization) standardize(row, d, model.standardization);
    forward(net, row, 0, model.inputScale);
    const a = net.acts[net.acts.length - 1];
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i];
    const probabilities = Array.from(a, (v) => v / sum);
    let label = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
    out.push({ label, probabilities, ...(model.classes?.[label] !== undefined && { name: model.classes[label] }) });
  }
  return out;
}
