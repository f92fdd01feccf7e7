import { decodeModel, type Model } from '@hogwild/core';
import { encodedNames, printable } from '@hogwild/core/internal';
import { asciiArt, inspectFile, sampleImage, type ArrowInfo, type SparseArrowInfo } from '../inspect.ts';
import { readInput } from '../files.ts';
import { asDense, readArrowDataset } from '../arrow-dataset.ts';
import { readColumns, type TableFormat } from '../tabular.ts';
import { selectFeatures } from '../table-roles.ts';
import { chooseTask } from '@hogwild/core/internal';
import { InputError, NotADatasetError } from '../errors.ts';
import { roleTable } from './convert.ts';

/** What kind of file to describe: a dataset, IDX or MAT file (inspectFile), a raw table, or a model. */
function kindOf(file: string): 'table-csv' | 'table-parquet' | 'table-arrow' | 'table-jsonl' | 'model' | 'file' {
  if (/\.(csv|tsv)$/i.test(file)) return 'table-csv';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'table-jsonl';
  const raw = readInput(file);
  const head = Buffer.from(raw.subarray(0, 8));
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'table-parquet';
  if (raw.length >= 9 && raw[8] === 0x7b && /\.safetensors$/i.test(file)) return 'model';
  if (head.readUInt32LE(0) === 0xffffffff) return 'table-arrow'; // an Arrow stream (continuation marker)
  return 'file';
}

export async function inspectCommand(file: string, o: { json?: boolean; show?: number; label?: string; verbose?: boolean }): Promise<void> {
  const kind = kindOf(file);
  if (kind === 'model') return inspectModel(file, o);
  if (kind.startsWith('table-')) return inspectTable(kind.slice(6) as TableFormat, file, o);
  let info;
  try {
    info = inspectFile(file);
  } catch (e) {
    // An Arrow table that is not a dataset (a column per feature, or compressed): its columns' roles.
    if (e instanceof NotADatasetError) return inspectTable('arrow', file, o);
    throw e;
  }
  if (o.label !== undefined) throw new InputError(file, '--label is for tables (CSV, Parquet, Arrow tables); a dataset has its labels');
  if (o.json) {
    process.stdout.write(JSON.stringify(info) + '\n');
  } else {
    switch (info.format) {
      case 'idx':
        process.stdout.write(`${file}: IDX${info.gzip ? ' (gzip)' : ''}, ${info.dtype}, dims ${info.dims.join('x')}\n`);
        break;
      case 'arrow': {
        if ('layout' in info) {
          process.stdout.write(sparseText(file, info));
          break;
        }
        const hist = Object.entries(info.labels).map(([k, v]) => `${k}${info.classes ? ` ${printable(info.classes[Number(k)], 40)}` : ''}:${v}`).join(' ');
        const names = info.featureNames;
        process.stdout.write(
          `${file}: Arrow IPC, ${info.rows} rows\n  features  FixedSizeList<${info.features.type}>[${info.features.length}], shape ${info.shape.join('x')}\n` +
          (names ? `  names     ${printable(names.slice(0, 8).join(', '), 200)}${names.length > 8 ? `, … (${names.length})` : ''}\n` : '') +
          (info.task === 'regression' ? '  label     float32: a regression target\n' : `  label     uint8: ${hist}\n`) + `  source    ${printable(info.source)}\n`,
        );
        break;
      }
      case 'mat': {
        const rows = info.variables.map((v) =>
          `  ${printable(v.name, 64).padEnd(16)} ${(v.complex ? 'complex ' : '') + v.class}`.padEnd(36) + `${v.dims.join('x').padEnd(14)} ${v.supported ? 'supported' : 'not supported'}`);
        process.stdout.write(`${file}: MAT-file version ${info.version}, ${info.variables.length} variable(s)\n${rows.join('\n')}\n`);
        break;
      }
    }
  }
  if (o.show !== undefined) {
    // A dataset from a table is no image: sample n is listed feature by feature.
    if (info.format === 'arrow' && 'layout' in info) return showSparseRow(file, o.show);
    if (info.format === 'arrow' && (info as ArrowInfo).featureNames && (info as ArrowInfo).shape.length === 1) return showRow(file, o.show);
    const img = sampleImage(file, o.show);
    const title = `sample ${o.show}${img.label !== undefined ? `, label ${img.label}` : ''}`;
    process.stdout.write(`${title}\n${asciiArt(img.pixels, img.height, img.width)}\n`);
  }
}

/** A sparse dataset in a few lines: rows, features, non-zeros per row, the most frequent features, the labels. */
function sparseText(file: string, info: SparseArrowInfo): string {
  const nz = info.nonzeros;
  const hist = info.labels && Object.entries(info.labels).map(([k, v]) => `${k}${info.classes ? ` ${printable(info.classes[Number(k)], 40)}` : ''}:${v}`).join(' ');
  const top = info.top.map((t) => `${t.name !== undefined ? `${printable(t.name, 40)} (${t.index})` : t.index}: ${t.rows}`).join(', ');
  const share = info.rows * info.features ? (100 * nz.total) / (info.rows * info.features) : 0;
  return `${file}: Arrow IPC, sparse, ${info.rows} rows over ${info.features} features\n` +
    `  non-zeros ${nz.total} (${Number(share.toPrecision(3))}% of the cells); a row: mean ${Number(nz.mean.toFixed(2))}, min ${nz.min}, max ${nz.max}\n` +
    (top ? `  frequent  ${top}  (feature: rows)\n` : '') +
    (info.task === 'regression' ? '  label     float32: a regression target\n' : `  label     uint8: ${hist}\n`) +
    (info.featurizer !== undefined ? `  features  made by ${printable(JSON.stringify(info.featurizer), 200)}\n` : '') +
    `  source    ${printable(info.source)}\n`;
}

