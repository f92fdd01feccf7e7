/**
 * Parquet tables, read with hyparquet. This thread checks the footer (parquet-check.ts: every Thrift count against
 * its bytes), chooses the columns, and checks their page headers (counts, sizes, values per chunk); the pages are
 * decoded in a worker thread (parquet-worker.mjs) with a bounded heap and a watchdog, because damaged page *data* (a
 * flipped bit inside compressed levels) can send hyparquet round a loop or grow an array: the watchdog ends a request
 * that takes far longer than its values could, and the heap limit ends the thread (ERR_WORKER_OUT_OF_MEMORY), each
 * as a one-line error naming the file. The run lengths inside each page are checked here too (parquet-check.ts
 * checkPageRuns): hyparquet's run-length decoder does not stay inside its output, the one unbounded growth the
 * fuzzer found, which V8 aborted on before any limit could act. The worker
 * sends one column of one row group at a time, on request: numbers as float64 (NaN for a null; a list column
 * flattened, `width` items a row), other columns as strings; so this thread holds one row group's columns at most.
 */
import { Worker } from 'node:worker_threads';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, type AsyncBuffer, type FileMetaData, type SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { columnIndex } from './columns.ts';
import { decodeBudget } from './codecs.ts';
import { DataError, InputError, UsageError } from './errors.ts';
import { checkPageRuns, checkParquetFooter, walkThriftStruct } from './parquet-check.ts';

const PARQUET_NUMBERS = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE']);
const NOT_NUMBERS = new Set(['DATE', 'TIME_MILLIS', 'TIME_MICROS', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'UTF8', 'ENUM', 'JSON', 'BSON', 'INTERVAL', 'DECIMAL']);

/** How a top-level Parquet column is read: numbers, strings (booleans too), a list of numbers, or not at all (its type named). */
export type ParquetKind = 'number' | 'string' | 'list' | 'unsupported';

function leafKind(e: SchemaTree['element']): ParquetKind {
  const logical = e.logical_type?.type ?? '';
  if (e.type !== undefined && PARQUET_NUMBERS.has(e.type) && !NOT_NUMBERS.has(e.converted_type ?? '') && !['STRING', 'DATE', 'TIME', 'TIMESTAMP', 'DECIMAL'].includes(logical)) return 'number';
  if (e.type === 'BOOLEAN') return 'string';
  if (e.type === 'BYTE_ARRAY' && (e.converted_type === 'UTF8' || e.converted_type === 'ENUM' || logical === 'STRING' || logical === 'ENUM')) return 'string';
  return 'unsupported';
}

function parquetKind(node: SchemaTree): ParquetKind {
  const e = node.element;
  if (node.children.length === 0) return leafKind(e);
  if (e.converted_type === 'LIST' || e.logical_type?.type === 'LIST') {
    let leaf = node;
    while (leaf.children.length === 1) leaf = leaf.children[0];
    return leaf.children.length === 0 && leafKind(leaf.element) === 'number' ? 'list' : 'unsupported';
  }
  return 'unsupported';
}

/** The type of a column as a message names it (e.g. INT32 (DATE)). */
function typeName(node: SchemaTree): string {
  const e = node.element;
  const logical = e.logical_type?.type ?? e.converted_type;
  return node.children.length > 0 ? (logical ?? 'a group') : `${e.type}${logical ? ` (${logical})` : ''}`;
}

/** The most values one Parquet page may claim beyond what its bytes could hold bit by bit (run-length encoding packs more). */
const PAGE_VALUES = 2 ** 20;
/** The largest page, decoded. */
const MAX_PAGE_BYTES = 2 ** 28;

/**
 * Walks the page headers of the column chunks to be read, before hyparquet decodes them, and refuses a page whose
 * claims do not fit: a chunk outside the file, a page past its chunk, a page decoding to more than 256 MiB or to more
 * than the file may hold in all (codecs.ts decodeBudget), or more values than its bytes could carry. hyparquet sizes
 * its arrays by these claims, so one flipped bit could otherwise ask for gigabytes.
 */
