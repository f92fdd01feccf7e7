/**
 * fastText's supervised format: `__label__spam free money now`, one sample a line, its label(s) marked by the
 * prefix `__label__` and the rest its text. readFasttext streams the records; datasetFromFasttext turns their text
 * into features with a TextFeatureEncoder (the text featurizer plugs in there) and their labels into classes.
 */
import { basename } from 'node:path';
import { MAX_CLASSES } from '@hogwild/core/internal';
import { CsrBuilder } from './csr-builder.ts';
import { InputError } from './errors.ts';
import { labelClasses } from './label-classes.ts';
import { MAX_SPARSE_FEATURES, type SparseDataset } from './sparse-dataset.ts';
import type { LabelMapping } from './tabular.ts';
import { textLines } from './text-lines.ts';

/** fastText's label prefix. */
export const FASTTEXT_LABEL = '__label__';

/** One line of a fastText file: its number, its label (without the prefix) and its text (the other words, single-spaced). */
export interface FasttextRecord { readonly line: number; readonly label: string; readonly text: string }

/**
 * Turns a text into sparse features: what convert takes to make a dataset of text. `featurizer` is stored in the
 * dataset (hogwild.featurizer) so that a model can compute the same features from raw text. The indices need not be
 * sorted or unique (hashed n-grams collide): the dataset sorts them and sums duplicates.
 */
export interface TextFeatureEncoder {
  /** How features are made (JSON), stored in the dataset and, later, the model. */
  readonly featurizer: unknown;
  /** The feature count: every index is below it. */
  readonly featureLength: number;
  /** A text's features: indices below featureLength, with their values. */
  encode(text: string): { indices: Int32Array; values: Float32Array };
  /**
   * When present, called once every text is encoded, with the rows (CSR arrays): finishes them in place where the
   * encoder only counted so far (IDF weights fitted on these rows), and gives the non-zeros kept and the weights the
   * dataset keeps.
   */
  finish?(indptr: Int32Array, indices: Int32Array, values: Float32Array): { nonzeros: number; idf?: Float32Array };
}

/**
 * The records of a fastText file, streamed (memory: one line). Blank lines are skipped; a line without a label, or
 * with several (multi-label, which a softmax classifier cannot learn from), is one InputError `FILE:LINE: …`.
 */
export async function* readFasttext(file: string, o: { onProgress?: (done: number, total: number) => void } = {}): AsyncGenerator<FasttextRecord> {
  for await (const { line, n } of textLines(file, o.onProgress)) {
    const words = line.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) continue;
    let label: string | null = null;
    const text: string[] = [];
    for (const w of words) {
      if (!w.startsWith(FASTTEXT_LABEL)) { text.push(w); continue; }
      const name = w.slice(FASTTEXT_LABEL.length);
      if (name === '') throw new InputError(`${file}:${n}`, `${FASTTEXT_LABEL} without a name`);
      if (label !== null && label !== name) throw new InputError(`${file}:${n}`, `two labels (${JSON.stringify(label)}, ${JSON.stringify(name)}): multi-label lines are not supported (one label a line)`);
      label = name;
    }
    if (label === null) throw new InputError(`${file}:${n}`, `no label: each line starts with ${FASTTEXT_LABEL}NAME, then the text`);
    yield { line: n, label, text: text.join(' ') };
  }
}

/** What datasetFromFasttext gives: the dataset and how its labels became classes. */
export interface FasttextRead {
  readonly dataset: SparseDataset;
  readonly labels: LabelMapping;
  /** Lines whose text gave no features (kept, as all-zero rows). */
  readonly empty: number;
}

/** A fastText file as a sparse dataset, its text encoded by `encoder`, its labels classes in sorted order. */
export async function datasetFromFasttext(file: string, encoder: TextFeatureEncoder, o: { limit?: number; classes?: readonly string[]; onProgress?: (done: number, total: number) => void } = {}): Promise<FasttextRead> {
  const d = encoder.featureLength;
  if (!Number.isInteger(d) || d < 1 || d > MAX_SPARSE_FEATURES) throw new InputError(file, `the text encoder's feature count ${d} is not an integer from 1 to ${MAX_SPARSE_FEATURES}`);
  const csr = new CsrBuilder();
  const rowLabels: number[] = [];
  const ids = new Map<string, number>(o.classes?.map((c, i) => [c, i]));
  const names: string[] = [...(o.classes ?? [])];
  let empty = 0;
  for await (const r of readFasttext(file, o)) {
    if (o.limit !== undefined && csr.rows >= o.limit) break;
    let id = ids.get(r.label);
    if (id === undefined) {
      if (o.classes) throw new InputError(`${file}:${r.line}`, `label ${JSON.stringify(r.label)} is not among the ${o.classes.length} classes given`);
      if (names.length === MAX_CLASSES) throw new InputError(`${file}:${r.line}`, `label ${JSON.stringify(r.label)} is class ${MAX_CLASSES + 1}: a classifier takes at most ${MAX_CLASSES}`);
      id = names.push(r.label) - 1;
      ids.set(r.label, id);
    }
    rowLabels.push(id);
    const start = csr.nonzeros;
    const { indices, values } = encoder.encode(r.text);
    for (let k = 0; k < indices.length; k++) {
      const j = indices[k];
      if (!(j >= 0 && j < d)) throw new InputError(`${file}:${r.line}`, `the text encoder gave feature ${j}, not below its feature count ${d}`);
      if (values[k] !== 0 && !csr.push(j, values[k])) throw new InputError(`${file}:${r.line}`, `more than ${MAX_SPARSE_FEATURES} stored values: too many for one dataset`);
    }
    csr.sortRow(start);
    if (csr.nonzeros === start) empty++;
    csr.endRow();
  }
  if (csr.rows === 0) throw new InputError(file, 'no samples: every line is blank');
  // Classes in sorted order (labelClasses, as for a table's labels), unless given.
  const numeric = names.every((k) => /^-?\d+(\.\d+)?$/.test(k));
  const classes = o.classes ? [...o.classes] : labelClasses(names, numeric) ?? names.map((_, i) => String(i));
  const rank = new Map(classes.map((k, i) => [k, i]));
  const labels = Uint8Array.from(rowLabels, (id) => rank.get(names[id])!);
  const rows = csr.arrays();
  const { nonzeros, idf } = encoder.finish ? encoder.finish(rows.indptr, rows.indices, rows.values) : { nonzeros: csr.nonzeros, idf: undefined };
  csr.nonzeros = nonzeros;
  const { indptr, indices, values } = csr.arrays();
  return {
    dataset: { layout: 'sparse', rows: csr.rows, featureLength: d, indptr, indices, values, labels, classes, source: basename(file), featurizer: encoder.featurizer, ...(idf && { idf }) },
    labels: { kind: 'sorted', by: numeric ? 'number' : 'string', classes },
    empty,
  };
}
