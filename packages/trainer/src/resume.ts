/**
 * Resuming a run (`train({ resume })`, `trainer run --resume FILE`): what a model must say for training to continue
 * where it stopped. train() writes these keys into every model it gives (`model.extra`, so checkpoints and saved
 * models alike), as strings in the safetensors `__metadata__` (README "File formats"):
 *
 *   epochs           full epochs trained
 *   epoch_samples    samples of the next epoch trained before an interrupt (0: none); a resumed run trains the rest
 *   schedule_epochs  the epochs the run's schedule spans (its `epochs` option: cosine decay depends on it)
 *   lr, schedule, lr_step, lr_gamma   the schedule, so the resumed epochs get the rates an uninterrupted run gets
 *   seed             the shuffles' seed: a resumed run replays the shuffles of the epochs before, so that with one
 *                    worker it ends with the model of an uninterrupted run, bit for bit
 *   label_smoothing  the label smoothing ε, only when above 0 (absent: 0, so a run without it writes the same
 *                    file as before the option existed)
 *   train_data       the training data: a file's absolute path, or `mnist (bundled)` (absent for arrays in memory);
 *                    a resumed run given no data continues on it
 *   test_data        the test set, likewise (absent: none); it comes along with train_data when no data is given
 *
 * A checkpoint of `trainer run` (cli/run.ts) also says how to finish the run it interrupted:
 *
 *   checkpoint       `true`: a resumed run removes the file once it has saved the model
 *   save             the --save of the interrupted run, an absolute path (absent: none)
 *   run_flags        JSON of the other flags given to it that are not the model's own (--workers, --kernel, --chunk,
 *                    --simulate, the merge flags, --checkpoint-every, --force); flags given beside --resume win
 *
 * Paths are absolute: they name the same file whatever folder the resume command is typed in, wherever the checkpoint
 * is moved to, and however the CLI resolves relative paths.
 *
 * The network (layers, activation, loss) and the preprocessing (input_scale, input_mean/input_std) are the model's own.
 */
import { isAbsolute, resolve } from 'node:path';
import { loadModel, type Model } from '@hogwild/core';
import { sameFile } from '@hogwild/data/internal';
import { ExpectedError, TrainerError } from './errors.ts';
import { SCHEDULE, type NetworkOptions, type OptionDef, type TablesOptions } from './options.ts';
import type { ScheduleName } from './schedule.ts';

/** Where a run's training stopped and the schedule it ran with: the metadata keys above, read by readState. */
export interface TrainingState {
  /** Full epochs trained. */
  readonly epochs: number;
  /** Samples of epoch `epochs + 1` trained before an interrupt. */
  readonly epochSamples: number;
  /** The epochs the schedule spans. */
  readonly scheduleEpochs: number;
  readonly lr: number;
  readonly schedule: ScheduleName;
  readonly lrStep: number;
  readonly lrGamma: number;
  readonly seed: number;
  /** Label smoothing ε (0: none). */
  readonly labelSmoothing: number;
}

/** The state as model metadata (model.extra). */
export function stateMetadata(s: TrainingState): Record<string, string> {
  return {
    epochs: String(s.epochs), epoch_samples: String(s.epochSamples), schedule_epochs: String(s.scheduleEpochs),
    lr: String(s.lr), schedule: s.schedule, lr_step: String(s.lrStep), lr_gamma: String(s.lrGamma), seed: String(s.seed),
    ...(s.labelSmoothing > 0 && { label_smoothing: String(s.labelSmoothing) }),
  };
}

/** train_data and test_data of the bundled MNIST (trainer run wrote this value before the keys were paths). */
export const BUNDLED_MNIST = 'mnist (bundled)';

/**
 * A run's data as train_data or test_data records it: a file's absolute path (resolved as the file was opened, from
 * the current folder), BUNDLED_MNIST, or undefined for arrays in memory and for no test set.
 */
export function dataRecord(input: unknown, bundled: boolean): string | undefined {
  return bundled ? BUNDLED_MNIST : typeof input === 'string' ? resolve(input) : undefined;
}

