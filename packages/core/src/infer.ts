/**
 * Inference anywhere, as `@hogwild/core/infer`: a model read from its safetensors bytes, its preprocessing
 * (a table's raw rows through createPreprocessor; standardisation, input_scale; a digit image's MNIST preparation),
 * the forward pass and the class probabilities or the regression value.
 * Nothing in this module's import graph uses a Node API, so a browser page runs it as it is (the page that
 * `trainer export-web` writes bundles it), and `trainer predict` runs the same functions in Node.
 */
import { HogwildError } from './errors.ts';
import { createNetwork, forward, forwardSparse } from './network.ts';
import type { Model } from './safetensors.ts';
import { createPreprocessor } from './preprocess.ts';
import { encodeRow, isRowFeaturizer, type RowFeaturizer, type RowInput } from './row-featurizer.ts';

export { decodeModel, encodeModel, type Model } from './safetensors.ts';
export { digitSample, toGray, toMnist, type GrayImage } from './digit-image.ts';
export { HogwildError, ModelFileError, type ErrorCode, type ErrorKind } from './errors.ts';
export { columnName, createPreprocessor, type Cell, type ColumnEncoding, type Preprocessor } from './preprocess.ts';
export { encodeRow, encodeRowInto, isRowFeaturizer, type RowFeaturizer, type RowInput } from './row-featurizer.ts';
export { SparseRowBuilder, type SparseRow } from './text-features.ts';

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
  /**
   * Classifies a sparse sample: its non-zero inputs `indices[from … to)` with `values` at the same positions (a row
   * of a sparse dataset, or of encodeRow), used as they are (sparse data is not standardised).
   */
  predictSparse(indices: Int32Array, values: Float32Array, from?: number, to?: number): Prediction;
  /**
   * Classifies a raw record through the model's row featurizer (encodeRow: its text hashed, its numbers scaled, its
   * categories one-hot), or a plain text for a model of one text column. Throws E_USAGE for a model without one.
   */
  predictRecord(record: RowInput | string): Prediction;
}

/**
 * A raw record as the model's featurizer reads it: a plain string is the one text column's cell. Throws E_USAGE
 * when the model has no row featurizer, or a string is given to a model of several columns.
 */
export function recordInput(f: RowFeaturizer | undefined, record: RowInput | string, field = 'record'): RowInput {
  if (!isRowFeaturizer(f)) throw new HogwildError('E_USAGE', { field, problem: 'the model has no row featurizer (it was not trained on text or a sparse table of raw columns), so it reads features, not raw records' });
  if (typeof record !== 'string') {
    if (typeof record !== 'function' && (record === null || typeof record !== 'object' || Array.isArray(record))) {
      throw new HogwildError('E_USAGE', { field, problem: `expected a record ({column: cell}) or a text, found ${record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record}` });
    }
    return record;
  }
  if (f.columns.length !== 1 || f.columns[0].role !== 'text') {
    throw new HogwildError('E_USAGE', { field, problem: `a plain text, but the model reads ${f.columns.length} columns (${f.columns.map((c) => `${c.name}: ${c.role}`).join(', ')}): give a record naming them` });
  }
  return { [f.columns[0].name]: record };
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
  const answer = (): Prediction => {
    if (model.spec.loss === 'mse') return { label: 0, probabilities: [], value: pre.unscaleTarget(out[0]) };
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += out[i];
    const probabilities = Array.from(out, (v) => v / sum);
    let label = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
    const name = model.classes?.[label];
    return name === undefined ? { label, probabilities } : { label, name, probabilities };
  };
  const predictSparse = (indices: Int32Array, values: Float32Array, from = 0, to = indices.length): Prediction => {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to > indices.length || to > values.length) {
      throw new HogwildError('E_USAGE', { field: 'indices', problem: `the range ${from} … ${to} is not within the ${Math.min(indices.length, values.length)} indices and values` });
    }
    for (let k = from; k < to; k++) {
      const i = indices[k];
      if (!(i >= 0 && i < d) || (k > from && i <= indices[k - 1])) throw new HogwildError('E_USAGE', { field: `indices[${k}]`, problem: `${i}: expected ascending indices below the model's ${d} inputs` });
    }
    forwardSparse(net, indices, values, from, to, model.inputScale);
    return answer();
  };
  return {
    model,
    predictSparse,
    predictRecord(record) {
      const input = recordInput(model.featurizer, record);
      // encodeRow's row, rounded to float32 and sorted, is the row a converted dataset stores for the same record.
      const row = encodeRow(model.featurizer!, input, model.idf ?? null);
      return predictSparse(row.indices, row.values);
    },
    predict(features, offset = 0) {
      if (!Number.isInteger(offset) || offset < 0 || offset + d > features.length) {
        throw new HogwildError('E_USAGE', { field: 'features', problem: `${features.length} values from offset ${offset} do not hold the model's ${d} inputs` });
      }
      for (let j = 0; j < d; j++) row[j] = features[offset + j];
      // The same preparation as training and evaluation: the model's standardisation (float features), then its input_scale.
      if (!o.prepared) pre.scaleRows(row);
      forward(net, row, 0, model.inputScale);
      return answer();
    },
  };
}

/** Whether a model reads 28x28 digit images (MNIST-like: 784 inputs shaped [28, 28]), so that a drawing pad suits it. */
export function isDigitModel(model: Model): boolean {
  const s = model.inputShape;
  return model.spec.layers[0] === 784 && s.length === 2 && s[0] === 28 && s[1] === 28;
}