async function checkParquetPages(buffer: AsyncBuffer, metadata: FileMetaData, columns: readonly string[], flat: readonly string[], file: string): Promise<void> {
  const fail = (problem: string): never => { throw new InputError(file, `damaged Parquet file: ${problem}`); };
  let budget = decodeBudget(buffer.byteLength);
  for (const [g, group] of metadata.row_groups.entries()) {
    for (const chunk of group.columns) {
      const md = chunk.meta_data;
      const name = md?.path_in_schema?.[0];
      if (!md || name === undefined || !columns.includes(name)) continue;
      const where = `row group ${g}, column ${JSON.stringify(name)}`;
      const start = Number(md.dictionary_page_offset ?? md.data_page_offset);
      const size = Number(md.total_compressed_size);
      if (!(Number.isSafeInteger(start) && Number.isSafeInteger(size) && start >= 4 && size > 0 && start + size <= buffer.byteLength)) {
        fail(`${where}: its chunk claims bytes ${start}–${start + size} of a ${buffer.byteLength}-byte file`);
      }
      const bytes = new Uint8Array(await buffer.slice(start, start + size));
      const reader = { view: new DataView(bytes.buffer), offset: 0 };
      const claimed = Number(md.num_values);
      // A column without lists has one value (or null) a row; hyparquet reads pages until the rows are complete.
      if (flat.includes(name) && claimed !== Number(group.num_rows)) fail(`${where}: ${claimed} values for ${group.num_rows ?? 'an unknown number of'} rows`);
      let values = 0;
      while (reader.offset < size) {
        walkThriftStruct(bytes, reader.offset, (p) => fail(`${where}: page header at byte ${start + reader.offset}: ${p}`));
        let h;
        try {
          h = parquetHeader(reader);
        } catch (e) {
          throw new InputError(file, `damaged Parquet file: ${where}: unreadable page header at byte ${start + reader.offset}`, { cause: e });
        }
        const c = h.compressed_page_size, u = h.uncompressed_page_size;
        if (!(Number.isInteger(c) && c >= 0 && reader.offset + c <= size)) fail(`${where}: ${c === undefined ? 'a page header without its compressed size' : `a page of ${c} bytes runs past its chunk`}`);
        if (!(Number.isInteger(u) && u >= 0 && u <= MAX_PAGE_BYTES && u <= budget)) fail(`${where}: ${u === undefined ? 'a page header without its decoded size' : `a page claims ${u} bytes decoded, beyond what the file may hold`}`);
        budget -= u;
        const n = Number(h.data_page_header?.num_values ?? h.data_page_header_v2?.num_values ?? h.dictionary_page_header?.num_values ?? 0);
        if (!(Number.isInteger(n) && n >= 0 && n <= Math.max(PAGE_VALUES, 8 * u + 64))) fail(`${where}: a page of ${u} bytes claims ${n} values`);
        if (h.data_page_header || h.data_page_header_v2) values += n;
        checkPageRuns(bytes.subarray(reader.offset, reader.offset + c), h, md, metadata.schema, (p) => fail(`${where}: the page at byte ${start + reader.offset}: ${p}`));
        reader.offset += c;
      }
      if (values !== claimed) fail(`${where}: its pages hold ${values} values, its chunk claims ${claimed}`);
    }
  }
}


/** What the reader learns once the file is opened: its columns and the row groups. */
export interface ParquetPlan {
  readonly names: string[];
  readonly kinds: ParquetKind[];
  /** Per column, its Parquet type (for a column that is not read). */
  readonly types: string[];
  /** Per column: whether its numbers are floats (FLOAT, DOUBLE). */
  readonly floats: boolean[];
  readonly labelAt: number;
  readonly total: number;
  /** Row groups as [rowStart, rowEnd). */
  readonly ranges: [number, number][];
  /** Per column: items a row for a list column (0 otherwise). */
  readonly widths: number[];
}

/** The decoding thread's heap limit: far above what one column of one row group needs, far below an abort. */
export const PARQUET_WORKER_HEAP_MB = 512;

type Reply = { kind: 'ready' } | { kind: 'width'; width: number } | { kind: 'numbers'; values: Float64Array } | { kind: 'strings'; values: (string | null)[] } | { kind: 'error'; message: string; cause?: unknown };

/**
 * Opens a Parquet file: the footer and the schema here (after the Thrift walk of parquet-check.ts), the columns
 * chosen, their page headers checked; then a decoding thread (parquet-worker.mjs) answers for one column of one row
 * group at a time. `close()` ends the thread.
 */
