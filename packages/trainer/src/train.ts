/**
 * `train(options)`: the whole training run as a library call: data from files, the bundled MNIST or arrays in memory;
 * epochs with a learning-rate schedule; evaluation after every epoch; stopping at the next chunk when `signal` aborts
 * (the model trained so far is still returned). It never prints, reads process.argv, exits or installs signal
 * handlers: `trainer run` is a renderer over it (cli/run.ts).
 */
import {
  firstNonFinite, validateSpec, type HiddenActivation, type InitName, type LossName, type Model, type NetworkSpec,
} from '@hogwild/core';
import { datasetFromTable, ensureMnist, featureScale, readInput, summarizeArrowDataset, type Dataset, type Table } from '@hogwild/data';
import { createSession, defaultWorkers, type Evaluation, type Session } from './pool/session.ts';
import type { RangePeriods, SyncFlag, SyncPeriods } from './pool/sync.ts';
import { learningRate, type ScheduleName } from './schedule.ts';
import type { KernelName } from './protocol.ts';
import { TrainerError } from './errors.ts';

/** Samples in memory: `features` row-major (rows × featureLength; uint8 pixels are scaled by 1/255, floats used as they are). */
export interface ArrayData {
  readonly features: Uint8Array | Float32Array;
  /** Class of each row, 0 … classes − 1 (at most 255). */
  readonly labels: ArrayLike<number>;
  readonly featureLength: number;
  /** Shape of one sample (default [featureLength]). */
  readonly shape?: readonly number[];
  /** Class names by label value, kept in the model. */
  readonly classes?: readonly string[];
  /** Feature names by feature index, kept in the model. */
  readonly featureNames?: readonly string[];
}

/** An Arrow dataset file (from `pnpm data convert`), arrays in memory, or an apache-arrow Table with the dataset's columns. */
export type DataInput = string | ArrayData | Table;

/** The defaults of `trainer run`: a ReLU network with softmax outputs that reaches about 98% on MNIST in seconds. */
export const TRAIN_DEFAULTS = { hidden: [128], activation: 'relu', loss: 'softmax', init: 'he', lr: 0.02, schedule: 'cosine', epochs: 5, seed: 1 } as const;

export interface TrainOptions {
  /** Training data (default: the bundled MNIST training set, with its test set as `test`). */
  readonly data?: DataInput;
  /** Data evaluated after every epoch (default with MNIST: its test set; otherwise none, and the training data is evaluated). */
  readonly test?: DataInput;
  /** Layer sizes, input to output (default: the data's features, 128 hidden units, the data's classes). */
  readonly layers?: readonly number[];
  readonly activation?: HiddenActivation;
  readonly loss?: LossName;
  readonly init?: InitName;
  readonly lr?: number;
  readonly schedule?: ScheduleName;
  /** With schedule 'step': epochs between decays and the factor of each. */
  readonly lrStep?: number;
  readonly lrGamma?: number;
  readonly epochs?: number;
  readonly seed?: number;
  /** Worker threads (default: one per physical core). */
  readonly workers?: number;
  readonly kernel?: KernelName;
  readonly sync?: SyncFlag;
  readonly syncDense?: number;
  /** Changes of a first-layer row that make it due for a merge (see pool/sync.ts). */
  readonly syncTouches?: number;
  /** A worker's last samples of each epoch that are each followed by a full merge (see CLOSING_TAIL in pool/sync.ts). */
  readonly syncTail?: number;
  /** The most the merge periods grow as the learning rate falls (see stretchPeriods in pool/sync.ts; 1: fixed). */
  readonly syncStretch?: number;
  readonly chunk?: number;
  /** Logical workers in one thread (see pool/simulated.ts). */
  readonly simulate?: boolean;
  /**
   * Standardise float features with the training set's mean and standard deviation (default true; uint8 pixels are
   * never standardised). The statistics go into the model, and evaluate() and predict() apply them.
   */
  readonly standardize?: boolean;
  /** Aborting stops the workers at their next chunk; train() then returns the model as it is (`stopped: true`). */
  readonly signal?: AbortSignal;
  /** Once the data is loaded and the workers started. */
  readonly onStart?: (info: TrainStart) => void;
  /** At the start of each epoch (1-based), with a function that reads the samples trained so far in it. */
  readonly onEpochStart?: (epoch: number, progress: () => number) => void;
  /** After each epoch's evaluation; `model()` copies the parameters as they are (for a checkpoint). */
  readonly onEpoch?: (e: EpochEvent, model: () => Model) => void;
  /** A remark the caller may show (accuracy near chance). */
  readonly onWarning?: (message: string) => void;
}

