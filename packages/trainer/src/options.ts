/**
 * Every option of the trainer, defined once, in groups: the network, the schedule, the merge and the workers. Each
 * definition names its library field, its flag, its help, its check and its default; the CLI flags (cli/program.ts),
 * `train()`, `bench()` and the session all derive from these, and errors name the field (`err.field`) so the CLI
 * can name the flag.
 */
import { availableParallelism } from 'node:os';
import { parseLayers, type HiddenActivation, type InitName, type LossName, type Model, type WeightPrecision } from '@hogwild/core';
import { HIDDEN_ACTIVATIONS, INIT_NAMES, LOSS_NAMES, REFERENCE_SPEC, WEIGHT_PRECISIONS, checkLabelSmoothing, nearestName } from '@hogwild/core/internal';
import { ExpectedError, TrainerError } from './errors.ts';
import { physicalCores } from './machine.ts';
import { CLOSING_TAIL, DENSE_STALENESS, STRETCH, TOUCH_BUDGET } from './merge-plan.ts';
import { KERNELS, type KernelName } from './protocol.ts';
import { SCHEDULES, type ScheduleName } from './schedule.ts';

/**
 * One option. `check` takes a library value (or the CLI's parsed text) and returns it, or throws an ExpectedError
 * ("expected an integer from 1 to 255"), which the library and the CLI each turn into their error.
 */
export interface OptionDef<T> {
  /** The CLI flag with its argument, e.g. '--merge-touches <t>' (no argument: a switch). */
  readonly flag: string;
  /** What it does, for the CLI's help and the API reference. */
  readonly help: string;
  /** The CLI's text to a value (numbers, lists); absent: the text itself. */
  readonly parse?: (text: string) => unknown;
  /** The value checked and returned, or a throw of what was expected (an ExpectedError). */
  readonly check: (value: unknown) => T;
  /** The values it takes, when they are a list of names. */
  readonly choices?: readonly string[];
}

type Group = Readonly<Record<string, OptionDef<unknown>>>;
/** The values of a group, as the library takes them (every field optional). */
export type GroupValues<G extends Group> = { -readonly [K in keyof G]?: G[K] extends OptionDef<infer T> ? T : never };

const expected = (what: string) => new ExpectedError(what);

/** An integer from min to max (the check), parsed from decimal digits only (the flag). */
function integer(min: number, max = Number.MAX_SAFE_INTEGER): Pick<OptionDef<number>, 'parse' | 'check'> {
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  return {
    parse: (t) => (/^\s*\d+\s*$/.test(t) ? Number(t) : t),
    check: (v) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw expected(range);
      return v;
    },
  };
}

/** A finite number above `min` (exclusive), the interval said as (min, ∞). */
function above(min: number): Pick<OptionDef<number>, 'parse' | 'check'> {
  return {
    parse: (t) => (t.trim() === '' ? t : Number(t)),
    check: (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || !(v > min)) throw expected(`a number in (${min}, ∞)`);
      return v;
    },
  };
}

/** A number in [0, 1). */
function fraction(): Pick<OptionDef<number>, 'parse' | 'check'> {
  return {
    parse: (t) => (t.trim() === '' ? t : Number(t)),
    check: (v) => {
      if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw expected('a number in [0, 1)');
      return v;
    },
  };
}

/** A switch: true or false. */
function flag(v: unknown): boolean {
  if (typeof v !== 'boolean') throw expected('true or false');
  return v;
}

function oneOf<T extends string>(names: readonly T[]): Pick<OptionDef<T>, 'check' | 'choices'> {
  return {
    choices: names,
    check: (v) => {
      if (!names.includes(v as T)) throw expected(`one of ${names.join(', ')}`);
      return v as T;
    },
  };
}

/** The network group: `layers`, `activation`, `loss`, `init` (train() and bench() take them as top-level fields). */
export const NETWORK = {
  layers: {
    flag: '--layers <sizes>', help: 'layer sizes, input to output, e.g. 784,128,10',
    /** "784,128,10" into sizes. */
    parse: (t: string) => parseLayers(t),
    /** At least 2 positive integer sizes. */
    check: (v: unknown) => {
      if (!Array.isArray(v) || v.length < 2 || v.some((n) => !Number.isInteger(n) || n < 1)) throw expected('at least 2 positive integer sizes (input and output)');
      return v as readonly number[];
    },
  },
  activation: { flag: '--activation <name>', help: 'hidden activation', ...oneOf<HiddenActivation>(HIDDEN_ACTIVATIONS) },
  loss: { flag: '--loss <name>', help: 'loss: cross-entropy (sigmoid outputs, summed), square (sigmoid outputs), softmax (categorical cross-entropy) or mse (one linear output: regression, chosen by a regression target)', ...oneOf<LossName>(LOSS_NAMES) },
  init: { flag: '--init <name>', help: 'initial weights: uniform U(-0.1,0.1) (the reference), xavier or he; biases start at 0', ...oneOf<InitName>(INIT_NAMES) },
} as const satisfies Group;

