/**
 * A row featurizer: how a record of raw columns (text, numbers, categories) becomes one sparse feature vector. It is
 * fitted once, when a table or a text file is converted (packages/data), stored as plain JSON in the dataset's
 * metadata and in the model file, and applied by the one function {@link encodeRow} wherever raw rows meet a model:
 * `data convert`, `trainer eval --csv`, `trainer predict --csv/--jsonl`, `predict()` from code, the browser page and
 * the PyTorch loader (python/hogwild_torch.py, the same rule). Each column owns a range of feature indices:
 * - text: 2^hashBits hashed buckets from its offset (text-features.ts), weighted and normalised on its own, with the
 *   IDF weights fitted on the training rows (fitTextIdf) when its text featurizer says idf: they are data, kept beside
 *   the JSON (a model's `featurizer.idf` tensor, a dataset's `hogwild.idf` metadata) and passed to encodeRow;
 * - numeric: one feature, (value − center) / scale, the fill value where the cell is missing;
 * - categorical: one feature per known category from its offset, 1 for the row's category (an unknown one: none).
 */
import { HogwildError } from './errors.ts';
import { shownValue } from './printable.ts';
import { categoryKey, isMissingText, parseCell, parseNumber, type Cell } from './preprocess.ts';
import { encodeTextInto, idfWeight, SparseRowBuilder, validateTextFeaturizer, weighCounts, type SparseRow, type TextFeaturizer } from './text-features.ts';

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
  if (f.version !== 1) bad(`version ${shownValue(f.version)} is not known here (1 is)`);
  const text = validateTextFeaturizer(f.text, `${field}.text`, 'E_INPUT');
  if (!Array.isArray(f.columns) || f.columns.length === 0) bad('expected at least one column');
  let end = 0;
  for (const [i, c] of f.columns.entries()) {
    const at = `column ${i}${typeof c?.name === 'string' ? ` (${JSON.stringify(c.name)})` : ''}`;
    if (typeof c?.name !== 'string') bad(`${at}: expected a name`);
    const start = c.role === 'numeric' ? c.index : c.role === 'text' || c.role === 'categorical' ? c.offset : bad(`${at}: unknown role ${shownValue((c as { role?: unknown }).role)}`);
    if (!Number.isInteger(start) || start < end) bad(`${at}: its features start at ${shownValue(start)}, ${Number.isInteger(start) ? `inside the range of the columns before it (which end at ${end})` : 'not a feature index'}`);
    if (c.role === 'numeric' && ![c.center, c.scale, c.fill].every(Number.isFinite)) bad(`${at}: center, scale and fill must be finite numbers`);
    if (c.role === 'numeric' && c.scale === 0) bad(`${at}: scale must not be 0`);
    if (c.role === 'categorical' && (!Array.isArray(c.categories) || !c.categories.every((k) => typeof k === 'string'))) bad(`${at}: categories must be strings`);
    end = start + columnWidth(c, text);
  }
  if (f.features !== end) bad(`features is ${shownValue(f.features)}, but the columns take ${end}`);
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
 * read by the column's name; an absent or missing cell is an empty text, the fill value, or no category. `idf`: the
 * IDF weights by feature, which a featurizer whose text says idf needs (encodeTextInto). `counts`: text columns give
 * their buckets' counts, for weighCountRows to finish once the IDF weights are fitted. Allocates nothing per token for
 * text columns.
 */
