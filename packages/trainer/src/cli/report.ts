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

export function confusionTable(e: Evaluation): string {
  const k = e.classes;
  const w = Math.max(5, String(Math.max(...e.confusion)).length + 1);
  const head = 'true\\pred'.padEnd(10) + Array.from({ length: k }, (_, j) => String(j).padStart(w)).join('');
  const rows = Array.from({ length: k }, (_, i) => String(i).padEnd(10) + Array.from({ length: k }, (_, j) => String(e.confusion[i * k + j]).padStart(w)).join(''));
  return [head, ...rows].join('\n');
}

export function statsTable(e: Evaluation): string {
  const pct = (x: number) => (Number.isNaN(x) ? '   -   ' : `${(100 * x).toFixed(2).padStart(6)}%`);
  const lines = ['class  precision  recall   support'];
  for (const s of classStats(e)) lines.push(`${String(s.label).padStart(5)}  ${pct(s.precision)}    ${pct(s.recall)}  ${String(s.support).padStart(7)}`);
  return lines.join('\n');
}

export const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;
export const rate = (x: number): string => Math.round(x).toLocaleString('en-US');
