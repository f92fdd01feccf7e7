/** Library calls over a trained model: parallel evaluation of a dataset, and predictions for rows in memory. */
import type { Model } from '@hogwild/core';
import { createPredictor, type Prediction } from '@hogwild/core/infer';
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
export async function evaluate(model: Model, data: DataInput, o: { workers?: number; kernel?: KernelName; modelName?: string } = {}): Promise<Evaluation> {
  const dataset = loadData(data, 'data');
  if (dataset.featureLength !== model.spec.layers[0]) {
    throw new TrainerError('E_INPUT', `${o.modelName ?? 'the model'}: the model takes ${model.spec.layers[0]} inputs, but ${dataset.source} has ${dataset.featureLength} features per sample`);
  }
  const session = await createSession({
    spec: model.spec, kernel: o.kernel ?? 'wasm', workers: o.workers ?? defaultWorkers(), params: model.params, inputScale: model.inputScale,
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

export type { Prediction };

/**
 * Classifies rows of features (rows × the model's inputs, row-major) in this thread, with the model's
 * standardisation and input_scale: core's infer, the code the exported web page runs.
 */
export function predict(model: Model, features: Uint8Array | Float32Array | Float64Array): Prediction[] {
  const d = model.spec.layers[0];
  if (features.length % d !== 0 || features.length === 0) throw new TrainerError('E_USAGE', `features: ${features.length} values are not a whole number of rows of the model's ${d} inputs`);
  const predictor = createPredictor(model);
  const out: Prediction[] = [];
  for (let offset = 0; offset < features.length; offset += d) out.push(predictor.predict(features, offset));
  return out;
}
