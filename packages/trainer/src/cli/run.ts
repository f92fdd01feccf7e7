/** `trainer run`: Hogwild! training with live progress, per-epoch test accuracy and a saved model. */
import { accessSync, constants, existsSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { HogwildError, compactModel, loadModel, saveModel, type Model, type WeightPrecision } from '@hogwild/core';
import { MERGE, NETWORK, SAVE, SCHEDULE, START, TABLES, TRAIN_DEFAULTS, WORKERS, checkWorkerCount, pickGroup, type NetworkOptions, type ScheduleOptions, type TablesOptions, type WorkerOptions } from '../options.ts';
import { seenInputs } from '../seen-inputs.ts';
import { compactNote } from './model-file.ts';
import type { KernelName } from '../protocol.ts';
import { train as trainModel, type TrainResult } from '../train.ts';
import { TrainerError } from '../errors.ts';
import { createProgress, type Progress } from './progress.ts';
import { runHeader, wrap } from './header.ts';
import { attribute, warnOversubscribed, mergeFromFlags, resolveFiles, checkNetworkFlags } from './options.ts';
import { readRunRecord, recordedData, runMetadata, type RunRecord } from '../resume.ts';
import { confusionTable, count, percent, rate, regressionReport, scoreFields, scoreText, statsTable } from './report.ts';
import type { Evaluation } from '../pool/session.ts';
import { sameFile } from '@hogwild/data/internal';
import { EXIT } from '@hogwild/core/cli';

/** The network flags' defaults, for checking --layers before any data is read. */
const networkDefaults = { layers: [], activation: TRAIN_DEFAULTS.activation, loss: TRAIN_DEFAULTS.loss };

/**
 * The parsed flags of `trainer run` (cli/program.ts makes them from the option definitions; the merge flags go to
 * mergeFromFlags). The schedule flags are there as given: train() chooses the defaults (epochs and lr by the data),
 * and with --resume the resumed model's own values apply.
 */

/** At most about this many epoch lines in text (every epoch up to it). */
const EPOCH_LINES = 20;
export interface RunFlags extends NetworkOptions, WorkerOptions, ScheduleOptions, TablesOptions {
  data?: string; test?: string; save?: string; compact?: WeightPrecision | true; force?: boolean; checkpointEvery?: number; json?: boolean; verbose?: boolean; resume?: string; fullMatrix?: boolean;
  kernel: KernelName;
  readonly [merge: `merge${string}`]: unknown;
  /** Not flags, set by the program: the attributes given on the command line (a checkpoint records them). */
  given?: readonly string[];
  /** How the user types the program (`pnpm trainer`), for the resume command a checkpoint's line prints. */
  invocation?: string;
}

/**
 * The flags as `trainer run` passes them on, with the attributes given (`given(attribute)` says whether the user gave
 * it): with --resume, a schedule flag left at its default is dropped, so that the resumed model's own value applies.
 */
export function resumeFlags(f: RunFlags, given: (attribute: string) => boolean): RunFlags {
  const out: Record<string, unknown> = { ...f, given: Object.keys(f).filter(given) };
  if (f.resume !== undefined) for (const key of Object.keys(SCHEDULE)) if (!given(key)) delete out[key];
  return out as unknown as RunFlags;
}

/**
 * The flags a checkpoint records when given (run_flags, resume.ts), each with its check: how the run trained and
 * ended, beside the network, schedule and preprocessing the model holds itself.
 */
const RECORDED: Readonly<Record<string, (value: unknown) => unknown>> = {
  ...Object.fromEntries([...Object.values(WORKERS), ...Object.values(MERGE)].map((def) => [attribute(def), def.check])),
  checkpointEvery: SCHEDULE.epochs.check, force: WORKERS.simulate.check, compact: SAVE.compact.check,
};

/**
 * The flags of a run resumed from a checkpoint: its data and test set (unless --data is given), its --save and its
 * recorded flags, each where not given beside --resume.
 */
function resumedRun(f: RunFlags): { flags: RunFlags; record: RunRecord; taken: string[] } {
  const model = loadModel(f.resume!);
  const record = readRunRecord(model, f.resume!, RECORDED);
  const given = new Set(f.given);
  const taken: Record<string, unknown> = { ...(f.data === undefined && recordedData(model)), ...(f.save === undefined && { save: record.save }) };
  for (const [key, value] of Object.entries(record.flags)) if (!given.has(key)) taken[key] = value;
  if (f.test !== undefined) delete taken.test;
  const words = Object.entries(taken).filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${v === true ? '' : ` ${shellWord(String(v))}`}`);
  const flags = { ...f, ...taken, given: [...new Set([...given, ...Object.keys(record.flags)])] };
  return { flags: flags as unknown as RunFlags, record, taken: words };
}

/** A word the shell reads back as it is (a path with spaces or quotes is single-quoted). */
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);


/** Fails before training, not after it, when the model could not be saved. */
function checkWritableDir(file: string): void {
  const dir = dirname(file);
  if (existsSync(file) && statSync(file).isDirectory()) throw new TrainerError('E_USAGE', `--save ${file} is a folder; give a file name such as ${join(file, 'model.safetensors')}`);
  try {
    if (!statSync(dir).isDirectory()) throw new TrainerError('E_USAGE', `--save ${file}: ${dir} is not a directory`);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    if (e instanceof TrainerError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new TrainerError('E_USAGE', `--save ${file}: ${code === 'ENOENT' ? `folder ${dir} does not exist` : `cannot write in ${dir} (${code})`}`);
  }
}

/** What is on the screen while training: the bars (none before the run starts, with --json or off a terminal). */
interface Screen { progress: Progress; bars: boolean }

export async function runCommand(f: RunFlags): Promise<void> {
  const json = f.json ?? false;
  const screen: Screen = { progress: createProgress(false, 1, 1), bars: false };
  // Ctrl-C is ours from the start, so that one during loading ends cleanly too, and it stays ours until the
  // checkpoint is written (a second one quits at once, exit 130). The CLI's own listener (runCli: one line, exit 130)
  // yields to this one. Through `pnpm trainer`, each Ctrl-C reaches node once: the script's shell ignores the signals
  // pnpm sends it again (scripts/cli.mjs says why). The bars are cleared first, so the line is not drawn over (the
  // terminal's "^C" was on the bars' last line, cleared with them).
  const interrupt = new AbortController();
  const onSigint = () => {
    const fresh = !screen.bars;
    screen.progress.stop();
    screen.bars = false;
    if (interrupt.signal.aborted) {
      process.stderr.write(`${fresh ? '\n' : ''}interrupted again: exiting without a checkpoint\n`);
      process.exit(EXIT.interrupted);
    }
    interrupt.abort();
    process.stderr.write(`${fresh ? '\n' : ''}interrupt: stopping the workers at the next chunk (Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', onSigint);
  try {
    await train(f, json, interrupt.signal, screen);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function train(typed: RunFlags, json: boolean, signal: AbortSignal, screen: Screen): Promise<void> {
  // A checkpoint carries the rest of the run it interrupted.
  const resumed = typed.resume !== undefined ? resumedRun(typed) : null;
  const f = resumed?.flags ?? typed;
  const note = (s: string) => process.stderr.write(s + '\n');
  if (resumed && resumed.taken.length > 0) note(`--resume ${typed.resume}: continuing its run with ${resumed.taken.join(' ')}`);
  if (f.save !== undefined) checkWritableDir(f.save);
  if (f.compact !== undefined && f.save === undefined) throw new TrainerError('E_USAGE', '--compact: it is how --save writes the model; give --save FILE too');
  // The worker count is the resolved run's (resolve-run.ts), which onStart reports; a count given is checked first.
  if (f.workers !== undefined) warnOversubscribed(checkWorkerCount(f.workers, f.simulate)!, note);
  let workers = 0;
  checkNetworkFlags(f, networkDefaults);
  const files = await resolveFiles(f.data, f.test, json ? () => {} : note);
  if (f.save !== undefined) {
    for (const [flag, input] of [['training set', files.train], ['test set', files.test]] as const) {
      if (input !== undefined && sameFile(f.save, input)) throw new TrainerError('E_USAGE', `--save ${f.save} is the ${flag}: choose another name for the model`);
    }
    if (!f.force && existsSync(f.save)) {
      const whose = typed.save === undefined ? ` (the --save of the run ${typed.resume} interrupted)` : '';
      throw new TrainerError('E_USAGE', `--save ${f.save}${whose}: the file exists; pass --force to replace it`);
    }
  }
  const save = f.save;
  const checkpointFile = save ? join(dirname(save), basename(save).replace(/(\.safetensors)?$/, '.checkpoint.safetensors')) : 'hogwild-checkpoint.safetensors';
  let split: 'test' | 'train' = 'test';
  // The model's own keys (where its training stands: resume.ts) come from train(); these say how this run trained it.
  // A checkpoint also records how to finish the run (resume.ts): --save and the flags given.
  const extra = (ev?: Evaluation | null, checkpoint = false): Record<string, string> => ({
    workers: String(workers), kernel: f.kernel,
    ...(ev ? Object.fromEntries(Object.entries(scoreFields(split, ev)).map(([k, v]) => [k, (v ?? NaN).toFixed(4)])) : {}),
    ...(checkpoint && runMetadata({ checkpoint, save, flags: Object.fromEntries(Object.keys(RECORDED).filter((k) => f.given?.includes(k)).map((k) => [k, (f as unknown as Record<string, unknown>)[k]])) })),
  });
  /**
   * A trained model is not lost to a failed write (a full disk, a folder that went away): it goes to the temporary
   * folder instead, the run says where, and ends with exit 1. Returns where the model went.
   */
  const writeModel = (file: string, trained: Model, ev?: Evaluation | null, checkpoint = false): string => {
    const model = { ...trained, extra: { ...trained.extra, ...extra(ev, checkpoint) } };
    try {
      saveModel(file, model);
      return file;
    } catch (e) {
      if (e instanceof HogwildError) throw e; // nothing to keep (non-finite weights)
      const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      const fallback = join(tmpdir(), `${basename(file).replace(/\.safetensors$/, '')}.${process.pid}.${Date.now()}.safetensors`);
      try {
        saveModel(fallback, model);
      } catch (e2) {
        throw new TrainerError('E_INPUT', `${file}: cannot write the model (${reason}), nor the fallback ${fallback} (${(e2 as NodeJS.ErrnoException).code ?? (e2 as Error).message}); the trained model is lost`);
      }
      process.stderr.write(`trainer: ${file}: cannot write the model (${reason}); it was saved to ${fallback} instead\n`);
      process.exitCode = EXIT.input;
      return fallback;
    }
  };

  const emit = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  let simulated = false;
  let epochs = 0;
  let result: TrainResult;
  try {
    result = await trainModel({
      ...pickGroup(NETWORK, f), ...pickGroup(SCHEDULE, f), ...pickGroup(WORKERS, f), ...pickGroup(START, f), ...pickGroup(TABLES, f), merge: mergeFromFlags(f),
      // The bundled MNIST is train()'s default, which it records as such (not as the cache's path).
      data: files.mnist ? undefined : files.train, test: files.mnist ? undefined : files.test, signal,
      onStart: (s) => {
        workers = s.workers;
        split = s.split;
        simulated = s.simulated;
        epochs = s.epochs;
        if (json) return;
        // The header goes out whole before the bars start, wrapped to the terminal it is shown on.
        const header = runHeader(s, { data: files.mnist ? 'the bundled MNIST' : files.train, test: files.mnist ? undefined : files.test, chunk: f.chunk, verbose: f.verbose ?? false });
        process.stdout.write(wrap(header, process.stdout.isTTY ? process.stdout.columns : undefined) + '\n');
        const done = s.resumed ? s.resumed.epochs * s.rows + s.resumed.epochSamples : 0;
        screen.progress = createProgress(process.stderr.isTTY === true && !signal.aborted, s.epochs, s.rows, done);
        screen.bars = process.stderr.isTTY === true && !signal.aborted;
      },
      onEpochStart: (epoch, read) => screen.progress.startEpoch(epoch, read),
      onWarning: (message) => screen.progress.log(`warning: ${message}`, process.stderr),
      onEpoch: (e, model) => {
        screen.progress.endEpoch();
        if (json) {
          emit({ event: 'epoch', epoch: e.epoch, workers, seconds: e.seconds, samples_per_second: e.samplesPerSecond, train_loss: e.loss, ...scoreFields(split, e.evaluation), lr: e.lr, eval_seconds: e.evaluation.seconds, merge_periods: e.mergePeriods });
        } else if (epochs <= EPOCH_LINES || e.epoch === 1 || e.epoch === epochs || e.epoch % Math.ceil(epochs / EPOCH_LINES) === 0) {
          // A small table's hundreds of epochs print about EPOCH_LINES lines (--json gives every epoch).
          screen.progress.log(`epoch ${String(e.epoch).padStart(2)}/${epochs}  loss ${e.loss.toFixed(4)}  ${scoreText(split, e.evaluation)}  ${e.seconds.toFixed(2)} s  ${rate(e.samplesPerSecond)} samples/s  lr ${e.lr.toPrecision(3)}`);
        }
        if (f.checkpointEvery && e.epoch % f.checkpointEvery === 0 && e.epoch < epochs) writeModel(checkpointFile, model(), e.evaluation, true);
      },
    });
  } finally {
    // Also on an error: the bars go before main prints it.
    screen.progress.stop();
    screen.bars = false;
  }
  const last = result.evaluation;
  if (signal.aborted) {
    const where = writeModel(checkpointFile, result.model, last, true);
    const into = Number(result.model.extra?.epoch_samples ?? 0);
    const line = `interrupted after ${count(result.epochs, 'full epoch')}${into > 0 ? ` and ${into.toLocaleString('en-US')} samples` : ''}; checkpoint saved to ${where} (resume: ${f.invocation ?? 'pnpm trainer'} run --resume ${shellWord(where)})`;
    process.stderr.write(wrap([line], process.stderr.isTTY ? process.stderr.columns : undefined) + '\n');
    process.exitCode = EXIT.interrupted;
    return;
  }
  // --compact: the first layer keeps the rows of the inputs the training data has (seen-inputs.ts); checkpoints stay full.
  const compact = f.compact === undefined ? undefined : SAVE.compact.check(f.compact);
  const keep = save && compact ? seenInputs(files.train, result.model.spec.layers[0]) : undefined;
  const final = save && compact ? compactModel(result.model, { precision: compact, keep }) : result.model;
  const saved = save ? writeModel(save, final, last) : null;
  // The checkpoint has served once the model is where the run was to put it (not a fallback, not the checkpoint itself).
  const removed = resumed?.record.checkpoint && saved === save && !sameFile(saved, f.resume!) ? f.resume! : null;
  if (removed) rmSync(removed, { force: true });
  const done = { event: 'done', epochs: result.epochs, workers, kernel: f.kernel, train_seconds: result.trainSeconds, ...scoreFields(split, last), saved };
  if (json) {
    emit(done);
    return;
  }
  if (last?.regression) {
    process.stdout.write(`\n${split} after ${count(result.epochs, 'epoch')}, ${result.trainSeconds.toFixed(2)} s of training: ${regressionReport(last)}\n`);
  } else if (last) {
    process.stdout.write(`\n${split} accuracy ${percent(last.accuracy)} (${last.correct}/${last.samples}) after ${count(result.epochs, 'epoch')}, ${result.trainSeconds.toFixed(2)} s of training\n\n${confusionTable(last, result.model.classes, f.fullMatrix)}\n\n${statsTable(last, result.model.classes)}\n`);
  }
  process.stdout.write(saved ? `\nmodel saved to ${saved}${compact ? `, ${compactNote(final, keep?.reduce((a, b) => a + b, 0))}` : ''}${removed ? ` (checkpoint ${removed} removed)` : ''}\n` : '\n(no --save: the model was not kept)\n');
  if (workers > 1 && !simulated) process.stdout.write(wrap(['note: with several workers Hogwild! updates race by design, so runs are not bit-reproducible; --workers 1 is.'], process.stdout.isTTY ? process.stdout.columns : undefined) + '\n');
}
