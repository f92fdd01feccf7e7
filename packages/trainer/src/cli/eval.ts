/** `trainer eval`: parallel evaluation of a saved model, on a dataset or on a table's raw rows. */
import { ensureMnist } from '@hogwild/data';
import { defaultWorkers } from '../options.ts';
import type { KernelName } from '../protocol.ts';
import { evaluate, evaluateRecordsCsv, evaluateTable } from '../evaluate.ts';
import { TrainerError } from '../errors.ts';
import type { Evaluation } from '../pool/session.ts';
import { warnOversubscribed } from './options.ts';
import { loadModelFile, type ModelFlags } from './model-file.ts';
import { classStats, confusionTable, percent, regressionReport, statsTable } from './report.ts';

export interface EvalFlags extends ModelFlags {
  data?: string; csv?: string; parquet?: string; arrow?: string; label?: string;
  workers?: number; kernel: KernelName; json?: boolean; fullMatrix?: boolean;
}

export async function evalCommand(o: EvalFlags): Promise<void> {
  const tables = (['csv', 'parquet', 'arrow'] as const).filter((k) => o[k] !== undefined);
  if (tables.length + (o.data !== undefined ? 1 : 0) > 1) throw new TrainerError('E_USAGE', `${[...(o.data !== undefined ? ['--data'] : []), ...tables.map((t) => `--${t}`)].join(' and ')}: give one source`);
  if (tables.length === 0 && o.label !== undefined) throw new TrainerError('E_USAGE', '--label is for --csv, --parquet and --arrow (a dataset has its labels)');
  const model = loadModelFile(o);
  // A table's model knows its label column (the `label` of its metadata): --label is then needed only for another name.
  // A text model from fastText's format has no label column's name: a CSV of texts most often calls it "label".
  const label = o.label ?? model.label ?? (model.featurizer !== undefined && tables.length === 1 ? 'label' : undefined);
  if (tables.length === 1 && label === undefined) throw new TrainerError('E_USAGE', `--${tables[0]} needs --label COLUMN: the column of the answers (${o.model} does not name one)`);
  const workers = o.workers ?? defaultWorkers();
  warnOversubscribed(workers, (s) => process.stderr.write(s + '\n'));
  let e: Evaluation;
  let data: string;
  let notes: Record<string, unknown> = {};
  if (tables.length === 1 && model.featurizer !== undefined) {
    // A text model (a row featurizer): the table's raw rows through core encodeRow, as data convert made its data.
    if (tables[0] !== 'csv') throw new TrainerError('E_USAGE', `--${tables[0]}: a text model reads raw rows from --csv here; convert the table with data convert --like TRAINING.arrow and give --data`);
    data = o.csv!;
    const t = await evaluateRecordsCsv(model, data, label!, { workers, kernel: o.kernel, modelName: o.model });
    e = t;
    notes = { dropped: t.dropped };
    if (!o.json && t.dropped > 0) process.stderr.write(`trainer: note: dropped ${t.dropped} row(s) without a label\n`);
  } else if (tables.length === 1) {
    const format = tables[0];
    data = o[format]!;
    const t = await evaluateTable(model, format, data, label!, { workers, kernel: o.kernel, modelName: o.model });
    e = t;
    notes = { filled: t.filled, unseen: t.unseen, not_numbers: t.notNumbers, dropped: t.dropped };
    if (!o.json) {
      const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
      if (sum(t.filled) > 0) process.stderr.write(`trainer: note: filled ${sum(t.filled)} missing numeric cell(s) with the model's training means (${Object.entries(t.filled).map(([c, n]) => `${c}: ${n}`).join(', ')})\n`);
      if (sum(t.unseen) > 0) process.stderr.write(`trainer: note: ${sum(t.unseen)} categor${sum(t.unseen) > 1 ? 'ies' : 'y'} not seen in training, encoded as all zeros (${Object.entries(t.unseen).map(([c, n]) => `${c}: ${n}`).join(', ')})\n`);
      if (sum(t.notNumbers) > 0) process.stderr.write(`trainer: note: ${sum(t.notNumbers)} cell(s) of numeric columns are not numbers, filled as missing values (${t.firstNotNumbers.join('; ')})\n`);
      if (t.dropped > 0) process.stderr.write(`trainer: note: dropped ${t.dropped} row(s) without a label\n`);
    }
  } else {
    data = o.data ?? (await ensureMnist()).test;
    e = await evaluate(model, data, { workers, kernel: o.kernel, modelName: o.model });
  }
  if (e.regression) {
    const r = e.regression;
    if (o.json) {
      process.stdout.write(JSON.stringify({ event: 'eval', model: o.model, data, task: 'regression', samples: e.samples, rmse: r.rmse, mae: r.mae, r2: r.r2, residuals: r.residuals, seconds: e.seconds, workers, ...notes }) + '\n');
      return;
    }
    process.stdout.write(`${o.model} on ${data}: ${regressionReport(e)}, ${e.seconds.toFixed(2)} s with ${workers} worker(s)\n`);
    return;
  }
  if (o.json) {
    process.stdout.write(JSON.stringify({
      event: 'eval', model: o.model, data, samples: e.samples, correct: e.correct, accuracy: e.accuracy, seconds: e.seconds, workers,
      classes: classStats(e).map((s) => ({ label: s.label, ...(model.classes?.[s.label] !== undefined && { name: model.classes[s.label] }), precision: s.precision, recall: s.recall, support: s.support })),
      confusion: Array.from({ length: e.classes }, (_, i) => Array.from(e.confusion.subarray(i * e.classes, (i + 1) * e.classes))),
      ...notes,
    }) + '\n');
    return;
  }
  process.stdout.write(`${o.model} on ${data}: accuracy ${percent(e.accuracy)} (${e.correct}/${e.samples}), ${e.seconds.toFixed(2)} s with ${workers} worker(s)\n\n${confusionTable(e, model.classes, o.fullMatrix)}\n\n${statsTable(e, model.classes)}\n`);
}
