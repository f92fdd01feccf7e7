/**
 * Raw rows of a table (CSV, Parquet, Arrow) made into a model's inputs by the model's own preprocessing (core
 * createPreprocessor: its columns by name, fill values, categories, scaling), with their labels as the model numbers
 * them: what `trainer eval --csv/--parquet/--arrow` evaluates.
 */
import { type ColumnEncoding, type Model } from '@hogwild/core';
import { createPreprocessor, type Cell } from '@hogwild/core/internal';
import { type DenseDataset, type TableFormat } from '@hogwild/data';
import { mostlyText, namedStrings, readColumns } from '@hogwild/data/internal';
import { TrainerError } from './errors.ts';

/** The columns a model reads from a raw row: its own encodings, or (a model of plain features) its feature names as numbers. */
export function modelColumns(model: Model, file: string): readonly ColumnEncoding[] {
  if (model.columns) return model.columns;
  if (!model.featureNames) throw new TrainerError('E_INPUT', `${file}: the model has no column names, so raw table rows cannot be matched to its ${model.spec.layers[0]} inputs; convert the table to a dataset and give --data`);
  return model.featureNames.map((name) => ({ name, role: 'numeric' as const, fill: NaN }));
}

/** What prepareTable returns: the table's rows as the model's inputs, and what was filled, not seen or dropped. */
export interface PreparedTable {
  /** The rows as a dataset of the model's inputs, already preprocessed (evaluate them without the model's standardisation). */
  readonly dataset: DenseDataset;
  /** Missing numeric cells filled with the model's fill values, by column. */
  readonly filled: Record<string, number>;
  /** Categories the model did not see in training (encoded as all zeros), by column. */
  readonly unseen: Record<string, number>;
  /**
   * Cells of a numeric column that are not numbers (Cars93's Cylinders "rotary", absent from the training split),
   * by column: filled as missing values, not counted in `filled`.
   */
  readonly notNumbers: Record<string, number>;
  /** The first few of them, as `data row N: "text"`. */
  readonly firstNotNumbers: readonly string[];
  /** Rows dropped because their label is missing. */
  readonly dropped: number;
}

const byColumn = (columns: readonly ColumnEncoding[], counts: Float64Array): Record<string, number> =>
  Object.fromEntries(columns.flatMap((c, j) => (counts[j] > 0 ? [[c.name, counts[j]]] : [])));

/** Reads a table's raw rows and preprocesses them as `model` was trained; `label` names the column of the answers. */
export async function prepareTable(model: Model, format: TableFormat, file: string, label: string): Promise<PreparedTable> {
  const store = await readColumns(format, file, { label });
  const columns = modelColumns(model, file);
  const d = model.spec.layers[0];
  const pre = createPreprocessor({ columns, standardization: model.standardization }, d);
  const at = columns.map((c) => {
    const j = store.names.indexOf(c.name);
    if (j < 0) throw new TrainerError('E_INPUT', `${file}: has no column ${JSON.stringify(c.name)}, which the model reads (its columns: ${columns.slice(0, 8).map((x) => x.name).join(', ')}${columns.length > 8 ? ', …' : ''})`);
    const s = store.stats[j];
    if (c.role === 'numeric' && Number.isNaN(c.fill) && s.strings > 0) throw new TrainerError('E_INPUT', `${file}: column ${JSON.stringify(c.name)} is numeric in the model, which has no fill value for it, but ${s.strings} cell${s.strings > 1 ? 's are' : ' is'} not a number (${namedStrings(store, j)})`);
    if (c.role === 'numeric' && Number.isNaN(c.fill) && s.missing > 0) throw new TrainerError('E_INPUT', `${file}: column ${JSON.stringify(c.name)} has ${s.missing} missing cell(s), and the model has no fill value for it (data rows ${s.firstMissing.join(', ')}…)`);
    const text = c.role === 'numeric' ? mostlyText(store, j) : null;
    if (text !== null) throw new TrainerError('E_INPUT', `${file}: column ${JSON.stringify(c.name)} is numeric in the model, but ${text}: is it the column the model was trained on?`);
    if (c.role === 'categorical' && store.distinct(j) === Infinity) throw new TrainerError('E_INPUT', `${file}: column ${JSON.stringify(c.name)} has over 1,000 distinct values, too many to match the model's ${c.categories.length} categories`);
    return j;
  });
  const regression = model.spec.loss === 'mse';
  const labelAt = store.labelAt;
  const ls = store.stats[labelAt];
  const labelNumeric = ls.strings === 0;
  if (regression && !labelNumeric) throw new TrainerError('E_INPUT', `${file}: the label column ${JSON.stringify(store.names[labelAt])} holds text (${namedStrings(store, labelAt)}), but the model predicts numbers`);
  const rank = model.classes ? new Map(model.classes.map((k, i) => [k, i])) : null;
  const outputs = model.spec.layers[model.spec.layers.length - 1];
  const features = new Float32Array(store.rows * d);
  const labels: number[] = [];
  let dropped = 0, rows = 0;
  const bad: string[] = [];
  let badCount = 0;
  let r = 0;
  // Text in a numeric column goes to the encoder as text (its value slot is NaN), which fills and counts it apart.
  const firstNotNumbers: string[] = [];
  const cellOf = (j: number): Cell => {
    const c = columns[j];
    if (c.role !== 'numeric') return store.key(at[j], r);
    const cell = store.numberCell(at[j], r, c.item ?? 0);
    if (typeof cell === 'string' && firstNotNumbers.length < 3) firstNotNumbers.push(`${c.name}: data row ${r + 1}: ${JSON.stringify(cell.slice(0, 40))}`);
    return cell;
  };
  for (; r < store.rows; r++) {
    let y: number;
    if (regression) {
      y = store.labelNumber(r);
      if (y !== y) { dropped++; continue; }
    } else {
      const v = labelNumeric ? store.labelNumber(r) : NaN;
      const key = labelNumeric ? (v === v ? String(v) : null) : store.key(labelAt, r);
      if (key === null) { dropped++; continue; }
      const k = rank ? rank.get(key) : /^(0|[1-9]\d*)$/.test(key) ? Number(key) : undefined;
      if (k === undefined || k >= outputs) {
        if (badCount++ < 3) bad.push(`data row ${r + 1}: ${JSON.stringify(key)}`);
        continue;
      }
      y = k;
    }
    pre.encodeRow(cellOf, features, rows * d);
    labels.push(y);
    rows++;
  }
  if (badCount > 0) throw new TrainerError('E_INPUT', `${file}: ${badCount} row${badCount > 1 ? 's have' : ' has'} a label the model does not know (${bad.join(', ')}${badCount > bad.length ? ', …' : ''}); its classes: ${(model.classes ?? Array.from({ length: outputs }, (_, i) => String(i))).slice(0, 12).join(', ')}`);
  if (rows === 0) throw new TrainerError('E_INPUT', `${file}: no rows with a label to evaluate`);
  const dataset: DenseDataset = {
    rows, featureLength: d, features: features.subarray(0, rows * d), shape: [d], source: file,
    labels: regression ? new Uint8Array(rows) : Uint8Array.from(labels),
    ...(regression && { targets: Float32Array.from(labels) }),
    ...(model.classes && { classes: model.classes }),
  };
  return { dataset, filled: byColumn(columns, pre.filled), unseen: byColumn(columns, pre.unseen), notNumbers: byColumn(columns, pre.notNumbers), firstNotNumbers, dropped };
}