/**
 * The schedule group, how a run trains: `lr`, `schedule`, `lrStep`, `lrGamma`, `epochs`, `seed`, `labelSmoothing`. A
 * resumed run takes each one it is not given from the model (resume.ts).
 */
export const SCHEDULE = {
  lr: { flag: '--lr <rate>', help: 'learning rate (per-sample SGD)', ...above(0) },
  schedule: { flag: '--schedule <name>', help: 'learning-rate schedule over the epochs: constant (the reference), step, or cosine decay', ...oneOf<ScheduleName>(SCHEDULES) },
  lrStep: { flag: '--lr-step <epochs>', help: 'with --schedule step: epochs between decays', ...integer(1) },
  lrGamma: { flag: '--lr-gamma <factor>', help: 'with --schedule step: factor of each decay', ...above(0) },
  epochs: { flag: '--epochs <n>', help: 'passes over the training set', ...integer(1) },
  seed: { flag: '--seed <n>', help: 'seed of the initial weights and of every epoch\'s shuffle', ...integer(0, 2 ** 32 - 1) },
  labelSmoothing: {
    flag: '--label-smoothing <eps>',
    help: 'with --loss softmax: the training target puts 1 − eps on the label plus eps/K on each of the K classes instead of 1 on the label, which keeps a long run from growing overconfident on the training set (default: 0, off; docs/performance.md#headline)',
    ...fraction(),
  },
} as const satisfies Group;

/** The merge group, `merge: {…}` in the library (merge-plan.ts; why each default: docs/merge-protocol.md). */
export const MERGE = {
  every: {
    flag: '--merge <n>',
    help: `several workers: each trains on its own copy of the weights and merges its changes into the shared ones (a lock per 8 rows, so no change is lost). auto: a first-layer row is merged once the worker has changed it ${TOUCH_BUDGET} ÷ (workers − 1) times, the small dense layers every ${DENSE_STALENESS} ÷ (workers − 1) samples (docs/merge-protocol.md); n: every changed first-layer row every n samples; 0: plain per-sample Hogwild on the shared weights`,
    /** "auto" or decimal digits. */
    parse: (t: string) => (t === 'auto' ? t : integer(0).parse!(t)),
    /** "auto" or an integer from 0. */
    check: (v: unknown) => (v === 'auto' ? 'auto' as const : integer(0).check(v)),
  },
  dense: { flag: '--merge-dense <n>', help: `merge the dense layers (the first layer's bias and every later layer) every n samples (default: ${DENSE_STALENESS} ÷ (workers − 1), never less often than the row checks)`, ...integer(1) },
  touches: { flag: '--merge-touches <t>', help: `merge a first-layer row once the worker has changed it t times, 1 to 255 (default with --merge auto: ${TOUCH_BUDGET} ÷ (workers − 1); with --merge n: 1, every changed row)`, ...integer(1, 255) },
  tail: { flag: '--merge-tail <n>', help: `each worker's last n samples of every epoch are each followed by a full merge, so an epoch ends with no bulk of unmerged changes (default: ${CLOSING_TAIL}; 0: off)`, ...integer(0) },
  stretch: { flag: '--merge-stretch <n>', help: `as the learning rate falls below its largest so far, the merge periods grow with it, up to n times (1 to 255; default: ${STRETCH}; 1: fixed periods)`, ...integer(1, 255) },
} as const satisfies Group;

/**
 * Where training starts: `resume` continues a run from a checkpoint or a model that train() wrote (its weights, the
 * epochs done and the schedule: resume.ts), instead of fresh weights.
 */
export const START = {
  resume: {
    flag: '--resume <file>',
    help: 'continue from a checkpoint or a model written by trainer run: its network and weights, where its training stopped, with its schedule (--lr, --schedule, --lr-step, --lr-gamma, --epochs, --label-smoothing) and --seed unless given (--epochs N beyond its own: train further), on its data unless --data is given (other rows with the same features); a checkpoint also brings its --save and flags, and is removed once the model is saved',
    /** A non-empty file name, or a Model (an object with `spec` and `params`). */
    check: (v: unknown) => {
      if ((typeof v === 'string' && v !== '') || (typeof v === 'object' && v !== null && 'spec' in v && 'params' in v)) return v as string | Model;
      throw expected('a model file name, or a Model (loadModel)');
    },
  },
} as const satisfies Group;

