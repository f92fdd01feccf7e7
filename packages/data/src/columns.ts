/** Helpers the table readers share (tabular.ts, and parquet.ts in its worker thread). */
import { basename } from 'node:path';
import { UsageError } from './errors.ts';
import { printable } from '@hogwild/core/internal';

/** Resolves a column given by name or 0-based index. */
export function columnIndex(names: readonly string[], spec: string, flag: string, file: string): number {
  const byName = names.indexOf(spec);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(spec)) {
    if (Number(spec) < names.length) return Number(spec);
    throw new UsageError(`${flag} ${spec}: index out of range: ${basename(file)} has ${names.length} column${names.length === 1 ? '' : 's'} (indices 0–${names.length - 1})`);
  }
  const shown = names.length > 12 ? [...names.slice(0, 12).map((n) => JSON.stringify(n)), `… (${names.length} columns)`] : names.map((n) => JSON.stringify(n));
  throw new UsageError(`${flag} ${JSON.stringify(spec)}: ${basename(file)} has no such column; its columns are ${shown.join(', ')} (or give a 0-based index)`);
}

export const describeValue = (v: unknown): string => (v === null || v === undefined ? 'empty (a missing value; fill or drop missing values first)' : `${printable(JSON.stringify(typeof v === 'bigint' ? String(v) : v), 40)} is not a number`);

/** A value of a table cell as a feature, or undefined when it is not a number. */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}
