/** `trainer run`: Hogwild! training with live progress, per-epoch test accuracy and a saved model. */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { firstNonFinite, HogwildError, parameterCount, saveModel, type InitName } from '@hogwild/core';
import { tmpdir } from 'node:os';
import { createSession, defaultWorkers, type Evaluation } from '../pool/session.ts';
import { describeSync } from '../pool/sync.ts';
import { learningRate, type Schedule, type ScheduleName } from '../schedule.ts';
import { TrainerError } from '../errors.ts';
import { createProgress } from './progress.ts';
import { checkWorkers, resolveData, specFromFlags, type KernelName, type SyncFlag } from './options.ts';
import { confusionTable, percent, rate, statsTable } from './report.ts';
import { RUN_DEFAULTS } from './run-defaults.ts';
import { EXIT, readInput, sameFile, summarizeArrowDataset } from '@hogwild/data';

export interface RunFlags {
  data?: string; test?: string; workers?: number; layers?: string; activation?: string; loss?: string; init?: InitName;
  lr: number; epochs: number; seed: number; save?: string; json?: boolean; kernel: KernelName; sync: SyncFlag;
  schedule: ScheduleName; lrStep: number; lrGamma: number; checkpointEvery?: number; force?: boolean; chunk: number; simulate?: boolean; syncDense?: number;
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
  let interrupted = false;
  let stopWorkers = () => {};
  const onSigint = () => {
    if (interrupted) {
      process.stderr.write('\ninterrupted again: exiting without a checkpoint\n');
      process.exit(EXIT.interrupted);
    }
    interrupted = true;
    stopWorkers();
    process.stderr.write('\ninterrupt: stopping the workers at the next chunk (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    await train(f, json, () => interrupted, (stop) => { stopWorkers = stop; });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function train(f: RunFlags, json: boolean, isInterrupted: () => boolean, onSession: (stop: () => void) => void): Promise<void> {
  if (f.save !== undefined) checkWritableDir(f.save);
  const note = (s: string) => process.stderr.write(s + '\n');
  const workers = f.workers ?? defaultWorkers();
  checkWorkers(workers, note);
  const files = await resolveData(f.data, f.test, json ? () => {} : note);
  if (f.save !== undefined) {
    for (const [flag, input] of [['training set', files.train], ['test set', files.test]] as const) {
      if (input !== undefined && sameFile(f.save, input)) throw new TrainerError('E_USAGE', `--save ${f.save} is the ${flag}: choose another name for the model`);
    }
    if (!f.force && existsSync(f.save)) throw new TrainerError('E_USAGE', `--save ${f.save}: the file exists; pass --force to replace it`);
  }
  // The input and output sizes default to the data's: features per sample, and labels 0 … max.
  // The training file is read once: summarised here (for the network's default sizes), loaded by the session.
  const trainBytes = readInput(files.train);
  const testBytes = files.test !== undefined ? readInput(files.test) : undefined;
  const probe = summarizeArrowDataset(trainBytes, files.train);
  if (probe.featureLength === 0) throw new TrainerError('E_INPUT', `${files.train}: samples have 0 features, nothing to learn from`);
  if (probe.rows === 0) throw new TrainerError('E_INPUT', `${files.train}: the dataset has no samples`);
  const spec = specFromFlags(f, { layers: [probe.featureLength, ...RUN_DEFAULTS.hidden, Math.max(2, probe.maxLabel + 1)], activation: RUN_DEFAULTS.activation, loss: RUN_DEFAULTS.loss });
  if (spec.layers[0] !== probe.featureLength) {
    throw new TrainerError('E_USAGE', `--layers ${spec.layers.join(',')}: the input layer must have ${probe.featureLength} units, the features per sample of ${files.train}`);
  }
  const shape = probe.shape;
  const scale = probe.featureType === 'uint8' ? 1 / 255 : 1;
  const init: InitName = f.init ?? RUN_DEFAULTS.init;
  const schedule: Schedule = { name: f.schedule, lr: f.lr, every: f.lrStep, gamma: f.lrGamma };

  const session = await createSession({ spec, kernel: f.kernel, workers, trainFile: files.train, testFile: files.test, init, seed: f.seed, chunk: f.chunk, sync: f.sync, syncDense: f.syncDense, simulate: f.simulate, trainBytes, testBytes });
  const evalSplit: 'train' | 'test' = session.test ? 'test' : 'train';
  const trainRows = session.train!.rows;
  const progress = createProgress(!json && process.stderr.isTTY === true, f.epochs, trainRows);
  const save = f.save;
  const checkpointFile = save ? join(dirname(save), basename(save).replace(/(\.safetensors)?$/, '.checkpoint.safetensors')) : 'hogwild-checkpoint.safetensors';
  const extra = (epoch: number, acc?: number): Record<string, string> => ({
    epochs: String(epoch), lr: String(f.lr), schedule: f.schedule, seed: String(f.seed), workers: String(workers), kernel: f.kernel,
    init, train_data: files.mnist ? 'mnist (bundled)' : files.train, ...(acc !== undefined ? { [`${evalSplit}_accuracy`]: acc.toFixed(4) } : {}),
  });
  /**
   * A trained model is not lost to a failed write (a full disk, a folder that went away): it goes to the temporary
   * folder instead, the run says where, and ends with exit 1. Returns where the model went.
   */
  const writeModel = (file: string, epoch: number, acc?: number): string => {
    const model = { spec, params: session.params, inputShape: shape, inputScale: scale, extra: extra(epoch, acc) };
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

  onSession(() => session.stop());
  if (isInterrupted()) session.stop();

  const emit = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  if (!json) {
    progress.log(`training ${spec.layers.join('-')} ${spec.activation}/${spec.loss} (${parameterCount(session.layout).toLocaleString('en-US')} parameters, ${init} init) on ${trainRows.toLocaleString('en-US')} samples, ` +
      `${workers} ${session.simulated ? 'simulated ' : ''}worker${workers > 1 ? 's' : ''} (Hogwild!${workers > 1 ? `, lock-free; ${describeSync(session.sync)}` : ''}), kernel ${f.kernel}, lr ${f.lr} ${f.schedule}, ${f.epochs} epochs, seed ${f.seed}`);
  }
  let last: Evaluation | null = null;
  let warnedChance = false;
  let trainSeconds = 0;
  let epochsDone = 0;
  try {
    for (let epoch = 0; epoch < f.epochs; epoch++) {
      const lr = learningRate(schedule, epoch, f.epochs);
      progress.startEpoch(epoch + 1, () => session.progress());
      const r = await session.trainEpoch(lr);
      progress.endEpoch();
      trainSeconds += r.seconds;
      if (r.stopped) break;
      // A diverged run stops here: nothing it would save could be used (and model files refuse non-finite weights).
      const bad = firstNonFinite(session.params, session.layout);
      if (bad || !Number.isFinite(r.loss)) {
        throw new TrainerError('E_INPUT', `training diverged in epoch ${epoch + 1}: ${bad ? `the weights are no longer finite (${bad.name} is ${bad.value})` : `the mean loss is ${r.loss}`}; lower --lr (now ${f.lr}), or look for NaN or infinite features in ${files.mnist ? 'the data' : files.train}. Nothing was saved.`);
      }
      epochsDone = epoch + 1;
      last = await session.evaluate(evalSplit);
      const classes = spec.layers[spec.layers.length - 1];
      if (!warnedChance && last.accuracy <= 1.5 / classes) {
        warnedChance = true;
        note(`warning: ${evalSplit} accuracy ${percent(last.accuracy)} after epoch ${epoch + 1} is near chance (${percent(1 / classes)} for ${classes} classes): the learning rate (--lr ${f.lr}) may be too high`);
      }
      const sps = r.samples / r.seconds;
      if (json) {
        emit({ event: 'epoch', epoch: epoch + 1, workers, seconds: r.seconds, samples_per_second: sps, train_loss: r.loss, [`${evalSplit}_accuracy`]: last.accuracy, lr, eval_seconds: last.seconds });
      } else {
        progress.log(`epoch ${String(epoch + 1).padStart(2)}/${f.epochs}  loss ${r.loss.toFixed(4)}  ${evalSplit} ${percent(last.accuracy)}  ${r.seconds.toFixed(2)} s  ${rate(sps)} samples/s  lr ${lr.toPrecision(3)}`);
      }
      if (f.checkpointEvery && epochsDone % f.checkpointEvery === 0 && epochsDone < f.epochs) writeModel(checkpointFile, epochsDone, last.accuracy);
      if (isInterrupted()) break;
    }
  } finally {
    progress.stop();
    await session.close();
  }
  if (isInterrupted()) {
    const where = writeModel(checkpointFile, epochsDone, last?.accuracy);
    process.stderr.write(`interrupted after ${epochsDone} full epoch(s); checkpoint saved to ${where}\n`);
    process.exitCode = EXIT.interrupted;
    return;
  }
  const saved = save ? writeModel(save, epochsDone, last?.accuracy) : null;
  const done = { event: 'done', epochs: epochsDone, workers, kernel: f.kernel, train_seconds: trainSeconds, [`${evalSplit}_accuracy`]: last?.accuracy ?? null, saved };
  if (json) {
    emit(done);
    return;
  }
  if (last) {
    process.stdout.write(`\n${evalSplit} accuracy ${percent(last.accuracy)} (${last.correct}/${last.samples}) after ${epochsDone} epochs, ${trainSeconds.toFixed(2)} s of training\n\n${confusionTable(last)}\n\n${statsTable(last)}\n`);
  }
  process.stdout.write(saved ? `\nmodel saved to ${saved}\n` : '\n(no --save: the model was not kept)\n');
  if (workers > 1 && !session.simulated) process.stdout.write('note: with several workers Hogwild! updates race by design, so runs are not bit-reproducible; --workers 1 is.\n');
}
