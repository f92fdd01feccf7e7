import cliProgress from 'cli-progress';
import { writeArrowDataset, labelHistogram, featureType, peekArrowDataset, type ChunkedDataset, type Dataset } from '../arrow-dataset.ts';
import { datasetFromIdx, datasetFromMat, parseLabelMap, parseShape } from '../convert.ts';
import { UsageError } from '../errors.ts';
import { checkOutputFile, sameFile } from '../files.ts';
import { writeSparseDataset, type SparseDataset } from '../sparse-dataset.ts';
import { isRowFeaturizer, type RowFeaturizer } from '@hogwild/core/internal';
import { textSettings } from './text-encoder.ts';
import { labelColumn, readTableFile, type LabelMapping, type LikeEncoding, type MissingPolicy, type TableFormat, type TableRead } from '../tabular.ts';
import type { ColumnRole } from '../table-roles.ts';
import type { Task } from '@hogwild/core';
import { fittedFormat } from '@hogwild/core/cli';

export interface ConvertOptions {
  images?: string; labels?: string; mat?: string; features?: string; labelMap?: string; imageShape?: string;
  columnMajor?: boolean; out: string; limit?: number; force?: boolean; json?: boolean;
  csv?: string; parquet?: string; arrow?: string; jsonl?: string; label?: string; header?: boolean; delimiter?: string;
  testFraction?: number; seed?: number; testOut?: string; task?: Task; missing?: MissingPolicy; like?: string;
  libsvm?: string; fasttext?: string; zeroBased?: boolean; hashBits?: number; ngrams?: number; verbose?: boolean;
  /** false with --no-idf (commander sets true otherwise). */
  idf?: boolean;
}

/** Columns past which convert's role table is summarised by role (--verbose lists every one). */
const ROLE_LINES = 24;

const TABLE_ONLY = ['label', 'delimiter', 'testFraction', 'testOut', 'seed', 'task', 'missing', 'like'] as const;
export const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;

/** A progress bar on stderr for a long conversion, when stderr is a terminal. */
function progressBar(enabled: boolean): { update(done: number, total: number, unit: 'bytes' | 'rows'): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done, total, unit) {
      if (bar === null) {
        bar = new cliProgress.SingleBar({
          stream: process.stderr, clearOnComplete: true, hideCursor: true, barsize: 30, fps: 5,
          format: fittedFormat(unit === 'bytes' && total > 0 ? ' reading |{bar}| {percentage}% | {mb}/{totalMb} MB | ETA {eta_formatted}' : ' reading | {value} rows', cliProgress.Format.Formatter),
        }, cliProgress.Presets.shades_classic);
        bar.start(total || 1, 0, { mb: '0', totalMb: (total / 1e6).toFixed(0) });
      }
      bar.update(unit === 'bytes' ? done : done, { mb: (done / 1e6).toFixed(0), totalMb: (total / 1e6).toFixed(0) });
    },
    stop() { bar?.stop(); },
  };
}

/** The one line that says how labels became classes (or targets). */
export function describeLabels(m: LabelMapping, label: string): string {
  if (m.kind === 'regression') return `labels: column ${JSON.stringify(label)} is a regression target, stored as float32`;
  if (m.kind === 'integers') return `labels: column ${JSON.stringify(label)} holds integers 0–K−1, used as the classes`;
  const shown = m.classes.slice(0, 12).map((c, i) => `${i}=${c}`).join(', ') + (m.classes.length > 12 ? `, … (${m.classes.length})` : '');
  return `labels: column ${JSON.stringify(label)} has ${m.classes.length} classes, numbered in ${m.by === 'number' ? 'numeric' : 'string (code point)'} order: ${shown}`;
}