/**
 * The files a resumed run continues on when it is given no data: the recorded ones (undefined for the bundled MNIST,
 * which is then the default, with its test set). A value that is neither (a model written before these keys were
 * absolute paths) is not used.
 */
export function recordedData(model: Model): { data?: string; test?: string } {
  const file = (key: string) => {
    const v = model.extra?.[key];
    return v !== undefined && v !== BUNDLED_MNIST && isAbsolute(v) ? v : undefined;
  };
  return { data: file('train_data'), test: file('test_data') };
}

/** Whether a run on `record` (dataRecord) trains on the data `model` recorded; unknown (no record) counts as the same. */
export function sameData(model: Model, record: string | undefined): boolean {
  const own = model.extra?.train_data;
  if (own === undefined || (own !== BUNDLED_MNIST && !isAbsolute(own))) return true;
  if (own === BUNDLED_MNIST || record === undefined || record === BUNDLED_MNIST) return own === record;
  return own === record || sameFile(own, record);
}

export interface Resumed {
  readonly model: Model;
  readonly state: TrainingState;
  /** How errors name it: the file, or "the resumed model". */
  readonly source: string;
}

const fail = (problem: string, cause?: unknown) => new TrainerError('E_USAGE', { field: 'resume', problem }, { cause });

/** Loads the model to resume (a file, or a Model), reads its state and checks the network and preprocessing options given beside it. */
export function resumeFrom(value: string | Model, net: NetworkOptions & { readonly standardize?: TablesOptions['standardize'] | boolean }): Resumed {
  const model = typeof value === 'string' ? loadModel(value) : value;
  const source = typeof value === 'string' ? value : 'the resumed model';
  const state = readState(model, source);
  const { spec } = model;
  const differs = (field: string, given: string, own: string) =>
    new TrainerError('E_USAGE', { field, problem: `${given} differs from ${own} of the resumed model ${source}: leave it out, or give the model's` });
  if (net.layers !== undefined && net.layers.join(',') !== spec.layers.join(',')) throw differs('layers', net.layers.join(','), spec.layers.join(','));
  if (net.activation !== undefined && net.activation !== spec.activation) throw differs('activation', net.activation, spec.activation);
  if (net.loss !== undefined && net.loss !== spec.loss) throw differs('loss', net.loss, spec.loss);
  if (net.init !== undefined) throw new TrainerError('E_USAGE', { field: 'init', problem: `a resumed run starts from the weights of ${source}, not from an init: leave it out` });
  if (net.standardize !== undefined) throw new TrainerError('E_USAGE', { field: 'standardize', problem: `a resumed run keeps the preprocessing of ${source}: leave it out` });
  return { model, state, source };
}

