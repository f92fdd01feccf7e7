/**
 * LIBSVM / SVMlight files into a sparse dataset: `label index:value index:value … # comment`, one sample a line, read
 * as a stream (memory grows with the pairs stored, not with the file). Indices are 1-based as LIBSVM writes them,
 * unless the file holds an index 0 (0-based, as scikit-learn's dump_svmlight_file(zero_based=True) writes) or
 * `zeroBased` says so. Labels follow `data convert`'s rule for tables (core chooseTask, labelClasses).
 */
import { basename } from 'node:path';
import { chooseTask, isClassCodes, MAX_CLASSES, type Task } from '@hogwild/core/internal';
import { CsrBuilder } from './csr-builder.ts';
import { InputError, UsageError } from './errors.ts';
import { labelClasses } from './label-classes.ts';
import { MAX_SPARSE_FEATURES, type SparseDataset } from './sparse-dataset.ts';
import type { LabelMapping } from './tabular.ts';
import { textLineBatches } from './text-lines.ts';

/** How a LIBSVM file's features were made: its pairs as they are, their indices shifted by `indexBase` to start at 0. */
export interface LibsvmFeaturizer { readonly kind: 'libsvm'; readonly indexBase: 0 | 1 }

/** A dataset from a LIBSVM file to take the encoding of (`--like`): its feature count, index base, classes and task. */
export interface LibsvmLike {
  readonly name: string;
  readonly featureLength: number;
  readonly indexBase?: 0 | 1;
  readonly classes?: readonly string[];
  readonly regression: boolean;
}

