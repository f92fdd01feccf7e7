/**
 * The cells of a table as they are read, column by column, before any column's role is decided: the readers (CSV,
 * Arrow, Parquet) feed every cell of every row here, and the roles come from the whole column afterwards
 * (table-roles.ts), never from its first row.
 *
 * Memory: each row's values go to fixed-size chunks of float32 (about 4 MB each), one slot per value (NaN for a
 * missing cell or a string). A full chunk that is mostly zeros keeps its other slots only (SparseChunk), so that a
 * wide table of mostly zeros is held at the size of its non-zeros, as the sparse dataset it becomes. A column that has strings also keeps a uint16 code per row into its dictionary of
 * distinct strings, until it has more than MAX_ONE_HOT of them (then it cannot be a category, and only its counts
 * are kept). So apart from the values the store holds a few small dictionaries; per cell it allocates nothing
 * beyond the parser's strings.
 */
import { MAX_ONE_HOT, booleanText, isClassCodes, parseNumber, isMissingText, type Cell, type LabelStats } from '@hogwild/core/internal';

const CHUNK_FLOATS = 1 << 20;
/** Dictionaries hold up to this many distinct values a column: one more than a category column may have. */
const DICT_CAP = MAX_ONE_HOT + 1;
/** Cells named in a message, of each kind and column. */
export const NAMED_CELLS = 3;

/**
 * A full chunk kept as the slots that are not 0 (a missing cell, NaN, is not 0), row by row: offsets[r] to
 * offsets[r + 1] index its row r's slots (ascending) and their values.
 */
interface SparseChunk {
  readonly offsets: Int32Array;
  readonly slots: Int32Array;
  readonly values: Float32Array;
}

/** Whether a slot is stored in a SparseChunk: anything but +0 (NaN, a missing cell, and -0 read back as they were). */
const stored = (v: number): boolean => v !== 0 || Object.is(v, -0);

/**
 * The chunk as a SparseChunk where that is smaller: 8 bytes a stored slot and 4 a row's offset, against 4 a slot
 * dense.
 */
function compactChunk(chunk: Float32Array, rows: number, slots: number): Float32Array | SparseChunk {
  let count = 0;
  for (let i = 0; i < chunk.length; i++) if (stored(chunk[i])) count++;
  if (8 * count + 4 * (rows + 1) >= 4 * chunk.length) return chunk;
  const offsets = new Int32Array(rows + 1), at = new Int32Array(count), values = new Float32Array(count);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * slots;
    for (let k = 0; k < slots; k++) {
      const v = chunk[base + k];
      if (stored(v)) { at[n] = k; values[n++] = v; }
    }
    offsets[r + 1] = n;
  }
  return { offsets, slots: at, values };
}

