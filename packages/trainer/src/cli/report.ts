/** Text rendering of evaluation results: accuracy, per-class precision/recall, the confusion matrix. */
import type { Evaluation } from '../pool/session.ts';

export interface ClassStats { readonly label: number; readonly support: number; readonly precision: number; readonly recall: number }

export function classStats(e: Evaluation): ClassStats[] {
  const k = e.classes;
  return Array.from({ length: k }, (_, c) => {
    let support = 0, predicted = 0;
    for (let j = 0; j < k; j++) {
      support += e.confusion[c * k + j];
      predicted += e.confusion[j * k + c];
    }
    const tp = e.confusion[c * k + c];
    return { label: c, support, precision: predicted ? tp / predicted : NaN, recall: support ? tp / support : NaN };
  });
}

/** The label of class c: its name when the model has names ("2 virginica"), else its index. */
const classLabel = (c: number, names?: readonly string[]): string => (names?.[c] !== undefined ? `${c} ${names[c]}` : String(c));

/** Classes beyond which a report shows the largest confusions instead of the K×K matrix (unless asked for it whole). */
export const MATRIX_CLASSES = 20;

/** The confusion matrix; past MATRIX_CLASSES classes (unless `full`), the ten largest confusions instead. */
export function confusionTable(e: Evaluation, names?: readonly string[], full = false): string {
  const k = e.classes;
  if (k > MATRIX_CLASSES && !full) return topConfusions(e, names);
  const w = Math.max(5, String(Math.max(...e.confusion)).length + 1);
  const labels = Array.from({ length: k }, (_, c) => classLabel(c, names));
  const first = Math.max(10, ...labels.map((l) => l.length + 2));
  const head = 'true\\pred'.padEnd(first) + Array.from({ length: k }, (_, j) => String(j).padStart(w)).join('');
  const rows = Array.from({ length: k }, (_, i) => labels[i].padEnd(first) + Array.from({ length: k }, (_, j) => String(e.confusion[i * k + j]).padStart(w)).join(''));
  return [head, ...rows].join('\n');
}

/** The ten most frequent (true, predicted) pairs that differ, largest first. */
function topConfusions(e: Evaluation, names?: readonly string[]): string {
  const k = e.classes;
  const pairs: [number, number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j && e.confusion[i * k + j] > 0) pairs.push([e.confusion[i * k + j], i, j]);
  pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  const lines = pairs.slice(0, 10).map(([n, i, j]) => `  ${String(n).padStart(7)}  ${classLabel(i, names)} taken for ${classLabel(j, names)}`);
  return [`${k} classes: the largest confusions (true taken for predicted; --full-matrix prints the ${k}×${k} matrix)`, ...(lines.length ? lines : ['  none'])].join('\n');
}

/** The score of an evaluation as JSON fields: `test_accuracy`, or `test_rmse`, `test_mae` and `test_r2` for regression. */
export function scoreFields(split: string, e: Evaluation | null): Record<string, number | null> {
  if (e?.regression) return { [`${split}_rmse`]: e.regression.rmse, [`${split}_mae`]: e.regression.mae, [`${split}_r2`]: e.regression.r2 };
  return { [`${split}_accuracy`]: e?.accuracy ?? null };
}

/** The score in a progress line: "test 98.01%", or "test rmse 53.21  mae 42.10  r2 0.4821". */
export function scoreText(split: string, e: Evaluation): string {
  const r = e.regression;
  return r ? `${split} rmse ${r.rmse.toPrecision(4)}  mae ${r.mae.toPrecision(4)}  r2 ${r.r2.toFixed(4)}` : `${split} ${percent(e.accuracy)}`;
}

/** A regression evaluation's report: the metrics and the residual summary. */
export function regressionReport(e: Evaluation): string {
  const r = e.regression!;
  const g = (x: number) => Number(x.toPrecision(5)).toString();
  const q = r.residuals;
  return `rmse ${g(r.rmse)}  mae ${g(r.mae)}  r2 ${r.r2.toFixed(4)}  (${r.samples} samples)\n` +
    `residuals (target − prediction): mean ${g(q.mean)}, min ${g(q.min)}, 25% ${g(q.q1)}, median ${g(q.median)}, 75% ${g(q.q3)}, max ${g(q.max)}`;
}

export function statsTable(e: Evaluation, names?: readonly string[]): string {
  const pct = (x: number) => (Number.isNaN(x) ? '   -   ' : `${(100 * x).toFixed(2).padStart(6)}%`);
  const labels = Array.from({ length: e.classes }, (_, c) => classLabel(c, names));
  const w = Math.max(5, ...labels.map((l) => l.length));
  const lines = [`${'class'.padEnd(w)}  precision  recall   support`];
  for (const s of classStats(e)) lines.push(`${labels[s.label].padEnd(w)}  ${pct(s.precision)}    ${pct(s.recall)}  ${String(s.support).padStart(7)}`);
  return lines.join('\n');
}

export const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;
export const rate = (x: number): string => Math.round(x).toLocaleString('en-US');
/** "1 epoch", "5 epochs". */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
