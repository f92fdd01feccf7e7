/**
 * Text features inside the model: one featurizer turns raw text into a sparse vector (indices sorted ascending and
 * unique, float32 values), the same here and in python/hogwild_torch.py (encode_text), so that training, `trainer
 * eval/predict`, `predict()`, the browser page and the PyTorch loader all read a text alike. docs/text-features.md
 * has the rule in full and the measurement that chose the defaults.
 *
 * 1. The text is normalised to NFKC, then lower-cased (String.prototype.toLowerCase: full Unicode case mapping).
 * 2. Tokens, scanning left to right by code point (general categories of Unicode):
 *    - a word: a letter or digit (L*, N*) then any run of letters, digits and marks (M*): `café`, `naïve`, `100`,
 *      `x2`; anything else ends it (`don't` is `don`, `'`, `t`; `a.b@c.com` is `a`, `.`, `b`, `@`, `c`, `.`, `com`);
 *    - one letter or digit of the unspaced scripts (kana and CJK ideographs, TEXT_SINGLE_RANGES) and the marks after
 *      it: `東京` is `東`, `京`;
 *    - one symbol or punctuation character (S*, P*: `$`, `€`, `+`, `!`, `.`, `'`, `-`, `_`, emoji) and the marks
 *      after it (`❤️` is one token; `!!!` three);
 *    - everything else (spaces, controls, format characters, a mark with nothing before it) separates tokens.
 * 3. A token's hash is MurmurHash3 x86 32-bit, seed 0, of its UTF-8 bytes; its bucket is `hash & (2^hashBits − 1)`.
 * 4. Word n-grams, n = 2..ngrams, of consecutive tokens t1..tn, from the tokens' hashes without their text:
 *    `g = h(t1); g = (g · 0x9E3779B1 + h(tk)) mod 2^32` for k = 2..n, bucket `fmix32(g XOR n) & (2^hashBits − 1)`
 *    (fmix32: MurmurHash3's finaliser).
 * 5. Each bucket's count c (a token or n-gram in it, collisions summed) is weighted: binary 1, count c, log ln(1 + c);
 *    with idf (version 2), times the bucket's IDF weight, fitted on the training texts (fitTextIdf) and stored beside
 *    the featurizer: a bucket no training text reached weighs 0 and is left out; then with normalize 'l2' divided by
 *    the Euclidean norm of the row (summed in index order), then rounded to float32.
 *
 * The two sides agree for every character that both Unicode versions know (Python 3.11's unicodedata is 14.0, Node's
 * ICU newer): a letter added since is a word character here and a separator there.
 */
import { HogwildError, type ErrorCode } from './errors.ts';
import { shownValue } from './printable.ts';

/** How text becomes features: a plain JSON object, stored in a model file and in a dataset's metadata. */
export interface TextFeaturizer {
  /** This featurizer: hashed words and word n-grams. */
  readonly kind: 'hashed-text';
  /** The rule of this file's doc comment: 2 adds `idf` (a version-1 featurizer, read from an older file, has none). */
  readonly version: 1 | 2;
  /** 2^hashBits buckets: the feature count of one text column. */
  readonly hashBits: number;
  /** Word n-grams 1..ngrams (1: words only). */
  readonly ngrams: number;
  /** Always true in version 1: written down so that a reader sees it. */
  readonly lowercase: true;
  /** A bucket's value from its count c: binary 1, count c, log ln(1 + c). */
  readonly weighting: TextWeighting;
  /** 'l2': each row (each text column) divided by its Euclidean norm; 'none': as weighted. */
  readonly normalize: TextNormalization;
  /**
   * Version 2: whether each bucket's weight is multiplied by its IDF weight, ln((1 + n) / (1 + df)) + 1 over the n
   * training texts, df of which reach the bucket (scikit-learn's smooth IDF). The weights are data, not settings:
   * they travel beside the featurizer (a model's `featurizer.idf` tensor, a dataset's `hogwild.idf` metadata).
   */
  readonly idf?: boolean;
}

/** A bucket's value from its count c: binary 1, count c, log ln(1 + c). */
export type TextWeighting = 'binary' | 'count' | 'log';
/** 'l2': a row divided by its Euclidean norm; 'none': as weighted. */
export type TextNormalization = 'l2' | 'none';

/** A sparse row: indices ascending and unique, with their values. */
export interface SparseRow {
  /** Feature indices, ascending, each once. */
  readonly indices: Int32Array;
  /** The value of each index. */
  readonly values: Float32Array;
}