/**
 * How a model file is written (`trainer run --save`, `export-web`, `convert-model`): `compact` leaves out the first
 * layer's rows of inputs never seen in training (or all zero) and stores the weights at a precision (core compactModel,
 * docs/model-format.md). The flag alone is f32.
 */
export const SAVE = {
  compact: {
    flag: '--compact [precision]',
    help: `write the model compact: the first layer's rows of inputs never seen in the training data (a model file's: rows all zero) left out, weights as f32 (the flag alone), f16 or i8 (int8 with a scale per output); eval, predict, the page and the PyTorch loader read it as a full model (docs/model-format.md)`,
    /** The flag alone (true) is f32. */
    check: (v: unknown): WeightPrecision => {
      if (v === true) return 'f32';
      if (!WEIGHT_PRECISIONS.includes(v as WeightPrecision)) throw expected(`one of ${WEIGHT_PRECISIONS.join(', ')}`);
      return v as WeightPrecision;
    },
  },
} as const satisfies Group;

/** The most workers a session may start: 4 per logical CPU, at least 16 (each worker is a thread with its own replica). */
export function maxWorkers(): number {
  return Math.max(16, 4 * availableParallelism());
}

/** Workers by default: one per physical core (logical CPUs sharing a core add little to a memory-bound kernel). */
export function defaultWorkers(): number {
  return physicalCores() ?? availableParallelism();
}

/** Simulated workers are logical: any count up to this. */
export const MAX_SIMULATED_WORKERS = 1024;

/**
 * Samples between progress updates and stop checks, unless SessionOptions.chunk says otherwise. Here, not in
 * pool/session.ts, so that the CLI's help, which shows it, loads no pool.
 */
export const DEFAULT_CHUNK = 256;

/** The workers group: `workers`, `kernel`, `chunk`, `simulate`. */
export const WORKERS = {
  workers: {
    flag: '--workers <n>', help: `worker threads (default: one per physical core; at most ${maxWorkers()} here, 4 per logical CPU, or ${MAX_SIMULATED_WORKERS} simulated); more than the cores works, with a warning`,
    // The most a count may be depends on --simulate: checkWorkerCount.
    ...integer(1),
  },
  kernel: { flag: '--kernel <name>', help: 'compute kernel: wasm (SIMD, fast; the default when it is built) or ts (the readable reference: plain per-sample Hogwild, and the fallback)', ...oneOf<KernelName>(KERNELS) },
  chunk: { flag: '--chunk <n>', help: 'samples a worker trains between progress updates and stop checks', ...integer(1) },
  simulate: {
    flag: '--simulate', help: 'run the workers as logical workers taking turns in one thread (deterministic; for studying how the worker count changes accuracy, on any machine)',
    /** True or false. */
    check: flag,
  },
} as const satisfies Group;

/** How float features are scaled before training: the fit is kept in the model (standardize.ts). */
export type StandardizeMode = 'auto' | 'on' | 'off';

/** Options of tables (regression targets, standardisation), beside the groups above. */
export const TABLES = {
  standardize: {
    flag: '--standardize <how>',
    help: 'float features: auto centres and scales each column by the training set, but divides mostly-zero columns by their largest |value| (zeros stay zeros, and stay fast); on centres every column; off uses them as they are',
    ...oneOf<StandardizeMode>(['auto', 'on', 'off']),
  },
} as const satisfies Group;

/** train()'s and bench()'s `standardize`, checked: a mode, or true ('auto') and false ('off') as they are. */
export function checkStandardize(v: unknown): boolean | StandardizeMode | undefined {
  return typeof v === 'boolean' ? v : checkGroup(TABLES, { standardize: v }).standardize;
}

/**
 * Samples a default run trains at least: a table of a few hundred rows gets enough epochs for this many steps
 * (MNIST's 60,000 rows keep their 5 epochs). Chosen by measurement: docs/tables.md#default-epochs.
 */
export const MIN_DEFAULT_SAMPLES = 50_000;
/** The most epochs a default run trains. */
export const MAX_DEFAULT_EPOCHS = 500;

/**
 * The learning rate of a regression run when none is given. Per-sample SGD on a linear output is stable only while
 * lr · ‖h‖² < 2 for the last hidden layer's activations h, about 0.02 · 128 for the default network, so regression
 * takes a tenth of a classifier's default rate (docs/tables.md#regression-learning-rate).
 */
export const REGRESSION_LR = 0.001;

