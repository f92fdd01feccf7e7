// The Parquet decoding thread (see parquet.ts, which checks the file's footer and page headers first). Plain
// JavaScript, so it runs as it is from the sources and from dist/ (no TypeScript loader reaches worker threads in
// Node 20). Its heap is bounded by the parent: a damaged page that makes hyparquet grow an array without end ends this
// thread (ERR_WORKER_OUT_OF_MEMORY), not the process. It answers one request at a time:
//   { kind: 'width', column }                      -> { kind: 'width', width }  (items in the first row: 0 if not a list)
//   { kind: 'numbers', column, start, end, width } -> { kind: 'numbers', values: Float64Array } (transferred; NaN: null)
//   { kind: 'strings', column, start, end }         -> { kind: 'strings', values: (string | null)[] }
// and { kind: 'error', message, cause? } for a value it cannot use (the message names the row and the column) or a page
// hyparquet cannot decode (then hyparquet's error is the cause).
import { parentPort, workerData } from 'node:worker_threads';
import { asyncBufferFromFile, parquetMetadataAsync, parquetScan } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const { file, columns } = workerData;
/** A value the reader cannot use, named by row and column (anything else thrown here is damage in the file). */
class ValueError extends Error {}
const text = (v) => (typeof v === 'bigint' ? String(v) : JSON.stringify(v)).slice(0, 40);

/** A number, or NaN for a null (a missing value). */
function number(v, row, column) {
  if (v === null || v === undefined) return NaN;
  const x = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
  if (x === undefined) throw new ValueError(`row ${row}, column ${JSON.stringify(column)}: ${text(v)} is not a number`);
  return x;
}

const isList = (v) => Array.isArray(v) || ArrayBuffer.isView(v);

function numbers(data, start, end, width, column) {
  const n = end - start, w = Math.max(1, width);
  const out = new Float64Array(n * w);
  for (let r = 0; r < n; r++) {
    const v = data[r];
    if (width === 0) { out[r] = number(v, start + r + 1, column); continue; }
    if (v === null || v === undefined) { out.fill(NaN, r * w, r * w + w); continue; }
    if (!isList(v)) throw new ValueError(`row ${start + r + 1}, list column ${JSON.stringify(column)}: ${text(v)} is not a list`);
    if (v.length !== width) throw new ValueError(`row ${start + r + 1}, list column ${JSON.stringify(column)} has ${v.length} items, the first row ${width}: every row needs the same number of features`);
    for (let k = 0; k < width; k++) out[r * w + k] = number(v[k], start + r + 1, column);
  }
  return out;
}

function strings(data, start, end) {
  const out = new Array(end - start);
  for (let r = 0; r < out.length; r++) {
    const v = data[r];
    out[r] = v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);
  }
  return out;
}

const buffer = await asyncBufferFromFile(file);
const metadata = await parquetMetadataAsync(buffer);
const scan = await parquetScan({ file: buffer, metadata, compressors, columns });
// A failure of hyparquet is said in our words; its own error (the engine's TypeError, or words about hyparquet's
// internals) travels as the cause, which --debug prints.
const corrupted = (e) => ({ kind: 'error', message: 'corrupted Parquet data: a page cannot be decoded', cause: e instanceof Error ? e : String(e) });
parentPort.on('message', async (q) => {
  try {
    if (q.kind === 'width') {
      const first = scan.ranges.length > 0 ? (await scan.readColumn({ column: q.column, rowStart: scan.ranges[0].rowStart, rowEnd: scan.ranges[0].rowStart + 1 }))[0] : 0;
      parentPort.postMessage({ kind: 'width', width: isList(first) ? first.length : 0 });
      return;
    }
    const data = await scan.readColumn({ column: q.column, rowStart: q.start, rowEnd: q.end });
    if (q.kind === 'numbers') {
      const values = numbers(data, q.start, q.end, q.width, q.column);
      parentPort.postMessage({ kind: 'numbers', values }, [values.buffer]);
    } else {
      parentPort.postMessage({ kind: 'strings', values: strings(data, q.start, q.end) });
    }
  } catch (e) {
    parentPort.postMessage(e instanceof ValueError ? { kind: 'error', message: String(e.message).slice(0, 300) } : corrupted(e));
  }
});
parentPort.postMessage({ kind: 'ready' });