export interface TrainStart {
  readonly spec: NetworkSpec;
  readonly rows: number;
  readonly workers: number;
  readonly kernel: KernelName;
  readonly sync: SyncPeriods;
  readonly simulated: boolean;
  readonly init: InitName;
  /** Which data the epochs are evaluated on. */
  readonly split: 'test' | 'train';
  /** Whether float features are standardised (with the training set's statistics, kept in the model). */
  readonly standardized: boolean;
}

export interface EpochEvent {
  readonly epoch: number;
  readonly lr: number;
  readonly samples: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  /** Mean cost of the epoch's samples, each taken before its own update. */
  readonly loss: number;
  readonly accuracy: number;
  readonly evaluation: Evaluation;
  /** The epoch's merge periods (they grow as the learning rate falls: stretchPeriods in pool/sync.ts); null without replicas. */
  readonly mergePeriods: RangePeriods | null;
}

export interface TrainResult {
  readonly model: Model;
  readonly history: readonly EpochEvent[];
  /** Full epochs trained. */
  readonly epochs: number;
  readonly stopped: boolean;
  readonly trainSeconds: number;
  /** The last epoch's evaluation (null when stopped before the first ended). */
  readonly evaluation: Evaluation | null;
  readonly split: 'test' | 'train';
}

/** Arrays in memory as a dataset, checked: labels integers 0 … 255, features of the stated length. */
export function arrayDataset(a: ArrayData, name: string): Dataset {
  const d = a.featureLength;
  if (!Number.isInteger(d) || d < 1) throw new TrainerError('E_USAGE', `${name}.featureLength: expected a positive integer, found ${JSON.stringify(d)}`);
  if (!(a.features instanceof Uint8Array || a.features instanceof Float32Array)) throw new TrainerError('E_USAGE', `${name}.features: expected a Uint8Array or a Float32Array`);
  const rows = a.features.length / d;
  if (!Number.isInteger(rows) || rows === 0) throw new TrainerError('E_USAGE', `${name}.features: ${a.features.length} values are not a positive whole number of rows of ${d}`);
  if (a.labels.length !== rows) throw new TrainerError('E_USAGE', `${name}.labels: ${a.labels.length} labels for ${rows} rows`);
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = a.labels[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new TrainerError('E_USAGE', `${name}.labels[${i}]: expected an integer class 0 … 255, found ${v}`);
    labels[i] = v;
  }
  if (a.features instanceof Float32Array) {
    for (let i = 0; i < a.features.length; i++) {
      if (!Number.isFinite(a.features[i])) throw new TrainerError('E_USAGE', `${name}.features[${i}]: ${a.features[i]}, features must be finite`);
    }
  }
  const shape = a.shape ? [...a.shape] : [d];
  if (shape.reduce((x, y) => x * y, 1) !== d) throw new TrainerError('E_USAGE', `${name}.shape: ${JSON.stringify(shape)} does not hold ${d} features`);
  if (a.classes && (a.classes.length > 256 || a.classes.some((c) => typeof c !== 'string'))) throw new TrainerError('E_USAGE', `${name}.classes: expected at most 256 names (strings)`);
  if (a.featureNames && (a.featureNames.length !== d || a.featureNames.some((c) => typeof c !== 'string'))) throw new TrainerError('E_USAGE', `${name}.featureNames: expected ${d} names (strings)`);
  return {
    rows, featureLength: d, features: a.features, labels, shape, source: name,
    ...(a.classes && { classes: [...a.classes] }), ...(a.featureNames && { featureNames: [...a.featureNames] }),
  };
}