/** The role table of `convert` and `inspect`: every column, one line each, nothing left out unsaid. */
export function roleTable(roles: readonly ColumnRole[], r: Pick<TableRead, 'columns' | 'labels' | 'task'> | null, missingPolicy: MissingPolicy = 'mean', all = true): string {
  if (!all && roles.length > ROLE_LINES) return roleSummary(roles, r, missingPolicy);
  const w = Math.min(24, Math.max(6, ...roles.map((x) => x.name.length)));
  // Categories besides the missing value's own (which the missing count tells), as inspect counts them.
  const categories = new Map((r?.columns ?? []).flatMap((c) => (c.role === 'categorical' ? [[c.name, c.categories.filter((k) => k !== null).length]] : [])));
  const detail = (x: ColumnRole): string => {
    const missing = x.missing > 0 ? `${x.missing.toLocaleString('en-US')} missing` : '';
    if (x.role === 'left out') return x.why ?? '';
    if (x.role === 'text') return [x.wordy ? `${x.wordy.count.toLocaleString('en-US')} of ${x.wordy.of.toLocaleString('en-US')} cells are several words, hashed into words` : 'hashed into words', missing && `${missing}, no words`].filter(Boolean).join(', ');
    if (x.role === 'categorical') {
      const k = categories.get(x.name) ?? x.distinct;
      return [`${k} categor${k === 1 ? 'y' : 'ies'}${categories.has(x.name) ? ' (training split)' : ''}`, missing && `${missing}, its own category`].filter(Boolean).join(', ');
    }
    if (x.role === 'label') {
      if (!r) return missing && `${missing}: those rows are dropped`;
      const what = r.labels.kind === 'regression' ? 'regression target' : `${r.labels.kind === 'sorted' ? r.labels.classes.length : 'integer'} classes`;
      return [what, missing && `${missing}: rows dropped`].filter(Boolean).join(', ');
    }
    const n = x.notNumbers?.count ?? 0;
    const text = x.notNumbers ? `${n.toLocaleString('en-US')} ${n === 1 ? 'is not a number' : 'are not numbers'}, read as missing (${x.notNumbers.named})` : '';
    return [missing, text].filter(Boolean).join(', ') + (missing || text ? (missingPolicy === 'drop' ? ', those rows dropped' : ', filled with the training mean') : '');
  };
  return roles.map((x) => `  ${x.name.length > w ? `${x.name.slice(0, w - 1)}…` : x.name.padEnd(w)}  ${x.role.padEnd(11)}  ${detail(x)}`.trimEnd()).join('\n');
}

/**
 * The role table of thousands of columns in a few lines: the label and each left-out column with its reason (the
 * first few), then each role's count with its first names and how many have missing cells.
 */
function roleSummary(roles: readonly ColumnRole[], r: Pick<TableRead, 'columns' | 'labels' | 'task'> | null, missingPolicy: MissingPolicy): string {
  const lines = [roleTable(roles.filter((x) => x.role === 'label'), r, missingPolicy)];
  for (const role of ['numeric', 'categorical', 'text'] as const) {
    const of = roles.filter((x) => x.role === role);
    if (of.length === 0) continue;
    const names = of.slice(0, 5).map((x) => x.name).join(', ') + (of.length > 5 ? `, … ${of[of.length - 1].name}` : '');
    const missing = of.filter((x) => x.missing > 0 || x.notNumbers).length;
    lines.push(`  ${of.length.toLocaleString('en-US')} ${role} column${of.length > 1 ? 's' : ''}: ${names}${missing > 0 ? ` (${missing.toLocaleString('en-US')} with missing cells, ${missingPolicy === 'drop' ? 'those rows dropped' : 'filled with the training mean'})` : ''}`);
  }
  const out = roles.filter((x) => x.role === 'left out');
  if (out.length > 0) lines.push(roleTable(out.slice(0, 3), r, missingPolicy) + (out.length > 3 ? `\n  … and ${(out.length - 3).toLocaleString('en-US')} more left out` : ''));
  lines.push(`  (${roles.length.toLocaleString('en-US')} columns; --verbose lists every one)`);
  return lines.join('\n');
}

/** The encoding of a dataset file, for --like: a table's column encodings, or a sparse dataset's row featurizer. */
function likeEncoding(file: string): LikeEncoding {
  const s = peekArrowDataset(file, { density: false });
  const featurizer = s.layout === 'sparse' && isRowFeaturizer(s.featurizer) ? s.featurizer as RowFeaturizer : undefined;
  if (!s.columns && !featurizer) throw new UsageError(`--like ${file}: the dataset has no table encoding (it was not converted from a table)`);
  return { name: file, columns: s.columns ?? [], ...(featurizer && { featurizer }), ...(featurizer && s.idf && { idf: s.idf }), ...(s.classes && { classes: s.classes }), ...(s.labelName !== undefined && { labelName: s.labelName }), regression: s.regression };
}

