/**
 * The second pass of a table that becomes a sparse dataset (a text column, or a wide table of mostly zeros): the
 * first pass (tabular.ts, a ColumnStore) chose the roles, the labels and the split and fitted the row featurizer on
 * the training rows; this one reads the file again and encodes each row with core's encodeRowInto as it comes. So a
 * text cell is hashed as it is read and never kept, memory holds only what is written, and every row is exactly
 * what encodeRow gives for the raw cells (the model reads raw rows with the same featurizer later).
 */
import { encodeRowInto, fitIdfOnRows, SparseRowBuilder, usesIdf, type Cell, type RowFeaturizer } from '@hogwild/core/internal';
import { CsrBuilder } from './csr-builder.ts';
import { InputError } from './errors.ts';
import { MAX_SPARSE_FEATURES } from './sparse-dataset.ts';
import type { CellSink, ColumnStore, SinkColumn } from './table-columns.ts';
import { readArrowColumns } from './table-arrow.ts';
import { readCsvColumns } from './table-csv.ts';
import { readParquetColumns } from './table-parquet.ts';
import { readJsonlColumns } from './table-jsonl.ts';
import type { TableFormat, TableOptions } from './tabular.ts';

/** What the first pass decided for each row it read, for the second to encode. */
export interface SparsePlan {
  readonly featurizer: RowFeaturizer;
  /** The IDF weights to encode text with (a --like dataset's); null where the featurizer fits its own or uses none. */
  readonly idf: Float32Array | null;
  /** Rows the first pass read. */
  readonly rows: number;
  /** For each row read: its index among the kept rows, or -1 (no label, or dropped by --missing drop). */
  readonly keptAt: Int32Array;
  /** For each kept row: 1 for the held-out part, 0 for training; null: one part. */
  readonly part: Uint8Array | null;
  /** Per kept row: its class (classification) … */
  readonly classOf: Uint8Array | null;
  /** … or its target (regression). */
  readonly targets: Float32Array | null;
}

/** One part's rows (training, or held out): CSR arrays and a label or target a row. */
export interface SparsePart {
  readonly csr: CsrBuilder;
  readonly labels: Uint8Array;
  readonly targets: Float32Array | null;
}

/** A sink that keeps one row's cells (as the reader gives them: raw text for a CSV) and encodes the row at its end. */
class RowSink implements CellSink {
  readonly stats: SinkColumn[];
  rows = 0;
  private readonly cells: Cell[];
  private readonly cellOf: (name: string) => Cell | undefined;

  constructor(readonly names: readonly string[], widths: readonly number[], private readonly onRow: (r: number, cell: (name: string) => Cell | undefined) => void) {
    this.stats = widths.map((width) => ({ width, list: false, floats: false }));
    this.cells = new Array<Cell>(names.length).fill(null);
    const at = new Map<string, number>();
    names.forEach((n, j) => { if (!at.has(n)) at.set(n, j); });
    this.cellOf = (name) => {
      const j = at.get(name);
      return j === undefined ? undefined : this.cells[j];
    };
  }

  beginRow(): void { this.cells.fill(null); }
  endRow(): void { this.onRow(this.rows++, this.cellOf); }
  text(j: number, text: string): void { this.cells[j] = text; }
  number(j: number, v: number): void { this.cells[j] = v; }
  string(j: number, text: string): void { this.cells[j] = text; }
  missing(j: number): void { this.cells[j] = null; }
}

/** The parts, and where a row goes: its part, CSR builder and label slot. */
function partsOf(plan: SparsePlan): SparsePart[] {
  const counts = [0, 0];
  const kept = plan.keptAt.reduce((n, i) => n + (i >= 0 ? 1 : 0), 0);
  for (let i = 0; i < kept; i++) counts[plan.part ? plan.part[i] : 0]++;
  return counts.slice(0, plan.part ? 2 : 1).map((n) => ({ csr: new CsrBuilder(), labels: new Uint8Array(n), targets: plan.targets ? new Float32Array(n) : null }));
}

