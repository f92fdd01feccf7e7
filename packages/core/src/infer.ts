/**
 * Inference anywhere, as `@hogwild/core/infer`: a model read from its safetensors bytes, its preprocessing
 * (a table's raw rows through createPreprocessor; standardisation, input_scale; a digit image's MNIST preparation),
 * the forward pass and the class probabilities or the regression value.
 * Nothing in this module's import graph uses a Node API, so a browser page runs it as it is (the page that
 * `trainer export-web` writes bundles it), and `trainer predict` runs the same functions in Node.
 */
import { HogwildError } from './errors.ts';
import { createNetwork, forward } from './network.ts';
import type { Model } from './safetensors.ts';
import { createPreprocessor } from './preprocess.ts';

export { decodeModel, encodeModel, type Model } from './safetensors.ts';
export { digitSample, toGray, toMnist, type GrayImage } from './digit-image.ts';
export { HogwildError, ModelFileError, type ErrorCode, type ErrorKind } from './errors.ts';
export { columnName, createPreprocessor, type Cell, type ColumnEncoding, type Preprocessor } from './preprocess.ts';

/** What a Predictor says of one sample: the class, its name and the class probabilities, or the regression value. */
export interface Prediction {
  /** The most probable class (ties: the first). */
  readonly label: number;
  /** Its name, when the model has class names. */
  readonly name?: string;
  /** Class probabilities: softmax outputs as they are, sigmoid outputs normalised to sum 1 (empty for regression). */
  readonly probabilities: number[];
  /** Regression (loss mse): the predicted value, in the target's units. */
  readonly value?: number;
}

/** A model ready to classify one sample at a time; its scratch is allocated once, here. */
export interface Predictor {
  readonly model: Model;
  /** Classifies the sample at features[offset … offset + inputs): raw values, as stored (pixels 0–255, table features). */
  predict(features: ArrayLike<number>, offset?: number): Prediction;
}

/**
 * `prepared`: the features come from the model's table preprocessing (createPreprocessor), which has scaled them
 * already, so the model's standardisation is not applied again.
 */
export function createPredictor(model: Model, o: { prepared?: boolean } = {}): Predictor {
  const d = model.spec.layers[0];
  const net = createNetwork(model.spec, model.params);
  const row = new Float32Array(d);
  const out = net.acts[net.acts.length - 1];
  // The model's one preprocessing (preprocess.ts); prepared rows have been through its encodeRow already.
  const pre = createPreprocessor(model, d);
  return {
    model,
    predict(features, offset = 0) {
      if (!Number.isInteger(offset) || offset < 0 || offset + d > features.length) {
        throw new HogwildError('E_USAGE', { field: 'features', problem: `${features.length} values from offset ${offset} do not hold the model's ${d} inputs` });
      }
      for (let j = 0; j < d; j++) row[j] = features[offset + j];
      // The same preparation as training and evaluation: the model's standardisation (float features), then its input_scale.
      if (!o.prepared) pre.scaleRows(row);
      forward(net, row, 0, model.inputScale);
      if (model.spec.loss === 'mse') return { label: 0, probabilities: [], value: pre.unscaleTarget(out[0]) };
      let sum = 0;
      for (let i = 0; i < out.length; i++) sum += out[i];
      const probabilities = Array.from(out, (v) => v / sum);
      let label = 0;
      for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
      const name = model.classes?.[label];
      return name === undefined ? { label, probabilities } : { label, name, probabilities };
    },
  };
}

/** Whether a model reads 28x28 digit images (MNIST-like: 784 inputs shaped [28, 28]), so that a drawing pad suits it. */
export function isDigitModel(model: Model): boolean {
  const s = model.inputShape;
  return model.spec.layers[0] === 784 && s.length === 2 && s[0] === 28 && s[1] === 28;
}
