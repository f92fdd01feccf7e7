/**
 * JSON-lines tables (one JSON object a line, as pandas' to_json(orient='records', lines=True) writes them) into a
 * CellSink, streamed a line at a time. The first object's keys are the columns; a later object may leave a key out
 * (a missing cell) but not add one. Numbers are numbers, strings strings (as an Arrow string column: "3" stays text),
 * true/false the strings "true"/"false", null missing; a list or an object is refused naming its line and key.
 */
import { printable } from '@hogwild/core/internal';
import { columnIndex } from './columns.ts';
import { InputError } from './errors.ts';
import { newColumnStore, type CellSink, type ColumnStore, type SinkMaker } from './table-columns.ts';
import { textLines } from './text-lines.ts';
import type { TableOptions } from './tabular.ts';

/** Reads a JSON-lines file into a sink; a line that is not a JSON object, or holds a key line 1 has not, is one InputError `FILE:LINE: …`. */
export async function readJsonlColumns<S extends CellSink = ColumnStore>(file: string, o: TableOptions, make: SinkMaker<S> = newColumnStore as unknown as SinkMaker<S>): Promise<S> {
  let store: S | null = null;
  let at = new Map<string, number>();
  // The row that last set each column: a column not set in a row is a missing cell of it.
  let setIn = new Int32Array(0);
  let lastReport = 0;
  const progress = (done: number, total: number): void => {
    if (o.onProgress && done - lastReport >= 16 << 20) { lastReport = done; o.onProgress(done, total, 'bytes'); }
  };
  for await (const { line, n } of textLines(file, progress)) {
    if (line.trim() === '') continue;
    const where = `${file}:${n}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new InputError(where, `not JSON: ${printable((e as Error).message, 120)}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(where, `expected a JSON object {"column": value, …}, found ${Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v}`);
    const record = v as Record<string, unknown>;
    if (store === null) {
      const names = Object.keys(record);
      if (names.length === 0) throw new InputError(where, 'the first object has no keys: its keys name the columns');
      store = make(names, names.map(() => 1), o.label === undefined ? -1 : columnIndex(names, o.label, '--label', file));
      at = new Map(names.map((k, j) => [k, j]));
      setIn = new Int32Array(names.length).fill(-1);
    }
    const row = store.rows;
    store.beginRow();
    for (const k in record) {
      const j = at.get(k);
      if (j === undefined) throw new InputError(where, `key ${printable(JSON.stringify(k), 60)} is not among the columns of line 1's object (${store.names.slice(0, 6).map((x) => JSON.stringify(x)).join(', ')}${store.names.length > 6 ? ', …' : ''})`);
      setIn[j] = row;
      const x = record[k];
      if (x === null) store.missing(j);
      else if (typeof x === 'number') store.number(j, x);
      else if (typeof x === 'string') store.string(j, x);
      else if (typeof x === 'boolean') store.string(j, x ? 'true' : 'false');
      else throw new InputError(where, `key ${printable(JSON.stringify(k), 60)}: ${Array.isArray(x) ? 'a list' : 'an object'} is not a table cell`);
    }
    for (let j = 0; j < setIn.length; j++) if (setIn[j] !== row) store.missing(j);
    store.endRow();
    if (o.limit !== undefined && store.rows >= o.limit) break;
  }
  if (store === null || store.rows === 0) throw new InputError(file, 'has no rows: expected one JSON object a line');
  return store;
}
