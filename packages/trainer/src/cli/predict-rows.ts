/**
 * `trainer predict --csv FILE | --jsonl [FILE]`: classify rows of features (a table's rows, the way the model was
 * trained on them), each row through the library's predict(), which applies the model's standardisation. Every row
 * gets its answer or its own one-line error, and the run goes on; the exit code is 1 if any row failed.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type ColumnEncoding, type Model } from '@hogwild/core';
import { columnName, createPreprocessor, parseCell, type Cell, type Preprocessor } from '@hogwild/core/internal';
import { checkInputFile, csvRecords, printable } from '@hogwild/data/internal';
import { predict, type Prediction } from '../evaluate.ts';
import { TrainerError } from '../errors.ts';

const BATCH = 1024;

interface RowSink { row(n: number, values: Float32Array): void; error(n: number, message: string): void; end(): void }

/**
 * Buffers rows and classifies them a batch at a time; an error flushes first, so answers stay in row order.
 * `prepared`: the rows come from the model's preprocessing (scaled already).
 */
function sink(model: Model, json: boolean, source: string, prepared = false): RowSink & { failed: number } {
  const d = model.spec.layers[0];
  const buffer = new Float32Array(BATCH * d);
  const rows: number[] = [];
  const flush = (): void => {
    if (rows.length === 0) return;
    const out = predict(model, buffer.subarray(0, rows.length * d), { prepared });
    out.forEach((p, i) => printPrediction(model, json, rows[i], p));
    rows.length = 0;
  };
  const s = {
    failed: 0,
    row(n: number, values: Float32Array) {
      buffer.set(values, rows.length * d);
      rows.push(n);
      if (rows.length === BATCH) flush();
    },
    error(n: number, message: string) {
      flush();
      s.failed++;
      const text = `${source}: row ${n}: ${message}`;
      process.stderr.write(`trainer: ${printable(text, 1000)}\n`);
      if (json) process.stdout.write(JSON.stringify({ row: n, error: text }) + '\n');
    },
    end: flush,
  };
  return s;
}

/** One row's answer on stdout: `row N: class  p%  (next classes)`, or a JSON line with every probability. */
export function printPrediction(model: Model, json: boolean, row: number, p: Prediction): void {
  const label = (c: number): string => model.classes?.[c] ?? String(c);
  if (p.value !== undefined) {
    process.stdout.write(json ? JSON.stringify({ row, value: p.value }) + '\n' : `row ${row}: ${Number(p.value.toPrecision(6))}\n`);
    return;
  }
  const probability = p.probabilities[p.label];
  if (json) {
    process.stdout.write(JSON.stringify({ row, class: p.label, ...(p.name !== undefined && { name: p.name }), probability, probabilities: p.probabilities }) + '\n');
    return;
  }
  const others = p.probabilities.map((q, c) => [c, q] as const).filter(([c]) => c !== p.label).sort((a, b) => b[1] - a[1]).slice(0, 2);
  process.stdout.write(`row ${row}: ${label(p.label)}  ${(100 * probability).toFixed(1)}%  (${others.map(([c, q]) => `${label(c)} ${(100 * q).toFixed(1)}%`).join(', ')})\n`);
}

/** Parses one field as a feature, or says why not. */
function feature(text: string): number | string {
  const v = text === '' ? NaN : Number(text);
  return Number.isFinite(v) && Number.isFinite(Math.fround(v)) ? v : `${JSON.stringify(text.slice(0, 40))} is not a finite number`;
}

/**
 * What the preprocessing filled or could not place over all rows, on stderr, as `trainer eval` tells it: missing
 * numbers filled, text in numeric columns read as missing, categories not seen in training.
 */
