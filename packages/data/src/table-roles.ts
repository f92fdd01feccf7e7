/**
 * Each column's role, from the whole column (never its first row): numeric when every non-missing cell is a
 * number; categorical for strings and booleans with few enough distinct values; text for a column of strings with too
 * many distinct values to be categories, most of them several words (hashed into features, text-features.ts); left
 * out, with the reason, otherwise (an identifier: many distinct values of one word each). `--features` chooses the
 * columns, and may force a role (`color:categorical`, `zip:numeric`, `body:text`) or is refused with the reason.
 * selectFeatures is the one place that decides.
 */
import { MAX_ONE_HOT } from '@hogwild/core/internal';
import { columnIndex } from './columns.ts';
import { UsageError } from './errors.ts';
import type { ColumnStore } from './table-columns.ts';

/** A string column with more distinct values than this (or than half its rows) is an identifier, not a category. */
export const MAX_CATEGORIES = 100;

/** What a column is to the dataset: a numeric, categorical or text feature, the label, or left out. */
export type RoleName = 'numeric' | 'categorical' | 'text' | 'label' | 'left out';

/** The roles `--features NAME:ROLE` may force. */
export const FORCED_ROLES = ['numeric', 'categorical', 'text'] as const;
type Forced = (typeof FORCED_ROLES)[number];

/** One table column's role (selectFeatures): its index and name, the role chosen, and its count of missing cells. */
export interface ColumnRole {
  readonly column: number;
  readonly name: string;
  readonly role: RoleName;
  /** Why a column is left out. */
  readonly why?: string;
  readonly missing: number;
  /** Text columns: cells of several words, of the strings. */
  readonly wordy?: { readonly count: number; readonly of: number };
  /** Distinct non-missing values (categorical columns). */
  readonly distinct?: number;
  /** A numeric column forced (or kept by --like) with cells that are not numbers: read as missing values, named here. */
  readonly notNumbers?: { readonly count: number; readonly named: string };
  /** Its place in --features: the features follow that order (else the table's). */
  readonly rank?: number;
}

const quote = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);

/** The first few strings of a column, as a message names them: data row 2: "abc", data row 5: "x", … */
export function namedStrings(store: ColumnStore, j: number): string {
  const s = store.stats[j];
  return s.firstStrings.map((c) => `data row ${c.row}: ${quote(c.text)}`).join(', ') + (s.strings > s.firstStrings.length ? ', …' : '');
}

/**
 * Why a column cannot be read as numeric, or null: more of its cells are text than numbers (a shifted header, a swapped
 * column), where a few stray words are read as missing values. The one rule of --features NAME:numeric, --like and
 * trainer eval.
 */
export function mostlyText(store: ColumnStore, j: number): string | null {
  const s = store.stats[j];
  if (s.strings <= s.numbers) return null;
  return `${s.strings.toLocaleString('en-US')} cell${s.strings > 1 ? 's are' : ' is'} not a number (${namedStrings(store, j)}), more than the ${s.numbers.toLocaleString('en-US')} that are`;
}

/** The text cells of a column read as numeric, for its role (nothing when there are none). */
export function notNumbers(store: ColumnStore, j: number): Pick<ColumnRole, 'notNumbers'> {
  const s = store.stats[j];
  return s.strings > 0 ? { notNumbers: { count: s.strings, named: namedStrings(store, j) } } : {};
}

/** The role a column gets by itself, or left out with the reason. */
function autoRole(store: ColumnStore, j: number): { role: 'numeric' | 'categorical' | 'text' | 'left out'; why?: string } {
  const s = store.stats[j];
  if (s.unsupported !== undefined) return { role: 'left out', why: `its type ${s.unsupported} is not read as a feature` };
  if (s.numbers === 0 && s.strings === 0) return { role: 'left out', why: 'every cell is missing' };
  if (s.strings === 0) return { role: 'numeric' };
  if (s.list) return { role: 'left out', why: 'a list column of numbers and text' };
  const distinct = store.distinct(j);
  const rows = store.rows;
  // Numbers with a few stray words (a typo, "unknown"): too many values to be categories; say which cells, and how to keep it.
  if (s.numbers > s.strings && (distinct > MAX_CATEGORIES || distinct > rows / 2)) {
    return { role: 'left out', why: `${s.strings.toLocaleString('en-US')} cell${s.strings > 1 ? 's are' : ' is'} not a number among ${s.numbers.toLocaleString('en-US')} numbers (${namedStrings(store, j)}): --features ${store.names[j]}:numeric reads ${s.strings > 1 ? 'them' : 'it'} as missing` };
  }
  // Too many values to be categories: free text when most cells are several words, else an identifier or a date.
  if ((distinct > MAX_CATEGORIES || distinct > rows / 2) && s.strings > s.numbers && 2 * s.wordy > s.strings) return { role: 'text' };
  if (distinct > MAX_CATEGORIES) return { role: 'left out', why: `${distinct === Infinity ? `over ${MAX_ONE_HOT.toLocaleString('en-US')}` : distinct} distinct values: an identifier or a date, not a category (more than ${MAX_CATEGORIES}), nor text (most cells are one word)` };
  if (distinct > rows / 2) return { role: 'left out', why: `${distinct} distinct values in ${rows} rows: an identifier, not a category (more than half the rows)` };
  return { role: 'categorical' };
}

