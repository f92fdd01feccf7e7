/** `trainer run`: Hogwild! training with live progress, per-epoch test accuracy and a saved model. */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { countParameters, HogwildError, saveModel, type InitName, type Model } from '@hogwild/core';
import { describeMerges } from '../merge-plan.ts';
import { defaultWorkers, type NetworkOptions, type WorkerOptions } from '../options.ts';
import type { KernelName } from '../protocol.ts';
import type { ScheduleName } from '../schedule.ts';
import { train as trainModel, type TrainResult } from '../train.ts';
import { TrainerError } from '../errors.ts';
import { createProgress } from './progress.ts';
import { checkWorkers, mergeFromFlags, resolveFiles } from './options.ts';
import { confusionTable, count, percent, rate, regressionReport, scoreFields, scoreText, statsTable } from './report.ts';
import type { Evaluation } from '../pool/session.ts';
import type { StandardizeMode } from '../options.ts';
import { TRAIN_DEFAULTS } from '../options.ts';
import { sameFile } from '@hogwild/data';
import { EXIT } from '@hogwild/core/cli';

/** The parsed flags of `trainer run` (cli/program.ts makes them from the option definitions; the merge flags go to mergeFromFlags). */
export interface RunFlags extends NetworkOptions, WorkerOptions {
  data?: string; test?: string; save?: string; force?: boolean; checkpointEvery?: number; json?: boolean;
  lr?: number; epochs?: number; seed: number; standardize?: StandardizeMode; fullMatrix?: boolean; schedule: ScheduleName; lrStep: number; lrGamma: number; kernel: KernelName;
  readonly [merge: `merge${string}`]: unknown;
}


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