/** What `trainer bench` and `bench()` measure, beside the groups above. */
export const BENCH = {
  repeat: { flag: '--repeat <n>', help: 'repeats per worker count, taking turns between the counts (the median is reported)', ...integer(1) },
  evals: { flag: '--evals <n>', help: 'evaluations of the test set per epoch (time to the target is resolved to 1/n epoch; evaluation time is reported apart)', ...integer(1) },
  target: {
    flag: '--target <acc>', help: 'report the samples, epochs and training time to reach this test accuracy (for a regression target: this R²), a fraction in (0, 1] such as 0.98 (or 98%): medians over the repeats, a repeat that never reaches it counting as the slowest',
    // A percentage says so with its sign: 98 alone is refused, not read as 98% (nor as a fraction of 98).
    /** A decimal number, or a percentage with its sign. */
    parse: (t: string) => {
      const percent = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*$/.exec(t);
      return percent ? Number(percent[1]) / 100 : t.trim() === '' ? t : Number(t);
    },
    /** A fraction in (0, 1]. */
    check: (v: unknown) => {
      if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw expected('a fraction in (0, 1] such as 0.98, or a percentage such as 98%');
      return v;
    },
  },
  ceiling: {
    flag: '--ceiling', help: 'also run each worker count above the first with no merges, in turns with the others: the speed this machine gives workers that share nothing, and the part of it the merge protocol keeps (their model is not used)',
    /** True or false. */
    check: flag,
  },
} as const satisfies Group;

/** The network fields train() and bench() take (each field's check, default and flag: the `trainer run` flags, `NETWORK` in options.ts). */
export type NetworkOptions = GroupValues<typeof NETWORK>;
/** The `standardize` field of train() and --standardize (see {@link TABLES}). */
export type TablesOptions = GroupValues<typeof TABLES>;
/** The schedule fields train() and bench() take (each field's check, default and flag: the `trainer run` flags, `SCHEDULE` in options.ts). */
export type ScheduleOptions = GroupValues<typeof SCHEDULE>;
/** The worker fields train() takes (each field's check, default and flag: the `trainer run` flags, `WORKERS` in options.ts). */
export type WorkerOptions = GroupValues<typeof WORKERS>;
export type BenchGroupOptions = GroupValues<typeof BENCH>;
/** The `resume` field of train() (each field's check, default and flag: the `trainer run` flags, `START` in options.ts). */
export type StartOptions = GroupValues<typeof START>;
/** The `merge: {…}` fields of train() and bench() (each field's check, default and flag: the `trainer run` flags, `MERGE` in options.ts). */
export type MergeOptions = GroupValues<typeof MERGE>;

/** The defaults of `trainer run` and `train()`: a ReLU network with softmax outputs that reaches about 98% on MNIST in seconds. */
export const TRAIN_DEFAULTS = { hidden: [128], activation: 'relu', loss: 'softmax', init: 'he', lr: 0.02, schedule: 'cosine', lrStep: 1, lrGamma: 0.5, epochs: 5, seed: 1, kernel: 'wasm' } as const;
/** The defaults of `trainer bench` and `bench()`: the reference configuration R of the original project, one epoch. */
export const BENCH_DEFAULTS = {
  hidden: REFERENCE_SPEC.layers.slice(1, -1), activation: REFERENCE_SPEC.activation, loss: REFERENCE_SPEC.loss, init: 'uniform', lr: 0.033, schedule: 'constant', epochs: 1, seed: 1, kernel: 'wasm',
  repeat: 3, evals: 16,
} as const;
/**
 * What sparse data (text, LIBSVM) trains with when the options leave it out, in place of the run's and bench's
 * defaults: a linear softmax over the hashed features (no hidden layer, weights from zero), a large rate for rows of
 * unit length, cosine decay, 10 epochs. Chosen on SpamAssassin, a generated 20-class corpus and a short-text variant
 * of it against fastText (docs/text.md#defaults). bench evaluates twice an epoch: each evaluation point copies the
 * model, and a copy of a million-bucket layer costs more than a share of an epoch of sparse rows.
 */
export const SPARSE_DEFAULTS = { hidden: [] as number[], activation: 'relu', loss: 'softmax', init: 'zeros', lr: 4, schedule: 'cosine', epochs: 10, evals: 2 } as const;
/** The merge group's default: the rule of merge-plan.ts for the worker count. */
export const MERGE_DEFAULTS = { every: 'auto' } as const;

/** The error of a bad option: `field` names it (`merge.touches`), and the message is `${field}: ${problem}`. */
export function optionError(field: string, problem: string): TrainerError {
  return new TrainerError('E_USAGE', { field, problem });
}

