/**
 * Parquet tables into a ColumnStore. The pages are decoded in a worker thread with a bounded heap (parquet.ts):
 * hyparquet sizes its arrays by counts inside the pages, and a damaged page could otherwise grow one until V8 aborts
 * the whole process. The worker sends one column of one row group at a time, numbers as float64 (NaN for a null) and
 * other columns as strings, so memory stays bounded too.
 */
import { checkInputFile } from './files.ts';
import { openParquetWorker } from './parquet.ts';
import { newColumnStore, type CellSink, type ColumnStore, type SinkMaker } from './table-columns.ts';
import { InputError } from './errors.ts';
import type { TableOptions } from './tabular.ts';

/**
 * Reads a Parquet file into a ColumnStore, one row group at a time through the worker (up to `limit` rows); a
 * column read neither as numbers nor as strings (a date, a struct) is marked unsupported. No rows is an InputError.
 */
export async function readParquetColumns<S extends CellSink = ColumnStore>(file: string, o: TableOptions, make: SinkMaker<S> = newColumnStore as unknown as SinkMaker<S>): Promise<S> {
  checkInputFile(file);
  const source = await openParquetWorker(file, { label: o.label });
  try {
    const { names, kinds, types, floats, labelAt, total, ranges, widths } = source.plan;
    const store = make(names, widths.map((w) => Math.max(1, w)), labelAt);
    kinds.forEach((k, j) => {
      if (k === 'unsupported') store.stats[j].unsupported = types[j];
      if (floats[j]) store.stats[j].floats = true;
      if (k === 'list') store.stats[j].list = true;
    });
    for (const [rowStart, rowEnd] of ranges) {
      const end = o.limit !== undefined ? Math.min(rowEnd, o.limit) : rowEnd;
      if (end <= rowStart) break;
      const cols: (Float64Array | (string | null)[] | null)[] = [];
      for (let j = 0; j < names.length; j++) {
        cols.push(kinds[j] === 'unsupported' ? null : kinds[j] === 'string' ? await source.strings(j, rowStart, end) : await source.numbers(j, rowStart, end, widths[j]));
      }
      for (let r = 0; r < end - rowStart; r++) {
        store.beginRow();
        for (let j = 0; j < names.length; j++) {
          const c = cols[j];
          if (c === null) continue;
          if (c instanceof Float64Array) {
            const w = Math.max(1, widths[j]);
            for (let k = 0; k < w; k++) store.number(j, c[r * w + k], k);
          } else {
            const v = c[r];
            if (v === null) store.missing(j);
            else store.string(j, v);
          }
        }
        store.endRow();
      }
      o.onProgress?.(end, total, 'rows');
      if (o.limit !== undefined && store.rows >= o.limit) break;
    }
    if (store.rows === 0) throw new InputError(file, 'the table has no rows');
    return store;
  } finally {
    await source.close();
  }
}
