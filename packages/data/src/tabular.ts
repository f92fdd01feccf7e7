/**
 * Tables into datasets: a CSV, Parquet or Arrow table (read into a ColumnStore by table-csv.ts, table-parquet.ts or
 * table-arrow.ts), each column's role chosen from the whole column (table-roles.ts selectFeatures), the label made
 * into classes or, for regression, float32 targets, rows split, and the features encoded with the encodings fitted
 * on the training split only (fill values, categories), by the same encoder that the model applies to raw rows
 * later (@hogwild/core preprocess.ts). A test set converted on its own takes the training file's encoding (`like`).
 *
 * Memory: the store's value chunks, then the encoded output chunks, each store chunk released once its rows are
 * encoded; so the features are never held twice, apart from a chunk.
 */
import { basename } from 'node:path';
import { createRng, type ColumnEncoding, type Task } from '@hogwild/core';
import {
  checkIdf, chooseTask, createEncoder, encodedNames, MAX_CLASSES, parseNumber, shuffleInPlace, textFeaturizer, validateRowFeaturizer,
  type ColumnFeatures, type RowFeaturizer, type TextFeaturizer,
} from '@hogwild/core/internal';
import type { ChunkedDataset, Dataset, DenseDataset } from './arrow-dataset.ts';
import type { SparseDataset } from './sparse-dataset.ts';
import { encodeStoredRows, encodeTableRows } from './table-sparse.ts';
import { InputError, UsageError } from './errors.ts';
import { NAMED_CELLS, type ColumnStore } from './table-columns.ts';
import { readCsvColumns } from './table-csv.ts';
import { readArrowColumns } from './table-arrow.ts';
import { readParquetColumns } from './table-parquet.ts';
import { readJsonlColumns } from './table-jsonl.ts';
import { mostlyText, namedStrings, notNumbers, selectFeatures, type ColumnRole } from './table-roles.ts';

export { csvRecords } from './table-csv.ts';
export { MAX_CLASSES };
import { labelClasses } from './label-classes.ts';

/** The table formats read into a dataset: CSV (or TSV), Parquet, Arrow IPC, and JSON lines. */
export type TableFormat = 'csv' | 'parquet' | 'arrow' | 'jsonl';

/** What a missing numeric cell becomes: the training split's column mean (default), a dropped row, or an error. */
export type MissingPolicy = 'mean' | 'drop' | 'error';
/** Every MissingPolicy, the default (`mean`) first: the values `--missing` takes. */
export const MISSING_POLICIES: readonly MissingPolicy[] = ['mean', 'drop', 'error'];

/** How to read a table (readColumns): the label and feature columns, CSV's header and delimiter, a row limit, progress. */
export interface TableOptions {
  /** The label column: its name, or its 0-based index (a header-less CSV has only indices); absent: none (rows to predict). */
  readonly label?: string;
  /** Feature columns, names or indices, each optionally with a role (`color:categorical`); by default every usable column. */
  readonly features?: readonly string[];
  /** CSV: the first row names the columns (default true). */
  readonly header?: boolean;
  /** CSV: the field delimiter (default "," or a tab for .tsv files). */
  readonly delimiter?: string;
  /** Read only the first n rows. */
  readonly limit?: number;
  /** Called now and then with the bytes read so far (CSV) or the rows read so far (Parquet, Arrow) out of the total. */
  readonly onProgress?: (done: number, total: number, unit: 'bytes' | 'rows') => void;
}

/** How the labels became class indices, or regression targets. */
export type LabelMapping =
  | { readonly kind: 'integers' }
  | { readonly kind: 'sorted'; readonly by: 'number' | 'string'; readonly classes: readonly string[] }
  | { readonly kind: 'regression' };