function preprocessingNotes(pre: Preprocessor): void {
  const by = (counts: Float64Array): string => pre.columns.flatMap((c, j) => (counts[j] > 0 ? [`${columnName(c)}: ${counts[j]}`] : [])).join(', ');
  const sum = (counts: Float64Array): number => counts.reduce((a, b) => a + b, 0);
  if (sum(pre.filled) > 0) process.stderr.write(`trainer: note: filled ${sum(pre.filled)} missing numeric cell(s) with the model's training means (${by(pre.filled)})\n`);
  if (sum(pre.notNumbers) > 0) process.stderr.write(`trainer: note: ${sum(pre.notNumbers)} cell(s) of numeric columns are not numbers, filled as missing values (${by(pre.notNumbers)})\n`);
  if (sum(pre.unseen) > 0) process.stderr.write(`trainer: note: ${sum(pre.unseen)} categor${sum(pre.unseen) > 1 ? 'ies' : 'y'} not seen in training, encoded as all zeros (${by(pre.unseen)})\n`);
}

/** Raw rows of a CSV for a model of table columns: the header names them, each row goes through the model's preprocessing. */
async function predictCsvColumns(model: Model, file: string, json: boolean): Promise<number> {
  const d = model.spec.layers[0];
  const pre = createPreprocessor(model, d);
  const s = sink(model, json, file === '-' ? 'stdin' : file, true);
  const values = new Float32Array(d);
  const cells: Cell[] = new Array(pre.columns.length).fill(null);
  let at: number[] | null = null;
  let n = 0;
  for await (const record of csvRecords(file)) {
    if (at === null) {
      const missing = pre.columns.filter((c) => !record.includes(c.name)).map((c) => JSON.stringify(c.name));
      if (missing.length > 0) throw new TrainerError('E_INPUT', `${file}: the header has no column ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}, which the model reads (by name, as it was trained)`);
      at = pre.columns.map((c) => record.indexOf(c.name));
      continue;
    }
    n++;
    let problem: string | null = null;
    for (let j = 0; j < at.length; j++) {
      const text = record[at[j]];
      if (text === undefined) { problem = `${record.length} fields, the header has more: column ${JSON.stringify(pre.columns[j].name)} is missing`; break; }
      cells[j] = parseCell(text);
    }
    if (problem === null) pre.encodeRow((j) => cells[j], values, 0);
    if (problem !== null) s.error(n, problem);
    else s.row(n, values);
  }
  s.end();
  preprocessingNotes(pre);
  return s.failed;
}

/** Rows of a CSV (or stdin for "-"): by the model's feature names when a header has them all, else every column. */
export async function predictCsv(model: Model, file: string, json: boolean): Promise<number> {
  if (model.columns) return predictCsvColumns(model, file, json);
  const d = model.spec.layers[0];
  const names = model.featureNames;
  const s = sink(model, json, file === '-' ? 'stdin' : file);
  const values = new Float32Array(d);
  let columns: number[] | null = null;
  let n = 0;
  for await (const record of csvRecords(file)) {
    if (columns === null) {
      // A first row that is not all numbers is a header: it picks the model's features by name (a label column is ignored).
      const header = record.some((f) => typeof feature(f) === 'string');
      if (header && names && names.every((name) => record.includes(name))) {
        columns = names.map((name) => record.indexOf(name));
        continue;
      }
      if (record.length !== d) {
        throw new TrainerError('E_INPUT', `${file}: ${record.length} columns, but the model takes ${d} features${names ? ` (${names.slice(0, 8).join(', ')}${d > 8 ? ', …' : ''}); a header naming them picks them from any columns` : ''}`);
      }
      columns = Array.from({ length: d }, (_, j) => j);
      if (header) continue;
    }
    n++;
    let problem: string | null = null;
    for (let j = 0; j < d && problem === null; j++) {
      const text = record[columns[j]];
      if (text === undefined) { problem = `${record.length} fields, expected at least ${Math.max(...columns) + 1}`; break; }
      const v = feature(text);
      if (typeof v === 'string') problem = `column ${columns[j] + 1}${names ? ` (${names[j]})` : ''}: ${v}`;
      else values[j] = v;
    }
    if (problem !== null) s.error(n, problem);
    else s.row(n, values);
  }
  s.end();
  return s.failed;
}