export async function runCommand(f: RunFlags): Promise<void> {
  const json = f.json ?? false;
  // Ctrl-C is ours from the start, so that one during loading ends cleanly too, and it stays ours until the
  // checkpoint is written (a second one quits at once). The scripts run node itself (node --import tsx), so no
  // launcher process stands between the terminal and this handler.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) {
      process.stderr.write('\ninterrupted again: exiting without a checkpoint\n');
      process.exit(EXIT.interrupted);
    }
    interrupt.abort();
    process.stderr.write('\ninterrupt: stopping the workers at the next chunk (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    await train(f, json, interrupt.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function train(f: RunFlags, json: boolean, signal: AbortSignal): Promise<void> {
  if (f.save !== undefined) checkWritableDir(f.save);
  const note = (s: string) => process.stderr.write(s + '\n');
  const workers = f.workers ?? defaultWorkers();
  checkWorkers(workers, note);
  const init: InitName = f.init ?? TRAIN_DEFAULTS.init;
  const files = await resolveFiles(f.data, f.test, json ? () => {} : note);
  if (f.save !== undefined) {
    for (const [flag, input] of [['training set', files.train], ['test set', files.test]] as const) {
      if (input !== undefined && sameFile(f.save, input)) throw new TrainerError('E_USAGE', `--save ${f.save} is the ${flag}: choose another name for the model`);
    }
    if (!f.force && existsSync(f.save)) throw new TrainerError('E_USAGE', `--save ${f.save}: the file exists; pass --force to replace it`);
  }
  const save = f.save;
  const checkpointFile = save ? join(dirname(save), basename(save).replace(/(\.safetensors)?$/, '.checkpoint.safetensors')) : 'hogwild-checkpoint.safetensors';
  let split: 'test' | 'train' = 'test';
  const extra = (epoch: number, ev?: Evaluation | null): Record<string, string> => ({
    epochs: String(epoch), lr: String(lr), schedule: f.schedule, seed: String(f.seed), workers: String(workers), kernel: f.kernel,
    init, train_data: files.mnist ? 'mnist (bundled)' : files.train,
    ...(ev ? Object.fromEntries(Object.entries(scoreFields(split, ev)).map(([k, v]) => [k, (v ?? NaN).toFixed(4)])) : {}),
  });
  /**
   * A trained model is not lost to a failed write (a full disk, a folder that went away): it goes to the temporary
   * folder instead, the run says where, and ends with exit 1. Returns where the model went.
   */
  const writeModel = (file: string, trained: Model, epoch: number, ev?: Evaluation | null): string => {
    const model = { ...trained, extra: extra(epoch, ev) };
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
  let progress = createProgress(false, 1, 1);
  let simulated = false;
  let epochs = f.epochs ?? TRAIN_DEFAULTS.epochs;
  let lr = f.lr ?? TRAIN_DEFAULTS.lr;
  let result: TrainResult;
  try {
    result = await trainModel({
      data: files.train, test: files.test, layers: f.layers, activation: f.activation, loss: f.loss,
      init, lr: f.lr, schedule: f.schedule, lrStep: f.lrStep, lrGamma: f.lrGamma, epochs: f.epochs, seed: f.seed, workers, kernel: f.kernel,
      standardize: f.standardize, merge: mergeFromFlags(f), chunk: f.chunk, simulate: f.simulate, signal,
      onStart: (s) => {
        split = s.split;
        simulated = s.simulated;
        epochs = s.epochs;
        lr = s.lr;
        progress = createProgress(!json && process.stderr.isTTY === true, epochs, s.rows);
        if (json) return;
        progress.log(`training ${s.spec.layers.join('-')} ${s.spec.activation}/${s.spec.loss} (${countParameters(s.spec.layers).toLocaleString('en-US')} parameters, ${init} init) on ${s.rows.toLocaleString('en-US')} samples${s.standardized ? ' (features standardised)' : ''}, ` +
          `${workers} ${s.simulated ? 'simulated ' : ''}worker${workers > 1 ? 's' : ''} (Hogwild!${workers > 1 ? `, lock-free; ${describeMerges(s.merges)}` : ''}), kernel ${f.kernel}, lr ${lr} ${f.schedule}, ${count(epochs, 'epoch')}${f.epochs === undefined && epochs !== TRAIN_DEFAULTS.epochs ? ` (the default for ${s.rows.toLocaleString('en-US')} rows)` : ''}, seed ${f.seed}${s.task === 'regression' ? ', regression (mse)' : ''}`);
      },
      onEpochStart: (epoch, read) => progress.startEpoch(epoch, read),
      onWarning: (message) => note(`warning: ${message}`),
      onEpoch: (e, model) => {
        progress.endEpoch();
        if (json) {
          emit({ event: 'epoch', epoch: e.epoch, workers, seconds: e.seconds, samples_per_second: e.samplesPerSecond, train_loss: e.loss, ...scoreFields(split, e.evaluation), lr: e.lr, eval_seconds: e.evaluation.seconds, merge_periods: e.mergePeriods });
        } else {
          progress.log(`epoch ${String(e.epoch).padStart(2)}/${epochs}  loss ${e.loss.toFixed(4)}  ${scoreText(split, e.evaluation)}  ${e.seconds.toFixed(2)} s  ${rate(e.samplesPerSecond)} samples/s  lr ${e.lr.toPrecision(3)}`);
        }
        if (f.checkpointEvery && e.epoch % f.checkpointEvery === 0 && e.epoch < epochs) writeModel(checkpointFile, model(), e.epoch, e.evaluation);
      },
    });
  } finally {
    progress.stop();
  }
  const last = result.evaluation;
  if (signal.aborted) {
    const where = writeModel(checkpointFile, result.model, result.epochs, last);
    process.stderr.write(`interrupted after ${count(result.epochs, 'full epoch')}; checkpoint saved to ${where}\n`);
    process.exitCode = EXIT.interrupted;
    return;
  }
  const saved = save ? writeModel(save, result.model, result.epochs, last) : null;
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
  process.stdout.write(saved ? `\nmodel saved to ${saved}\n` : '\n(no --save: the model was not kept)\n');
  if (workers > 1 && !simulated) process.stdout.write('note: with several workers Hogwild! updates race by design, so runs are not bit-reproducible; --workers 1 is.\n');
}
