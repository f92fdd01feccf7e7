/**
 * A row featurizer: how a record of raw columns (text, numbers, categories) becomes one sparse feature vector. It is
 * fitted once, when a table or a text file is converted (packages/data), stored as plain JSON in the dataset's
 * metadata and in the model file, and applied by the one function {@link encodeRow} wherever raw rows meet a model:
 * `data convert`, `trainer eval --csv`, `trainer predict --csv/--jsonl`, `predict()` from code, the browser page and
 * the PyTorch loader (python/hogwild_torch.py, the same rule). Each column owns a range of feature indices:
 * - text: 2^hashBits hashed buckets from its offset (text-features.ts), weighted and normalised on its own;
 * - numeric: one feature, (value − center) / scale, the fill value where the cell is missing;
 * - categorical: one feature per known category from its offset, 1 for the row's category (an unknown one: none).
 */
import { HogwildError } from './errors.ts';
import { categoryKey, isMissingText, parseCell, parseNumber, type Cell } from './preprocess.ts';
import { encodeTextInto, SparseRowBuilder, validateTextFeaturizer, type SparseRow, type TextFeaturizer } from './text-features.ts';

/** A text column: hashed words (and n-grams) into 2^text.hashBits features from `offset`. */
export interface TextColumnFeatures { readonly name: string; readonly role: 'text'; readonly offset: number }
/** A numeric column: feature `index` is (value − center) / scale; a missing cell gives `fill` (already scaled). */
export interface NumericColumnFeatures { readonly name: string; readonly role: 'numeric'; readonly index: number; readonly center: number; readonly scale: number; readonly fill: number }
/** A categorical column: feature offset + k is 1 for category k (categories[k]); an unknown or missing one sets none. */
export interface CategoricalColumnFeatures { readonly name: string; readonly role: 'categorical'; readonly offset: number; readonly categories: readonly string[] }
/** One column of a row featurizer: a text, numeric or categorical column with its range of features. */
export type ColumnFeatures = TextColumnFeatures | NumericColumnFeatures | CategoricalColumnFeatures;

/** How a record becomes a sparse row: plain JSON, in a sparse dataset's metadata and in its model. */
export interface RowFeaturizer {
  readonly kind: 'rows';
  readonly version: 1;
  /** The settings every text column hashes with. */
  readonly text: TextFeaturizer;
  /** The columns, in the order their ranges take the features. */
  readonly columns: readonly ColumnFeatures[];
  /** The feature count: every column's range, together. */
  readonly features: number;
}

/** What encodeRow reads a column's cell by: a record's property, or a function of the column's name. */
export type RowInput = Readonly<Record<string, Cell | undefined>> | ((name: string) => Cell | undefined);

/** Whether a dataset's or a model's featurizer JSON is a row featurizer (LIBSVM's `{kind: 'libsvm'}` is not). */
export const isRowFeaturizer = (f: unknown): f is RowFeaturizer => typeof f === 'object' && f !== null && (f as { kind?: unknown }).kind === 'rows';

/** The featurizer of one text column (a fastText file, a CSV of texts): its features are the column's buckets. */
export function textRowFeaturizer(text: TextFeaturizer, name = 'text'): RowFeaturizer {
  return { kind: 'rows', version: 1, text, columns: [{ name, role: 'text', offset: 0 }], features: 2 ** text.hashBits };
}

/** The range of features a column takes. */
export function columnWidth(c: ColumnFeatures, text: TextFeaturizer): number {
  return c.role === 'text' ? 2 ** text.hashBits : c.role === 'numeric' ? 1 : c.categories.length;
}