/** JSON lines (or stdin for "-"): each an array of the model's features, or an object naming them. */
export async function predictJsonLines(model: Model, file: string, json: boolean): Promise<number> {
  const d = model.spec.layers[0];
  const names = model.featureNames;
  if (file !== '-') checkInputFile(file);
  const pre = model.columns ? createPreprocessor(model, d) : null;
  const cells: Cell[] = new Array(pre?.columns.length ?? 0).fill(null);
  const s = sink(model, json, file === '-' ? 'stdin' : file, pre !== null);
  const values = new Float32Array(d);
  const lines = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    n++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      s.error(n, 'not JSON');
      continue;
    }
    let problem: string | null = null;
    if (pre) {
      // A model of table columns: an object naming them, or an array of them in the model's order; the values raw
      // (numbers, strings, null for a missing value).
      // (A list column's item from its list; a boolean as the category true or false; any other array or object is refused.)
      const raw = (v: unknown, c: ColumnEncoding): Cell | undefined => {
        if (Array.isArray(v) && c.role === 'numeric' && c.item !== undefined) v = v[c.item];
        if (v === null || v === undefined) return null;
        if (typeof v === 'number') return v;
        if (typeof v === 'string') return parseCell(v);
        if (typeof v === 'boolean') return String(v);
        return undefined;
      };
      const take = (v: unknown, j: number): void => {
        const cell = raw(v, pre.columns[j]);
        if (cell === undefined) problem ??= `column ${JSON.stringify(pre.columns[j].name)}: ${Array.isArray(v) ? 'an array' : 'an object'}, expected a number, text or null`;
        else cells[j] = cell;
      };
      if (Array.isArray(parsed)) {
        if (parsed.length !== pre.columns.length) problem = `${parsed.length} values, the model takes ${pre.columns.length} (${pre.columns.slice(0, 5).map((c) => c.name).join(', ')}${pre.columns.length > 5 ? ', …' : ''})`;
        else {
          parsed.forEach((v, j) => take(v, j));
          if (problem === null) pre.encodeRow((j) => cells[j], values, 0);
        }
      } else if (parsed === null || typeof parsed !== 'object') problem = `expected an object naming the model's columns (${pre.columns.slice(0, 5).map((c) => c.name).join(', ')}${pre.columns.length > 5 ? ', …' : ''}), or an array of them`;
      else {
        const o = parsed as Record<string, unknown>;
        const absent = pre.columns.find((c) => !(c.name in o));
        if (absent) problem = `no ${JSON.stringify(absent.name)}, a column the model reads (null for a missing value)`;
        else {
          pre.columns.forEach((c, j) => take(o[c.name], j));
          if (problem === null) pre.encodeRow((j) => cells[j], values, 0);
        }
      }
    } else if (Array.isArray(parsed)) {
      if (parsed.length !== d) problem = `${parsed.length} values, the model takes ${d}`;
      else for (let j = 0; j < d && problem === null; j++) {
        const v = parsed[j];
        if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) problem = `value ${j + 1} is ${JSON.stringify(v)}, not a finite number`;
        else values[j] = v;
      }
    } else if (parsed !== null && typeof parsed === 'object') {
      if (!names) problem = 'an object, but the model has no feature names: give an array of values';
      else for (let j = 0; j < d && problem === null; j++) {
        const v = (parsed as Record<string, unknown>)[names[j]];
        if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) problem = `${JSON.stringify(names[j])} is ${v === undefined ? 'missing' : JSON.stringify(v)}, not a finite number`;
        else values[j] = v;
      }
    } else {
      problem = `expected an array of ${d} numbers${names ? ' or an object naming the features' : ''}`;
    }
    if (problem !== null) s.error(n, problem);
    else s.row(n, values);
  }
  s.end();
  if (pre) preprocessingNotes(pre);
  return s.failed;
}
