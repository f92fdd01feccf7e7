/** `data convert --libsvm FILE` and `--fasttext FILE`: sparse datasets, read as streams and written atomically. */
import { peekArrowDataset } from '../arrow-dataset.ts';
import { UsageError } from '../errors.ts';
import { datasetFromFasttext } from '../fasttext.ts';
import { readLibsvm, type LibsvmFeaturizer, type LibsvmLike } from '../libsvm.ts';
import { writeSparseDataset, type SparseDataset } from '../sparse-dataset.ts';
import type { LabelMapping } from '../tabular.ts';
import { flagName, type ConvertOptions } from './convert.ts';
import { textEncoder, textSettings } from './text-encoder.ts';

/** The flags a sparse source takes; any other is refused by name. */
const SPARSE_FLAGS = new Set(['libsvm', 'fasttext', 'zeroBased', 'task', 'like', 'out', 'force', 'json', 'limit', 'hashBits', 'ngrams', 'idf', 'verbose']);

export async function convertSparse(format: 'libsvm' | 'fasttext', file: string, o: ConvertOptions, t0: number): Promise<void> {
  for (const [key, v] of Object.entries(o)) {
    // commander sets header: true for --no-header's default.
    if (v === undefined || SPARSE_FLAGS.has(key) || (key === 'header' && v === true)) continue;
    throw new UsageError(`${flagName(key === 'header' ? 'noHeader' : key)} is not for --${format} sources`);
  }
  if (o.zeroBased && format !== 'libsvm') throw new UsageError('--zero-based is for --libsvm sources only');
  if (format === 'libsvm' && (o.hashBits !== undefined || o.ngrams !== undefined || o.idf === false)) throw new UsageError(`${o.hashBits !== undefined ? '--hash-bits' : o.ngrams !== undefined ? '--ngrams' : '--no-idf'} is for text; a LIBSVM file's features are its own`);
  const settings = format === 'fasttext' ? textSettings(o) ?? {} : {};
  const like = o.like !== undefined ? peekArrowDataset(o.like, { density: false }) : undefined;
  if (like && like.layout !== 'sparse') throw new UsageError(`--like ${o.like}: a dense dataset; a ${format} file takes the encoding of a sparse one`);
  let ds: SparseDataset, labels: LabelMapping, notes: string[];
  if (format === 'libsvm') {
    const featurizer = like?.featurizer as Partial<LibsvmFeaturizer> | undefined;
    if (like && featurizer?.kind !== 'libsvm') throw new UsageError(`--like ${o.like}: not converted from a LIBSVM file (its features were made otherwise)`);
    const likeLibsvm: LibsvmLike | undefined = like && {
      name: o.like!, featureLength: like.featureLength, regression: like.regression, ...(like.classes && { classes: like.classes }),
      ...((featurizer!.indexBase === 0 || featurizer!.indexBase === 1) && { indexBase: featurizer!.indexBase }),
    };
    if (like && o.task !== undefined) throw new UsageError(`--like takes the task of ${o.like}: drop --task`);
    const r = await readLibsvm(file, { zeroBased: o.zeroBased, task: o.task, like: likeLibsvm, limit: o.limit });
    ({ dataset: ds, labels } = r);
    notes = [`indices: ${r.dataset.featurizer && (r.dataset.featurizer as LibsvmFeaturizer).indexBase === 0 ? '0-based' : '1-based'}, because ${r.indexBaseWhy}${o.zeroBased || like ? '' : '; --zero-based overrides it'}`];
    if (o.task === undefined && !like) notes.push(`task: ${r.task}, because ${r.taskWhy}; --task ${r.task === 'regression' ? 'classification' : 'regression'} overrides it`);
  } else {
    if (o.task === 'regression') throw new UsageError('--task regression: fastText labels are classes');
    const encoder = textEncoder(like, settings, o.like);
    const r = await datasetFromFasttext(file, encoder, { limit: o.limit, ...(like?.classes && { classes: like.classes }) });
    ({ dataset: ds, labels } = r);
    notes = r.empty > 0 ? [`${r.empty} line(s) whose text gave no features, kept as empty rows`] : [];
  }
  const bytes = await writeSparseDataset(o.out, ds, o.force ?? false);
  const seconds = (performance.now() - t0) / 1000;
  const nonzeros = ds.indptr[ds.rows];
  if (o.json) {
    process.stdout.write(JSON.stringify({
      out: o.out, layout: 'sparse', rows: ds.rows, features: ds.featureLength, nonzeros, task: ds.targets ? 'regression' : 'classification',
      classes: ds.classes ?? null, featurizer: ds.featurizer ?? null, bytes, notes, seconds: Number(seconds.toFixed(3)),
    }) + '\n');
    return;
  }
  process.stderr.write(`data: labels: ${describeSparseLabels(labels)}\n`);
  for (const n of notes) process.stderr.write(`data: note: ${n}\n`);
  process.stdout.write(
    `wrote ${o.out}: ${ds.rows} rows, sparse over ${ds.featureLength} features, ${nonzeros} non-zeros (${(nonzeros / ds.rows).toFixed(1)} a row), ` +
    `${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s\n`,
  );
}

/** How a LIBSVM or fastText file's labels became classes (or targets), in one line. */
function describeSparseLabels(m: LabelMapping): string {
  if (m.kind === 'regression') return 'a regression target, stored as float32';
  if (m.kind === 'integers') return 'the integers 0–K−1, used as the classes';
  const shown = m.classes.slice(0, 12).map((c, i) => `${i}=${c}`).join(', ') + (m.classes.length > 12 ? `, … (${m.classes.length})` : '');
  return `${m.classes.length} classes, numbered in ${m.by === 'number' ? 'numeric' : 'string (code point)'} order: ${shown}`;
}
