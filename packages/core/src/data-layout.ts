/**
 * The data layout: how a dataset sits in the shared memory, as a type. A {@link DataLayout} is resolved once by the
 * host (the trainer's pool/memory.ts, from a dataset it has copied into the arena) and written by one function,
 * {@link writeDataDescriptor}, word by word by the names of descriptor.ts's DataWord into a data descriptor that the
 * kernel reads (assembly/data.ts), the way a view descriptor describes a network. Every kernel entry takes a view, a
 * data descriptor and a sample range. A new kind of input is a new member of {@link DataInput}, its InputCode, and its
 * gather in assembly/data.ts.
 */
import type { Arena } from './arena.ts';
import { DATA_WORDS, DataWord, InputCode, LabelCode } from './descriptor.ts';
import { HogwildError } from './errors.ts';

/** Where a dataset's inputs are (byte offsets in the shared memory) and how they are stored. */
export type DataInput =
  /** Dense rows of uint8 pixels (rows × features bytes). */
  | { readonly kind: 'uint8'; readonly values: number }
  /** Dense rows of float32 values (rows × features floats). */
  | { readonly kind: 'float32'; readonly values: number }
  /**
   * Sparse rows: row s's non-zeros are entries offsets[s] … offsets[s + 1] of `indices` (int32 feature indices,
   * distinct within a row) and `values` (float32).
   */
  | { readonly kind: 'sparse'; readonly offsets: number; readonly indices: number; readonly values: number };

/** What a dataset's labels are, and where. */
export type DataLabels =
  /** A uint8 class per sample. */
  | { readonly kind: 'classes'; readonly values: number }
  /** A float32 regression target per sample, and room for a float32 prediction per sample that evaluation writes. */
  | { readonly kind: 'targets'; readonly values: number; readonly predictions: number };

/** A dataset in the shared memory, as the kernel reads it. */
export interface DataLayout {
  readonly rows: number;
  /** Inputs per sample: the network's input size (the row length, or the sparse feature count). */
  readonly features: number;
  /** What every input value is multiplied by: 1/255 for pixels, else 1 or a model's input scale. */
  readonly scale: number;
  readonly input: DataInput;
  readonly labels: DataLabels;
  /** The training order (rows uint32 sample indices), or null for a set that is only evaluated. */
  readonly order: number | null;
}

const INPUT_CODES = { uint8: InputCode.U8, float32: InputCode.F32, sparse: InputCode.SPARSE } as const satisfies Record<DataInput['kind'], InputCode>;
const LABEL_CODES = { classes: LabelCode.CLASSES, targets: LabelCode.TARGETS } as const satisfies Record<DataLabels['kind'], LabelCode>;

/** The input and label codes, as descriptor.ts numbers them (for the test that ties host and kernel). */
export const DATA_CODES = { INPUT: INPUT_CODES, LABEL: LABEL_CODES } as const;

/** Reserves a data descriptor in the arena and writes the layout into it by name; returns its byte offset. */
export function writeDataDescriptor(arena: Arena, layout: DataLayout): number {
  checkLayout(layout);
  const at = arena.reserve(4 * DATA_WORDS);
  const words = new Int32Array(arena.buffer, at, DATA_WORDS);
  words[DataWord.INPUT] = INPUT_CODES[layout.input.kind];
  words[DataWord.ROWS] = layout.rows;
  words[DataWord.FEATURES] = layout.features;
  new Float32Array(arena.buffer, at, DATA_WORDS)[DataWord.SCALE] = layout.scale;
  words[DataWord.VALUES] = layout.input.values;
  if (layout.input.kind === 'sparse') {
    words[DataWord.OFFSETS] = layout.input.offsets;
    words[DataWord.INDICES] = layout.input.indices;
  }
  words[DataWord.LABEL] = LABEL_CODES[layout.labels.kind];
  words[DataWord.LABELS] = layout.labels.values;
  words[DataWord.ORDER] = layout.order ?? 0;
  words[DataWord.PREDICTIONS] = layout.labels.kind === 'targets' ? layout.labels.predictions : 0;
  return at;
}

function checkLayout(l: DataLayout): void {
  const count = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) throw new HogwildError('E_USAGE', `writeDataDescriptor: ${name} must be an integer from 0 to 2^31 − 1, got ${v}`);
  };
  const offset = (name: string, v: number) => {
    if (!Number.isInteger(v) || v <= 0 || v > 2 ** 32 - 1) throw new HogwildError('E_USAGE', `writeDataDescriptor: ${name} must be a byte offset in the shared memory (a positive integer), got ${v}`);
  };
  count('rows', l.rows);
  count('features', l.features);
  if (!Number.isFinite(l.scale)) throw new HogwildError('E_USAGE', `writeDataDescriptor: scale must be a finite number, got ${l.scale}`);
  offset('input.values', l.input.values);
  if (l.input.kind === 'sparse') {
    offset('input.offsets', l.input.offsets);
    offset('input.indices', l.input.indices);
  }
  offset('labels.values', l.labels.values);
  if (l.labels.kind === 'targets') offset('labels.predictions', l.labels.predictions);
  if (l.order !== null) offset('order', l.order);
}

