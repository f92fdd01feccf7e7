/**
 * `train(options)`: the whole training run as a library call: data from files, the bundled MNIST or arrays in memory;
 * epochs with a learning-rate schedule; evaluation after every epoch; stopping at the next chunk when `signal` aborts
 * (the model trained so far is still returned). It never prints, reads process.argv, exits or installs signal
 * handlers: `trainer run` is a renderer over it (cli/run.ts).
 */
import { type InitName, type Model, type NetworkSpec } from '@hogwild/core';
import { checkIdf, firstNonFinite, isRowFeaturizer, type MergePeriods } from '@hogwild/core/internal';
import { ensureMnist } from '@hogwild/data';
import { type AnyColumns } from '@hogwild/data/internal';
import { createSession, type Evaluation, type Session } from './pool/session.ts';
import type { MergeProtocol } from './merge-plan.ts';
import { learningRate, type Schedule } from './schedule.ts';
import { nearChanceWarning } from './near-chance.ts';
import { dataRecord, recordedData, resumeFrom, sameData, stateMetadata } from './resume.ts';
import type { KernelName } from './protocol.ts';
import { TrainerError } from './errors.ts';
import { checkSameFeatures, labelContext, loadData, summarize, type DataInput } from './data-input.ts';
import { checkRunOptions, resolveRun, sessionOptions } from './resolve-run.ts';
import {
  MERGE, NETWORK, SCHEDULE, START, TABLES, WORKERS, checkGroup, checkStandardize, checkWorkerCount, defaultWorkers, pickGroup, refuseUnknown,
  type MergeOptions, type NetworkOptions, type ScheduleOptions, type StandardizeMode, type StartOptions, type WorkerOptions,
} from './options.ts';

/**
 * `resume` (a file or a Model): continue from a checkpoint or model that train() wrote, at the epoch after those it
 * trained (or inside the one it was interrupted in), with its network, weights and preprocessing; the schedule and
 * seed fields not given are its own, and `epochs` beyond its schedule's trains further (resume.ts).
 */
export interface TrainOptions extends NetworkOptions, ScheduleOptions, WorkerOptions, StartOptions {
  /** Training data (default: the bundled MNIST training set, with its test set as `test`; with `resume`, the data and test set the resumed model recorded). */
  readonly data?: DataInput;
  /** Data evaluated after every epoch (default with MNIST: its test set; otherwise none, and the training data is evaluated). */
  readonly test?: DataInput;
  /** How several workers merge (options.ts MERGE; docs/merge-protocol.md). */
  readonly merge?: MergeOptions;
  /**
   * Standardise float features with the training set's mean and standard deviation (uint8 pixels are never
   * standardised): 'auto' (the default; true) centres and scales each feature but divides mostly-zero ones by their
   * largest absolute value, so zeros stay zeros; 'on' centres every feature; 'off' (false) none. One-hot columns are
   * left as they are. The statistics go into the model, and evaluate() and predict() apply them.
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
  /** A remark the caller may show: an accuracy near chance, with the cause the training loss points to (overfitting, or a learning rate too high). */
  readonly onWarning?: (message: string) => void;
}

/** The fields of arrays in memory (ArrayData), which belong in `data` (or `test`), not beside it. */
const DATA_FIELDS = Object.fromEntries(['features', 'labels', 'task', 'featureLength', 'shape', 'classes', 'featureNames'].map((k) => [k, 'data']));
const TRAIN_FIELDS = [...Object.keys(TABLES), ...Object.keys(NETWORK), ...Object.keys(SCHEDULE), ...Object.keys(WORKERS), ...Object.keys(START), 'data', 'test', 'merge', 'signal', 'onStart', 'onEpochStart', 'onEpoch', 'onWarning'];