/** Checks a row featurizer read from a file (its field names the problem); returns it typed. */
export function validateRowFeaturizer(value: unknown, field = 'featurizer'): RowFeaturizer {
  const bad = (problem: string): never => { throw new HogwildError('E_INPUT', { field, problem }); };
  if (!isRowFeaturizer(value)) return bad('expected a row featurizer ({"kind":"rows", …})');
  const f = value as RowFeaturizer;
  if (f.version !== 1) bad(`version ${String(f.version)} is not known here (1 is)`);
  const text = validateTextFeaturizer(f.text, `${field}.text`, 'E_INPUT');
  if (!Array.isArray(f.columns) || f.columns.length === 0) bad('expected at least one column');
  let end = 0;
  for (const [i, c] of f.columns.entries()) {
    const at = `column ${i} (${JSON.stringify(c?.name)})`;
    if (typeof c?.name !== 'string') bad(`${at}: expected a name`);
    const start = c.role === 'numeric' ? c.index : c.role === 'text' || c.role === 'categorical' ? c.offset : bad(`${at}: unknown role ${JSON.stringify((c as { role?: unknown }).role)}`);
    if (!Number.isInteger(start) || start < end) bad(`${at}: its features start at ${start}, inside the range of the columns before it (which end at ${end})`);
    if (c.role === 'numeric' && ![c.center, c.scale, c.fill].every(Number.isFinite)) bad(`${at}: center, scale and fill must be finite numbers`);
    if (c.role === 'numeric' && c.scale === 0) bad(`${at}: scale must not be 0`);
    if (c.role === 'categorical' && (!Array.isArray(c.categories) || !c.categories.every((k) => typeof k === 'string'))) bad(`${at}: categories must be strings`);
    end = start + columnWidth(c, text);
  }
  if (f.features !== end) bad(`features is ${f.features}, but the columns take ${end}`);
  if (end > 2 ** 31 - 1) bad(`${end} features: more than int32 indices reach`);
  return f;
}

/** Each categorical column's categories by name, made once per column: a cell's lookup costs the same however many there are. */
const positions = new WeakMap<readonly string[], Map<string, number>>();

/** The position of a category in `categories` (the first, as indexOf would find it), or -1. */
function categoryAt(categories: readonly string[], key: string): number {
  let m = positions.get(categories);
  if (m === undefined) {
    m = new Map();
    for (let i = 0; i < categories.length; i++) if (!m.has(categories[i])) m.set(categories[i], i);
    positions.set(categories, m);
  }
  return m.get(key) ?? -1;
}

/**
 * The features of one record, appended to `builder` in ascending order (reset it first for a new row). A cell is
 * read by the column's name; an absent or missing cell is an empty text, the fill value, or no category. Allocates
 * nothing per token for text columns.
 */
export function encodeRowInto(f: RowFeaturizer, row: RowInput, builder: SparseRowBuilder): void {
  const cell = typeof row === 'function' ? row : (name: string) => row[name];
  for (const c of f.columns) {
    const v = cell(c.name);
    if (c.role === 'text') {
      if (v !== null && v !== undefined) encodeTextInto(String(v), f.text, c.offset, builder);
    } else if (c.role === 'numeric') {
      const x = typeof v === 'number' ? v : v === null || v === undefined || isMissingText(v) ? NaN : parseNumber(v);
      const scaled = Number.isFinite(x) ? (x - c.center) / c.scale : c.fill;
      if (scaled !== 0) builder.push(c.index, scaled);
    } else if (v !== null && v !== undefined) {
      let k = categoryAt(c.categories, categoryKey(v));
      // A raw text cell names its category as a table's reader keys it: "1.0" is 1, "TRUE" is true (preprocess.ts).
      if (k < 0 && typeof v === 'string') {
        const parsed = parseCell(v);
        if (parsed !== null) k = categoryAt(c.categories, categoryKey(parsed));
      }
      if (k >= 0) builder.push(c.offset + k, 1);
    }
  }
}

const shared = new SparseRowBuilder();

/** The features of one record as a fresh SparseRow (indices ascending, each once; float32 values). */
export function encodeRow(f: RowFeaturizer, row: RowInput): SparseRow {
  shared.reset();
  encodeRowInto(f, row, shared);
  return shared.toRow();
}

export type { SparseRow };