/** The weightings a featurizer may name. */
export const TEXT_WEIGHTINGS: readonly TextWeighting[] = ['binary', 'count', 'log'];
/** The normalisations a featurizer may name. */
export const TEXT_NORMALIZATIONS: readonly TextNormalization[] = ['l2', 'none'];
/** Buckets up to 2^30, so that a column's offset plus its bucket still fits an int32 index. */
export const TEXT_MAX_HASH_BITS = 30;
/** The longest word n-grams. */
export const TEXT_MAX_NGRAMS = 5;

/**
 * The defaults: log(1 + count) weights times IDF, normalised to unit length, 2^20 buckets, words and pairs of words.
 * Pairs and IDF were chosen on a real corpus of short texts, where both gained most; IDF costs long emails a little
 * (docs/text-features.md#measurement-behind-the-defaults).
 */
export const DEFAULT_TEXT_FEATURIZER: TextFeaturizer = Object.freeze({
  kind: 'hashed-text', version: 2, hashBits: 20, ngrams: 2, lowercase: true, weighting: 'log', normalize: 'l2', idf: true,
});

/**
 * Code point ranges whose letters and digits are each a token (kana, CJK ideographs: scripts written without spaces).
 * Fixed ranges rather than a script property, because Python's unicodedata has none.
 */
export const TEXT_SINGLE_RANGES: readonly (readonly [number, number])[] = [
  [0x3040, 0x30ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0x20000, 0x3134f],
];

/** The default featurizer with some settings changed, validated. */
export function textFeaturizer(options: Partial<Pick<TextFeaturizer, 'hashBits' | 'ngrams' | 'weighting' | 'normalize' | 'idf'>> = {}): TextFeaturizer {
  return validateTextFeaturizer({ ...DEFAULT_TEXT_FEATURIZER, ...options });
}

/**
 * `value` as a TextFeaturizer (a JSON text or an object, from a model file, a dataset or options), or a
 * HogwildError with `code` naming `${field}.setting` and what is wrong.
 */