/** An encoding to take over (`data convert --like FILE`): the training dataset's columns, classes and task. */
export interface LikeEncoding {
  /** The file it comes from, for messages. */
  readonly name: string;
  readonly columns: readonly ColumnEncoding[];
  readonly classes?: readonly string[];
  readonly regression: boolean;
  /** A sparse dataset's row featurizer (its columns then come from here, and `columns` is empty). */
  readonly featurizer?: RowFeaturizer;
  /** Its IDF weights, when its text is weighed by IDF: the rows are encoded with them, not fitted anew. */
  readonly idf?: Float32Array;
  /** The label column's name in the table it was converted from: a table converted like it takes its label there. */
  readonly labelName?: string;
}

/** A table's text settings (`--hash-bits`, `--ngrams`, `--no-idf`); the rest are core's defaults. */
export type TextSettings = Partial<Pick<TextFeaturizer, 'hashBits' | 'ngrams' | 'idf'>>;

/** How to convert a table into datasets (readTableFile): the reading options, and the split, missing-cell policy, task and encoding. */
export interface TableConvertOptions extends TableOptions {
  /** Hold out this fraction of the rows (stratified by label for classification) as a second dataset. */
  readonly testFraction?: number;
  readonly seed?: number;
  readonly missing?: MissingPolicy;
  /** The task; by default chosen from the label column (chooseTask). */
  readonly task?: Task;
  readonly like?: LikeEncoding;
  /** How text columns are hashed (a new conversion; --like takes the training set's). */
  readonly text?: TextSettings;
}

/**
 * What readTableFile returns: the dataset with chunked features (and the held-out test set, second), how the labels
 * and columns were encoded, and what was left out, dropped, filled or not seen in training.
 */
export interface TableRead {
  readonly parts: ChunkedDataset[];
  readonly labels: LabelMapping;
  readonly task: Task;
  /** Why the task was chosen (the label's values, --task, or the --like file). */
  readonly taskWhy: string;
  readonly roles: readonly ColumnRole[];
  /** Columns left out. */
  readonly skipped: readonly string[];
  readonly columns: readonly ColumnEncoding[];
  /** Rows dropped: with a missing label, and (--missing drop) with a missing numeric cell. */
  readonly dropped: { readonly label: number; readonly missing: number };
  /** Missing numeric cells filled with the training split's mean, over all parts. */
  readonly filled: number;
  /** Per part: the categories not among the training split's (encoded as all zeros), by column name. */
  readonly unseen: readonly Record<string, number>[];
  /**
   * A table with a text column, or wide and mostly zeros, becomes sparse datasets (then `parts` is empty): the
   * training part and the held-out one, the row featurizer they share, and why the table is sparse.
   */
  readonly sparse?: { readonly parts: SparseDataset[]; readonly featurizer: RowFeaturizer; readonly why: string };
}

/** What datasetFromTableFile returns: the dataset in memory (and the held-out test set), its labels, task and column roles. */
export interface TableConversion {
  readonly dataset: DenseDataset;
  readonly test?: DenseDataset;
  readonly labels: LabelMapping;
  readonly task: Task;
  readonly roles: readonly ColumnRole[];
  readonly skipped: readonly string[];
}

const CHUNK_FLOATS = 1 << 20;
/** The most features a row may have (a network's first layer must hold features × hidden weights). */
export const MAX_FEATURES = 1 << 24;

/** The cells of a table, every column (the label's too, if one is named). */
export function readColumns(format: TableFormat, file: string, o: TableOptions): Promise<ColumnStore> {
  return format === 'csv' ? readCsvColumns(file, o) : format === 'parquet' ? readParquetColumns(file, o) : format === 'jsonl' ? readJsonlColumns(file, o) : readArrowColumns(file, o);
}

/** The cells of `rows` rows named in a message: data rows 3, 9, … */
const rowList = (rows: readonly number[], total: number): string => `data row${rows.length > 1 ? 's' : ''} ${rows.join(', ')}${total > rows.length ? ', …' : ''}`;