/** What a run is about to do, once the data is loaded and the workers started (`onStart`). */
export interface TrainStart {
  /** The network, its layers checked (the input layer from the data, the output from its classes by default). */
  readonly spec: NetworkSpec;
  /** Training samples. */
  readonly rows: number;
  /** Worker threads (or logical workers when simulated). */
  readonly workers: number;
  /** The compute kernel. */
  readonly kernel: KernelName;
  /** How the workers merge: plain Hogwild, or replicas with their periods. */
  readonly merges: MergeProtocol;
  /** Whether the workers are simulated in one thread. */
  readonly simulated: boolean;
  /** The initial weights. */
  readonly init: InitName;
  /** Which data the epochs are evaluated on. */
  readonly split: 'test' | 'train';
  /** Whether float features are standardised (with the training set's statistics, kept in the model). */
  readonly standardized: boolean;
  /** The schedule as resolved (the options, a resumed model's, or the defaults: lr by the task). */
  readonly schedule: Schedule;
  /** The epochs the run's schedule spans (the option, a resumed model's, or the default for the data's size: defaultEpochs). */
  readonly epochs: number;
  /** The seed of the initial weights and the shuffles. */
  readonly seed: number;
  /** Label smoothing ε (0: the one-hot target). */
  readonly labelSmoothing: number;
  /** Classification, or regression (a float32 target: one linear output, mse). */
  readonly task: 'classification' | 'regression';
  /** A resumed run: the model it continues, and where (full epochs before, and samples into the next). */
  readonly resumed: { readonly source: string; readonly epochs: number; readonly epochSamples: number } | null;
}

/** One epoch's figures, after its evaluation (`onEpoch`, and `history` in the result). */
export interface EpochEvent {
  /** The epoch, from 1. */
  readonly epoch: number;
  /** Its learning rate. */
  readonly lr: number;
  /** Samples trained. */
  readonly samples: number;
  /** Training seconds (evaluation not included). */
  readonly seconds: number;
  /** samples / seconds. */
  readonly samplesPerSecond: number;
  /** Mean cost of the epoch's samples, each taken before its own update. */
  readonly loss: number;
  /** Accuracy on the evaluated split (test, or train without test data). */
  readonly accuracy: number;
  /** The evaluation itself, with its confusion counts. */
  readonly evaluation: Evaluation;
  /** The epoch's merge periods (they grow as the learning rate falls: merge-plan.ts); null without replicas. */
  readonly mergePeriods: MergePeriods | null;
}

/**
 * Weights this big or bigger are returned where the run trained them instead of copied: there a copy would be the
 * peak of the run's memory (docs/text.md#memory). Smaller ones are copied, so that models kept after their runs (a
 * sweep) do not keep every run's shared memory, each a reservation of address space.
 */
const IN_PLACE_BYTES = 32 * 2 ** 20;

/** What {@link train} returns: the model and how it got there. */
export interface TrainResult {
  /**
   * The trained network with its preprocessing and names, ready for saveModel(), evaluate() and predict(). Weights of
   * 32 MiB or more are the run's shared memory, not a copy (so that they are never held twice: docs/text.md#memory),
   * and holding such a model holds that memory, the data included (`Float32Array.from(model.params)` keeps the
   * weights alone); smaller weights are copied, so that the run's memory goes with the run.
   */
  readonly model: Model;
  /** Every finished epoch, in order. */
  readonly history: readonly EpochEvent[];
  /** Full epochs the model has trained (with a resumed run's, those before it). */
  readonly epochs: number;
  /** Whether the signal stopped it before the last epoch ended. */
  readonly stopped: boolean;
  /** Training seconds, summed over the epochs (evaluations not included). */
  readonly trainSeconds: number;
  /** The last epoch's evaluation (null when stopped before the first ended). */
  readonly evaluation: Evaluation | null;
  /** Which data the epochs were evaluated on. */
  readonly split: 'test' | 'train';
}

/**
 * Trains a network and returns it, with every epoch's figures (see the module's description and {@link TrainOptions}).
 * Never prints, exits or installs signal handlers. Rejects with a HogwildError: E_USAGE for options (`field` set,
 * before any data is read) and for arrays in memory (`field` names the value, `data.features[3][1]`), E_INPUT for data
 * read from a file, E_WORKER for a worker that failed.
 * 
 * @example
 * ```ts
 * const { model } = await train({ data: { features: [[0, 0], [0, 1], [1, 0], [1, 1]], labels: ['no', 'yes', 'yes', 'no'] }, layers: [2, 8, 2], epochs: 200, workers: 1 });
 * predict(model, [[1, 0]])[0].name; // 'yes'
 * ```
 */
