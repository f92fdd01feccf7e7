/** Library calls over a trained model: parallel evaluation of a dataset, and predictions for rows in memory. */
import { createNetwork, forward, type Model } from '@hogwild/core';
import { createSession, defaultWorkers, type Evaluation } from './pool/session.ts';
import type { KernelName } from './protocol.ts';
import { resolveData, type DataInput } from './train.ts';
import { readInput } from '@hogwild/data';
import { TrainerError } from './errors.ts';

/** Accuracy and confusion counts of `model` on `data`, split across worker threads; the model's input_scale applies. */
export async function evaluate(model: Model, data: DataInput, o: { workers?: number; kernel?: KernelName } = {}): Promise<Evaluation> {
  const file = typeof data === 'string' ? data : undefined;
  const session = await createSession({
    spec: model.spec, kernel: o.kernel ?? 'wasm', workers: o.workers ?? defaultWorkers(), params: model.params, inputScale: model.inputScale,
    testFile: file, testBytes: file !== undefined ? readInput(file) : undefined, testData: typeof data === 'string' ? undefined : resolveData(data, 'data'),
  });
  try {
    return await session.evaluate('test');
  } finally {
    await session.close();
  }
}

export interface Prediction {
  /** The most probable class. */
  readonly label: number;
  /** Class probabilities: softmax outputs as they are, sigmoid outputs normalised to sum 1. */
  readonly probabilities: number[];
}

/** Classifies rows of features (rows × the model's inputs, row-major) in this thread, with the model's input_scale. */
export function predict(model: Model, features: Uint8Array | Float32Array | Float64Array): Prediction[] {
  const d = model.spec.layers[0];
  if (features.length % d !== 0 || features.length === 0) throw new TrainerError('E_USAGE', `features: ${features.length} values are not a whole number of rows of the model's ${d} inputs`);
  const net = createNetwork(model.spec, model.params);
  const out: Prediction[] = [];
  for (let offset = 0; offset < features.length; offset += d) {
    forward(net, features, offset, model.inputScale);
    const a = net.acts[net.acts.length - 1];
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i];
    const probabilities = Array.from(a, (v) => v / sum);
    let label = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
    out.push({ label, probabilities });
  }
  return out;
}
