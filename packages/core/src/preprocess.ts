/**
 * The preprocessing a table's rows need before the first layer, kept inside the model the way a scikit-learn
 * Pipeline keeps its ColumnTransformer: per column, by name, a numeric column (a missing cell filled with the
 * training split's mean) or a categorical one (one-hot over the training split's categories; a missing value is its
 * own category; an unseen one is all zeros, counted), then the per-feature scaling (standardize.ts), and for
 * regression the target's scaling. `data convert` encodes its rows with createEncoder (fitted on the training split);
 * everything after, on every path (training, eval, predict, train(), the browser), is createPreprocessor: one
 * implementation, so training and use cannot disagree.
 *
 * Plain TypeScript without Node APIs, so that it can be bundled for a browser.
 */
import { HogwildError } from './errors.ts';
import type { Standardization } from './standardize.ts';

/** A cell of a table row as the readers give it: a parsed number, a string, or null for a missing value. */
export type Cell = number | string | null;

/**
 * The texts read as a missing value (besides the empty cell), compared without case: what pandas, R and
 * scikit-learn's bundled tables write for one. Parquet and Arrow nulls, and NaN floats, are missing too.
 */
export const MISSING_TEXTS: readonly string[] = ['NA', 'N/A', 'NaN', 'null', 'None', '?'];
const MISSING = new Set(['', ...MISSING_TEXTS.map((t) => t.toLowerCase())]);

/** Whether a text cell is a missing value: empty, or one of MISSING_TEXTS in any case. */
export function isMissingText(text: string): boolean {
  // Every missing text has at most 4 characters: longer cells skip the lower-casing.
  return text.length <= 4 && MISSING.has(text.length === 0 ? '' : text.toLowerCase());
}

/**
 * A decimal number, or NaN. Stricter than Number(): hexadecimal, octal and binary literals (0x10), infinities
 * (Infinity, 1e999) and blank text are not numbers in a table.
 */
export function parseNumber(text: string): number {
  if (text.length === 0) return NaN;
  if (text.charCodeAt(0) <= 0x20 || text.charCodeAt(text.length - 1) <= 0x20) {
    text = text.trim();
    if (text.length === 0) return NaN;
  }
  const v = +text;
  if (!(v - v === 0)) return NaN; // NaN or ±Infinity
  if (text.length > 1 && text.charCodeAt(0) === 0x30) {
    const c = text.charCodeAt(1) | 0x20;
    if (c === 0x78 || c === 0x6f || c === 0x62) return NaN; // 0x, 0o, 0b
  }
  return v;
}

/**
 * A boolean written as text, in any case ("True" by pandas, "TRUE" by R, "true" by JSON): the category "true" or
 * "false", as Arrow and Parquet booleans read, so that one table gets one encoding whichever writer wrote it; null for
 * other text.
 */
export function booleanText(text: string): 'true' | 'false' | null {
  if (text.length === 4) return sameLetters(text, 'true') ? 'true' : null;
  if (text.length === 5) return sameLetters(text, 'false') ? 'false' : null;
  return null;
}