/** Row n of a sparse dataset: its label and (index, value) pairs, with the feature names where the dataset has them. */
function showSparseRow(file: string, n: number): void {
  const ds = readArrowDataset(file);
  if (ds.layout !== 'sparse') throw new InputError(file, 'is not a sparse dataset');
  if (!Number.isInteger(n) || n < 0 || n >= ds.rows) throw new InputError(file, `--show ${n}: sample out of range, the file has ${ds.rows} (0–${ds.rows - 1})`);
  const label = ds.targets ? String(Number(ds.targets[n].toPrecision(7))) : ds.classes?.[ds.labels[n]] ?? String(ds.labels[n]);
  const a = ds.indptr[n], b = ds.indptr[n + 1];
  const pairs: string[] = [];
  for (let k = a; k < Math.min(b, a + 40); k++) {
    const j = ds.indices[k];
    pairs.push(`${ds.featureNames ? `${printable(ds.featureNames[j], 40)}(${j})` : j}=${Number(ds.values[k].toPrecision(6))}`);
  }
  process.stdout.write(`sample ${n}, label ${label}, ${b - a} non-zero feature${b - a === 1 ? '' : 's'}${b > a ? ' (index=value)' : ''}\n` +
    (b > a ? `  ${pairs.join('  ')}${b - a > 40 ? `  … (${b - a})` : ''}\n` : ''));
}

function showRow(file: string, n: number): void {
  const ds = asDense(readArrowDataset(file), file);
  if (!Number.isInteger(n) || n < 0 || n >= ds.rows) throw new InputError(file, `--show ${n}: sample out of range, the file has ${ds.rows} (0–${ds.rows - 1})`);
  const d = ds.featureLength;
  const label = ds.targets ? String(ds.targets[n]) : ds.classes?.[ds.labels[n]] ?? String(ds.labels[n]);
  const values = Array.from(ds.features.subarray(n * d, (n + 1) * d), (v, j) => `${ds.featureNames![j]}=${Number(v.toPrecision(6))}`);
  process.stdout.write(`sample ${n}, label ${label}\n  ${values.slice(0, 40).join('  ')}${d > 40 ? `  … (${d})` : ''}\n`);
}

/** The roles `data convert` would give the columns of a table, without writing anything. */
async function inspectTable(format: TableFormat, file: string, o: { json?: boolean; label?: string; verbose?: boolean }): Promise<void> {
  const store = await readColumns(format, file, { label: o.label });
  const roles = selectFeatures(store, undefined, file);
  let task: { task: string; why: string } | null = null;
  if (store.labelAt >= 0) {
    task = chooseTask(store.labelStats(store.labelAt));
  }
  if (o.json) {
    process.stdout.write(JSON.stringify({ format: `${format} table`, rows: store.rows, columns: roles.map((r) => ({ name: r.name, role: r.role, missing: r.missing, ...(r.distinct !== undefined && { categories: r.distinct }), ...(r.why && { why: r.why }) })), ...(task && { task: task.task }) }) + '\n');
    return;
  }
  process.stdout.write(`${file}: ${format === 'csv' ? 'CSV' : format === 'parquet' ? 'Parquet' : format === 'jsonl' ? 'JSON-lines' : 'Arrow'} table, ${store.rows.toLocaleString('en-US')} rows, ${store.names.length} columns; as data convert would read them:\n${roleTable(roles, null, 'mean', o.verbose ?? false)}\n` +
    (task ? `task: ${task.task}, because ${task.why}\n` : 'give --label COLUMN for the label\'s role and the task\n'));
}

/** A model file: its network, task, classes, features and preprocessing. */
function inspectModel(file: string, o: { json?: boolean }): void {
  const m: Model = decodeModel(readInput(file), file);
  const s = m.spec;
  const task = m.task ?? 'classification';
  if (o.json) {
    process.stdout.write(JSON.stringify({
      format: 'model', layers: s.layers, activation: s.activation, loss: s.loss, task, classes: m.classes ?? null, features: m.featureNames ?? null,
      label: m.label ?? null, columns: m.columns ?? null, standardized: m.standardization !== undefined, target: m.target ?? null, extra: m.extra ?? {},
    }) + '\n');
    return;
  }
  const lines = [`${file}: hogwild model, ${s.layers.join('-')} ${s.activation}/${s.loss}, ${task}${m.label ? ` of column ${JSON.stringify(m.label)}` : ''}`];
  if (m.classes) lines.push(`  classes   ${printable(m.classes.slice(0, 12).map((c, i) => `${i}=${c}`).join(', '), 300)}${m.classes.length > 12 ? `, … (${m.classes.length})` : ''}`);
  if (m.target) lines.push(`  target    the network predicts (y − ${Number(m.target.mean.toPrecision(6))}) / ${Number(m.target.std.toPrecision(6))}`);
  const names = m.featureNames ?? (m.columns ? encodedNames(m.columns) : undefined);
  if (names) lines.push(`  features  ${printable(names.slice(0, 10).join(', '), 300)}${names.length > 10 ? `, … (${names.length})` : ''}`);
  for (const c of m.columns ?? []) {
    lines.push(c.role === 'numeric' ? `  column    ${c.name}${c.item !== undefined ? `[${c.item}]` : ''}: numeric, missing → ${c.fill}` : `  column    ${c.name}: categorical, one-hot over ${c.categories.length} (${c.categories.slice(0, 6).map((k) => k ?? '(missing)').join(', ')}${c.categories.length > 6 ? ', …' : ''}), unseen → all zeros`);
  }
  lines.push(`  scaling   ${m.standardization ? '(x − input_mean) / input_std per feature' : 'none'}; input_scale ${m.inputScale}`);
  process.stdout.write(lines.join('\n') + '\n');
}
