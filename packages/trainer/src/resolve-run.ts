/**
 * `resolveRun(options, summary, context)`: the one place a run's settings are worked out, from the checked options,
 * what the training data is (its summary) and, for a resumed run, the model it continues. train(), bench(), a resumed
 * run and a simulated one all take their network, schedule, preprocessing and workers from it, so `trainer bench` on
 * a table trains the model `trainer run` trains with the same settings. Pure: it reads no file and starts nothing.
 */
import { validateSpec, type HiddenActivation, type InitName, type LossName, type Model, type NetworkSpec } from '@hogwild/core';
import { checkLabelSmoothing } from '@hogwild/core/internal';
import type { DatasetSummary } from './data-input.ts';
import { learningRate, type Schedule } from './schedule.ts';
import type { KernelName } from './protocol.ts';
import type { SessionOptions } from './pool/session.ts';
import { checkResumedData, type Resumed } from './resume.ts';
import { TrainerError, asUsage } from './errors.ts';
import {
  BENCH_DEFAULTS, MAX_DEFAULT_EPOCHS, MIN_DEFAULT_SAMPLES, REGRESSION_LR, SPARSE_DEFAULTS, TRAIN_DEFAULTS,
  type MergeOptions, type NetworkOptions, type ScheduleOptions, type StandardizeMode,
} from './options.ts';

/** The options a run is resolved from, each already checked by its definition (options.ts). */
export interface RunOptions extends NetworkOptions, ScheduleOptions {
  readonly workers?: number;
  readonly kernel?: KernelName;
  readonly chunk?: number;
  readonly simulate?: boolean;
  readonly merge?: MergeOptions;
  /** train()'s `standardize` (true: 'auto'; false: 'off'). */
  readonly standardize?: boolean | StandardizeMode;
}

/** Whose defaults fill what the options leave out: `trainer run`'s (TRAIN_DEFAULTS) or `trainer bench`'s (the reference R). */
export type RunDefaults = 'run' | 'bench';

export interface RunContext {
  readonly defaults: RunDefaults;
  /** Workers when none are given: the caller's defaultWorkers() (the machine is read there, not here). */
  readonly defaultWorkers: number;
  /** A resumed run: the model it continues, with its training state (resumeFrom). */
  readonly resumed?: Resumed | null;
}

/** The training data as the resolver needs it: its summary, and how errors name it. */
export interface RunData extends DatasetSummary {
  readonly source: string;
}

/**
 * How the data is prepared: standardisation and target scaling fitted on the training set, or for a resumed run the
 * model's own (its input scale, standardisation and target scaling).
 */
export type Preprocessing =
  | { readonly kind: 'fit'; readonly standardize: StandardizeMode; readonly target: boolean }
  | { readonly kind: 'model'; readonly model: Model };

/** A run, resolved: what train() and bench() hand to the session and the epoch loop. */
export interface ResolvedRun {
  readonly spec: NetworkSpec;
  readonly task: 'classification' | 'regression';
  readonly init: InitName;
  /** Every field set (lr by the task, the step's `every` and `gamma` included). */
  readonly schedule: Required<Schedule>;
  /** The epochs the schedule spans (the option, a resumed model's, or the default for the data's size). */
  readonly epochs: number;
  /** Full epochs trained before this run (a resumed model's; 0 otherwise). */
  readonly first: number;
  /** The largest rate trained at before this run, from which the merge periods stretch (0 for a fresh run). */
  readonly topLr: number;
  readonly seed: number;
  readonly labelSmoothing: number;
  readonly preprocessing: Preprocessing;
  readonly workers: number;
  readonly kernel: KernelName;
  readonly simulate: boolean;
  readonly chunk?: number;
  readonly merge?: MergeOptions;
}

const DEFAULTS = { run: TRAIN_DEFAULTS, bench: BENCH_DEFAULTS } as const;

/** trainer run's epochs when none are given: TRAIN_DEFAULTS.epochs, or more for a small table (MIN_DEFAULT_SAMPLES). */
export function defaultEpochs(rows: number): number {
  return Math.min(MAX_DEFAULT_EPOCHS, Math.max(TRAIN_DEFAULTS.epochs, Math.ceil(MIN_DEFAULT_SAMPLES / Math.max(1, rows))));
}

/** The network the options name, checked; `layers` defaults from the data's shape. */
function networkSpec(o: NetworkOptions, layers: readonly number[], d: { readonly activation: HiddenActivation; readonly loss: LossName }): NetworkSpec {
  try {
    return validateSpec({ layers: [...layers], activation: o.activation ?? d.activation, loss: o.loss ?? d.loss });
  } catch (e) {
    throw asUsage(e);
  }
}

/** The checks of the network and schedule options that need no data, so that a usage error costs no reading. */
export function checkRunOptions(o: NetworkOptions & ScheduleOptions, defaults: RunDefaults): void {
  if (o.layers !== undefined) networkSpec(o, o.layers, DEFAULTS[defaults]);
  if (o.labelSmoothing !== undefined && o.loss !== undefined) checkLabelSmoothing(o.labelSmoothing, o.loss);
}