/** Arrays or a Table as a dataset (files are read by the session). */
export function resolveData(input: ArrayData | Table, name: string): Dataset {
  return isTable(input) ? datasetFromTable(input, name) : arrayDataset(input, name);
}

interface Resolved { readonly file?: string; readonly bytes?: Uint8Array; readonly dataset?: Dataset; readonly name: string }

function isTable(input: DataInput): input is Table {
  return typeof input === 'object' && 'schema' in input && 'batches' in input;
}

function resolve(input: DataInput, name: string): Resolved {
  if (typeof input === 'string') return { file: input, bytes: readInput(input), name: input };
  return { dataset: resolveData(input, name), name };
}

/** Rows, feature length and type, shape and largest label of resolved data. */
interface Summary {
  rows: number; featureLength: number; maxLabel: number; shape: readonly number[]; scale: number;
  classes?: readonly string[]; featureNames?: readonly string[];
}

function summary(r: Resolved): Summary {
  const names = (x: { classes?: readonly string[]; featureNames?: readonly string[] }) => ({ ...(x.classes && { classes: x.classes }), ...(x.featureNames && { featureNames: x.featureNames }) });
  if (r.dataset) {
    let maxLabel = 0;
    for (const l of r.dataset.labels) maxLabel = Math.max(maxLabel, l);
    return { rows: r.dataset.rows, featureLength: r.dataset.featureLength, maxLabel, shape: r.dataset.shape, scale: featureScale(r.dataset.features instanceof Uint8Array ? 'uint8' : 'float32'), ...names(r.dataset) };
  }
  const s = summarizeArrowDataset(r.bytes!, r.file!);
  return { rows: s.rows, featureLength: s.featureLength, maxLabel: s.maxLabel, shape: s.shape, scale: featureScale(s.featureType), ...names(s) };
}

/** The network the options name, checked; `layers` defaults from the data's shape. */
function networkSpec(o: TrainOptions, layers: readonly number[]): NetworkSpec {
  try {
    return validateSpec({ layers: [...layers], activation: o.activation ?? TRAIN_DEFAULTS.activation, loss: o.loss ?? TRAIN_DEFAULTS.loss });
  } catch (e) {
    throw new TrainerError('E_USAGE', (e as Error).message);
  }
}