/** The fields of `o` that a group defines (train() and bench() take the groups' fields side by side). */
export function pickGroup(group: Group, o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(group)) if (key in o) out[key] = (o as Record<string, unknown>)[key];
  return out;
}

/** Checks the values of one group given to the library; `prefix` is the group's field ('merge.'). */
export function checkGroup<G extends Group>(group: G, values: object | undefined, prefix = ''): GroupValues<G> {
  if (values === undefined) return {};
  if (typeof values !== 'object' || values === null) throw optionError(prefix.slice(0, -1), `expected an object, found ${JSON.stringify(values)}`);
  refuseUnknown(values, Object.keys(group), prefix);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(values)) {
    if (v === undefined) continue;
    try {
      out[key] = group[key].check(v);
    } catch (e) {
      if (!(e instanceof ExpectedError)) throw e;
      throw optionError(prefix + key, `${e.message}, found ${JSON.stringify(v)}`);
    }
  }
  return out as GroupValues<G>;
}

/** Refuses fields that no definition names, with the nearest known name ("unknown option `epoch` (did you mean `epochs`?)"). */
export function refuseUnknown(values: object, known: readonly string[], prefix = '', homes: Readonly<Record<string, string>> = {}): void {
  for (const key of Object.keys(values)) {
    if (known.includes(key)) continue;
    // A field of another object (train()'s `task` belongs to its `data`), then the names other libraries use.
    const home = Object.hasOwn(homes, key) ? homes[key] : undefined;
    if (home !== undefined) throw new TrainerError('E_USAGE', `unknown option \`${prefix}${key}\`: it goes in \`${home}\` (${home}: { …, ${key} })`, { field: prefix + key });
    const synonym = Object.hasOwn(SYNONYMS, key) && known.includes(SYNONYMS[key]) ? SYNONYMS[key] : null;
    const near = synonym ?? nearestName(key, known);
    throw new TrainerError('E_USAGE', `unknown option \`${prefix}${key}\`${near ? ` (did you mean \`${prefix}${near}\`?)` : ''}`, { field: prefix + key });
  }
}

/** What brain.js, tfjs and scikit-learn users call some options. */
const SYNONYMS: Readonly<Record<string, string>> = {
  learningRate: 'lr', learning_rate: 'lr', iterations: 'epochs', hiddenLayers: 'layers', hidden_layer_sizes: 'layers', random_state: 'seed', randomState: 'seed',
};

/** The flag of a library field ('merge.touches' → '--merge-touches'), or null when no flag has it. */
export function flagOf(field: string): string | null {
  const [group, key] = field.includes('.') ? field.split('.') : ['', field];
  const defs: Group | undefined = group === 'merge' ? MERGE : group === '' ? { ...NETWORK, ...SCHEDULE, ...WORKERS, ...TABLES, ...BENCH, ...START, ...SAVE } : undefined;
  const def = defs?.[key];
  return def ? def.flag.split(' ')[0] : null;
}

/** A worker count: real workers up to maxWorkers() (threads), simulated (logical) ones up to MAX_SIMULATED_WORKERS. */
export function checkWorkerCount(workers: unknown, simulate = false): number | undefined {
  const n = checkGroup(WORKERS, { workers }).workers;
  const most = simulate ? MAX_SIMULATED_WORKERS : maxWorkers();
  if (n !== undefined && n > most) throw optionError('workers', `expected an integer from 1 to ${most}${simulate ? ' (simulated workers)' : ' (4 per logical CPU of this machine)'}, found ${n}`);
  return n;
}

/** Checks the options a session takes (the library's and the CLI's are checked before, with the same definitions). */
export function checkSessionOptions(o: { workers: number; kernel: KernelName; chunk?: number; seed?: number; labelSmoothing?: number; simulate?: boolean; merge?: MergeOptions; spec: { loss: LossName } }): void {
  const { simulate } = checkGroup(WORKERS, { kernel: o.kernel, chunk: o.chunk, simulate: o.simulate });
  if (o.kernel === undefined) throw optionError('kernel', `expected one of ${KERNELS.join(', ')}, found undefined`);
  if (checkWorkerCount(o.workers, simulate) === undefined) throw optionError('workers', 'expected a worker count, found undefined');
  const { labelSmoothing } = checkGroup(SCHEDULE, { seed: o.seed, labelSmoothing: o.labelSmoothing });
  if (labelSmoothing !== undefined) checkLabelSmoothing(labelSmoothing, o.spec.loss);
  checkGroup(MERGE, o.merge, 'merge.');
}
