/** `trainer eval`: parallel evaluation of a saved model. */
import { ensureMnist } from '@hogwild/data';
import { defaultWorkers } from '../options.ts';
import type { KernelName } from '../protocol.ts';
import { evaluate } from '../evaluate.ts';
import { warnOversubscribed } from './options.ts';
import { loadModelFile, type ModelFlags } from './model-file.ts';
import { classStats, confusionTable, percent, statsTable } from './report.ts';

export async function evalCommand(o: ModelFlags & { data?: string; workers?: number; kernel: KernelName; json?: boolean }): Promise<void> {
  const workers = o.workers ?? defaultWorkers();
  warnOversubscribed(workers, (s) => process.stderr.write(s + '\n'));
  const model = loadModelFile(o);
  const data = o.data ?? (await ensureMnist()).test;
  const e = await evaluate(model, data, { workers, kernel: o.kernel, modelName: o.model });
  if (o.json) {
    process.stdout.write(JSON.stringify({
      event: 'eval', model: o.model, data, samples: e.samples, correct: e.correct, accuracy: e.accuracy, seconds: e.seconds, workers,
      classes: classStats(e).map((s) => ({ label: s.label, ...(model.classes?.[s.label] !== undefined && { name: model.classes[s.label] }), precision: s.precision, recall: s.recall, support: s.support })),
      confusion: Array.from({ length: e.classes }, (_, i) => Array.from(e.confusion.subarray(i * e.classes, (i + 1) * e.classes))),
    }) + '\n');
    return;
  }
  process.stdout.write(`${o.model} on ${data}: accuracy ${percent(e.accuracy)} (${e.correct}/${e.samples}), ${e.seconds.toFixed(2)} s with ${workers} worker(s)\n\n${confusionTable(e, model.classes)}\n\n${statsTable(e, model.classes)}\n`);
}