export async function train(o: TrainOptions = {}): Promise<TrainResult> {
  // Options are checked before any data is read (or the bundled MNIST converted): a usage error costs nothing.
  if (o.layers !== undefined) networkSpec(o, o.layers);
  const epochs = o.epochs ?? TRAIN_DEFAULTS.epochs;
  const lr = o.lr ?? TRAIN_DEFAULTS.lr;
  if (!Number.isInteger(epochs) || epochs < 1) throw new TrainerError('E_USAGE', `epochs: expected a positive integer, found ${JSON.stringify(epochs)}`);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new TrainerError('E_USAGE', `lr: expected a positive number, found ${JSON.stringify(lr)}`);
  let data = o.data, test = o.test;
  if (data === undefined) {
    if (test !== undefined) throw new TrainerError('E_USAGE', 'test: give the training data too, or neither for the bundled MNIST');
    const mnist = await ensureMnist();
    data = mnist.train;
    test = mnist.test;
  }
  const train = resolve(data, 'data');
  const held = test !== undefined ? resolve(test, 'test') : null;
  const probe = summary(train);
  if (probe.featureLength === 0) throw new TrainerError('E_INPUT', `${train.name}: samples have 0 features, nothing to learn from`);
  if (probe.rows === 0) throw new TrainerError('E_INPUT', `${train.name}: the dataset has no samples`);
  const layers = o.layers ?? [probe.featureLength, ...TRAIN_DEFAULTS.hidden, Math.max(2, probe.maxLabel + 1, probe.classes?.length ?? 0)];
  const spec = networkSpec(o, layers);
  if (spec.layers[0] !== probe.featureLength) {
    throw new TrainerError('E_USAGE', `layers ${spec.layers.join(',')}: the input layer must have ${probe.featureLength} units, the features per sample of ${train.name}`);
  }
  const init = o.init ?? TRAIN_DEFAULTS.init;
  const schedule = { name: o.schedule ?? TRAIN_DEFAULTS.schedule, lr, every: o.lrStep, gamma: o.lrGamma };
  const workers = o.workers ?? defaultWorkers();
  const kernel = o.kernel ?? 'wasm';

  const session: Session = await createSession({
    spec, kernel, workers, init, seed: o.seed ?? TRAIN_DEFAULTS.seed, chunk: o.chunk, sync: o.sync, syncDense: o.syncDense, syncTouches: o.syncTouches, syncTail: o.syncTail, syncStretch: o.syncStretch, simulate: o.simulate,
    trainFile: train.file, trainBytes: train.bytes, trainData: train.dataset,
    testFile: held?.file, testBytes: held?.bytes, testData: held?.dataset,
    standardize: o.standardize === false ? undefined : 'fit',
  });
  const standardization = session.standardization ?? undefined;
  const outputs = spec.layers[spec.layers.length - 1];
  const names = { ...(probe.classes && probe.classes.length <= outputs && { classes: probe.classes }), ...(probe.featureNames && { featureNames: probe.featureNames }) };
  const split: 'test' | 'train' = session.test ? 'test' : 'train';
  const stop = () => session.stop();
  if (o.signal?.aborted) stop();
  o.signal?.addEventListener('abort', stop, { once: true });
  const snapshot = (): Model => ({
    spec, params: Float32Array.from(session.params), inputShape: [...probe.shape], inputScale: probe.scale, ...(standardization && { standardization }), ...names,
  });
  const history: EpochEvent[] = [];
  let last: Evaluation | null = null;
  let trainSeconds = 0;
  let stopped = false;
  let warned = false;
  try {
    o.onStart?.({ spec, rows: session.train!.rows, workers, kernel, sync: session.sync, simulated: session.simulated, init, split, standardized: standardization !== undefined });
    for (let epoch = 0; epoch < epochs; epoch++) {
      const rate = learningRate(schedule, epoch, epochs);
      o.onEpochStart?.(epoch + 1, () => session.progress());
      const r = await session.trainEpoch(rate);
      trainSeconds += r.seconds;
      if (r.stopped) { stopped = true; break; }
      // A diverged run stops here: nothing it would give back could be used (model files refuse non-finite weights).
      const bad = firstNonFinite(session.params, session.layout);
      if (bad || !Number.isFinite(r.loss)) {
        throw new TrainerError('E_INPUT', `training diverged in epoch ${epoch + 1}: ${bad ? `the weights are no longer finite (${bad.name} is ${bad.value})` : `the mean loss is ${r.loss}`}; lower the learning rate (now ${lr}: --lr, or lr in train()), or look for NaN or infinite features in ${train.file === undefined || o.data === undefined ? 'the data' : train.name}. Nothing was saved.`);
      }
      last = await session.evaluate(split);
      const classes = spec.layers[spec.layers.length - 1];
      if (!warned && last.accuracy <= 1.5 / classes) {
        warned = true;
        o.onWarning?.(`${split} accuracy ${(100 * last.accuracy).toFixed(2)}% after epoch ${epoch + 1} is near chance (${(100 / classes).toFixed(2)}% for ${classes} classes): the learning rate (${lr}: --lr, or lr in train()) may be too high`);
      }
      const e: EpochEvent = { epoch: epoch + 1, lr: rate, samples: r.samples, seconds: r.seconds, samplesPerSecond: r.samples / r.seconds, loss: r.loss, accuracy: last.accuracy, evaluation: last, mergePeriods: r.periods };
      history.push(e);
      o.onEpoch?.(e, snapshot);
      if (o.signal?.aborted) { stopped = epoch + 1 < epochs; break; }
    }
  } finally {
    o.signal?.removeEventListener('abort', stop);
    await session.close();
  }
  return { model: snapshot(), history, epochs: history.length, stopped, trainSeconds, evaluation: last, split };
}
