/**
 * Raw records (a CSV's rows, JSON objects, plain texts) for a model with a row featurizer (a text model, a sparse
 * table of raw columns): each through core encodeRow, the one rule `data convert` used on the training data, into
 * a sparse dataset (CSR arrays) that a session evaluates, or one at a time into core's predictor.
 */
import type { Model } from '@hogwild/core';
import { isRowFeaturizer, recordInput, type RowFeaturizer, type RowInput } from '@hogwild/core/infer';
import { encodeRowInto, SparseRowBuilder, type Cell } from '@hogwild/core/internal';
import type { SparseDataset } from '@hogwild/data';
import { CsrBuilder, csvRecords } from '@hogwild/data/internal';
import { TrainerError } from './errors.ts';
import { encodeLabels } from './labels.ts';

/** A raw record: its cells by column name (strings, numbers, null for missing). */
export type RawRecord = Readonly<Record<string, Cell | undefined>>;
/** A record, or a plain text for a model of one text column. */
export type RecordInput = RawRecord | string;

/**
 * Records with their answers, for {@link evaluate} on a model with a row featurizer: `records[i]` is a record
 * naming the model's columns, or a plain text for a model of one text column; `labels[i]` its class (a name among
 * the model's classes, or an index).
 */
export interface RecordData {
  readonly records: readonly RecordInput[];
  readonly labels: ArrayLike<number> | readonly string[];
}

/** The model's row featurizer, or a one-line error naming what reads raw records. */
export function featurizerOf(model: Model, what: string): RowFeaturizer {
  if (!isRowFeaturizer(model.featurizer)) throw new TrainerError('E_USAGE', `${what}: the model has no row featurizer (it was not trained on text or raw columns converted by data convert), so it reads features, not raw records`);
  return model.featurizer;
}

/** Whether `samples` are raw records (objects naming columns, or strings) rather than features. */
export function isRecordList(samples: unknown): samples is readonly RecordInput[] {
  if (!Array.isArray(samples) || samples.length === 0) return false;
  const first: unknown = samples[0];
  return typeof first === 'string' || (typeof first === 'object' && first !== null && !Array.isArray(first) && !ArrayBuffer.isView(first));
}

/** Records encoded by encodeRow into data's CSR builder, and the sparse dataset of a model's inputs they make. */
class RecordRows {
  readonly #row = new SparseRowBuilder();
  readonly #csr = new CsrBuilder();

  /** Rows of `model`'s inputs, encoded through its featurizer `f` with its IDF weights. */
  constructor(private readonly model: Model, private readonly f: RowFeaturizer) {}