/** The roles of a table read with another dataset's encoding: its columns, by name; every other column left out. */
function likeRoles(store: ColumnStore, like: LikeEncoding, file: string): ColumnRole[] {
  const wanted = new Map<string, 'numeric' | 'categorical' | 'text'>((like.featurizer?.columns ?? like.columns).map((c) => [c.name, c.role]));
  for (const name of wanted.keys()) {
    if (!store.names.includes(name)) throw new InputError(file, `has no column ${JSON.stringify(name)}, which ${basename(like.name)} was encoded from (--like)`);
  }
  return store.names.map((name, j): ColumnRole => {
    const base = { column: j, name, missing: store.stats[j].missing };
    if (j === store.labelAt) return { ...base, role: 'label' };
    const role = wanted.get(name);
    if (role === undefined) return { ...base, role: 'left out', why: `not in ${basename(like.name)} (--like)` };
    const text = role === 'numeric' ? mostlyText(store, j) : null;
    if (text !== null) throw new InputError(file, `column ${JSON.stringify(name)} is numeric in ${basename(like.name)} (--like), but ${text}`);
    const cats = like.featurizer?.columns.find((c) => c.name === name && c.role === 'categorical');
    return { ...base, role, ...(role === 'numeric' && notNumbers(store, j)), ...(cats?.role === 'categorical' && { distinct: cats.categories.length }) };
  });
}

