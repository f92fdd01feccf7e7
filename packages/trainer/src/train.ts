/**
 * `train(options)`: the whole training run as a library call: data from files, the bundled MNIST or arrays in memory;
 * epochs with a learning-rate schedule; evaluation after every epoch; stopping at the next chunk when `signal` aborts
 * (the model trained so far is still returned). It never prints, reads process.argv, exits or installs signal
 * handlers: `trainer run` is a renderer over it (cli/run.ts).
 */
import { firstNonFinite, validateSpec, type HogwildError, type InitName, type MergePeriods, type Model, type NetworkSpec } from '@hogwild/core';
import { ensureMnist, type Dataset } from '@hogwild/data';
import { createSession, type Evaluation, type Session } from './pool/session.ts';
import type { MergeRule } from './merge-plan.ts';
import { learningRate } from './schedule.ts';
import type { KernelName } from './protocol.ts';
import { TrainerError } from './errors.ts';
import { loadData, summarize, type DataInput } from './data-input.ts';
import {
  MERGE, NETWORK, SCHEDULE, TABLES, TRAIN_DEFAULTS, WORKERS, checkGroup, defaultEpochs, defaultWorkers, REGRESSION_LR, pickGroup, refuseUnknown,
  type MergeOptions, type NetworkOptions, type ScheduleOptions, type StandardizeMode, type WorkerOptions,
} from './options.ts';