export async function openParquetWorker(file: string, o: { label?: string }): Promise<{
  plan: ParquetPlan;
  /** A number or list column of rows [start, end): float64, NaN for a null (`width` items a row for a list). */
  numbers(column: number, start: number, end: number, width: number): Promise<Float64Array>;
  /** A string column of rows [start, end) (booleans as "true"/"false"), null for a null. */
  strings(column: number, start: number, end: number): Promise<(string | null)[]>;
  close(): Promise<void>;
}> {
  const buffer = await asyncBufferFromFile(file);
  await checkParquetFooter(buffer.byteLength, (a, b) => buffer.slice(a, b) as Promise<ArrayBuffer>, (p) => { throw new InputError(file, `not a Parquet file, or a damaged one: ${p}`); });
  let metadata, tree: SchemaTree;
  try {
    metadata = await parquetMetadataAsync(buffer);
    tree = parquetSchema(metadata);
  } catch (e) {
    throw new InputError(file, 'not a Parquet file, or a damaged one: its footer metadata cannot be decoded', { cause: e });
  }
  const columns = tree.children;
  if (columns.some((c) => typeof c?.element?.name !== 'string')) throw new InputError(file, 'damaged Parquet schema: a column without a name');
  const names = columns.map((c) => c.element.name);
  const labelAt = o.label === undefined ? -1 : columnIndex(names, o.label, '--label', file);
  const kinds = columns.map(parquetKind);
  const types = columns.map(typeName);
  const floats = columns.map((_, i) => kinds[i] !== 'unsupported' && /FLOAT|DOUBLE/.test(types[i]));
  const wanted = names.filter((_, i) => kinds[i] !== 'unsupported');
  await checkParquetPages(buffer, metadata, wanted, wanted.filter((n) => columns[names.indexOf(n)].children.length === 0), file);
  let rows = 0;
  const ranges: [number, number][] = metadata.row_groups.map((g) => {
    const start = rows;
    rows += Number(g.num_rows);
    return [start, rows];
  });
  if (!Number.isSafeInteger(rows) || rows !== Number(metadata.num_rows)) throw new InputError(file, `damaged Parquet file: the row groups hold ${rows} rows, the footer says ${metadata.num_rows}`);

  const worker = new Worker(new URL('./parquet-worker.mjs', import.meta.url), {
    workerData: { file, columns: wanted },
    resourceLimits: { maxOldGenerationSizeMb: PARQUET_WORKER_HEAP_MB },
    stdout: false,
    stderr: false,
  });
  let pending: { resolve(r: Reply): void; reject(e: Error): void } | null = null;
  let dead: Error | null = null;
  let closing = false;
  const die = (e: Error): void => { dead ??= e; const p = pending; pending = null; p?.reject(dead); };
  worker.on('message', (r: Reply) => { const p = pending; pending = null; p?.resolve(r); });
  worker.on('error', (e: Error & { code?: string }) => die(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? new InputError(file, `damaged Parquet data: decoding one column of one row group needed more than ${PARQUET_WORKER_HEAP_MB} MiB`)
    : new InputError(file, 'corrupted Parquet data: the decoder failed', { cause: e })));
  worker.on('exit', () => { if (!closing) die(new InputError(file, 'corrupted Parquet data: the reader stopped')); });
  const ask = async <K extends Reply['kind']>(kind: K, request?: object, values = 0): Promise<Extract<Reply, { kind: K }>> => {
    if (dead) throw dead;
    const reply = new Promise<Reply>((resolve, reject) => { pending = { resolve, reject }; });
    if (request) worker.postMessage(request);
    // A damaged page can send hyparquet round a loop for ever: a request that takes far longer than decoding its
    // values could (at 100,000 values a second, ten times slower than it is) ends the thread.
    const limit = 10_000 + values / 100;
    const watchdog = setTimeout(() => {
      die(new InputError(file, `damaged Parquet data: decoding ${request ? 'a column of a row group' : 'the file'} did not end in ${Math.round(limit / 1000)} s`));
      void worker.terminate();
    }, limit);
    let r: Reply;
    try {
      r = await reply;
    } finally {
      clearTimeout(watchdog);
    }
    if (r.kind === 'error') throw new InputError(file, r.message, { cause: r.cause });
    if (r.kind !== kind) throw new DataError('E_INTERNAL', `parquet worker: expected ${kind}, got ${r.kind}`);
    return r as Extract<Reply, { kind: K }>;
  };
  const close = async (): Promise<void> => { closing = true; await worker.terminate(); };
  try {
    await ask('ready');
    const widths: number[] = [];
    for (let i = 0; i < names.length; i++) widths.push(kinds[i] === 'list' ? (await ask('width', { kind: 'width', column: names[i] }, ranges[0] ? ranges[0][1] - ranges[0][0] : 0)).width : 0);
    return {
      plan: { names, kinds, types, floats, labelAt, total: rows, ranges, widths },
      numbers: async (column, start, end, width) => (await ask('numbers', { kind: 'numbers', column: names[column], start, end, width }, (end - start) * Math.max(1, width))).values,
      strings: async (column, start, end) => (await ask('strings', { kind: 'strings', column: names[column], start, end }, end - start)).values,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