/** The training state in a model's metadata; a model without one (not written by train()) cannot be resumed. */
export function readState(model: Model, source: string): TrainingState {
  const meta = model.extra ?? {};
  const read = <T>(key: string, parse: (text: string) => T): T => {
    const text = meta[key];
    if (text === undefined) throw fail(`${source} has no ${key} in its metadata: only checkpoints and models written by trainer run or train() say where their training stopped`);
    try {
      return parse(text);
    } catch (e) {
      throw fail(`${source}: metadata ${key} ${JSON.stringify(text)}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  };
  const count = (min: number) => (t: string) => {
    const n = /^\d+$/.test(t) ? Number(t) : NaN;
    if (!(n >= min)) throw new ExpectedError(`an integer from ${min}`);
    return n;
  };
  // Metadata values are text, as flags are: each is read by its option's own parse and check.
  const option = <T>(def: OptionDef<T>) => (t: string): T => def.check(def.parse ? def.parse(t) : t);
  return {
    epochs: read('epochs', count(0)),
    epochSamples: meta.epoch_samples === undefined ? 0 : read('epoch_samples', count(0)),
    scheduleEpochs: read('schedule_epochs', option(SCHEDULE.epochs)),
    lr: read('lr', option(SCHEDULE.lr)),
    schedule: read('schedule', option(SCHEDULE.schedule)),
    lrStep: read('lr_step', option(SCHEDULE.lrStep)),
    lrGamma: read('lr_gamma', option(SCHEDULE.lrGamma)),
    seed: read('seed', option(SCHEDULE.seed)),
    labelSmoothing: meta.label_smoothing === undefined ? 0 : read('label_smoothing', option(SCHEDULE.labelSmoothing)),
  };
}

/** Refuses data the resumed model cannot continue on: another feature count, more classes, other class names. */
export function checkResumedData(r: Resumed, data: { source: string; featureLength: number; maxLabel: number; classes?: readonly string[] }, trainedOn?: string): void {
  const { layers } = r.model.spec;
  const outputs = layers[layers.length - 1];
  const hint = trainedOn ? ` (it was trained on ${trainedOn})` : '';
  if (data.featureLength !== layers[0]) throw fail(`${r.source} takes ${layers[0]} features per sample, but ${data.source} has ${data.featureLength}${hint}`);
  if (data.maxLabel >= outputs) throw fail(`${r.source} has ${outputs} outputs, but ${data.source} has label ${data.maxLabel}${hint}`);
  const own = r.model.classes;
  if (own && data.classes && (own.length !== data.classes.length || own.some((c, i) => c !== data.classes![i]))) {
    throw fail(`${r.source} has the classes ${JSON.stringify(own)}, but ${data.source} has ${JSON.stringify(data.classes)}${hint}`);
  }
}

/** What a checkpoint of `trainer run` says about the run it interrupted (the keys `checkpoint`, `save`, `run_flags`). */
export interface RunRecord {
  /** Whether the file is a checkpoint (removed once a resumed run has saved the model), not a saved model. */
  readonly checkpoint: boolean;
  /** Where the interrupted run would have saved its model: an absolute path. */
  readonly save?: string;
  /** The other flags given to it, by attribute (`mergeTouches`). */
  readonly flags: Readonly<Record<string, unknown>>;
}

/** The record as checkpoint metadata (model.extra); `save` is made absolute here. */
export function runMetadata(r: RunRecord): Record<string, string> {
  return { ...(r.checkpoint && { checkpoint: 'true' }), ...(r.save !== undefined && { save: resolve(r.save) }), run_flags: JSON.stringify(r.flags) };
}

/**
 * The run record of a model: nothing for a saved model (or a checkpoint written before these keys); each recorded
 * flag checked by `checks` (its option's check), so a hand-edited file is refused as the flag itself would be.
 */
export function readRunRecord(model: Model, source: string, checks: Readonly<Record<string, (value: unknown) => unknown>>): RunRecord {
  const meta = model.extra ?? {};
  const save = meta.save;
  if (save !== undefined && !isAbsolute(save)) throw fail(`${source}: metadata save ${JSON.stringify(save)}: expected an absolute path`);
  let flags: Record<string, unknown> = {};
  if (meta.run_flags !== undefined) {
    try {
      flags = JSON.parse(meta.run_flags);
    } catch {
      throw fail(`${source}: metadata run_flags is not JSON: ${JSON.stringify(meta.run_flags.slice(0, 80))}`);
    }
    if (typeof flags !== 'object' || flags === null || Array.isArray(flags)) throw fail(`${source}: metadata run_flags: expected a JSON object of flags`);
    for (const [key, value] of Object.entries(flags)) {
      const check = Object.hasOwn(checks, key) ? checks[key] : undefined;
      if (!check) throw fail(`${source}: metadata run_flags: ${key} is not a flag a checkpoint records`);
      try {
        check(value);
      } catch (e) {
        throw fail(`${source}: metadata run_flags: ${key} ${JSON.stringify(value)}: ${e instanceof Error ? e.message : String(e)}`, e);
      }
    }
  }
  return { checkpoint: meta.checkpoint === 'true', ...(save !== undefined && { save }), flags };
}