/** Category order: numbers numerically, then strings by code point (scikit-learn sorts them), the missing category last. */
function sortCategories(keys: Iterable<string | null>): (string | null)[] {
  const list = [...keys];
  const num = (k: string) => parseNumber(k);
  list.sort((a, b) => {
    if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
    const x = num(a), y = num(b);
    if (x === x && y === y) return x - y;
    if (x === x || y === y) return x === x ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return list;
}

/** Fits the encodings of the used columns on the training rows: the mean of each numeric column (its fill), the categories of each categorical one. */
function fitEncodings(store: ColumnStore, roles: readonly ColumnRole[], train: readonly number[]): ColumnEncoding[] {
  const out: ColumnEncoding[] = [];
  for (const r of roles) {
    const j = r.column;
    if (r.role === 'numeric') {
      const s = store.stats[j];
      for (let k = 0; k < s.width; k++) {
        let sum = 0, n = 0;
        for (const row of train) {
          const v = store.value(j, row, k);
          if (v === v) { sum += v; n++; }
        }
        // A column with no value in the training split fills with 0.
        const fill = n > 0 ? Math.fround(sum / n) : 0;
        out.push({ name: r.name, role: 'numeric', fill, ...(s.list && { item: k }) });
      }
    } else if (r.role === 'categorical') {
      const seen = new Set<string | null>();
      for (const row of train) seen.add(store.key(j, row));
      out.push({ name: r.name, role: 'categorical', categories: sortCategories(seen) });
    }
  }
  return out;
}

/**
 * Why a table of numeric columns only is stored sparse ("wide, …"), or '' to keep it dense: when its non-zero cells
 * (a missing one counts, it is filled) take at most half the bytes of the dense float32 features (8 bytes a
 * non-zero, an index and a value, against 4 a cell).
 */
function wideAndSparse(store: ColumnStore, used: readonly ColumnRole[]): string {
  if (used.length < 2 || used.some((r) => r.role !== 'numeric' || store.stats[r.column].list)) return '';
  let nonzeros = 0;
  for (let r = 0; r < store.rows; r++) for (const c of used) if (store.value(c.column, r) !== 0) nonzeros++;
  const cells = store.rows * used.length;
  if (2 * (8 * nonzeros + 4 * store.rows) > 4 * cells) return '';
  return `wide and mostly zeros: ${(100 * nonzeros / cells).toFixed(1)}% of ${cells.toLocaleString('en-US')} cells are not 0, so (index, value) pairs take ${Math.round(100 * (8 * nonzeros + 4 * store.rows) / (4 * cells))}% of the dense size`;
}

/**
 * The row featurizer of a sparse table, fitted on the training rows: each text column 2^hashBits hashed features;
 * each numeric column one, (x − center) / scale, its missing cells filled with the training mean (so scaled: fill);
 * each categorical column one a training category (a missing or unseen one sets none). With `center` (a table with
 * text or categories) a numeric column is standardised by its mean and standard deviation; without (a wide table of
 * mostly zeros) it is only divided by its largest magnitude, so that its zeros stay zeros and stay unstored.
 */
function fitRowFeaturizer(store: ColumnStore, used: readonly ColumnRole[], train: readonly number[], text: TextFeaturizer, center: boolean): RowFeaturizer {
  // The numeric columns' counts, sums, largest magnitudes and squared deviations, row by row (the store's order).
  const numeric = used.filter((r) => r.role === 'numeric').map((r) => r.column);
  const m = numeric.length;
  const n = new Float64Array(m), sum = new Float64Array(m), most = new Float64Array(m), sq = new Float64Array(m);
  for (const row of train) {
    for (let k = 0; k < m; k++) {
      const v = store.value(numeric[k], row);
      if (v === v) { n[k]++; sum[k] += v; most[k] = Math.max(most[k], Math.abs(v)); }
    }
  }
  const mean = Float64Array.from(sum, (x, k) => (n[k] > 0 ? x / n[k] : 0));
  for (const row of train) {
    for (let k = 0; k < m; k++) {
      const v = store.value(numeric[k], row);
      if (v === v) sq[k] += (v - mean[k]) ** 2;
    }
  }
  const columns: ColumnFeatures[] = [];
  let at = 0;
  for (const r of used) {
    if (r.role === 'text') {
      columns.push({ name: r.name, role: 'text', offset: at });
      at += 2 ** text.hashBits;
    } else if (r.role === 'numeric') {
      const k = numeric.indexOf(r.column);
      const std = n[k] > 0 ? Math.sqrt(sq[k] / n[k]) : 0;
      const c = center ? mean[k] : 0;
      const scale = center ? (std > 0 && Number.isFinite(std) ? std : 1) : most[k] > 0 && Number.isFinite(most[k]) ? most[k] : 1;
      columns.push({ name: r.name, role: 'numeric', index: at++, center: c, scale, fill: (mean[k] - c) / scale });
    } else if (r.role === 'categorical') {
      const seen = new Set<string | null>();
      for (const row of train) seen.add(store.key(r.column, row));
      const categories = sortCategories(seen).filter((k): k is string => k !== null);
      columns.push({ name: r.name, role: 'categorical', offset: at, categories });
      at += categories.length;
    }
  }
  return validateRowFeaturizer({ kind: 'rows', version: 1, text, columns, features: at });
}

/** The store column and item each encoding reads. */
function encodingSources(store: ColumnStore, columns: readonly ColumnEncoding[]): { column: number; item: number; numeric: boolean }[] {
  return columns.map((c) => ({ column: store.names.indexOf(c.name), item: c.role === 'numeric' ? c.item ?? 0 : 0, numeric: c.role === 'numeric' }));
}

/**
 * Picks rows for a held-out test set, stratified: of each class, round(count × fraction) rows chosen by a seeded
 * shuffle (at least one row of each class stays in training). Returns 1 for a test row, 0 for a training row.
 */
export function stratifiedSplit(labels: Uint8Array, fraction: number, seed: number): Uint8Array {
  if (!(fraction > 0 && fraction < 1)) throw new UsageError(`--test-fraction: expected a number between 0 and 1, found ${fraction}`);
  const byClass = new Map<number, number[]>();
  for (let r = 0; r < labels.length; r++) {
    let list = byClass.get(labels[r]);
    if (!list) byClass.set(labels[r], (list = []));
    list.push(r);
  }
  const part = new Uint8Array(labels.length);
  const rng = createRng(seed);
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = Uint32Array.from(byClass.get(cls)!);
    shuffleInPlace(rows, rng);
    const take = Math.min(Math.round(rows.length * fraction), rows.length - 1);
    for (let k = 0; k < take; k++) part[rows[k]] = 1;
  }
  return part;
}

/** A seeded split of n rows without classes (regression): round(n × fraction) test rows. */
export function randomSplit(n: number, fraction: number, seed: number): Uint8Array {
  const rows = Uint32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(rows, createRng(seed));
  const part = new Uint8Array(n);
  const take = Math.min(Math.round(n * fraction), n - 1);
  for (let k = 0; k < take; k++) part[rows[k]] = 1;
  return part;
}

/**
 * The label column of a table to convert: `label` (--label) if given, else the column the `like` dataset's label
 * came from (a test table converted like its training set).
 */
export function labelColumn(label: string | undefined, like: LikeEncoding | undefined): string {
  const column = label ?? like?.labelName;
  if (column === undefined) throw new UsageError(like ? `--label COLUMN: ${like.name} does not name its label column; give the table's label column` : 'a table to convert needs its label column (--label COLUMN)');
  return column;
}

/**
 * Reads a CSV, Parquet or Arrow table into a dataset with chunked features (and a held-out test set with
 * `testFraction`), for writing with writeArrowDataset without a second copy of the features.
 */
export async function readTableFile(format: TableFormat, file: string, given: TableConvertOptions): Promise<TableRead> {
  const o = { ...given, label: labelColumn(given.label, given.like) };
  const store = await readColumns(format, file, o);
  const { names, labelAt } = store;
  const labelName = names[labelAt];
  const like = o.like;
  const roles = like ? likeRoles(store, like, file) : selectFeatures(store, o.features, file);
  const used = roles.filter((r) => r.role === 'numeric' || r.role === 'categorical' || r.role === 'text').sort((a, b) => (a.rank ?? a.column) - (b.rank ?? b.column));
  if (used.length === 0) {
    const out = roles.filter((r) => r.role === 'left out').slice(0, 3).map((r) => `${JSON.stringify(r.name)}: ${r.why}`);
    throw new InputError(file, `no columns to learn from besides the label ${JSON.stringify(labelName)}${out.length ? ` (${out.join('; ')})` : ''}`);
  }

  // The task, from the label column as a whole.
  const ls = store.stats[labelAt];
  const labelNumeric = ls.strings === 0;
  if (ls.numbers + ls.strings === 0) throw new InputError(file, `every label in column ${JSON.stringify(labelName)} is missing`);
  const { task, why: taskWhy } = o.task !== undefined ? { task: o.task, why: 'as --task says' }
    : like ? { task: like.regression ? 'regression' as const : 'classification' as const, why: `as in ${basename(like.name)} (--like)` }
      : chooseTask(store.labelStats(labelAt));
  if (task === 'regression' && !labelNumeric) throw new UsageError(`--task regression: the label column ${JSON.stringify(labelName)} holds text (${namedStrings(store, labelAt)})`);
  if (task === 'classification' && !labelNumeric && store.distinct(labelAt) === Infinity) {
    throw new InputError(file, `the label column ${JSON.stringify(labelName)} has over 1,000 distinct values: a classifier takes at most ${MAX_CLASSES} classes`);
  }
  const labelKey = (r: number): string | null => {
    if (!labelNumeric) return store.key(labelAt, r);
    const v = store.labelNumber(r);
    return v === v ? String(v) : null;
  };

  // The rows kept: a label, and (--missing drop) every numeric cell.
  const missing = o.missing ?? 'mean';
  const numericUsed = used.filter((r) => r.role === 'numeric');
  const textUsed = used.filter((r) => r.role === 'text');
  const wide = like || textUsed.length > 0 ? '' : wideAndSparse(store, used);
  const sparseWhy = like ? (like.featurizer && `as ${basename(like.name)} (--like)`)
    : textUsed.length > 0 ? `text column${textUsed.length > 1 ? 's' : ''} ${textUsed.map((r) => JSON.stringify(r.name)).join(', ')}` : wide;
  if (o.text !== undefined && textUsed.length === 0) throw new UsageError(`--hash-bits and --ngrams are for tables with a text column; ${basename(file)} has none (--features NAME:text makes one)`);
  if (missing === 'error') {
    const total = numericUsed.reduce((a, r) => a + store.stats[r.column].missing + (r.notNumbers?.count ?? 0), 0);
    if (total > 0) {
      const named = numericUsed.filter((r) => r.missing > 0 || r.notNumbers).slice(0, NAMED_CELLS)
        .map((r) => `column ${JSON.stringify(r.name)}: ${[r.missing > 0 && rowList(store.stats[r.column].firstMissing, r.missing), r.notNumbers?.named].filter(Boolean).join(', ')}`);
      throw new InputError(file, `${total.toLocaleString('en-US')} missing cell${total > 1 ? 's' : ''} in numeric columns (${named.join('; ')}); --missing mean fills them with the column's mean, --missing drop drops their rows`);
    }
  }
  const kept: number[] = [];
  let droppedLabel = 0, droppedMissing = 0;
  for (let r = 0; r < store.rows; r++) {
    if (labelKey(r) === null) { droppedLabel++; continue; }
    if (missing === 'drop' && numericUsed.some((c) => { for (let k = 0; k < store.stats[c.column].width; k++) if (store.value(c.column, r, k) !== store.value(c.column, r, k)) return true; return false; })) {
      droppedMissing++;
      continue;
    }
    kept.push(r);
  }
  if (kept.length === 0) throw new InputError(file, `no rows left: ${droppedLabel} without a label, ${droppedMissing} with a missing numeric cell`);

  // Labels: class indices or targets, per kept row.
  let mapping: LabelMapping;
  let classOf: Uint8Array | null = null;
  let targets: Float32Array | null = null;
  if (task === 'regression') {
    mapping = { kind: 'regression' };
    targets = Float32Array.from(kept, (r) => store.labelNumber(r));
  } else {
    const keys = kept.map(labelKey) as string[];
    const distinct = [...new Set(keys)];
    let classes: string[] | null;
    if (like) {
      classes = like.classes ? [...like.classes] : null;
      const known = classes ? new Set(classes) : null;
      const bad = kept.filter((_, i) => (known ? !known.has(keys[i]) : !/^(0|[1-9]\d{0,2})$/.test(keys[i]) || Number(keys[i]) >= MAX_CLASSES));
      if (bad.length > 0) {
        throw new InputError(file, `${bad.length} row${bad.length > 1 ? 's have' : ' has'} a label that is not among the classes of ${basename(like.name)} (${bad.slice(0, NAMED_CELLS).map((r) => `data row ${r + 1}: ${JSON.stringify(labelKey(r))}`).join(', ')}${bad.length > NAMED_CELLS ? ', …' : ''})`);
      }
      mapping = classes ? { kind: 'sorted', by: labelNumeric ? 'number' : 'string', classes } : { kind: 'integers' };
    } else {
      if (distinct.length > MAX_CLASSES) throw new InputError(file, `the label column ${JSON.stringify(labelName)} has ${distinct.length} distinct values: a classifier takes at most ${MAX_CLASSES} classes (a continuous target? --task regression)`);
      classes = labelClasses(distinct, labelNumeric);
      mapping = classes ? { kind: 'sorted', by: labelNumeric ? 'number' : 'string', classes } : { kind: 'integers' };
    }
    const rank = classes ? new Map(classes.map((k, i) => [k, i])) : null;
    classOf = Uint8Array.from(keys, (k) => (rank ? rank.get(k)! : Number(k)));
  }

  // The split, then the encodings fitted on the training rows only.
  let part: Uint8Array | null = null;
  if (o.testFraction !== undefined) {
    part = classOf ? stratifiedSplit(classOf, o.testFraction, o.seed ?? 1) : randomSplit(kept.length, o.testFraction, o.seed ?? 1);
    if (!part.includes(1)) throw new InputError(file, `--test-fraction ${o.testFraction} of ${kept.length} rows leaves no test rows`);
  }
  const trainRows = part ? kept.filter((_, i) => part![i] === 0) : kept;
  if (sparseWhy) {
    const featurizer = like?.featurizer ?? fitRowFeaturizer(store, used, trainRows, textFeaturizer(o.text ?? {}), wide === '');
    let filled = 0;
    for (const c of numericUsed) filled += store.stats[c.column].missing + (c.notNumbers?.count ?? 0);
    // Dropped rows held some of them.
    if (droppedLabel + droppedMissing > 0) {
      filled = 0;
      for (const r of kept) for (const c of numericUsed) if (store.value(c.column, r) !== store.value(c.column, r)) filled++;
    }
    const keptAt = new Int32Array(store.rows).fill(-1);
    kept.forEach((r, i) => { keptAt[r] = i; });
    const rows = store.rows;
    const plan = { featurizer, idf: like?.featurizer ? checkIdf(featurizer, like.idf, like.name) : null, rows, keptAt, part, classOf, targets };
    // Numbers that are all exactly float32 are in the store as read: encoded from it, a row is what encodeRow gives
    // for its raw cells, without reading the file again.
    const direct = featurizer.columns.every((c) => c.role === 'numeric' && !store.stats[store.names.indexOf(c.name)].inexact && !store.stats[store.names.indexOf(c.name)].list);
    const { parts: sparseParts, idf } = direct ? { parts: encodeStoredRows(file, store, plan), idf: null } : await (async () => {
      // The cells are not needed again: the second pass reads the file.
      for (let c = 0; c < store.chunkCount; c++) store.release(c);
      return encodeTableRows(format, file, o, plan);
    })();
    const classes = mapping.kind === 'sorted' ? mapping.classes : undefined;
    const featureNames = featurizer.columns.every((c) => c.role !== 'text') ? featurizer.columns.flatMap((c) => (c.role === 'categorical' ? c.categories.map((k) => `${c.name}=${k}`) : [c.name])) : undefined;
    const datasets = sparseParts.map((x): SparseDataset => ({
      layout: 'sparse', rows: x.csr.rows, featureLength: featurizer.features, ...x.csr.arrays(), labels: x.labels, ...(x.targets && { targets: x.targets }),
      ...(classes && { classes }), source: basename(file), labelName, ...(featureNames && { featureNames }), featurizer, ...(idf && { idf }),
    }));
    return {
      parts: [], labels: mapping, task, taskWhy, roles, skipped: roles.filter((r) => r.role === 'left out').map((r) => r.name), columns: [],
      dropped: { label: droppedLabel, missing: droppedMissing }, filled, unseen: [], sparse: { parts: datasets, featurizer, why: sparseWhy },
    };
  }
  const columns = like ? [...like.columns] : fitEncodings(store, used, trainRows);
  const d = encodedNames(columns).length;
  if (d > MAX_FEATURES) throw new InputError(file, `${d.toLocaleString('en-US')} features a row, more than the ${MAX_FEATURES.toLocaleString('en-US')} a dataset may have`);

  // Encoding, chunk by chunk of the store, each released once its rows are done.
  const sources = encodingSources(store, columns);
  const parts = part ? 2 : 1;
  const encoders = Array.from({ length: parts }, () => createEncoder(columns));
  const counts = [0, 0];
  kept.forEach((_, i) => counts[part ? part[i] : 0]++);
  const chunkRows = Math.max(1, Math.floor(CHUNK_FLOATS / d));
  const outs = counts.slice(0, parts).map((n) => ({ n, chunks: [] as Float32Array[], inChunk: chunkRows, at: 0, labels: new Uint8Array(n), targets: targets ? new Float32Array(n) : null }));
  let nextChunk = 0;
  for (let i = 0; i < kept.length; i++) {
    const r = kept[i];
    while (Math.floor(r / store.chunkRows) > nextChunk) store.release(nextChunk++);
    const p = part ? part[i] : 0;
    const o2 = outs[p];
    if (o2.inChunk === chunkRows) {
      o2.chunks.push(new Float32Array(Math.min(chunkRows, o2.n - o2.at) * d));
      o2.inChunk = 0;
    }
    const out = o2.chunks[o2.chunks.length - 1];
    const at = o2.inChunk++ * d;
    const enc = encoders[p];
    for (let e = 0; e < sources.length; e++) {
      const s = sources[e];
      enc.encode(e, s.numeric ? store.numberCell(s.column, r, s.item) : store.key(s.column, r), out, at);
    }
    if (targets) o2.targets![o2.at] = targets[i];
    else o2.labels[o2.at] = classOf![i];
    o2.at++;
  }
  for (; nextChunk < store.chunkCount; nextChunk++) store.release(nextChunk);

  const featureNames = encodedNames(columns);
  const classes = mapping.kind === 'sorted' ? mapping.classes : undefined;
  const meta = { featureLength: d, shape: [d], source: basename(file), featureNames, columns, labelName, ...(classes && { classes }) };
  const datasets: ChunkedDataset[] = outs.map((x) => ({ ...meta, rows: x.n, labels: x.labels, featureChunks: x.chunks, ...(x.targets && { targets: x.targets }) }));
  const unseen = encoders.map((enc) => Object.fromEntries(columns.flatMap((c, e) => (enc.unseen[e] > 0 ? [[c.name, enc.unseen[e]]] : []))));
  const filled = encoders.reduce((a, enc) => a + enc.filled.reduce((x, y) => x + y, 0), 0);
  return {
    parts: datasets, labels: mapping, task, taskWhy, roles, skipped: roles.filter((r) => r.role === 'left out').map((r) => r.name), columns,
    dropped: { label: droppedLabel, missing: droppedMissing }, filled, unseen,
  };
}

/** One array of the features, each chunk released once copied. */
export function contiguous(c: ChunkedDataset): DenseDataset {
  const { featureChunks, ...rest } = c;
  const features = new Float32Array(c.rows * c.featureLength);
  let at = 0;
  for (const chunk of featureChunks) {
    features.set(chunk, at);
    at += chunk.length;
  }
  return { ...rest, features };
}

/**
 * Reads a CSV, Parquet or Arrow table into a dense dataset in memory (and a held-out test set with `testFraction`);
 * a table that makes a sparse dataset (a text column, a wide table of mostly zeros) is refused: tableDatasets reads
 * either.
 */
export async function datasetFromTableFile(format: TableFormat, file: string, o: TableConvertOptions): Promise<TableConversion> {
  const r = await tableDatasets(format, file, o);
  if (r.dataset.layout === 'sparse') throw new UsageError(`${basename(file)} makes a sparse dataset (${r.why}): read it with tableDatasets`);
  return r as TableConversion;
}

/** Reads a CSV, Parquet or Arrow table into a dataset in memory, dense or sparse (and a held-out test set with `testFraction`). */
export async function tableDatasets(format: TableFormat, file: string, o: TableConvertOptions): Promise<Omit<TableConversion, 'dataset' | 'test'> & { dataset: Dataset; test?: Dataset; why?: string }> {
  const { parts, labels, task, roles, skipped, sparse } = await readTableFile(format, file, o);
  if (sparse) return { dataset: sparse.parts[0], ...(sparse.parts[1] && { test: sparse.parts[1] }), labels, task, roles, skipped, why: sparse.why };
  return { dataset: contiguous(parts[0]), ...(parts[1] && { test: contiguous(parts[1]) }), labels, task, roles, skipped };
}
