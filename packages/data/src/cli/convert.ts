import cliProgress from 'cli-progress';
import { writeArrowDataset, labelHistogram, featureType, type ChunkedDataset, type Dataset } from '../arrow-dataset.ts';
import { datasetFromIdx, datasetFromMat, parseLabelMap, parseShape } from '../convert.ts';
import { UsageError } from '../errors.ts';
import { checkOutputFile, sameFile } from '../files.ts';
import { readTableFile, type LabelMapping, type TableFormat } from '../tabular.ts';

export interface ConvertOptions {
  images?: string; labels?: string; mat?: string; features?: string; labelMap?: string; imageShape?: string;
  columnMajor?: boolean; out: string; limit?: number; force?: boolean; json?: boolean;
  csv?: string; parquet?: string; arrow?: string; label?: string; header?: boolean; delimiter?: string;
  testFraction?: number; seed?: number; testOut?: string;
}

const TABLE_ONLY = ['label', 'delimiter', 'testFraction', 'testOut', 'seed'] as const;
const flagName = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;

/** A progress bar on stderr for a long conversion, when stderr is a terminal. */
function progressBar(enabled: boolean): { update(done: number, total: number, unit: 'bytes' | 'rows'): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done, total, unit) {
      if (bar === null) {
        bar = new cliProgress.SingleBar({
          stream: process.stderr, clearOnComplete: true, hideCursor: true, barsize: 30, fps: 5,
          format: unit === 'bytes' && total > 0 ? ' reading |{bar}| {percentage}% | {mb}/{totalMb} MB | ETA {eta_formatted}' : ' reading | {value} rows',
        }, cliProgress.Presets.shades_classic);
        bar.start(total || 1, 0, { mb: '0', totalMb: (total / 1e6).toFixed(0) });
      }
      bar.update(unit === 'bytes' ? done : done, { mb: (done / 1e6).toFixed(0), totalMb: (total / 1e6).toFixed(0) });
    },
    stop() { bar?.stop(); },
  };
}

/** The one line that says how labels became classes. */
export function describeLabels(m: LabelMapping, label: string): string {
  if (m.kind === 'integers') return `labels: column ${JSON.stringify(label)} holds integers 0–255, used as the classes`;
  const shown = m.classes.slice(0, 12).map((c, i) => `${i}=${c}`).join(', ') + (m.classes.length > 12 ? `, … (${m.classes.length})` : '');
  return `labels: column ${JSON.stringify(label)} has ${m.classes.length} classes, numbered in ${m.by === 'number' ? 'numeric' : 'string (code point)'} order: ${shown}`;
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
  for (const [flag, input] of [['--images', o.images], ['--labels', o.labels], ['--mat', o.mat], ['--csv', o.csv], ['--parquet', o.parquet], ['--arrow', o.arrow]] as const) {
    for (const [outFlag, out] of [['--out', o.out], ['--test-out', o.testOut]] as const) {
      if (input !== undefined && out !== undefined && sameFile(out, input)) throw new UsageError(`${outFlag} ${out} is the ${flag} input: choose another output name`);
    }
  }
  // Outputs are checked before any work: a refusal after minutes of conversion would waste them.
  checkOutputFile('--out', o.out, o.force ?? false);
  if (o.testOut !== undefined) checkOutputFile('--test-out', o.testOut, o.force ?? false);
  const sources = (['images', 'mat', 'csv', 'parquet', 'arrow'] as const).filter((k) => o[k] !== undefined);
  if (sources.length > 1) throw new UsageError(`${sources.map(flagName).join(' and ')}: give one source, not several`);
  const table = (['csv', 'parquet', 'arrow'] as const).find((k) => o[k] !== undefined);
  if (table !== undefined) return convertTable(table, o[table]!, o, t0);
  for (const key of TABLE_ONLY) {
    if (o[key] !== undefined) throw new UsageError(`${flagName(key)} is for table sources only (--csv, --parquet, --arrow)`);
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
      if (o[flag] !== undefined) throw new UsageError(`--${flag.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} is for --mat sources only`);
    }
    ds = datasetFromIdx(o.images, o.labels, o.limit);
    if (o.imageShape !== undefined) {
      const shape = parseShape(o.imageShape);
      if (shape.reduce((a, b) => a * b, 1) !== ds.featureLength) throw new UsageError(`--image-shape ${o.imageShape} does not match the ${ds.featureLength} features per sample`);
      ds = { ...ds, shape };
    }
  } else {
    throw new UsageError('convert needs a source: --images FILE --labels FILE, --mat FILE --features VAR, or --csv/--parquet/--arrow FILE --label COLUMN');
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
  if (o.label === undefined) throw new UsageError(`--${format} needs --label COLUMN: the column holding each row's class (a name, or a 0-based index)`);
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
  const bar = progressBar(!o.json);
  let result;
  try {
    result = await readTableFile(format, file, {
      label: o.label, features, header: o.header, delimiter: o.delimiter === '\\t' ? '\t' : o.delimiter, limit: o.limit,
      testFraction: o.testFraction, seed: o.seed, onProgress: (done, total, unit) => bar.update(done, total, unit),
    });
  } finally {
    bar.stop();
  }
  const { parts: [dataset, test], labels, skipped } = result;
  if (!o.json) {
    process.stderr.write(`data: ${describeLabels(labels, o.label)}\n`);
    if (skipped.length > 0) process.stderr.write(`data: note: left out ${skipped.length} column(s) that are not numeric: ${skipped.slice(0, 8).join(', ')}${skipped.length > 8 ? ', …' : ''} (choose columns with --features)\n`);
  }
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
      classes: dataset.classes ?? null, labels: named(dataset), bytes,
      ...(test && { test: { out: o.testOut, rows: test.rows, labels: named(test), bytes: testBytes } }),
      skipped, seconds: Number(seconds.toFixed(3)),
    }) + '\n');
    return;
  }
  const hist = (ds: ChunkedDataset) => Object.entries(named(ds)).map(([k, v]) => `${k}:${v}`).join(' ');
  process.stdout.write(
    `wrote ${o.out}: ${dataset.rows} rows, features float32[${dataset.featureLength}] (${dataset.featureNames!.slice(0, 6).join(', ')}${dataset.featureLength > 6 ? ', …' : ''}), ` +
    `${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s\nlabels ${hist(dataset)}\n` +
    (test ? `wrote ${o.testOut}: ${test.rows} held-out rows (${Math.round(100 * o.testFraction!)}%, stratified, seed ${o.seed ?? 1})\nlabels ${hist(test)}\n` : ''),
  );
}