/** How readLibsvm reads a file. */
export interface LibsvmOptions {
  /** Indices start at 0. Default: 0-based when an index 0 is present, else 1-based (LIBSVM's own). */
  readonly zeroBased?: boolean;
  /** The task; by default chosen from the labels (core chooseTask). */
  readonly task?: Task;
  /** Encode as this dataset was (a training set converted first): its feature count, index base, classes and task. */
  readonly like?: LibsvmLike;
  /** Read only the first n samples. */
  readonly limit?: number;
  /** Hears how far the reading is, in bytes of the file. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What readLibsvm gives: the dataset, and how its labels and indices were read (for convert's notes). */
export interface LibsvmRead {
  readonly dataset: SparseDataset;
  readonly labels: LabelMapping;
  readonly task: Task;
  readonly taskWhy: string;
  /** Where the index base came from: the flag, --like, or the file (an index 0 seen, or none). */
  readonly indexBaseWhy: string;
  /** Comment and blank lines skipped. */
  readonly skipped: number;
}

/** Labels past this many distinct values are a regression target whatever they are (chooseTask): stop counting. */
const DISTINCT_CAP = 1024;

/** Reads a LIBSVM/SVMlight file; a bad line is one InputError `FILE:LINE: what is wrong`. */
export async function readLibsvm(file: string, o: LibsvmOptions = {}): Promise<LibsvmRead> {
  const like = o.like;
  if (like && o.zeroBased && like.indexBase === 1) throw new UsageError(`--zero-based: ${like.name} was read 1-based; its test set must be too`);
  const fixedBase: 0 | 1 | undefined = o.zeroBased ? 0 : like?.indexBase;
  const csr = new CsrBuilder();
  let labels: Float64Array = new Float64Array(1024);
  const distinct = new Set<number>();
  let fractional = false, floats = false, minIndex = Infinity, maxIndex = -1, skipped = 0, zeroLine = 0;
  const name = basename(file);
  lines: for await (const batch of textLineBatches(file, o.onProgress)) for (let b = 0; b < batch.lines.length; b++) {
    const line = batch.lines[b], n = batch.first + b;
    if (o.limit !== undefined && csr.rows >= o.limit) break lines;
    const bad = (problem: string) => new InputError(`${file}:${n}`, problem);
    // A scan over the line's characters: the only strings made are the label's and each value's text.
    const len = line.length;
    let i = skipBlanks(line, 0);
    if (i === len || line.charCodeAt(i) === HASH) { skipped++; continue; }
    let e = tokenEnd(line, i);
    const labelText = line.slice(i, e);
    if (labelText.includes(',')) throw bad(`label ${JSON.stringify(clip(labelText))} holds several labels: multi-label lines are not supported (one label a line)`);
    if (labelText.includes(':')) throw bad(`the line starts with ${JSON.stringify(clip(labelText))}, not a label: each line is "label index:value …"`);
    const y = numberOf(labelText);
    if (y === null) throw bad(`label ${JSON.stringify(clip(labelText))} is not a number`);
    if (!Number.isInteger(y)) fractional = true;
    if (/[.eE]/.test(labelText)) floats = true;
    if (distinct.size <= DISTINCT_CAP) distinct.add(y);
    let last = -1;
    for (i = skipBlanks(line, e); i < len && line.charCodeAt(i) !== HASH; i = skipBlanks(line, e)) {
      e = tokenEnd(line, i);
      let index = 0, k = i;
      for (let c = line.charCodeAt(k); c >= 48 && c <= 57 && k - i < 10; c = line.charCodeAt(++k)) index = index * 10 + (c - 48);
      if (k === i || k === e || line.charCodeAt(k) !== COLON) {
        const tok = line.slice(i, e), colon = tok.indexOf(':');
        if (colon < 0) throw bad(`${JSON.stringify(clip(tok))} is not index:value`);
        if (tok.slice(0, colon) === 'qid') throw bad('qid: (query ids of ranking data) is not supported: remove the qid:N fields');
        throw bad(`${JSON.stringify(clip(tok))}: the index ${JSON.stringify(clip(tok.slice(0, colon)))} is not a whole number`);
      }
      const v = numberOf(line.slice(k + 1, e));
      if (v === null) throw bad(`${JSON.stringify(clip(line.slice(i, e)))}: the value is not a finite number`);
      if (!Number.isFinite(Math.fround(v))) throw bad(`${JSON.stringify(clip(line.slice(i, e)))}: the value is outside float32's range (±3.4e38)`);
      if (index <= last) throw bad(`index ${index} after ${last}: indices must ascend within a line`);
      if (index > MAX_SPARSE_FEATURES - (fixedBase === 0 ? 1 : 0)) throw bad(`index ${index} is beyond the ${MAX_SPARSE_FEATURES} features a dataset may have`);
      if (index === 0) {
        if (fixedBase === 1) throw bad(`index 0 in a 1-based file (as ${like!.name} was read)`);
        if (zeroLine === 0) zeroLine = n;
      }
      if (like && index - (fixedBase ?? 0) >= like.featureLength) throw bad(`index ${index} is beyond the ${like.featureLength} features of ${like.name}`);
      last = index;
      if (index < minIndex) minIndex = index;
      if (index > maxIndex) maxIndex = index;
      if (v === 0) continue; // an explicit zero stores nothing
      if (!csr.push(index, v)) throw bad(`more than ${MAX_SPARSE_FEATURES} stored values: too many for one dataset`);
    }
    if (csr.rows === labels.length) labels = growF64(labels);
    labels[csr.rows] = y;
    csr.endRow();
  }
  if (csr.rows === 0) throw new InputError(file, 'no samples: every line is blank or a comment');

  // The index base, now that every index has been seen; 1-based indices shift down to start at 0.
  const base: 0 | 1 = fixedBase ?? (zeroLine > 0 ? 0 : 1);
  const indexBaseWhy = o.zeroBased ? 'as --zero-based says' : like?.indexBase !== undefined ? `as ${like.name} was read (--like)`
    : zeroLine > 0 ? `an index 0 first appears on line ${zeroLine}` : 'no index 0 appears (LIBSVM\'s own 1-based indices)';
  const { indptr, indices, values } = csr.arrays();
  if (base === 1) for (let k = 0; k < indices.length; k++) indices[k]--;
  const featureLength = like?.featureLength ?? Math.max(1, maxIndex + 1 - base);

  // Labels: the table rule, on the whole column.
  const rows = csr.rows;
  const y = labels.subarray(0, rows);
  const { task, why: taskWhy } = o.task !== undefined ? { task: o.task, why: 'as --task says' }
    : like ? { task: like.regression ? 'regression' as const : 'classification' as const, why: `as in ${like.name} (--like)` }
      : chooseTask({ numeric: true, fractional, floats, distinct: distinct.size > DISTINCT_CAP ? Infinity : distinct.size, codes: isClassCodes(distinct) });
  let mapping: LabelMapping;
  const classOf = new Uint8Array(rows);
  let targets: Float32Array | undefined;
  let classes: readonly string[] | undefined;
  if (task === 'regression') {
    mapping = { kind: 'regression' };
    targets = Float32Array.from(y);
    for (let r = 0; r < rows; r++) if (!Number.isFinite(targets[r])) throw new InputError(file, `the label of sample ${r + 1} is outside float32's range`);
  } else {
    const keys = [...distinct].map(String);
    if (like) {
      classes = like.classes;
      const known = classes ? new Map(classes.map((k, i) => [k, i])) : null;
      const stray = keys.filter((k) => (known ? !known.has(k) : !/^(0|[1-9]\d{0,2})$/.test(k) || Number(k) >= MAX_CLASSES));
      if (stray.length > 0) throw new InputError(file, `label${stray.length > 1 ? 's' : ''} ${stray.slice(0, 5).join(', ')} ${stray.length > 1 ? 'are' : 'is'} not among the classes of ${like.name}`);
    } else {
      if (distinct.size > MAX_CLASSES) throw new InputError(file, `the labels have ${distinct.size > DISTINCT_CAP ? `over ${DISTINCT_CAP}` : distinct.size} distinct values: a classifier takes at most ${MAX_CLASSES} classes (a continuous target? --task regression)`);
      classes = labelClasses(keys, true) ?? undefined;
    }
    mapping = classes ? { kind: 'sorted', by: 'number', classes } : { kind: 'integers' };
    const rank = classes ? new Map(classes.map((k, i) => [Number(k), i])) : null;
    for (let r = 0; r < rows; r++) classOf[r] = rank ? rank.get(y[r])! : y[r];
  }
  const featurizer: LibsvmFeaturizer = { kind: 'libsvm', indexBase: base };
  const dataset: SparseDataset = {
    layout: 'sparse', rows, featureLength, indptr, indices, values, labels: classOf, source: name, featurizer,
    ...(targets && { targets }), ...(classes && { classes }),
  };
  return { dataset, labels: mapping, task, taskWhy, indexBaseWhy, skipped };
}

const HASH = 35, COLON = 58;
const isBlank = (c: number): boolean => c === 32 || c === 9;

/** The position of the first character at or after `i` that is not a space or a tab. */
function skipBlanks(line: string, i: number): number {
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  return i;
}

/** The end of the token at `i`: the next space, tab or # (a comment may follow a pair without a space). */
function tokenEnd(line: string, i: number): number {
  for (let c = line.charCodeAt(i); i < line.length && !isBlank(c) && c !== HASH; c = line.charCodeAt(++i));
  return i;
}

/** A finite number written in decimal (LIBSVM's "+1", "-1", "0.5", "1e-3"), or null: Number's other forms (hex, Infinity, blanks) are refused. */
function numberOf(text: string): number | null {
  if (text === '') return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // digits + - . e E only
    if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 101 || c === 69)) return null;
  }
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}...` : s);

function growF64(a: Float64Array): Float64Array {
  const b = new Float64Array(2 * a.length);
  b.set(a);
  return b;
}