/** `text` is the lower-case `word` in any case: letter by letter, folded with | 0x20, so a cell costs no new string. */
function sameLetters(text: string, word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((text.charCodeAt(i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** A text cell: missing, a number, or a string (a boolean as "true" or "false"). */
export function parseCell(text: string): Cell {
  if (isMissingText(text)) return null;
  const v = parseNumber(text);
  return v === v ? v : booleanText(text) ?? text;
}

/** The category a cell names: numbers by their shortest decimal form (so "1.0" and "1" are one category). */
export const categoryKey = (cell: number | string): string => (typeof cell === 'number' ? String(cell) : cell);

/** A numeric column: its value as it is, a missing cell filled with `fill` (the training split's mean). */
export interface NumericColumn {
  readonly name: string;
  readonly role: 'numeric';
  readonly fill: number;
  /** For an item of a list column: its index (the feature is named `name[item]`). */
  readonly item?: number;
}

/** A categorical column: one-hot over `categories` (null: the missing value's own category). */
export interface CategoricalColumn {
  readonly name: string;
  readonly role: 'categorical';
  readonly categories: readonly (string | null)[];
}

/** How one column of a table row is encoded: as a number or one-hot over its categories (`role` tells which). */
export type ColumnEncoding = NumericColumn | CategoricalColumn;

/** The most categories one column may one-hot encode into (the network's first layer gets one input each). */
export const MAX_ONE_HOT = 1000;

/** What a model learns: classes of a label (classification) or a number (regression). */
export type Task = 'classification' | 'regression';

/** The inputs a column encodes into. */
export const columnWidth = (c: ColumnEncoding): number => (c.role === 'numeric' ? 1 : c.categories.length);

/** The feature names of the encoded row: `age`, `m[0]` for a list item, `color=red`, `color=` for the missing category. */
export function encodedNames(columns: readonly ColumnEncoding[]): string[] {
  return columns.flatMap((c) => (c.role === 'numeric' ? [columnName(c)] : c.categories.map((k) => `${c.name}=${k ?? ''}`)));
}

/** A column's name in messages and forms: its name, or `name[item]` for an item of a list column. */
export const columnName = (c: ColumnEncoding): string => (c.role === 'numeric' && c.item !== undefined ? `${c.name}[${c.item}]` : c.name);

/** Which encoded features are one-hot indicators (never centred or scaled: they are 0 or 1 already). */
export function oneHotMask(columns: readonly ColumnEncoding[]): Uint8Array {
  const mask = new Uint8Array(columns.reduce((a, c) => a + columnWidth(c), 0));
  let at = 0;
  for (const c of columns) {
    if (c.role === 'categorical') mask.fill(1, at, at + c.categories.length);
    at += columnWidth(c);
  }
  return mask;
}

/** Encodes cells column by column into a row of features; counts what it had to fill or could not place. */
export interface Encoder {
  readonly columns: readonly ColumnEncoding[];
  /** Features per row. */
  readonly width: number;
  /** Offset of each column's first feature in the row. */
  readonly offsets: Int32Array;
  /** Per column: missing numeric cells filled. */
  readonly filled: Float64Array;
  /** Per column: categories not among the training split's (encoded as all zeros). */
  readonly unseen: Float64Array;
  /** Per column: text in a numeric column (a stray word), filled as a missing value but counted here, not in `filled`. */
  readonly notNumbers: Float64Array;
  /** Writes column j of a row whose features start at `at`. */
  encode(j: number, cell: Cell, out: Float32Array, at: number): void;
}

/**
 * The Encoder of these columns, its counters at zero. Throws E_INPUT for a categorical column with more than
 * MAX_ONE_HOT categories.
 */
export function createEncoder(columns: readonly ColumnEncoding[]): Encoder {
  const offsets = new Int32Array(columns.length);
  let width = 0;
  const lookups: (Map<string, number> | null)[] = [];
  const missingAt = new Int32Array(columns.length).fill(-1);
  columns.forEach((c, j) => {
    offsets[j] = width;
    width += columnWidth(c);
    if (c.role === 'categorical') {
      if (c.categories.length > MAX_ONE_HOT) throw new HogwildError('E_INPUT', `column ${JSON.stringify(c.name)}: ${c.categories.length} categories, more than the ${MAX_ONE_HOT} one column may one-hot encode into`);
      const m = new Map<string, number>();
      c.categories.forEach((k, i) => { if (k === null) missingAt[j] = i; else m.set(k, i); });
      // A model saved before booleans were read as true/false keeps "True"/"FALSE": those name the same categories.
      c.categories.forEach((k, i) => {
        const b = k === null ? null : booleanText(k);
        if (b !== null && !m.has(b)) m.set(b, i);
      });
      lookups.push(m);
    } else {
      lookups.push(null);
    }
  });
  const filled = new Float64Array(columns.length);
  const unseen = new Float64Array(columns.length);
  const notNumbers = new Float64Array(columns.length);
  return {
    columns, width, offsets, filled, unseen, notNumbers,
    encode(j, cell, out, at) {
      const c = columns[j];
      const o = at + offsets[j];
      const lookup = lookups[j];
      if (lookup === null) {
        if (typeof cell === 'number' && cell === cell) {
          out[o] = cell;
          return;
        }
        out[o] = (c as NumericColumn).fill;
        if (typeof cell === 'string') notNumbers[j]++;
        else filled[j]++;
        return;
      }
      const k = (c as CategoricalColumn).categories.length;
      for (let i = 0; i < k; i++) out[o + i] = 0;
      const i = cell === null || (typeof cell === 'number' && cell !== cell) ? missingAt[j] : lookup.get(categoryKey(cell)) ?? -1;
      if (i >= 0) out[o + i] = 1;
      else unseen[j]++;
    },
  };
}

/** What a model keeps to turn a raw row into its inputs, and its output back into a value. */
export interface Preprocessing {
  /** The columns, by name, and how each is encoded (absent: the row is already the model's features). */
  readonly columns?: readonly ColumnEncoding[];
  /** Per input feature, x ← (x − mean) / std after encoding (absent: none). */
  readonly standardization?: Standardization;
  /** Regression: the model predicts (y − mean) / std of the target. */
  readonly target?: TargetScaling;
}

/** The training split's mean and standard deviation of a regression target; the model predicts (y − mean) / std. */
export interface TargetScaling { readonly mean: number; readonly std: number }

/**
 * The one preprocessing of a model, built from what the model keeps: encode a raw row column by column
 * (createEncoder), scale the encoded features (the model's standardisation), scale a regression target for training
 * and give an output back in the target's units. Every path runs it: `run` and train() (the datasets that `data
 * convert` encoded and arrays in memory are scaled with scaleRows), `eval` and `predict` on raw rows (encodeRow),
 * predict() and the browser page (scaleRows on one row, unscaleTarget).
 */
export interface Preprocessor extends Encoder {
  /** The model's inputs per row. */
  readonly inputs: number;
  /** Encodes and scales one raw row at out[at …] (column j's cell from `cellOf(j)`). */
  encodeRow(cellOf: (j: number) => Cell, out: Float32Array, at: number): void;
  /** Scales encoded rows in place (rows × inputs values, row-major), x ← (x − mean) / std, as encodeRow scales its row. */
  scaleRows(features: Float32Array): void;
  /** A regression target as the network learns it: (y − mean) / std (y itself without a target scaling). */
  scaleTarget(y: number): number;
  /** An output of the network back in the target's units: z · std + mean. */
  unscaleTarget(z: number): number;
}

/**
 * The Preprocessor of a model that takes `inputs` features; without `p.columns`, each input is a numeric column named
 * by its index. Throws E_INPUT when the columns do not encode into `inputs` features, E_USAGE for a standardisation
 * of another width.
 */
export function createPreprocessor(p: Preprocessing, inputs: number): Preprocessor {
  // Without columns the encoder (a numeric column per input) is made when a row is first encoded, not before: a
  // session over millions of sparse inputs only scales targets, and would otherwise hold an object per input.
  let built: Encoder | null = null;
  const enc = (): Encoder => (built ??= createEncoder(p.columns ?? Array.from({ length: inputs }, (_, j): NumericColumn => ({ name: String(j), role: 'numeric', fill: NaN }))));
  if (p.columns && enc().width !== inputs) throw new HogwildError('E_INPUT', `the model's columns encode into ${enc().width} features, its network takes ${inputs}`);
  const s = p.standardization;
  if (s && (s.mean.length !== inputs || s.std.length !== inputs)) throw new HogwildError('E_USAGE', { field: 'standardization', problem: `statistics for ${s.mean.length} features, the model takes ${inputs}` });
  const t = p.target;
  const scaleRows = (x: Float32Array, from = 0, to = x.length - (x.length % inputs)): void => {
    if (!s) return;
    const { mean, std } = s;
    for (let at = from; at < to; at += inputs) for (let j = 0; j < inputs; j++) x[at + j] = (x[at + j] - mean[j]) / std[j];
  };
  return {
    get columns() { return enc().columns; },
    get offsets() { return enc().offsets; },
    get filled() { return enc().filled; },
    get unseen() { return enc().unseen; },
    get notNumbers() { return enc().notNumbers; },
    width: inputs,
    encode: (j, cell, out, at) => enc().encode(j, cell, out, at),
    inputs,
    encodeRow(cellOf, out, at) {
      const e = enc();
      for (let j = 0; j < e.columns.length; j++) e.encode(j, cellOf(j), out, at);
      scaleRows(out, at, at + inputs);
    },
    scaleRows: (x) => scaleRows(x),
    scaleTarget: (y) => (t ? (y - t.mean) / t.std : y),
    unscaleTarget: (z) => (t ? z * t.std + t.mean : z),
  };
}

/** The training split's mean and population standard deviation of a regression target (std 1 for a constant one). */
export function fitTargetScaling(y: ArrayLike<number>): TargetScaling {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i];
  const mean = y.length ? sum / y.length : 0;
  let sq = 0;
  for (let i = 0; i < y.length; i++) sq += (y[i] - mean) ** 2;
  const std = Math.sqrt(y.length ? sq / y.length : 0);
  return { mean, std: std > 0 && Number.isFinite(1 / std) ? std : 1 };
}

/** What the label column holds, for choosing the task. */
export interface LabelStats {
  /** Every non-missing label is a number. */
  readonly numeric: boolean;
  /** Some label is not a whole number. */
  readonly fractional: boolean;
  /** The labels were written as floats (a decimal point or exponent in a CSV, a float column in Parquet or Arrow). */
  readonly floats: boolean;
  readonly distinct: number;
  /** The distinct labels are the codes of classes: the integers 0 … K−1 or 1 … K, every one present. */
  readonly codes: boolean;
}

/** Whether distinct label values are the codes of classes (LabelStats.codes): the integers 0 … K−1 or 1 … K, each present. */
export function isClassCodes(distinct: Iterable<number>): boolean {
  let min = Infinity, max = -Infinity, n = 0;
  for (const v of distinct) {
    if (!Number.isInteger(v)) return false;
    if (v < min) min = v;
    if (v > max) max = v;
    n++;
  }
  return (min === 0 || min === 1) && max - min + 1 === n;
}

/** The most classes a classifier may have (labels are stored as uint8). */
export const MAX_CLASSES = 256;
/**
 * Whole numbers with more distinct values than this are a regression target (hwy, ozone, a count), unless they are
 * the codes 0 … K−1 or 1 … K of classes written as integers.
 */
export const FLOAT_CLASSES = 20;

/**
 * The task a label column asks for when none is given: regression for a numeric label with a fractional value,
 * with more than 256 distinct values, or with more than 20 that are floats or not the codes 0 … K−1 or 1 … K;
 * else classification.
 */
export function chooseTask(l: LabelStats): { task: Task; why: string } {
  if (!l.numeric) return { task: 'classification', why: 'the labels are not all numbers' };
  if (l.fractional) return { task: 'regression', why: 'the labels are numbers with fractions' };
  if (l.distinct > MAX_CLASSES) return { task: 'regression', why: `the labels are numbers with ${l.distinct} distinct values, more than ${MAX_CLASSES} classes` };
  if (l.floats && l.distinct > FLOAT_CLASSES) return { task: 'regression', why: `the labels are floats with ${l.distinct} distinct values, more than ${FLOAT_CLASSES}` };
  if (!l.codes && l.distinct > FLOAT_CLASSES) return { task: 'regression', why: `the labels are whole numbers with ${l.distinct} distinct values, more than ${FLOAT_CLASSES}, and not the codes 0 … K−1 or 1 … K of classes` };
  return { task: 'classification', why: `the labels are whole numbers with ${l.distinct} distinct value${l.distinct === 1 ? '' : 's'}` };
}