export async function train(o: TrainOptions = {}): Promise<TrainResult> {
  // Options are checked before any data is read (or the bundled MNIST converted): a usage error costs nothing.
  refuseUnknown(o, TRAIN_FIELDS, '', DATA_FIELDS);
  const net = checkGroup(NETWORK, pickGroup(NETWORK, o));
  const sched = checkGroup(SCHEDULE, pickGroup(SCHEDULE, o));
  const run = checkGroup(WORKERS, { ...pickGroup(WORKERS, o), workers: undefined });
  const workers = checkWorkerCount(o.workers, run.simulate);
  const merge = checkGroup(MERGE, o.merge, 'merge.');
  const { resume } = checkGroup(START, pickGroup(START, o));
  const standardize = checkStandardize(o.standardize);
  checkRunOptions({ ...net, ...sched }, 'run');
  // A resumed run takes the model's network and weights, and the schedule fields not given from its metadata.
  const resumed = resume !== undefined ? resumeFrom(resume, { ...net, standardize }) : null;
  // A resumed run given no data continues on its own (and its test set); given data, on that.
  let { data, test } = o.data === undefined && resumed ? { ...recordedData(resumed.model), ...(o.test !== undefined && { test: o.test }) } : o;
  const bundled = data === undefined;
  if (data === undefined) {
    if (test !== undefined) throw new TrainerError('E_USAGE', 'test: give the training data too, or neither for the bundled MNIST');
    const mnist = await ensureMnist();
    data = mnist.train;
    test = mnist.test;
  }
  const records = { train_data: dataRecord(data, bundled), test_data: dataRecord(test, bundled) };
  // Each dataset is read once, here; the session copies its columns from the file's bytes into its shared memory, and
  // the bytes are let go once it has (so a run holds its data once).
  let trainData: AnyColumns | undefined = loadData(data, 'data');
  let testData = test !== undefined ? loadData(test, 'test', labelContext(trainData)) : undefined;
  // Text data is read alike only with one featurizer and one set of IDF weights: the test set's and a resumed model's.
  if (testData) checkSameFeatures(trainData, trainData.source, testData);
  if (resumed) checkSameFeatures(resumed.model, resumed.source, trainData);
  const probe = summarize(trainData);
  const resolved = resolveRun({ ...net, ...sched, ...run, workers, merge, standardize }, { ...probe, source: trainData.source }, { defaults: 'run', defaultWorkers: defaultWorkers(), resumed });
  const { spec, init, schedule, epochs, first, seed, labelSmoothing, kernel } = resolved;
  const { lr } = schedule;
  const regression = resolved.task === 'regression';
  // The rest of an interrupted epoch is the rest of its own data's shuffle: on other data, that epoch starts over.
  const within = resumed && sameData(resumed.model, records.train_data) ? resumed.state.epochSamples : 0;
  if (resumed && within >= probe.rows) throw new TrainerError('E_USAGE', { field: 'resume', problem: `${resumed.source} stopped ${within} samples into epoch ${first + 1}, but ${trainData.source} has ${probe.rows}` });

  const session: Session = await createSession({ ...sessionOptions(resolved), train: trainData, test: testData });
  const dataName = trainData.source;
  const standardization = session.standardization ?? undefined;
  const target = session.target ?? undefined;
  // A table's preprocessing travels in the model (a resumed model's stays as it was).
  const columns = resumed ? resumed.model.columns : trainData.columns;
  const labelName = resumed ? resumed.model.label : trainData.labelName;
  // A sparse dataset made from raw records (text, tables) gives its model the featurizer that makes its rows.
  const featurizer = resumed ? resumed.model.featurizer : trainData.layout === 'sparse' && isRowFeaturizer(trainData.featurizer) ? trainData.featurizer : undefined;
  // Its IDF weights too (text weighed by IDF), checked against it: the model encodes text as the rows were encoded.
  const idf = featurizer && checkIdf(featurizer, resumed ? resumed.model.idf : trainData.layout === 'sparse' ? trainData.idf : undefined, resumed ? 'the resumed model' : trainData.source || 'the training data');
  const table = {
    ...(regression && { task: 'regression' as const }), ...(columns && { columns }), ...(labelName !== undefined && { label: labelName }), ...(target && { target }),
    ...(featurizer && { featurizer }), ...(idf && { idf }),
  };
  trainData = testData = undefined;
  const outputs = spec.layers[spec.layers.length - 1];
  const named = resumed?.model ?? { classes: probe.classes, featureNames: probe.featureNames };
  const names = { ...(named.classes && named.classes.length <= outputs && { classes: named.classes }), ...(named.featureNames && { featureNames: named.featureNames }) };
  const split: 'test' | 'train' = session.test ? 'test' : 'train';
  const stop = () => session.stop();
  if (o.signal?.aborted) stop();
  o.signal?.addEventListener('abort', stop, { once: true });
  const history: EpochEvent[] = [];
  let stoppedAt = 0;
  const origin = resumed ? resumed.model.extra?.init : init;
  // Every model given carries where its training stands (resume.ts), so any of them can be resumed.
  // Copies the weights (onEpoch's models outlive the epoch); the run's last model takes them as they lie (the return).
  const snapshot = (params: Float32Array = Float32Array.from(session.params)): Model => ({
    spec, params, inputShape: resumed ? [...resumed.model.inputShape] : [...probe.shape], inputScale: resumed?.model.inputScale ?? probe.scale,
    ...(standardization && { standardization }), ...names, ...table,
    extra: {
      ...(origin !== undefined && { init: origin }),
      ...stateMetadata({ epochs: first + history.length, epochSamples: stoppedAt, scheduleEpochs: epochs, lr, schedule: schedule.name, lrStep: schedule.every!, lrGamma: schedule.gamma!, seed, labelSmoothing }),
      ...(records.train_data !== undefined && { train_data: records.train_data }), ...(records.test_data !== undefined && { test_data: records.test_data }),
    },
  });
  let last: Evaluation | null = null;
  let trainSeconds = 0;
  let stopped = false;
  let warned = false;
  try {
    o.onStart?.({
      spec, rows: session.train!.rows, workers: resolved.workers, kernel, merges: session.merges, simulated: session.simulated, init, split, standardized: standardization !== undefined,
      schedule, epochs, seed, labelSmoothing, task: resolved.task, resumed: resumed && { source: resumed.source, epochs: first, epochSamples: within },
    });
    // The shuffles of the epochs before a resumed one are replayed, so that its order is an uninterrupted run's.
    for (let e = 0; e < first; e++) session.shuffle();
    for (let epoch = first; epoch < epochs; epoch++) {
      const rate = learningRate(schedule, epoch, epochs);
      const from = epoch === first ? within : 0;
      session.shuffle(); // before onEpochStart, so that the progress it reads starts at 0
      o.onEpochStart?.(epoch + 1, () => from + session.progress());
      const r = await session.trainRange(rate, from, session.train!.rows);
      trainSeconds += r.seconds;
      if (r.stopped) { stopped = true; stoppedAt = from + r.samples; break; }
      // A diverged run stops here: nothing it would give back could be used (model files refuse non-finite weights).
      const bad = firstNonFinite(session.params, session.layout);
      if (bad || !Number.isFinite(r.loss)) {
        throw new TrainerError('E_INPUT', `training diverged in epoch ${epoch + 1}: ${bad ? `the weights are no longer finite (${bad.name} is ${bad.value})` : `the mean loss is ${r.loss}`}; lower the learning rate (now ${lr}: --lr, or lr in train()), or look for NaN or infinite features in ${typeof o.data === 'string' ? dataName : 'the data'}. Nothing was saved.`);
      }
      last = await session.evaluate(split);
      const warning = warned || regression ? null : nearChanceWarning({
        epoch: epoch + 1, last: epoch + 1 === epochs, accuracy: last.accuracy, split, losses: [...history.map((h) => h.loss), r.loss],
        classes: spec.layers[spec.layers.length - 1], loss: spec.loss, labelSmoothing, lr,
      });
      if (warning !== null) {
        warned = true;
        o.onWarning?.(warning);
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
  return { model: snapshot(session.params.byteLength >= IN_PLACE_BYTES ? session.params : undefined), history, epochs: first + history.length, stopped, trainSeconds, evaluation: last, split };
}