export function encodeRowInto(f: RowFeaturizer, row: RowInput, builder: SparseRowBuilder, idf: Float32Array | null = null, counts = false): void {
  const cell = typeof row === 'function' ? row : (name: string) => row[name];
  for (const c of f.columns) {
    const v = cell(c.name);
    if (c.role === 'text') {
      if (v !== null && v !== undefined) encodeTextInto(String(v), f.text, c.offset, builder, idf, counts);
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

/** The features of one record as a fresh SparseRow (indices ascending, each once; float32 values); `idf` as encodeRowInto's. */
export function encodeRow(f: RowFeaturizer, row: RowInput, idf: Float32Array | null = null): SparseRow {
  shared.reset();
  encodeRowInto(f, row, shared, idf);
  return shared.toRow();
}

/** Whether the featurizer's text columns are weighed by IDF weights fitted on the training rows. */
export function usesIdf(f: RowFeaturizer): boolean {
  return f.text.idf === true && f.columns.some((c) => c.role === 'text');
}

/**
 * The IDF weights that go with a featurizer, checked: one float32 a feature when it uses them (usesIdf), else null
 * (any given are dropped). Throws E_INPUT naming `where` (a file, a field) when they are missing or of another length.
 */
export function checkIdf(f: RowFeaturizer, idf: Float32Array | null | undefined, where: string): Float32Array | null {
  if (!usesIdf(f)) return null;
  if (!(idf instanceof Float32Array)) throw new HogwildError('E_INPUT', { field: where, problem: 'its text featurizer weighs by IDF, but the IDF weights are missing' });
  if (idf.length !== f.features) throw new HogwildError('E_INPUT', { field: where, problem: `${idf.length} IDF weights for the featurizer's ${f.features} features` });
  return idf;
}

/** Each text column's range of features, [start, end). */
function textRanges(f: RowFeaturizer): Int32Array {
  const text = f.columns.filter((c) => c.role === 'text');
  const ranges = new Int32Array(2 * text.length);
  text.forEach((c, i) => { ranges[2 * i] = c.offset; ranges[2 * i + 1] = c.offset + 2 ** f.text.hashBits; });
  return ranges;
}

/**
 * The IDF weights of a featurizer's text columns, fitted on training rows encoded with counts (CSR arrays): a bucket
 * that df of the n rows reach weighs idfWeight(df, n), one no row reaches 0 (its text is left out of later rows, as a
 * word outside scikit-learn's vocabulary is); the features of other columns weigh 1. One float32 a feature.
 */
export function fitTextIdf(f: RowFeaturizer, indptr: Int32Array, indices: Int32Array): Float32Array {
  const rows = indptr.length - 1;
  const df = new Int32Array(f.features);
  // A row's indices are unique, so a feature's occurrences are the rows that have it.
  for (let k = indptr[0]; k < indptr[rows]; k++) df[indices[k]]++;
  const idf = new Float32Array(f.features).fill(1);
  const ranges = textRanges(f);
  for (let r = 0; r < ranges.length; r += 2) for (let j = ranges[r]; j < ranges[r + 1]; j++) idf[j] = idfWeight(df[j], rows);
  return idf;
}

/**
 * Finishes rows encoded with counts (encodeRowInto's `counts`) in place: each text column's buckets weighed by
 * weighCounts with `idf`, as encodeRowInto would have encoded the raw rows with it; a bucket of weight 0 is dropped,
 * the arrays compacted. Returns the non-zeros kept (indptr is updated).
 */
export function weighCountRows(f: RowFeaturizer, idf: Float32Array | null, indptr: Int32Array, indices: Int32Array, values: Float32Array): number {
  const ranges = textRanges(f);
  const weights = checkIdf(f, idf, 'idf');
  let at = indptr[0];
  for (let r = 0; r + 1 < indptr.length; r++) {
    const a = indptr[r], b = indptr[r + 1];
    indptr[r] = at;
    let k = a;
    for (let t = 0; t < ranges.length; t += 2) {
      // Other columns' features before this text column, kept as they are.
      for (; k < b && indices[k] < ranges[t]; k++, at++) { indices[at] = indices[k]; values[at] = values[k]; }
      const from = at;
      for (; k < b && indices[k] < ranges[t + 1]; k++) {
        if (weights !== null && weights[indices[k]] === 0) continue;
        indices[at] = indices[k];
        values[at++] = values[k];
      }
      weighCounts(indices, values, from, at, f.text, weights);
    }
    for (; k < b; k++, at++) { indices[at] = indices[k]; values[at] = values[k]; }
  }
  indptr[indptr.length - 1] = at;
  return at;
}

/** Rows as CSR arrays (indptr, indices, values), which weighCountRows finishes in place. */
export interface CsrRows { readonly indptr: Int32Array; readonly indices: Int32Array; readonly values: Float32Array }

/**
 * A conversion's IDF step: the weights fitted on the first of `parts` (the training rows, encoded with counts), then
 * every part finished with them in place (weighCountRows: a held-out row's buckets no training row reached are
 * dropped). Returns the weights and each part's non-zeros kept.
 */
export function fitIdfOnRows(f: RowFeaturizer, parts: readonly CsrRows[]): { idf: Float32Array; nonzeros: number[] } {
  const idf = fitTextIdf(f, parts[0].indptr, parts[0].indices);
  return { idf, nonzeros: parts.map((p) => weighCountRows(f, idf, p.indptr, p.indices, p.values)) };
}

export type { SparseRow };