  get rows(): number { return this.#csr.rows; }

  /** Encodes one record and appends it as the next row. */
  add(record: RowInput, where: string): void {
    this.#row.reset();
    encodeRowInto(this.f, record, this.#row, this.model.idf ?? null);
    if (!this.#csr.addRow(this.#row)) throw new TrainerError('E_INPUT', `${where}: more stored values than int32 offsets reach`);
  }

  /** The rows as a sparse dataset of the model's inputs with these labels (one a row). */
  dataset(labels: Uint8Array, source: string): SparseDataset {
    const model = this.model;
    const { indptr, indices, values } = this.#csr.arrays();
    return {
      layout: 'sparse', rows: this.#csr.rows, featureLength: model.spec.layers[0], indptr, indices, values, labels, source,
      ...(model.classes && { classes: model.classes }),
    };
  }
}

/** Records in memory with their labels as a sparse dataset of the model's inputs (`name` in errors: "data"). */
export function recordDataset(model: Model, data: RecordData, name: string): SparseDataset {
  const f = featurizerOf(model, `${name}.records`);
  if (model.spec.loss === 'mse') throw new TrainerError('E_USAGE', `${name}.records: evaluating raw records is for classifiers; this model predicts numbers`);
  if (!Array.isArray(data.records) || data.records.length === 0) throw new TrainerError('E_USAGE', `${name}.records: expected a non-empty array of records or texts`, { field: `${name}.records` });
  if (data.labels?.length !== data.records.length) throw new TrainerError('E_USAGE', `${name}.labels: ${data.labels?.length ?? 'no'} labels for ${data.records.length} records`, { field: `${name}.labels` });
  const { labels } = encodeLabels(data.labels, `${name}.labels`, model.classes);
  checkLabels(model, labels, `${name}.labels`);
  const csr = new RecordRows(model, f);
  data.records.forEach((r, i) => csr.add(recordInput(f, r, `${name}.records[${i}]`), `${name}.records[${i}]`));
  return csr.dataset(labels, name);
}

function checkLabels(model: Model, labels: Uint8Array, field: string): void {
  const outputs = model.spec.layers[model.spec.layers.length - 1];
  const i = labels.findIndex((y) => y >= outputs);
  if (i >= 0) throw new TrainerError('E_USAGE', `${field}[${i}]: class ${labels[i]}, but the model has ${outputs} outputs`, { field: `${field}[${i}]` });
}

/** What prepareRecordsCsv returns: the rows as a sparse dataset, and the rows dropped for a missing label. */
export interface PreparedRecords {
  readonly dataset: SparseDataset;
  readonly dropped: number;
}

/**
 * A CSV's raw rows for a model with a row featurizer: the header names the columns; each row through encodeRow, its
 * label (the column `label`) mapped with the model's classes. A missing column or an unknown label is a one-line error.
 */
export async function prepareRecordsCsv(model: Model, file: string, label: string): Promise<PreparedRecords> {
  const f = featurizerOf(model, file);
  const rank = model.classes ? new Map(model.classes.map((k, i) => [k, i])) : null;
  const outputs = model.spec.layers[model.spec.layers.length - 1];
  const csr = new RecordRows(model, f);
  const labels: number[] = [];
  let at: number[] | null = null;
  let labelAt = -1;
  let n = 0, dropped = 0;
  const cells = new Map<string, Cell>();
  const cellOf = (name: string): Cell | undefined => cells.get(name);
  for await (const record of csvRecords(file)) {
    if (at === null) {
      at = headerColumns(f, record, file);
      labelAt = /^\d+$/.test(label) && !record.includes(label) ? Number(label) : record.indexOf(label);
      if (labelAt < 0 || labelAt >= record.length) throw new TrainerError('E_INPUT', `${file}: the header has no label column ${JSON.stringify(label)} (its columns: ${record.slice(0, 8).map((c) => JSON.stringify(c)).join(', ')}${record.length > 8 ? ', …' : ''})`);
      continue;
    }
    n++;
    const key = record[labelAt];
    if (key === undefined || key.trim() === '') { dropped++; continue; }
    const y = rank ? rank.get(key) : /^(0|[1-9]\d*)$/.test(key) ? Number(key) : undefined;
    if (y === undefined || y >= outputs) throw new TrainerError('E_INPUT', `${file}: data row ${n}: label ${JSON.stringify(key.slice(0, 40))} is not one of the model's classes (${(model.classes ?? Array.from({ length: outputs }, (_, i) => String(i))).slice(0, 12).join(', ')})`);
    cells.clear();
    f.columns.forEach((c, j) => cells.set(c.name, record[at![j]] ?? null));
    csr.add(cellOf, `${file}: data row ${n}`);
    labels.push(y);
  }
  if (at === null || csr.rows === 0) throw new TrainerError('E_INPUT', `${file}: no rows with a label to evaluate`);
  return { dataset: csr.dataset(Uint8Array.from(labels), file), dropped };
}

/** Where each of the featurizer's columns is in a CSV header; a missing one is a one-line error. */
export function headerColumns(f: RowFeaturizer, header: readonly string[], file: string): number[] {
  const missing = f.columns.filter((c) => !header.includes(c.name)).map((c) => JSON.stringify(c.name));
  if (missing.length > 0) throw new TrainerError('E_INPUT', `${file}: the header has no column ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}, which the model reads (its columns: ${f.columns.slice(0, 8).map((c) => `${c.name} (${c.role})`).join(', ')})`);
  return f.columns.map((c) => header.indexOf(c.name));
}
