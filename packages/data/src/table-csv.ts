/** CSV tables (csv-parse, streamed) into a ColumnStore, every cell read as text; and the CSV records of predict. */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { printable } from '@hogwild/core/internal';
import { InputError, UsageError } from './errors.ts';
import { checkInputFile, describeFsError } from './files.ts';
import { columnIndex } from './columns.ts';
import { NAMED_CELLS, newColumnStore, type CellSink, type ColumnStore, type SinkMaker } from './table-columns.ts';
import type { TableOptions } from './tabular.ts';

/**
 * The CSV dialect of `data convert --csv` and of predict's rows (csv-parse): quotes, BOM, trimmed fields, empty lines
 * skipped, rows up to 16 MiB; the delimiter defaults to "," or a tab for .tsv files. A row ends in CRLF, LF or CR,
 * each row as it comes: csv-parse alone takes the first line end it meets for the whole file, so in a file joined from
 * several writers' output an LF-ended row ran into the next.
 */
function csvParser(file: string, delimiter?: string): ReturnType<typeof parse> {
  return parse({
    delimiter: delimiter ?? (/\.tsv$/i.test(file) ? '\t' : ','), record_delimiter: ROW_ENDS,
    bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 1 << 24,
  });
}
/** CRLF before CR, so that a CRLF is one row end and not a CR then an empty row. */
const ROW_ENDS = ['\r\n', '\n', '\r'];

/** csv-parse's own errors carry codes CSV_… (a bad quote, a record too long). */
function isCsvError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('CSV_');
}

/**
 * Reads a CSV file into a ColumnStore, streamed, every cell as text; the columns are named by the header, or by index.
 * A row with another number of fields than the first, an unparsable file or one without data rows is an InputError.
 */
export async function readCsvColumns<S extends CellSink = ColumnStore>(file: string, o: TableOptions, make: SinkMaker<S> = newColumnStore as unknown as SinkMaker<S>): Promise<S> {
  const size = checkInputFile(file);
  const header = o.header ?? true;
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  let bytes = 0, lastReport = 0;
  input.on('data', (b) => {
    bytes += b.length;
    if (o.onProgress && bytes - lastReport >= 16 << 20) { lastReport = bytes; o.onProgress(bytes, size, 'bytes'); }
  });
  const parser = input.pipe(csvParser(file, o.delimiter));
  input.on('error', (e) => parser.destroy(e));
  let store: S | null = null;
  let n = 0;
  // Rows whose number of fields is not the header's: all counted, the first few named.
  let badRows = 0;
  const firstBad: string[] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (store === null) {
        const names = header ? record.map((c, i) => c || String(i)) : record.map((_, i) => String(i));
        n = names.length;
        store = make(names, names.map(() => 1), o.label === undefined ? -1 : columnIndex(names, o.label, '--label', file));
        if (header) continue;
      }
      if (record.length !== n) {
        badRows++;
        if (firstBad.length < NAMED_CELLS) firstBad.push(`data row ${store.rows + badRows} has ${record.length}`);
        continue;
      }
      store.beginRow();
      for (let j = 0; j < n; j++) store.text(j, record[j]);
      store.endRow();
      if (o.limit !== undefined && store.rows >= o.limit) break;
    }
  } catch (e) {
    if (e instanceof InputError || e instanceof UsageError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (isCsvError(e)) throw new InputError(file, `not readable as CSV: ${printable(err.message, 200)}`);
    if (err.code !== undefined) throw new InputError(file, describeFsError(e));
    throw e;
  } finally {
    input.destroy();
  }
  if (store === null) throw new InputError(file, 'has no rows');
  if (badRows > 0) throw new InputError(file, `${badRows} data row${badRows > 1 ? 's have' : ' has'} another number of fields than the ${header ? 'header' : 'first row'}'s ${n} (${firstBad.join(', ')}${badRows > firstBad.length ? ', …' : ''})`);
  if (store.rows === 0) throw new InputError(file, 'has a header but no data rows');
  o.onProgress?.(size, size, 'bytes');
  return store;
}

/**
 * The records of a CSV file, or of stdin for "-", parsed as `data convert --csv` parses them (csv-parse: quotes, BOM,
 * trimmed fields, empty lines skipped); the delimiter defaults to "," or a tab for .tsv files.
 */
export function csvRecords(file: string, delimiter?: string): AsyncIterable<string[]> {
  if (file !== '-') checkInputFile(file);
  const input = file === '-' ? process.stdin : createReadStream(file);
  const parser = input.pipe(csvParser(file, delimiter));
  input.on('error', (e: Error) => parser.destroy(new InputError(file === '-' ? 'stdin' : file, describeFsError(e))));
  return (async function* () {
    try {
      for await (const record of parser as AsyncIterable<string[]>) yield record;
    } catch (e) {
      if (e instanceof InputError) throw e;
      if (isCsvError(e)) throw new InputError(file === '-' ? 'stdin' : file, `not readable as CSV: ${printable((e as Error).message, 200)}`);
      throw e;
    }
  })();
}