/**
 * Encodes the kept rows of a table of numeric columns from the store of the first pass, as encodeRowInto encodes a
 * numeric cell: (x − center) / scale, the fill where x is missing or a stray word, zeros not stored. Only for columns
 * whose every number is exactly a float32 (the store's slot is then the number read).
 */
export function encodeStoredRows(file: string, store: ColumnStore, plan: SparsePlan): SparsePart[] {
  const { featurizer, keptAt, part, classOf, targets } = plan;
  const parts = partsOf(plan);
  const cols = featurizer.columns.flatMap((c) => (c.role === 'numeric' ? [{ j: store.names.indexOf(c.name), index: c.index, center: c.center, scale: c.scale, fill: c.fill }] : []));
  for (let r = 0; r < keptAt.length; r++) {
    const i = keptAt[r];
    if (i < 0) continue;
    const p = parts[part ? part[i] : 0];
    const { csr } = p;
    for (const c of cols) {
      const x = store.value(c.j, r);
      const scaled = x === x ? (x - c.center) / c.scale : c.fill;
      if (scaled !== 0 && !csr.push(c.index, scaled)) throw new InputError(file, `data row ${r + 1}: more than ${MAX_SPARSE_FEATURES} stored values, too many for one dataset`);
    }
    const at = csr.rows;
    csr.endRow();
    if (targets) p.targets![at] = targets[i];
    else p.labels[at] = classOf![i];
  }
  return parts;
}

/**
 * Reads the table again and encodes its kept rows into their parts, as `plan` says. A featurizer that weighs text by
 * IDF and has no weights yet is fitted here: the rows are encoded with their buckets' counts, the weights fitted on
 * the training part, then every part finished with them (fitIdfOnRows), so that each row is what encodeRow gives with them.
 */
export async function encodeTableRows(format: TableFormat, file: string, o: TableOptions, plan: SparsePlan): Promise<{ parts: SparsePart[]; idf: Float32Array | null }> {
  const { featurizer, keptAt, part, classOf, targets } = plan;
  const parts = partsOf(plan);
  const counts = usesIdf(featurizer) && plan.idf === null;
  const builder = new SparseRowBuilder();
  const onRow = (r: number, cell: (name: string) => Cell | undefined): void => {
    const i = r < keptAt.length ? keptAt[r] : -1;
    if (i < 0) return;
    const p = parts[part ? part[i] : 0];
    const { csr } = p;
    builder.reset();
    encodeRowInto(featurizer, cell, builder, plan.idf, counts);
    // The columns take ascending ranges and each column's features ascend, so the row is sorted already; a float32
    // rounding here is the one toRow does.
    const at = csr.rows;
    if (!csr.addRow(builder)) throw new InputError(`${file}`, `data row ${r + 1}: more than ${MAX_SPARSE_FEATURES} stored values, too many for one dataset`);
    if (targets) p.targets![at] = targets[i];
    else p.labels[at] = classOf![i];
  };
  const make = (names: readonly string[], widths: readonly number[]): RowSink => new RowSink(names, widths, onRow);
  const read = { label: o.label, header: o.header, delimiter: o.delimiter, limit: o.limit };
  const sink = format === 'csv' ? await readCsvColumns(file, read, make) : format === 'parquet' ? await readParquetColumns(file, read, make)
    : format === 'jsonl' ? await readJsonlColumns(file, read, make) : await readArrowColumns(file, read, make);
  // The file is read twice: one that changed in between would mislabel its rows.
  if (sink.rows !== plan.rows) throw new InputError(file, `changed while it was converted: ${plan.rows} rows on the first reading, ${sink.rows} on the second`);
  if (!counts) return { parts, idf: plan.idf };
  const { idf, nonzeros } = fitIdfOnRows(featurizer, parts.map((p) => p.csr.arrays()));
  parts.forEach((p, i) => { p.csr.nonzeros = nonzeros[i]; });
  return { parts, idf };
}