/**
 * The role of every column. `features`: the columns to use, by name or 0-based index, each optionally with a forced
 * role (`name:numeric`, `name:categorical`); every other column is then left out ("not in --features").
 */
export function selectFeatures(store: ColumnStore, features: readonly string[] | undefined, file: string): ColumnRole[] {
  const names = store.names;
  const labelAt = store.labelAt;
  const chosen = new Map<number, Forced | undefined>();
  for (const spec of features ?? []) {
    // NAME:ROLE, unless the whole spec is a column's name (a name may hold a colon).
    const m = names.includes(spec) ? null : /^(.*):([^:]*)$/.exec(spec);
    if (m && !(FORCED_ROLES as readonly string[]).includes(m[2])) throw new UsageError(`--features ${spec}: unknown role ${JSON.stringify(m[2])}; a column's role is one of ${FORCED_ROLES.join(', ')}`);
    const j = columnIndex(names, m ? m[1] : spec, '--features', file);
    if (j === labelAt) throw new UsageError(`--features: the label column ${JSON.stringify(names[labelAt])} cannot also be a feature`);
    chosen.set(j, m ? (m[2] as Forced) : undefined);
  }
  const roles = names.map((name, j): ColumnRole => {
    const s = store.stats[j];
    const base = { column: j, name, missing: s.missing, ...(chosen.has(j) && { rank: [...chosen.keys()].indexOf(j) }) };
    if (j === labelAt) return { ...base, role: 'label' };
    if (features !== undefined && !chosen.has(j)) return { ...base, role: 'left out', why: 'not in --features' };
    const forced = chosen.get(j);
    const auto = autoRole(store, j);
    const flag = `--features ${name}${forced ? `:${forced}` : ''}`;
    if (forced === 'numeric') {
      if (s.unsupported !== undefined) throw new UsageError(`${flag}: ${auto.why}`);
      if (s.numbers === 0 && s.strings === 0) throw new UsageError(`${flag}: every cell is missing`);
      // A few cells that are not numbers are missing values of a numeric column (as eval reads them), named in the
      // role table; a column mostly of text is not numeric.
      const text = mostlyText(store, j);
      if (text !== null) throw new UsageError(`${flag}: ${text}`);
      return { ...base, role: 'numeric', ...notNumbers(store, j) };
    }
    if (forced === 'categorical') {
      if (s.unsupported !== undefined || s.list) throw new UsageError(`${flag}: ${s.list ? 'a list column cannot be one-hot encoded' : auto.why}`);
      const distinct = store.distinct(j);
      if (distinct > MAX_ONE_HOT) throw new UsageError(`${flag}: over ${MAX_ONE_HOT.toLocaleString('en-US')} distinct values, more than one column may one-hot encode into; leave it out, or group its values into fewer categories first`);
      return { ...base, role: 'categorical', distinct };
    }
    if (forced === 'text') {
      if (s.unsupported !== undefined || s.list) throw new UsageError(`${flag}: ${s.list ? 'a list column is not text' : auto.why}`);
      if (s.numbers === 0 && s.strings === 0) throw new UsageError(`${flag}: every cell is missing`);
      return { ...base, role: 'text', wordy: { count: s.wordy, of: s.strings + s.numbers } };
    }
    if (auto.role === 'left out' && features !== undefined) {
      // Only a role that would be accepted is suggested.
      const canText = s.unsupported === undefined && !s.list && s.numbers + s.strings > 0;
      const canForce = canText && store.distinct(j) <= MAX_ONE_HOT;
      throw new UsageError(`${flag}: ${auto.why}${canForce ? `; ${name}:categorical forces it into one-hot categories` : ''}${canText ? `${canForce ? ', ' : '; '}${name}:text into hashed words` : ''}`);
    }
    return { ...base, ...auto, ...(auto.role === 'categorical' && { distinct: store.distinct(j) }), ...(auto.role === 'text' && { wordy: { count: s.wordy, of: s.strings + s.numbers } }) };
  });
  return roles;
}
