import { writeArrowDataset, labelHistogram, featureType, type Dataset } from '../arrow-dataset.ts';
import { datasetFromIdx, datasetFromMat, parseLabelMap, parseShape } from '../convert.ts';
import { UsageError } from '../errors.ts';
import { sameFile } from '../files.ts';

export interface ConvertOptions {
  images?: string; labels?: string; mat?: string; features?: string; labelMap?: string; imageShape?: string;
  columnMajor?: boolean; out: string; limit?: number; force?: boolean; json?: boolean;
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
  for (const [flag, input] of [['--images', o.images], ['--labels', o.labels], ['--mat', o.mat]] as const) {
    if (input !== undefined && sameFile(o.out, input)) throw new UsageError(`--out ${o.out} is the ${flag} input: choose another output name`);
  }
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
    throw new UsageError('convert needs a source: --images FILE --labels FILE, or --mat FILE --features VAR');
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