/** Slot `slot` of row `r` of a SparseChunk: its stored value, else 0. */
function sparseValue(c: SparseChunk, r: number, slot: number): number {
  let lo = c.offsets[r], hi = c.offsets[r + 1];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = c.slots[mid];
    if (s === slot) return c.values[mid];
    if (s < slot) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/** What the store learned about one column. */
export interface ColumnStats {
  readonly name: string;
  /** Values a row: 1, or k for a list column (Arrow, Parquet). */
  readonly width: number;
  /** A list column (its features are named name[k]). */
  list: boolean;
  /** Missing cells (empty, NA, N/A, NaN, null, None, ?, or a null). */
  missing: number;
  /** Cells that are numbers. */
  numbers: number;
  /** Cells that are strings (not numbers, not missing). */
  strings: number;
  /** Strings of several words (a space between two non-spaces): free text when most strings are (table-roles.ts). */
  wordy: number;
  /** The first few strings, with their 1-based data row. */
  readonly firstStrings: { row: number; text: string }[];
  /** The first few missing cells' rows. */
  readonly firstMissing: number[];
  /** A number was written as a float (a decimal point or exponent in a CSV; a float column in Arrow or Parquet). */
  floats: boolean;
  /** Some number is not whole. */
  fractional: boolean;
  /** Some number is not exactly a float32 (its slot holds it rounded). */
  inexact: boolean;
  /** The column's type in Arrow or Parquet, when it is neither numbers nor strings (a date, a struct): never a feature. */
  unsupported?: string;
}

/** A space between two non-spaces: a cell of several words. */
const SEVERAL_WORDS = /\S\s+\S/;

/** What a table reader needs to know of a column before its cells: its width, and what the file's schema says of it. */
export interface SinkColumn { readonly width: number; list: boolean; floats: boolean; unsupported?: string }

/**
 * Where a table reader (CSV, Arrow, Parquet) feeds its cells, row by row: a ColumnStore (every column whole, for the
 * roles), or a row encoder that turns each row into features as it is read (table-sparse.ts).
 */
export interface CellSink {
  readonly names: readonly string[];
  readonly stats: readonly SinkColumn[];
  readonly rows: number;
  beginRow(): void;
  endRow(): void;
  /** A text cell (CSV): missing, a number or a string. */
  text(j: number, text: string): void;
  /** A number cell (NaN is missing); `item` of a list column. */
  number(j: number, v: number, item?: number): void;
  /** A string cell (never a number). */
  string(j: number, text: string): void;
  missing(j: number): void;
}

/** Makes a reader's sink once the columns are known. */
export type SinkMaker<S extends CellSink> = (names: readonly string[], widths: readonly number[], labelAt: number) => S;

/** The default sink: a ColumnStore. */
export const newColumnStore: SinkMaker<ColumnStore> = (names, widths, labelAt) => new ColumnStore(names, widths, labelAt);

/** A column's distinct values, while there are at most DICT_CAP of them (null after). */
interface Dict {
  strings: Map<string, number> | null;
  /** The distinct numbers, by their float32 value, each with the text of the float64 first read (its category name). */
  numbers: Map<number, string> | null;
  stringList: string[];
  codes: Uint16Array | null;
}

/**
 * Every cell of a table, as a reader feeds it row by row (beginRow, a call per cell, endRow): values in float32
 * chunks of chunkRows rows, per column its stats and, while small enough, its dictionary of distinct values.
 */
export class ColumnStore implements CellSink {
  /** Value slots a row (the sum of the widths). */
  readonly slots: number;
  /** First slot of each column. */
  readonly slotOf: Int32Array;
  readonly stats: ColumnStats[];
  private readonly dicts: Dict[];
  readonly chunkRows: number;
  private readonly chunks: (Float32Array | SparseChunk | null)[] = [];
  private chunk: Float32Array;
  private base = 0;
  rows = 0;
  /** The label column, read as float64 (exact for any label) beside its slot. */
  private labelValues = new Float64Array(1024);

  constructor(readonly names: readonly string[], widths: readonly number[], readonly labelAt: number) {
    this.slotOf = new Int32Array(names.length);
    let slots = 0;
    names.forEach((_, j) => { this.slotOf[j] = slots; slots += widths[j]; });
    this.slots = slots;
    this.stats = names.map((name, j) => ({ name, width: widths[j], list: false, missing: 0, numbers: 0, strings: 0, wordy: 0, firstStrings: [], firstMissing: [], floats: false, fractional: false, inexact: false }));
    this.dicts = names.map(() => ({ strings: new Map(), numbers: new Map(), stringList: [], codes: null }));
    this.chunkRows = Math.max(1, Math.floor(CHUNK_FLOATS / Math.max(1, slots)));
    this.chunk = new Float32Array(this.chunkRows * slots);
    this.chunks.push(this.chunk);
  }

  /** Starts a row: its cells follow, every column once (a column not given stays missing). */
  beginRow(): void {
    const inChunk = this.rows % this.chunkRows;
    if (inChunk === 0 && this.rows > 0) {
      this.chunks[this.chunks.length - 1] = compactChunk(this.chunk, this.chunkRows, this.slots);
      this.chunk = new Float32Array(this.chunkRows * this.slots);
      this.chunks.push(this.chunk);
    }
    this.base = inChunk * this.slots;
    this.chunk.fill(NaN, this.base, this.base + this.slots);
    if (this.rows === this.labelValues.length) {
      const grown = new Float64Array(this.rows * 2);
      grown.set(this.labelValues);
      this.labelValues = grown;
    }
    this.labelValues[this.rows] = NaN;
  }

  /** Ends the row begun by beginRow: it now counts in `rows`. */
  endRow(): void {
    this.rows++;
  }

  /** A text cell (CSV): missing, a number or a string. */
  text(j: number, text: string): void {
    if (isMissingText(text)) return this.missing(j);
    const v = parseNumber(text);
    if (v !== v) return this.string(j, booleanText(text) ?? text);
    if (j === this.labelAt && !this.stats[j].floats && /[.eE]/.test(text)) this.stats[j].floats = true;
    this.number(j, v);
  }

  /** A number cell (NaN is missing). */
  number(j: number, v: number, item = 0): void {
    if (v !== v) return this.missing(j);
    const f = Math.fround(v);
    // A number beyond float32 (1e39) cannot be a feature: it counts as text, so the column is not numeric.
    if (f - f !== 0) return this.string(j, String(v));
    const s = this.stats[j];
    s.numbers++;
    if (!s.fractional && !Number.isInteger(v)) s.fractional = true;
    if (f !== v) s.inexact = true;
    this.chunk[this.base + this.slotOf[j] + item] = f;
    if (j === this.labelAt) this.labelValues[this.rows] = v;
    const d = this.dicts[j];
    if (d.numbers !== null && !d.numbers.has(f)) {
      if (d.numbers.size >= DICT_CAP) d.numbers = null;
      else d.numbers.set(f, String(v));
    }
  }

  /** A string cell (never a number, even if it reads as one: an Arrow or Parquet string column). */
  string(j: number, text: string): void {
    const s = this.stats[j];
    s.strings++;
    if (SEVERAL_WORDS.test(text)) s.wordy++;
    if (s.firstStrings.length < NAMED_CELLS) s.firstStrings.push({ row: this.rows + 1, text });
    const d = this.dicts[j];
    if (d.strings === null) return;
    let code = d.strings.get(text);
    if (code === undefined) {
      if (d.strings.size >= DICT_CAP) {
        d.strings = null;
        d.codes = null;
        d.stringList = [];
        return;
      }
      code = d.strings.size + 1;
      d.strings.set(text, code);
      d.stringList.push(text);
    }
    if (d.codes === null) d.codes = new Uint16Array(Math.max(1024, this.rows + 1));
    else if (this.rows >= d.codes.length) {
      const grown = new Uint16Array(Math.max(this.rows + 1, d.codes.length * 2));
      grown.set(d.codes);
      d.codes = grown;
    }
    d.codes[this.rows] = code;
  }

  /** A missing cell of column j: counted, and its row kept if among the first few (the value slot stays NaN). */
  missing(j: number): void {
    const s = this.stats[j];
    s.missing++;
    if (s.firstMissing.length < NAMED_CELLS) s.firstMissing.push(this.rows + 1);
  }

  /** What column j holds as a label, for choosing the task (core chooseTask). */
  labelStats(j: number): LabelStats {
    const s = this.stats[j];
    const numbers = this.dicts[j].numbers;
    const codes = numbers !== null && s.strings === 0 && isClassCodes(numbers.keys());
    return { numeric: s.strings === 0, fractional: s.fractional, floats: s.floats, distinct: this.distinct(j), codes };
  }

  /** Distinct non-missing values of column j, or Infinity past the dictionaries' cap. */
  distinct(j: number): number {
    const d = this.dicts[j];
    if (d.strings === null || d.numbers === null) return Infinity;
    return d.strings.size + d.numbers.size;
  }

  /** Value k of column j in row r (NaN when missing or a string). */
  value(j: number, r: number, k = 0): number {
    const c = this.chunks[Math.floor(r / this.chunkRows)]!;
    const inChunk = r % this.chunkRows;
    return c instanceof Float32Array ? c[inChunk * this.slots + this.slotOf[j] + k] : sparseValue(c, inChunk, this.slotOf[j] + k);
  }

  /**
   * Value k of column j in row r as an encoder takes a numeric column's cell: the number, else the text of a stray
   * word (read as a missing value, and counted apart), else null for a missing cell.
   */
  numberCell(j: number, r: number, k = 0): Cell {
    const v = this.value(j, r, k);
    if (v === v) return v;
    const s = this.stats[j];
    return s.strings > 0 && !s.list ? this.key(j, r) : null;
  }

  /** The label of row r as a number (exact), or NaN. */
  labelNumber(r: number): number {
    return this.labelValues[r];
  }

  /**
   * The category key of column j in row r: a string as it is, a number by the text of its float64 (categoryKey in
   * preprocess.ts writes the same), or null when missing. Needs the column's dictionaries (distinct(j) finite).
   */
  key(j: number, r: number): string | null {
    const d = this.dicts[j];
    const code = d.codes !== null && r < d.codes.length ? d.codes[r] : 0;
    if (code > 0) return d.stringList[code - 1];
    const v = this.value(j, r);
    return v === v ? d.numbers!.get(v)! : null;
  }

  /** Frees the values of chunk number `chunk` (once every row of it has been used). */
  release(chunk: number): void {
    this.chunks[chunk] = null;
  }

  /** Bytes the values take now (the chunks not released, each dense or compacted). */
  get valueBytes(): number {
    let n = 0;
    for (const c of this.chunks) if (c) n += c instanceof Float32Array ? c.byteLength : c.offsets.byteLength + c.slots.byteLength + c.values.byteLength;
    return n;
  }

  /** The value chunks allocated so far, released ones included (chunk c holds rows c × chunkRows onwards). */
  get chunkCount(): number {
    return this.chunks.length;
  }
}