export function validateTextFeaturizer(value: unknown, field = 'featurizer', code: ErrorCode = 'E_USAGE'): TextFeaturizer {
  const fail = (name: string, problem: string): never => { throw new HogwildError(code, { field: name, problem }); };
  let v = value;
  if (typeof value === 'string') {
    try { v = JSON.parse(value); } catch { fail(field, `expected a JSON object, found ${JSON.stringify(value.slice(0, 40))}`); }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(field, `expected an object, found ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  const o = v as Record<string, unknown>;
  if (o.kind !== 'hashed-text') fail(`${field}.kind`, `expected "hashed-text", found ${shownValue(o.kind)}`);
  if (o.version !== 1 && o.version !== 2) fail(`${field}.version`, `expected 1 or 2 (the versions this hogwild reads), found ${shownValue(o.version)}`);
  const integer = (name: string, max: number): number => {
    const x = o[name];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > max) fail(`${field}.${name}`, `expected an integer in [1, ${max}], found ${shownValue(x)}`);
    return x as number;
  };
  const hashBits = integer('hashBits', TEXT_MAX_HASH_BITS), ngrams = integer('ngrams', TEXT_MAX_NGRAMS);
  if (o.lowercase !== true) fail(`${field}.lowercase`, `expected true (version 1 always lower-cases), found ${shownValue(o.lowercase)}`);
  if (!TEXT_WEIGHTINGS.includes(o.weighting as TextWeighting)) fail(`${field}.weighting`, `expected one of ${TEXT_WEIGHTINGS.join(', ')}, found ${shownValue(o.weighting)}`);
  if (!TEXT_NORMALIZATIONS.includes(o.normalize as TextNormalization)) fail(`${field}.normalize`, `expected one of ${TEXT_NORMALIZATIONS.join(', ')}, found ${shownValue(o.normalize)}`);
  const settings = { kind: 'hashed-text', hashBits, ngrams, lowercase: true, weighting: o.weighting as TextWeighting, normalize: o.normalize as TextNormalization } as const;
  if (o.version === 1) {
    if (o.idf !== undefined) fail(`${field}.idf`, 'is version 2\'s: a version-1 featurizer has none');
    return { ...settings, version: 1 };
  }
  if (typeof o.idf !== 'boolean') fail(`${field}.idf`, `expected true or false, found ${shownValue(o.idf)}`);
  return { ...settings, version: 2, idf: o.idf as boolean };
}

/** The IDF weight of a bucket that `df` of `n` training texts reach: ln((1 + n) / (1 + df)) + 1, as float32; 0 when df is 0. */
export function idfWeight(df: number, n: number): number {
  return df === 0 ? 0 : Math.fround(Math.log((1 + n) / (1 + df)) + 1);
}

/** A bucket's weight from its count c before IDF and normalisation: 1, c or ln(1 + c). */
function countWeight(c: number, weighting: TextWeighting): number {
  return weighting === 'binary' ? 1 : weighting === 'count' ? c : Math.log1p(c);
}

/**
 * Weighs one text's buckets in place: values[from, to) hold each bucket's count on entry and its feature on return
 * (countWeight, times idf[index] when given, then divided by the l2 norm of them all). Each value is computed in
 * float64 from its count and stored once, so a Float32Array (a dataset's rows) and a Float64Array (a SparseRowBuilder,
 * rounded later) end with the same float32. The one rule for both encodeTextInto and weighCountRows.
 */
export function weighCounts(indices: Int32Array, values: Float32Array | Float64Array, from: number, to: number, featurizer: TextFeaturizer, idf: Float32Array | null): void {
  const weighting = featurizer.weighting;
  let sum = 0;
  for (let k = from; k < to; k++) {
    const w = countWeight(values[k]!, weighting) * (idf === null ? 1 : idf[indices[k]!]!);
    sum += w * w;
  }
  // A division, not a product by 1/norm: as the Python side rounds.
  const norm = featurizer.normalize === 'l2' && sum > 0 ? Math.sqrt(sum) : 1;
  for (let k = from; k < to; k++) values[k] = countWeight(values[k]!, weighting) * (idf === null ? 1 : idf[indices[k]!]!) / norm;
}


/** The feature count of one text column: 2^hashBits. */
export function textFeatureCount(featurizer: TextFeaturizer): number {
  return 2 ** featurizer.hashBits;
}

// ---- MurmurHash3 x86 32-bit ----

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixTail(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return h ^ Math.imul(k, 0x1b873593);
}

/** MurmurHash3 x86 32-bit of bytes (Austin Appleby's reference), as an unsigned integer. */
export function murmur3(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const n = bytes.length, end = n & ~3;
  for (let i = 0; i < end; i += 4) h = mixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  let k = 0;
  for (let i = n - 1; i >= end; i--) k = (k << 8) | bytes[i]!;
  if (n & 3) h = mixTail(h, k);
  return fmix32(h ^ n);
}

/** MurmurHash3 (seed 0) of the UTF-8 bytes of text[start, end), without encoding it (local state: no allocation). */
function hashRange(text: string, start: number, end: number): number {
  let h = 0, k = 0, shift = 0, length = 0;
  for (let i = start; i < end;) {
    const cp = text.codePointAt(i)!;
    // The code point's UTF-8 bytes, packed first byte lowest, and their count.
    let bytes: number, n: number;
    if (cp < 0x80) { bytes = cp; n = 1; i++; }
    else if (cp < 0x800) { bytes = (0xc0 | (cp >> 6)) | ((0x80 | (cp & 63)) << 8); n = 2; i++; }
    else if (cp < 0x10000) { bytes = (0xe0 | (cp >> 12)) | ((0x80 | ((cp >> 6) & 63)) << 8) | ((0x80 | (cp & 63)) << 16); n = 3; i++; }
    else { bytes = (0xf0 | (cp >> 18)) | ((0x80 | ((cp >> 12) & 63)) << 8) | ((0x80 | ((cp >> 6) & 63)) << 16) | ((0x80 | (cp & 63)) << 24); n = 4; i += 2; }
    length += n;
    for (; n > 0; n--) {
      k |= (bytes & 255) << shift;
      bytes >>>= 8;
      shift += 8;
      if (shift === 32) { h = mixBlock(h, k); k = 0; shift = 0; }
    }
  }
  if (shift > 0) h = mixTail(h, k);
  return fmix32(h ^ length);
}

/** A token's hash: MurmurHash3 x86 32-bit, seed 0, of its UTF-8 bytes (its bucket is the low hashBits bits). */
export function hashToken(token: string): number {
  return hashRange(token, 0, token.length);
}

/** The bucket of the n-gram whose tokens have these hashes (n ≥ 2), as encodeText computes it. */
export function ngramBucket(tokenHashes: ArrayLike<number>, hashBits: number): number {
  let g = tokenHashes[0]! | 0;
  for (let k = 1; k < tokenHashes.length; k++) g = (Math.imul(g, 0x9e3779b1) + tokenHashes[k]!) | 0;
  return (fmix32(g ^ tokenHashes.length) & bucketMask(hashBits)) >>> 0;
}

function bucketMask(hashBits: number): number {
  return (1 << hashBits) - 1;
}

// ---- The tokeniser ----

const OTHER = 0, WORD = 1, MARK = 2, SINGLE = 3, SYMBOL = 4;
let classTable: Uint8Array | undefined;

/**
 * Each code point's class, built once (about 0.1 s) from the regular expressions' Unicode categories. Planes 4 to 13
 * hold no character and 15 and 16 only private use: they stay OTHER without being scanned.
 */
function classes(): Uint8Array {
  if (classTable) return classTable;
  const table = new Uint8Array(0x110000);
  const letter = /^[\p{L}\p{N}]$/u, mark = /^\p{M}$/u, symbol = /^[\p{S}\p{P}]$/u;
  const scan = (from: number, to: number): void => {
    for (let cp = from; cp <= to; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (letter.test(c)) table[cp] = TEXT_SINGLE_RANGES.some(([a, b]) => cp >= a && cp <= b) ? SINGLE : WORD;
      else if (mark.test(c)) table[cp] = MARK;
      else if (symbol.test(c)) table[cp] = SYMBOL;
    }
  };
  scan(0, 0x3ffff);
  scan(0xe0000, 0xeffff);
  classTable = table;
  return table;
}

/**
 * Calls `token(start, end)` for each token of `text` (already normalised and lower-cased), by UTF-16 offsets.
 * Returns the token count.
 */
function scanTokens(text: string, token: (start: number, end: number) => void): number {
  const table = classes();
  const n = text.length;
  let count = 0;
  for (let i = 0; i < n;) {
    const cp = text.codePointAt(i)!;
    const c = table[cp]!;
    const start = i;
    i += cp > 0xffff ? 2 : 1;
    if (c === OTHER || c === MARK) continue;
    // A word goes on through letters, digits and marks; a single character or a symbol (or punctuation) takes only the
    // marks after it.
    const more = c === WORD ? WORD : MARK;
    while (i < n) {
      const next = text.codePointAt(i)!;
      const d = table[next]!;
      if (d !== MARK && d !== more) break;
      i += next > 0xffff ? 2 : 1;
    }
    token(start, i);
    count++;
  }
  return count;
}

/** The text as the featurizer reads it: NFKC, then lower-cased. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** A text's tokens (normalizeText, then the rule of this file's doc comment): for reading and tests, not a hot loop. */
export function textTokens(text: string): string[] {
  const t = normalizeText(text);
  const out: string[] = [];
  scanTokens(t, (a, b) => { out.push(t.slice(a, b)); });
  return out;
}

// ---- The encoder ----

// Buffers reused by every call (grown, never shrunk): token hashes, and the buckets of one text before sorting.
let tokenHashes = new Int32Array(1024);
let buckets = new Int32Array(4096);
let tokenCount = 0;
let scanned = '';
const collectHash = (start: number, end: number): void => {
  if (tokenCount === tokenHashes.length) {
    const grown = new Int32Array(tokenHashes.length * 2);
    grown.set(tokenHashes);
    tokenHashes = grown;
  }
  tokenHashes[tokenCount++] = hashRange(scanned, start, end);
};

/**
 * Appends the features of `text` to `builder` at `offset + bucket` (its buckets sorted ascending, each once), for a
 * row made of several columns: a text column takes 2^hashBits features from its offset. The text is weighted and
 * normalised on its own (weighCounts), with `idf` (one weight a feature of the row, by index) when the featurizer
 * weighs by IDF; a bucket whose IDF weight is 0 is left out. `counts`: each bucket's count instead, unweighted, for a
 * conversion that fits the IDF weights on the rows first (weighCountRows finishes them). Allocates nothing per token.
 */
export function encodeTextInto(text: string, featurizer: TextFeaturizer, offset: number, builder: SparseRowBuilder, idf: Float32Array | null = null, counts = false): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + 2 ** featurizer.hashBits > 2 ** 31) {
    throw new HogwildError('E_USAGE', { field: 'offset', problem: `expected an integer ≥ 0 with offset + 2^${featurizer.hashBits} ≤ 2^31 (int32 indices), found ${offset}` });
  }
  if (!counts && featurizer.idf === true && !(idf instanceof Float32Array && idf.length >= offset + 2 ** featurizer.hashBits)) {
    throw new HogwildError('E_USAGE', { field: 'idf', problem: `the text featurizer weighs by IDF: expected a Float32Array of weights covering features ${offset} to ${offset + 2 ** featurizer.hashBits - 1}, found ${idf instanceof Float32Array ? `${idf.length} weights` : String(idf)}` });
  }
  const weights = counts || featurizer.idf !== true ? null : idf;
  scanned = normalizeText(text);
  tokenCount = 0;
  scanTokens(scanned, collectHash);
  scanned = '';
  const t = tokenCount, n = featurizer.ngrams, mask = bucketMask(featurizer.hashBits);
  const most = t * Math.min(n, Math.max(t, 1));
  if (buckets.length < most) buckets = new Int32Array(Math.max(most, buckets.length * 2));
  let m = 0;
  for (let i = 0; i < t; i++) {
    let g = tokenHashes[i]!;
    buckets[m++] = g & mask;
    const last = Math.min(n, t - i);
    for (let k = 1; k < last; k++) {
      g = (Math.imul(g, 0x9e3779b1) + tokenHashes[i + k]!) | 0;
      buckets[m++] = fmix32(g ^ (k + 1)) & mask;
    }
  }
  if (m === 0) return;
  buckets.subarray(0, m).sort();
  // Runs of equal buckets become (bucket, count) in the builder, then are weighed in place there.
  const from = builder.length;
  for (let i = 0; i < m;) {
    const b = buckets[i]!;
    let j = i + 1;
    while (j < m && buckets[j] === b) j++;
    if (weights === null || weights[offset + b] !== 0) builder.push(offset + b, j - i);
    i = j;
  }
  if (!counts) weighCounts(builder.indices, builder.values, from, builder.length, featurizer, weights);
}

/** The features of one text: a fresh SparseRow (indices ascending and unique, float32 values); `idf` as encodeTextInto's. */
export function encodeText(text: string, featurizer: TextFeaturizer, idf: Float32Array | null = null): SparseRow {
  const builder = shared;
  builder.reset();
  encodeTextInto(text, featurizer, 0, builder, idf);
  return builder.toRow();
}

/**
 * A sparse row under construction, reused from row to row: `reset()`, then `push` or encodeTextInto for each column,
 * then `toRow()` (a copy) or read `indices`/`values` up to `length` in place.
 */
export class SparseRowBuilder {
  /** The indices pushed so far (the first `length`); the array is replaced when it grows. */
  indices: Int32Array;
  /** Float64 until toRow rounds them, so that a normalised value is rounded once, as the Python side does. */
  values: Float64Array;
  /** How many (index, value) pairs the row holds. */
  length = 0;
  #ascending = true;

  /** Room for `capacity` pairs before the first growth. */
  constructor(capacity = 1024) {
    this.indices = new Int32Array(Math.max(1, capacity));
    this.values = new Float64Array(Math.max(1, capacity));
  }

  /** Empties the row, keeping its buffers. */
  reset(): void {
    this.length = 0;
    this.#ascending = true;
  }

  /** Appends one feature (in ascending order, or toRow sorts). */
  push(index: number, value: number): void {
    if (this.length === this.indices.length) {
      const indices = new Int32Array(this.length * 2), values = new Float64Array(this.length * 2);
      indices.set(this.indices);
      values.set(this.values);
      this.indices = indices;
      this.values = values;
    }
    if (this.length > 0 && index <= this.indices[this.length - 1]!) this.#ascending = false;
    this.indices[this.length] = index;
    this.values[this.length++] = value;
  }

  /** The row so far as a SparseRow (copies): sorted by index with duplicates summed if pushes were out of order. */
  toRow(): SparseRow {
    const n = this.length;
    if (this.#ascending) return { indices: this.indices.slice(0, n), values: Float32Array.from(this.values.subarray(0, n)) };
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.indices[a]! - this.indices[b]!);
    const indices: number[] = [], values: number[] = [];
    for (const i of order) {
      const at = indices.length - 1;
      if (at >= 0 && indices[at] === this.indices[i]) values[at]! += this.values[i]!;
      else { indices.push(this.indices[i]!); values.push(this.values[i]!); }
    }
    return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
  }
}

const shared = new SparseRowBuilder();