/**
 * Defaults that could silently mislead, said in one line each with the flag that changes them: MATLAB's 1-based
 * classes (ex4data1 labels the digit 0 as 10, which would build an 11-class network), and MATLAB's column-major
 * storage of images (read row by row, every image comes out transposed).
 */
export function conversionNotes(ds: Dataset, o: ConvertOptions): string[] {
  const notes: string[] = [];
  if (o.mat === undefined) return notes;
  if (o.labels !== undefined && o.labelMap === undefined) {
    let min = 255, max = 0;
    for (let i = 0; i < ds.labels.length; i++) { min = Math.min(min, ds.labels[i]); max = Math.max(max, ds.labels[i]); }
    if (min === 1 && max >= 2) {
      notes.push(`labels run from 1 to ${max}, with no 0: MATLAB-style 1-based classes${max === 10 ? ' (ex4data1 writes the digit 0 as 10: --label-map 10=0)' : ''}; as they are, the network gets ${max + 1} outputs, one never used; --label-map ${Array.from({ length: Math.min(max, 3) }, (_, k) => `${k + 1}=${k}`).join(',')}${max > 3 ? ',…' : ''} renumbers them from 0`);
    }
  }
  if (o.imageShape !== undefined && !o.columnMajor) {
    notes.push('MATLAB stores matrices column by column: if the images look transposed (data inspect OUT --show 0), convert again with --column-major');
  }
  return notes;
}

