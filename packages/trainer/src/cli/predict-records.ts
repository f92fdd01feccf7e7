/**
 * `trainer predict --csv/--jsonl/--text` for a model with a row featurizer (a text model): each raw record (a CSV
 * row by its header, a JSON object naming the columns or a JSON string, a plain text) goes through core encodeRow
 * into the model, one at a time (core's predictor reads the sparse row: its cost grows with the words, not the
 * buckets). Every row gets its answer or its own one-line error, and the run goes on.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Model } from '@hogwild/core';
import { createPredictor, type RowFeaturizer, type RowInput } from '@hogwild/core/infer';
import { HogwildError, type Cell } from '@hogwild/core/internal';
import { checkInputFile, csvRecords, printable } from '@hogwild/data/internal';
import { TrainerError } from '../errors.ts';
import { featurizerOf, headerColumns } from '../record-rows.ts';
import { printPrediction } from './predict-rows.ts';

/** Answers records one at a time, in order; a record's error is printed on its own line. Returns the failures. */
function answerer(model: Model, json: boolean, source: string) {
  const predictor = createPredictor(model);
  const s = {
    failed: 0,
    record(n: number, r: RowInput | string): void {
      let p;
      try {
        p = predictor.predictRecord(r);
      } catch (e) {
        if (!(e instanceof HogwildError) || e.kind === 'internal') throw e;
        return s.error(n, e.message);
      }
      printPrediction(model, json, n, p);
    },
    error(n: number, message: string): void {
      s.failed++;
      const text = `${source}: row ${n}: ${message}`;
      process.stderr.write(`trainer: ${printable(text, 1000)}\n`);
      if (json) process.stdout.write(JSON.stringify({ row: n, error: text }) + '\n');
    },
  };
  return s;
}

/** A CSV's rows (or stdin for "-"): the header names the model's columns, each row a record of raw cells. */
export async function predictRecordsCsv(model: Model, file: string, json: boolean): Promise<number> {
  const f = featurizerOf(model, file);
  const s = answerer(model, json, file === '-' ? 'stdin' : file);
  const cells = new Map<string, Cell>();
  let at: number[] | null = null;
  let n = 0;
  for await (const record of csvRecords(file)) {
    if (at === null) { at = headerColumns(f, record, file); continue; }
    n++;
    const short = at.findIndex((k) => record[k] === undefined);
    if (short >= 0) { s.error(n, `${record.length} fields, the header has more: column ${JSON.stringify(f.columns[short].name)} is missing`); continue; }
    cells.clear();
    f.columns.forEach((c, j) => cells.set(c.name, record[at![j]]));
    s.record(n, (name) => cells.get(name));
  }
  return s.failed;
}

/** What a JSON line holds as a record: an object naming the columns (strings, numbers, null), or a string for one text column. */
function jsonRecord(f: RowFeaturizer, parsed: unknown): RowInput | string {
  if (typeof parsed === 'string') return parsed;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TrainerError('E_INPUT', `expected an object naming the model's columns (${f.columns.map((c) => c.name).slice(0, 5).join(', ')})${f.columns.length === 1 ? ' or a string' : ''}`);
  const o = parsed as Record<string, unknown>;
  const absent = f.columns.find((c) => !(c.name in o));
  if (absent) throw new TrainerError('E_INPUT', `no ${JSON.stringify(absent.name)}, a column the model reads (null for a missing value)`);
  const cells: Record<string, Cell> = {};
  for (const c of f.columns) {
    const v = o[c.name];
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new TrainerError('E_INPUT', `${JSON.stringify(c.name)} is ${JSON.stringify(v)}: expected a string, a number or null`);
    cells[c.name] = typeof v === 'boolean' ? String(v) : v;
  }
  return cells;
}

/** JSON lines (or stdin for "-"): each an object naming the model's columns, or a JSON string (one text column). */
export async function predictRecordsJsonLines(model: Model, file: string, json: boolean): Promise<number> {
  const f = featurizerOf(model, file === '-' ? 'stdin' : file);
  if (file !== '-') checkInputFile(file);
  const s = answerer(model, json, file === '-' ? 'stdin' : file);
  const lines = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    n++;
    let record: RowInput | string;
    try {
      record = jsonRecord(f, JSON.parse(line));
    } catch (e) {
      if (!(e instanceof SyntaxError) && !(e instanceof TrainerError)) throw e;
      s.error(n, e instanceof SyntaxError ? 'not JSON' : (e as Error).message);
      continue;
    }
    s.record(n, record);
  }
  return s.failed;
}

/** Plain texts for a model of one text column: `texts`, or each line of stdin when none is given. */
export async function predictTexts(model: Model, texts: readonly string[], json: boolean): Promise<number> {
  const f = featurizerOf(model, '--text');
  if (f.columns.length !== 1 || f.columns[0].role !== 'text') throw new TrainerError('E_USAGE', `--text: the model reads ${f.columns.length} columns (${f.columns.map((c) => `${c.name}: ${c.role}`).join(', ')}), not one text: give --csv or --jsonl records naming them`);
  const s = answerer(model, json, texts.length > 0 ? '--text' : 'stdin');
  if (texts.length > 0) {
    texts.forEach((t, i) => s.record(i + 1, t));
    return s.failed;
  }
  let n = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    s.record(++n, line);
  }
  return s.failed;
}