/** Resolves a run (see the module's description); throws a TrainerError naming the field for options the data or the resumed model refuse. */
export function resolveRun(o: RunOptions, data: RunData, context: RunContext): ResolvedRun {
  const resumed = context.resumed ?? null;
  // Sparse data takes the sparse defaults where its network is theirs (no hidden layer): SPARSE_DEFAULTS.
  const linear = data.sparse && (o.layers === undefined || o.layers.length === 2);
  const d = linear ? { ...DEFAULTS[context.defaults], ...SPARSE_DEFAULTS } : DEFAULTS[context.defaults];
  const prior = resumed?.state;
  if (data.featureLength === 0) throw new TrainerError('E_INPUT', `${data.source}: samples have 0 features, nothing to learn from`);
  if (data.rows === 0) throw new TrainerError('E_INPUT', `${data.source}: the dataset has no samples`);
  const regression = data.regression;
  // Small tables get more epochs (defaultEpochs); bench measures its own fixed epochs.
  const epochs = o.epochs ?? prior?.scheduleEpochs ?? (linear ? Math.max(d.epochs, defaultEpochs(data.rows)) : context.defaults === 'run' ? defaultEpochs(data.rows) : d.epochs);
  const lr = o.lr ?? prior?.lr ?? (regression ? REGRESSION_LR : d.lr);
  if (resumed) checkResumedData(resumed, data, resumed.model.extra?.train_data);
  const first = prior?.epochs ?? 0;
  if (resumed && first >= epochs) {
    throw new TrainerError('E_USAGE', { field: 'epochs', problem: `${epochs}, but ${resumed.source} has trained ${first} epoch${first === 1 ? '' : 's'} already: give more epochs to train further` });
  }
  // Regression: one linear output and mean squared error, unless the options say otherwise (and are refused). A
  // classifier has an output for every class the data names, even one without samples.
  if (regression && o.loss !== undefined && o.loss !== 'mse') throw new TrainerError('E_USAGE', { field: 'loss', problem: `${data.source} holds regression targets, which train with mse, not ${o.loss}` });
  if (!regression && o.loss === 'mse') throw new TrainerError('E_USAGE', { field: 'loss', problem: `mse is for regression targets, and ${data.source} holds classes` });
  const outputs = regression ? 1 : Math.max(2, data.maxLabel + 1, data.classes?.length ?? 0);
  const spec = resumed ? resumed.model.spec : networkSpec(regression ? { ...o, loss: 'mse' } : o, o.layers ?? [data.featureLength, ...d.hidden, outputs], d);
  if (spec.layers[0] !== data.featureLength) {
    throw new TrainerError('E_USAGE', { field: 'layers', problem: `the input layer of ${spec.layers.join(',')} must have ${data.featureLength} units, the features per sample of ${data.source}` });
  }
  const schedule: Required<Schedule> = {
    name: o.schedule ?? prior?.schedule ?? d.schedule, lr, every: o.lrStep ?? prior?.lrStep ?? TRAIN_DEFAULTS.lrStep, gamma: o.lrGamma ?? prior?.lrGamma ?? TRAIN_DEFAULTS.lrGamma,
  };
  const labelSmoothing = o.labelSmoothing ?? prior?.labelSmoothing ?? 0;
  checkLabelSmoothing(labelSmoothing, spec.loss);
  // The merge periods stretch from the largest rate trained at so far: for a resumed run, the epochs before it too.
  let topLr = 0;
  if (prior) {
    const before: Schedule = { name: prior.schedule, lr: prior.lr, every: prior.lrStep, gamma: prior.lrGamma };
    for (let e = 0; e < first; e++) topLr = Math.max(topLr, learningRate(before, e, prior.scheduleEpochs));
  }
  const standardize: StandardizeMode = o.standardize === undefined || o.standardize === true ? 'auto' : o.standardize === false ? 'off' : o.standardize;
  return {
    spec, task: regression ? 'regression' : 'classification', init: o.init ?? d.init, schedule, epochs, first, topLr,
    seed: o.seed ?? prior?.seed ?? d.seed, labelSmoothing,
    preprocessing: resumed ? { kind: 'model', model: resumed.model } : { kind: 'fit', standardize, target: regression },
    workers: o.workers ?? context.defaultWorkers, kernel: o.kernel ?? d.kernel, simulate: o.simulate ?? false,
    ...(o.chunk !== undefined && { chunk: o.chunk }), ...(o.merge !== undefined && { merge: o.merge }),
  };
}

/** The session of a resolved run, less its data: a resumed run starts from its model's weights and preprocessing. */
export function sessionOptions(r: ResolvedRun): Omit<SessionOptions, 'train' | 'test'> {
  const p = r.preprocessing;
  return {
    spec: r.spec, kernel: r.kernel, workers: r.workers, init: r.init, seed: r.seed, labelSmoothing: r.labelSmoothing, chunk: r.chunk, merge: r.merge, simulate: r.simulate, topLr: r.topLr,
    ...(p.kind === 'model'
      ? { params: p.model.params, inputScale: p.model.inputScale, standardize: p.model.standardization, ...(p.model.target && { target: p.model.target }) }
      : { ...(p.standardize !== 'off' && { standardize: { fit: p.standardize } }), ...(p.target && { target: 'fit' as const }) }),
  };
}