export async function convertCommand(o: ConvertOptions): Promise<void> {
  const t0 = performance.now();
  // Not even --force may replace an input with the output: the conversion would read what it is destroying.
  for (const [flag, input] of [['--images', o.images], ['--labels', o.labels], ['--mat', o.mat], ['--csv', o.csv], ['--parquet', o.parquet], ['--arrow', o.arrow], ['--jsonl', o.jsonl], ['--libsvm', o.libsvm], ['--fasttext', o.fasttext], ['--like', o.like]] as const) {
    for (const [outFlag, out] of [['--out', o.out], ['--test-out', o.testOut]] as const) {
      if (input !== undefined && out !== undefined && sameFile(out, input)) throw new UsageError(`${outFlag} ${out} is the ${flag} input: choose another output name`);
    }
  }
  // Outputs are checked before any work: a refusal after minutes of conversion would waste them.
  checkOutputFile('--out', o.out, o.force ?? false);
  if (o.testOut !== undefined) checkOutputFile('--test-out', o.testOut, o.force ?? false);
  const sources = (['images', 'mat', 'csv', 'parquet', 'arrow', 'jsonl', 'libsvm', 'fasttext'] as const).filter((k) => o[k] !== undefined);
  if (sources.length > 1) throw new UsageError(`${sources.map(flagName).join(' and ')}: give one source, not several`);
  const sparse = (['libsvm', 'fasttext'] as const).find((k) => o[k] !== undefined);
  if (sparse !== undefined) return (await import('./convert-sparse.ts')).convertSparse(sparse, o[sparse]!, o, t0);
  if (o.zeroBased) throw new UsageError('--zero-based is for --libsvm sources only');
  const table = (['csv', 'parquet', 'arrow', 'jsonl'] as const).find((k) => o[k] !== undefined);
  const textFlag = o.hashBits !== undefined ? '--hash-bits' : o.ngrams !== undefined ? '--ngrams' : o.idf === false ? '--no-idf' : undefined;
  if (table === undefined && textFlag !== undefined) throw new UsageError(`${textFlag} is for text: tables with a text column (--csv, --parquet, --arrow, --jsonl) and --fasttext`);
  if (table !== undefined) return convertTable(table, o[table]!, o, t0);
  for (const key of TABLE_ONLY) {
    if (o[key] !== undefined) throw new UsageError(`${flagName(key)} is for table sources only (--csv, --parquet, --arrow, --jsonl)`);
  }
  if (o.header === false) throw new UsageError('--no-header is for --csv sources only');
  let ds: Dataset;
  if (o.mat !== undefined) {
    if (o.images !== undefined) throw new UsageError('--mat and --images: give one source, not both');
    if (o.features === undefined) throw new UsageError('--mat needs --features VAR: the variable with one sample per row');
    ds = datasetFromMat(o.mat, {
      features: o.features,
      labels: o.labels,
      labelMap: o.labelMap !== undefined ? parseLabelMap(o.labelMap) : undefined,
      imageShape: o.imageShape !== undefined ? parseShape(o.imageShape) : undefined,
      columnMajor: o.columnMajor,
      limit: o.limit,
    });
  } else if (o.images !== undefined) {
    if (o.labels === undefined) throw new UsageError('--images needs --labels FILE: the IDX label file');
    for (const flag of ['features', 'labelMap', 'columnMajor'] as const) {
      if (o[flag] !== undefined) throw new UsageError(`${flagName(flag)} is for --mat sources only`);
    }
    ds = datasetFromIdx(o.images, o.labels, o.limit);
    if (o.imageShape !== undefined) {
      const shape = parseShape(o.imageShape);
      if (shape.reduce((a, b) => a * b, 1) !== ds.featureLength) throw new UsageError(`--image-shape ${o.imageShape} does not match the ${ds.featureLength} features per sample`);
      ds = { ...ds, shape };
    }
  } else {
    throw new UsageError('convert needs a source: --images FILE --labels FILE, --mat FILE --features VAR, --csv/--parquet/--arrow/--jsonl FILE --label COLUMN, or --libsvm/--fasttext FILE');
  }
  for (const note of conversionNotes(ds, o)) process.stderr.write(`data: note: ${note}\n`);
  const bytes = await writeArrowDataset(o.out, ds, o.force ?? false);
  const seconds = (performance.now() - t0) / 1000;
  const summary = {
    out: o.out, rows: ds.rows, features: { type: featureType(ds), length: ds.featureLength }, shape: ds.shape,
    labels: labelHistogram(ds.labels), bytes, seconds: Number(seconds.toFixed(3)),
  };
  if (o.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const hist = Object.entries(summary.labels).map(([k, v]) => `${k}:${v}`).join(' ');
  process.stdout.write(
    `wrote ${o.out}: ${ds.rows} rows, features ${summary.features.type}[${ds.featureLength}], shape ${ds.shape.join('x')}, ` +
    `${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s\nlabels ${hist}\n`,
  );
}

async function convertTable(format: TableFormat, file: string, o: ConvertOptions, t0: number): Promise<void> {
  if (o.label === undefined && o.like === undefined) throw new UsageError(`--${format} needs --label COLUMN: the column holding each row's class (a name, or a 0-based index)`);
  for (const key of ['images', 'labels', 'labelMap', 'imageShape', 'columnMajor'] as const) {
    if (o[key] !== undefined) throw new UsageError(`${flagName(key)} is for --images and --mat sources; a table's label column is --label`);
  }
  if (o.header === false && format !== 'csv') throw new UsageError('--no-header is for --csv sources only');
  if (o.delimiter !== undefined && format !== 'csv') throw new UsageError('--delimiter is for --csv sources only');
  if (o.delimiter !== undefined && o.delimiter.length !== 1 && o.delimiter !== '\\t') throw new UsageError(`--delimiter: expected one character (or \\t), found ${JSON.stringify(o.delimiter)}`);
  if ((o.testFraction === undefined) !== (o.testOut === undefined)) throw new UsageError('--test-fraction and --test-out go together: the fraction of rows to hold out, and the file to write them to');
  if (o.seed !== undefined && o.testFraction === undefined) throw new UsageError('--seed seeds the split of --test-fraction; without it, nothing is random');
  if (o.testOut !== undefined && sameFile(o.testOut, o.out)) throw new UsageError(`--test-out ${o.testOut} is --out: choose two names`);
  if (o.testFraction !== undefined && !(o.testFraction > 0 && o.testFraction < 1)) throw new UsageError(`--test-fraction: expected a number between 0 and 1, found ${o.testFraction}`);
  const features = o.features?.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (o.features !== undefined && features!.length === 0) throw new UsageError('--features: expected column names or indices separated by commas');
  if (o.like !== undefined && (o.features !== undefined || o.task !== undefined)) throw new UsageError(`--like takes the columns and the task of ${o.like}: drop ${o.features !== undefined ? '--features' : '--task'}`);
  const like = o.like !== undefined ? likeEncoding(o.like) : undefined;
  const label = labelColumn(o.label, like);
  const text = textSettings(o);
  const bar = progressBar(!o.json);
  let result;
  try {
    result = await readTableFile(format, file, {
      label, features, header: o.header, delimiter: o.delimiter === '\\t' ? '\t' : o.delimiter, limit: o.limit,
      testFraction: o.testFraction, seed: o.seed, task: o.task, missing: o.missing, like, ...(text && { text }),
      onProgress: (done, total, unit) => bar.update(done, total, unit),
    });
  } finally {
    bar.stop();
  }
  const { parts: [dataset, test], labels, skipped, roles, task, taskWhy, dropped, filled, unseen } = result;
  const notes: string[] = [];
  // --task regression cannot work on text labels, so it is suggested only for numbers.
  const numericLabels = labels.kind !== 'sorted' || labels.by === 'number';
  // Text labels leave no choice; numbers do, so the note says which task was taken and how to take the other.
  if (o.task === undefined && like === undefined && numericLabels) notes.push(`task: ${task}, because ${taskWhy}; --task ${task === 'regression' ? 'classification' : 'regression'} overrides it`);
  if (dropped.label > 0) notes.push(`dropped ${dropped.label.toLocaleString('en-US')} row(s) without a label`);
  if (dropped.missing > 0) notes.push(`dropped ${dropped.missing.toLocaleString('en-US')} row(s) with a missing numeric cell (--missing drop)`);
  if (filled > 0) notes.push(`filled ${filled.toLocaleString('en-US')} missing numeric cell(s) with the training split's column mean (--missing drop or error to change)`);
  unseen.forEach((u, p) => {
    const cols = Object.entries(u);
    if (cols.length > 0) notes.push(`${p === 1 ? 'held-out' : ''}${p === 1 ? ' ' : ''}rows: ${cols.reduce((a, [, n]) => a + n, 0)} categories not in the ${like ? `encoding of ${o.like}` : 'training split'}, encoded as all zeros (${cols.slice(0, 6).map(([c, n]) => `${c}: ${n}`).join(', ')})`);
  });
  if (!o.json) {
    process.stderr.write(`data: ${describeLabels(labels, label)}\n`);
    for (const n of notes) process.stderr.write(`data: note: ${n}\n`);
    process.stdout.write(`columns of ${file}:\n${roleTable(roles, result, o.missing, o.verbose ?? false)}\n`);
  }
  if (result.sparse) return writeSparseTable(result, o, t0);
  const bytes = await writeArrowDataset(o.out, dataset, o.force ?? false);
  const testBytes = test ? await writeArrowDataset(o.testOut!, test, o.force ?? false) : 0;
  const seconds = (performance.now() - t0) / 1000;
  const named = (ds: ChunkedDataset): Record<string, number> => {
    const h = labelHistogram(ds.labels);
    return ds.classes ? Object.fromEntries(Object.entries(h).map(([k, v]) => [ds.classes![Number(k)], v])) : h;
  };
  if (o.json) {
    process.stdout.write(JSON.stringify({
      out: o.out, rows: dataset.rows, features: { type: 'float32', length: dataset.featureLength, names: dataset.featureNames },
      task, classes: dataset.classes ?? null, labels: task === 'regression' ? null : named(dataset), bytes,
      ...(test && { test: { out: o.testOut, rows: test.rows, labels: task === 'regression' ? null : named(test), bytes: testBytes } }),
      columns: roles.map((x) => ({ name: x.name, role: x.role, missing: x.missing, ...(x.why && { why: x.why }) })),
      skipped, dropped, filled, unseen, notes, seconds: Number(seconds.toFixed(3)),
    }) + '\n');
    return;
  }
  const hist = (ds: ChunkedDataset) => (ds.targets ? targetSummary(ds.targets) : Object.entries(named(ds)).map(([k, v]) => `${k}:${v}`).join(' '));
  process.stdout.write(
    `wrote ${o.out}: ${dataset.rows} rows, features float32[${dataset.featureLength}] (${dataset.featureNames!.slice(0, 6).join(', ')}${dataset.featureLength > 6 ? ', …' : ''}), ` +
    `${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s\nlabels ${hist(dataset)}\n` +
    (test ? `wrote ${o.testOut}: ${test.rows} held-out rows (${Math.round(100 * o.testFraction!)}%, ${task === 'regression' ? 'random' : 'stratified'}, seed ${o.seed ?? 1})\nlabels ${hist(test)}\n` : ''),
  );
}

/** Writes the sparse datasets of a table (a text column, or wide and mostly zeros) and says what they hold. */
async function writeSparseTable(result: TableRead, o: ConvertOptions, t0: number): Promise<void> {
  const { parts: [dataset, test], featurizer, why } = result.sparse!;
  const bytes = await writeSparseDataset(o.out, dataset, o.force ?? false);
  const testBytes = test ? await writeSparseDataset(o.testOut!, test, o.force ?? false) : 0;
  const seconds = (performance.now() - t0) / 1000;
  const nonzeros = (ds: SparseDataset): number => ds.indptr[ds.rows];
  const named = (ds: SparseDataset): Record<string, number> => {
    const h = labelHistogram(ds.labels);
    return ds.classes ? Object.fromEntries(Object.entries(h).map(([k, v]) => [ds.classes![Number(k)], v])) : h;
  };
  const regression = result.task === 'regression';
  if (o.json) {
    process.stdout.write(JSON.stringify({
      out: o.out, layout: 'sparse', why, rows: dataset.rows, features: dataset.featureLength, nonzeros: nonzeros(dataset), task: result.task,
      classes: dataset.classes ?? null, labels: regression ? null : named(dataset), featurizer, bytes,
      ...(test && { test: { out: o.testOut, rows: test.rows, nonzeros: nonzeros(test), labels: regression ? null : named(test), bytes: testBytes } }),
      columns: result.roles.map((x) => ({ name: x.name, role: x.role, missing: x.missing, ...(x.why && { why: x.why }) })),
      skipped: result.skipped, dropped: result.dropped, filled: result.filled, seconds: Number(seconds.toFixed(3)),
    }) + '\n');
    return;
  }
  const hist = (ds: SparseDataset) => (ds.targets ? targetSummary(ds.targets) : Object.entries(named(ds)).map(([k, v]) => `${k}:${v}`).join(' '));
  const ranges = featurizer.columns.filter((c) => c.role === 'text').map((c) => `${JSON.stringify(c.name)}: 2^${featurizer.text.hashBits} hashed buckets`);
  const count = (role: string): string | false => {
    const n = featurizer.columns.filter((c) => c.role === role).length;
    return n > 0 && `${n.toLocaleString('en-US')} ${role} column${n > 1 ? 's' : ''}`;
  };
  const what = [...ranges, count('numeric'), count('categorical')].filter(Boolean).join(', ');
  const nz = nonzeros(dataset);
  process.stdout.write(
    `wrote ${o.out}: ${dataset.rows} rows, sparse (${why}) over ${dataset.featureLength.toLocaleString('en-US')} features (${what}${ranges.length > 0 ? `, ${featurizer.text.ngrams === 2 ? 'words and word pairs' : featurizer.text.ngrams > 2 ? `word 1..${featurizer.text.ngrams}-grams` : 'words'}${featurizer.text.idf === true ? ' weighed by IDF' : ''}` : ''}), ` +
    `${nz.toLocaleString('en-US')} non-zeros (${(nz / Math.max(1, dataset.rows)).toFixed(1)} a row), ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s\nlabels ${hist(dataset)}\n` +
    (test ? `wrote ${o.testOut}: ${test.rows} held-out rows (${Math.round(100 * o.testFraction!)}%, ${regression ? 'random' : 'stratified'}, seed ${o.seed ?? 1}), ${(testBytes / 1e6).toFixed(1)} MB\nlabels ${hist(test)}\n` : ''),
  );
}

/** A target column in one line: its range, mean and standard deviation. */
function targetSummary(t: Float32Array): string {
  let min = Infinity, max = -Infinity, sum = 0, sq = 0;
  for (const v of t) { min = Math.min(min, v); max = Math.max(max, v); sum += v; }
  const mean = sum / t.length;
  for (const v of t) sq += (v - mean) ** 2;
  const g = (x: number) => Number(x.toPrecision(5));
  return `(regression) min ${g(min)}, max ${g(max)}, mean ${g(mean)}, std ${g(Math.sqrt(sq / t.length))}`;
}
