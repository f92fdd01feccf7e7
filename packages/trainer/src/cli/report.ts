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

export function confusionTable(e: Evaluation, names?: readonly string[]): string {
  const k = e.classes;
  const w = Math.max(5, String(Math.max(...e.confusion)).length + 1);
  const labels = Array.from({ length: k }, (_, c) => classLabel(c, names));
  const first = Math.max(10, ...labels.map((l) => l.length + 2));
  const head = 'true\\pred'.padEnd(first) + Array.from({ length: k }, (_, j) => String(j).padStart(w)).join('');
  const rows = Array.from({ length: k }, (_, i) => labels[i].padEnd(first) + Array.from({ length: k }, (_, j) => String(e.confusion[i * k + j]).padStart(w)).join(''));
  return [head, ...rows].join('\n');
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