export interface TrainOptions extends NetworkOptions, ScheduleOptions, WorkerOptions {
  /** Training data (default: the bundled MNIST training set, with its test set as `test`). */
  readonly data?: DataInput;
  /** Data evaluated after every epoch (default with MNIST: its test set; otherwise none, and the training data is evaluated). */
  readonly test?: DataInput;
  /** How several workers merge (options.ts MERGE; docs/merge-protocol.md). */
  readonly merge?: MergeOptions;
  /**
   * Standardise float features with the training set's mean and standard deviation (uint8 pixels are never
   * standardised): 'auto' (the default; true) centres and scales each feature but only scales mostly-zero ones, so
   * zeros stay zeros; 'on' centres every feature; 'off' (false) none. One-hot columns are left as they are. The
   * statistics go into the model, and evaluate() and predict() apply them.
   */
  readonly standardize?: boolean | StandardizeMode;
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

const TRAIN_FIELDS = [...Object.keys(TABLES), ...Object.keys(NETWORK), ...Object.keys(SCHEDULE), ...Object.keys(WORKERS), 'data', 'test', 'merge', 'signal', 'onStart', 'onEpochStart', 'onEpoch', 'onWarning'];

export interface TrainStart {
  readonly spec: NetworkSpec;
  readonly rows: number;
  readonly workers: number;
  readonly kernel: KernelName;
  /** How the workers merge (rows 0: no replicas). */
  readonly merges: MergeRule;
  readonly simulated: boolean;
  readonly init: InitName;
  /** Which data the epochs are evaluated on. */
  readonly split: 'test' | 'train';
  /** Whether float features are standardised (with the training set's statistics, kept in the model). */
  readonly standardized: boolean;
  /** The epochs the run will train (the option, or the default for the data's size: defaultEpochs). */
  readonly epochs: number;
  /** The learning rate (the option, or the task's default). */
  readonly lr: number;
  readonly task: 'classification' | 'regression';
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
  /** The epoch's merge periods (they grow as the learning rate falls: merge-plan.ts); null without replicas. */
  readonly mergePeriods: MergePeriods | null;
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

/** The network the options name, checked; `layers` defaults from the data's shape. */
function networkSpec(o: NetworkOptions, layers: readonly number[]): NetworkSpec {
  try {
    return validateSpec({ layers: [...layers], activation: o.activation ?? TRAIN_DEFAULTS.activation, loss: o.loss ?? TRAIN_DEFAULTS.loss });
  } catch (e) {
    throw new TrainerError('E_USAGE', (e as Error).message, { field: (e as HogwildError).field, cause: e });
  }
}

export async function train(o: TrainOptions = {}): Promise<TrainResult> {
  // Options are checked before any data is read (or the bundled MNIST converted): a usage error costs nothing.
  refuseUnknown(o, TRAIN_FIELDS);
  const net = checkGroup(NETWORK, pickGroup(NETWORK, o));
  const sched = checkGroup(SCHEDULE, pickGroup(SCHEDULE, o));
  const run = checkGroup(WORKERS, pickGroup(WORKERS, o));
  const merge = checkGroup(MERGE, o.merge, 'merge.');
  if (net.layers !== undefined) networkSpec(net, net.layers);
  const standardize: StandardizeMode = o.standardize === undefined || o.standardize === true ? 'auto' : o.standardize === false ? 'off' : checkGroup(TABLES, { standardize: o.standardize }).standardize!;
  let data = o.data, test = o.test;
  if (data === undefined) {
    if (test !== undefined) throw new TrainerError('E_USAGE', 'test: give the training data too, or neither for the bundled MNIST');
    const mnist = await ensureMnist();
    data = mnist.train;
    test = mnist.test;
  }
  // Each dataset is read once, here; the session copies it into its shared memory.
  const trainData: Dataset = loadData(data, 'data');
  const testData = test !== undefined ? loadData(test, 'test') : undefined;
  const probe = summarize(trainData);
  if (probe.featureLength === 0) throw new TrainerError('E_INPUT', `${trainData.source}: samples have 0 features, nothing to learn from`);
  if (probe.rows === 0) throw new TrainerError('E_INPUT', `${trainData.source}: the dataset has no samples`);
  const epochs = sched.epochs ?? defaultEpochs(probe.rows);
  const lr = sched.lr ?? (probe.regression ? REGRESSION_LR : TRAIN_DEFAULTS.lr);
  // Regression: one linear output and mean squared error, unless the options say otherwise (and are refused).
  const regression = probe.regression;
  const layers = net.layers ?? [probe.featureLength, ...TRAIN_DEFAULTS.hidden, regression ? 1 : Math.max(2, probe.maxLabel + 1, probe.classes?.length ?? 0)];
  if (regression && net.loss !== undefined && net.loss !== 'mse') throw new TrainerError('E_USAGE', `loss: ${trainData.source} holds regression targets, which train with mse, not ${net.loss}`, { field: 'loss' });
  if (!regression && net.loss === 'mse') throw new TrainerError('E_USAGE', `loss: mse is for regression targets, and ${trainData.source} holds classes`, { field: 'loss' });
  const spec = networkSpec(regression ? { ...net, loss: 'mse' } : net, layers);
  if (spec.layers[0] !== probe.featureLength) {
    throw new TrainerError('E_USAGE', `layers: ${spec.layers.join(',')}: the input layer must have ${probe.featureLength} units, the features per sample of ${trainData.source}`, { field: 'layers' });
  }
  const init: InitName = net.init ?? TRAIN_DEFAULTS.init;
  const schedule = { name: sched.schedule ?? TRAIN_DEFAULTS.schedule, lr, every: sched.lrStep ?? TRAIN_DEFAULTS.lrStep, gamma: sched.lrGamma ?? TRAIN_DEFAULTS.lrGamma };
  const workers = run.workers ?? defaultWorkers();
  const kernel: KernelName = run.kernel ?? TRAIN_DEFAULTS.kernel;

  const session: Session = await createSession({
    spec, kernel, workers, init, seed: sched.seed ?? TRAIN_DEFAULTS.seed, chunk: run.chunk, merge, simulate: run.simulate,
    train: trainData, test: testData, standardize: standardize === 'off' ? undefined : 'fit', standardizeMode: standardize === 'off' ? undefined : standardize,
    ...(regression && { target: 'fit' as const }),
  });
  const standardization = session.standardization ?? undefined;
  const target = session.target ?? undefined;
  const table = {
    ...(regression && { task: 'regression' as const }), ...(trainData.columns && { columns: trainData.columns }),
    ...(trainData.labelName !== undefined && { label: trainData.labelName }), ...(target && { target }),
  };
  const outputs = spec.layers[spec.layers.length - 1];
  const names = { ...(probe.classes && probe.classes.length <= outputs && { classes: probe.classes }), ...(probe.featureNames && { featureNames: probe.featureNames }) };
  const split: 'test' | 'train' = session.test ? 'test' : 'train';
  const stop = () => session.stop();
  if (o.signal?.aborted) stop();
  o.signal?.addEventListener('abort', stop, { once: true });
  const snapshot = (): Model => ({
    spec, params: Float32Array.from(session.params), inputShape: [...probe.shape], inputScale: probe.scale, ...(standardization && { standardization }), ...names, ...table,
  });
  const history: EpochEvent[] = [];
  let last: Evaluation | null = null;
  let trainSeconds = 0;
  let stopped = false;
  let warned = false;
  try {
    o.onStart?.({ spec, rows: session.train!.rows, workers, kernel, merges: session.merges, simulated: session.simulated, init, split, standardized: standardization !== undefined, epochs, lr, task: regression ? 'regression' : 'classification' });
    for (let epoch = 0; epoch < epochs; epoch++) {
      const rate = learningRate(schedule, epoch, epochs);
      o.onEpochStart?.(epoch + 1, () => session.progress());
      const r = await session.trainEpoch(rate);
      trainSeconds += r.seconds;
      if (r.stopped) { stopped = true; break; }
      // A diverged run stops here: nothing it would give back could be used (model files refuse non-finite weights).
      const bad = firstNonFinite(session.params, session.layout);
      if (bad || !Number.isFinite(r.loss)) {
        throw new TrainerError('E_INPUT', `training diverged in epoch ${epoch + 1}: ${bad ? `the weights are no longer finite (${bad.name} is ${bad.value})` : `the mean loss is ${r.loss}`}; lower the learning rate (now ${lr}: --lr, or lr in train()), or look for NaN or infinite features in ${typeof o.data === 'string' ? o.data : 'the data'}. Nothing was saved.`);
      }
      last = await session.evaluate(split);
      const classes = spec.layers[spec.layers.length - 1];
      if (!warned && !regression && last.accuracy <= 1.5 / classes) {
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
