import { checkIdf, usesIdf, validateRowFeaturizer, type RowFeaturizer } from './row-featurizer.ts';
import { HogwildError, ModelFileError, SpecError } from './errors.ts';
import { allocateParams, paramLayout, type LayerLayout, type ParamLayout } from './params.ts';
import { validateSpec, type NetworkSpec } from './spec.ts';
import { LOSSES } from './losses.ts';
import type { Standardization } from './standardize.ts';
import { columnWidth, MAX_ONE_HOT, type ColumnEncoding, type TargetScaling, type Task } from './preprocess.ts';
import { FLOAT16_MAX, fromFloat16Bits, toFloat16Bits } from './float16.ts';

/**
 * Model files in the safetensors format (an 8-byte little-endian header length, a JSON header, then raw
 * little-endian tensor data), to and from bytes with no Node API (DataView, TextEncoder, TextDecoder), so that a
 * browser page reads a model with the very code Node does; files on the disk are model-io.ts. Tensors `layers.{i}.weight` (F32, [out, in]) and `layers.{i}.bias` (F32, [out]),
 * so PyTorch nn.Linear layers load them as they are; `__metadata__` holds the architecture as strings. A compact
 * model (compactModel) leaves the first layer's all-zero input rows out and may store weights as F16, or as I8 with a
 * scale per output: docs/model-format.md.
 */
export interface Model {
  readonly spec: NetworkSpec;
  /** Parameters in the layout of params.ts, over a SharedArrayBuffer where there is one (see allocateParams). */
  readonly params: Float32Array;
  /** Shape of one input sample, e.g. [28, 28] ([n] when unknown). */
  readonly inputShape: readonly number[];
  /** Factor applied to stored inputs (1/255 for uint8 pixels). */
  readonly inputScale: number;
  /** Float features are standardised with these training-set statistics before the first layer (see standardize.ts). */
  readonly standardization?: Standardization;
  /** Names of the classes, by output index (string labels mapped in sorted order); absent for plain integer labels. */
  readonly classes?: readonly string[];
  /** Names of the input features, by input index (the columns of a table), when known. */
  readonly featureNames?: readonly string[];
  /** What the model does: classification (the default) or regression (loss mse, one output in `target`'s scaling). */
  readonly task?: Task;
  /** The table columns a raw row is read from, and how each is encoded (preprocess.ts); its features follow in order. */
  readonly columns?: readonly ColumnEncoding[];
  /** The label column's name in the table it was trained on. */
  readonly label?: string;
  /** A model of sparse features: how a raw record (text, numbers, categories) becomes its input (row-featurizer.ts). */
  readonly featurizer?: RowFeaturizer;
  /**
   * With a featurizer whose text is weighed by IDF: the weights, one an input (row-featurizer.ts fitTextIdf). The file's
   * `featurizer.idf` tensor (F32), whole in a compact file too: a bucket whose row is left out still counts in a
   * text's l2 norm, so the compact model encodes a text exactly as the full one does.
   */
  readonly idf?: Float32Array;
  /** Regression: the network predicts (y − mean) / std. */
  readonly target?: TargetScaling;
  /** Free-form metadata kept with the model (training options, accuracy). */
  readonly extra?: Readonly<Record<string, string>>;
  /**
   * Written compact, at this precision: the first layer's input rows that are all zero are left out of the file, and
   * every layer's weights are stored as float32, float16 or int8 with a scale per output (docs/model-format.md). A
   * model read from a compact file has it, so that it is written back compact; its params are as read (dropped rows 0).
   */
  readonly compact?: WeightPrecision;
}

/** How a compact model stores its weights: float32 as they are, float16, or int8 with a float32 scale per output. */
export type WeightPrecision = 'f32' | 'f16' | 'i8';
/** Every {@link WeightPrecision}. */
export const WEIGHT_PRECISIONS: readonly WeightPrecision[] = ['f32', 'f16', 'i8'];

/** What {@link compactModel} keeps, and how precisely. */
export interface CompactOptions {
  /**
   * One byte an input of the first layer: 1 keeps its row of weights, 0 drops it (it reads back as 0). Typically the
   * inputs that occur in the training data (a feature never seen is never trained). Absent: every row that is not all
   * zero is kept.
   */
  readonly keep?: Uint8Array;
  /** How the weights are stored (default f32: only rows are dropped, the kept weights are bit for bit). */
  readonly precision?: WeightPrecision;
}

/** The largest int8 code of a weight: symmetric, so that −w is stored as −q. */
const I8_MAX = 127;

/** Metadata keys with a meaning (documented in the README's File formats); any others are kept as `extra`. */
export const MODEL_METADATA_KEYS = ['format', 'layers', 'activation', 'output', 'loss', 'input_shape', 'input_scale', 'input_mean', 'input_std', 'classes', 'features', 'task', 'label', 'columns', 'featurizer', 'target_mean', 'target_std'] as const;

const MAX_HEADER = 100 * 1024 * 1024;

/**
 * The model as its compact file reads back: the first layer's rows not in `keep` set to 0, and every weight rounded to
 * `precision` (float16, or int8 codes times their output's scale, absmax / 127). Its `compact` field makes
 * encodeModel (saveModel, the web page) write the compact form, whose decoding gives these very params.
 * Throws E_USAGE for a `keep` that is not one byte an input, or an unknown precision.
 */
export function compactModel(model: Model, o: CompactOptions = {}): Model {
  const precision = checkPrecision(o.precision ?? 'f32');
  const layout = paramLayout(validateSpec(model.spec).layers);
  const params = new Float32Array(model.params);
  const first = layout.layers[0];
  if (o.keep !== undefined) {
    if (!(o.keep instanceof Uint8Array) || o.keep.length !== first.inSize) {
      throw new HogwildError('E_USAGE', `keep: expected a Uint8Array of ${first.inSize} bytes (one an input of the first layer), found ${o.keep instanceof Uint8Array ? `${o.keep.length} bytes` : typeof o.keep}`);
    }
    for (let i = 0; i < first.inSize; i++) if (o.keep[i] === 0) params.fill(0, first.weightOffset + i * first.stride, first.weightOffset + i * first.stride + first.outSize);
  }
  for (const l of layout.layers) {
    if (precision === 'f16') {
      for (let i = 0; i < l.inSize; i++) {
        for (let o2 = 0; o2 < l.outSize; o2++) {
          const k = l.weightOffset + i * l.stride + o2;
          params[k] = fromFloat16Bits(toFloat16Bits(params[k]));
        }
      }
    } else if (precision === 'i8') {
      for (let o2 = 0; o2 < l.outSize; o2++) {
        const scale = i8Scale(params, l, o2);
        for (let i = 0; i < l.inSize; i++) {
          const k = l.weightOffset + i * l.stride + o2;
          params[k] = Math.fround(i8Code(params[k], scale) * scale);
        }
      }
    }
  }
  return { ...model, params, compact: precision };
}

function checkPrecision(p: unknown): WeightPrecision {
  if (!WEIGHT_PRECISIONS.includes(p as WeightPrecision)) throw new HogwildError('E_USAGE', `precision: expected one of ${WEIGHT_PRECISIONS.join(', ')}, found ${JSON.stringify(p)}`);
  return p as WeightPrecision;
}

/** Output o's int8 scale: its largest |weight| over 127 (0 for an output whose weights are all 0). */
function i8Scale(params: Float32Array, l: LayerLayout, o: number): number {
  let max = 0;
  for (let i = 0; i < l.inSize; i++) {
    const a = Math.abs(params[l.weightOffset + i * l.stride + o]);
    if (a > max) max = a;
  }
  return Math.fround(max / I8_MAX);
}

/** A weight's int8 code at `scale`: rounded half away from zero, so the code of −w is minus that of w. */
function i8Code(w: number, scale: number): number {
  if (scale === 0) return 0;
  const q = Math.min(Math.round(Math.abs(w) / scale), I8_MAX);
  // +0, never −0: the file's code 0 reads back as +0, and compactModel's params are what the file reads back as.
  return q === 0 ? 0 : w < 0 ? -q : q;
}

/** The first layer's inputs whose row of weights is not all zero, ascending. */
export function nonZeroRows(params: Float32Array, l: LayerLayout): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < l.inSize; i++) {
    const base = l.weightOffset + i * l.stride;
    for (let o = 0; o < l.outSize; o++) {
      if (params[base + o] !== 0) {
        rows.push(i);
        break;
      }
    }
  }
  return Int32Array.from(rows);
}

/**
 * A tensor to write: its header entry's dtype and shape, its size in bytes, and how to write its elements [from, to)
 * (row-major, little-endian) at a position of a buffer, straight from the params: saveModel writes a big model a
 * piece at a time, so that it is never held twice (modelChunks).
 */
interface OutTensor {
  readonly name: string;
  readonly dtype: keyof typeof DTYPE_BYTES;
  readonly shape: number[];
  readonly size: number;
  readonly write: (view: DataView, at: number, from: number, to: number) => void;
}

/**
 * Layer l's weight tensors: `layers.{l}.weight` [out, in] in F32 (or F16 when compact f16), or with compact i8
 * `layers.{l}.weight_i8` [out, in] and `layers.{l}.weight_scale` [out]; `rows` (the kept inputs, layer 0 of a
 * compact model) narrows in to those rows, written first as `layers.{l}.inputs`.
 */
function weightTensors(params: Float32Array, l: LayerLayout, li: number, precision: WeightPrecision | undefined, rows: Int32Array | null): OutTensor[] {
  const n = rows ? rows.length : l.inSize;
  const out: OutTensor[] = [];
  const at = (o: number, j: number) => l.weightOffset + (rows ? rows[j] : j) * l.stride + o;
  if (rows) {
    out.push({ name: `layers.${li}.inputs`, dtype: 'I32', shape: [n], size: 4 * n, write: (v, pos, from, to) => { for (let j = from; j < to; j++, pos += 4) v.setInt32(pos, rows[j], true); } });
  }
  if (precision === 'i8') {
    const scales = new Float32Array(l.outSize);
    for (let o = 0; o < l.outSize; o++) scales[o] = i8Scale(params, l, o);
    out.push(
      { name: `layers.${li}.weight_i8`, dtype: 'I8', shape: [l.outSize, n], size: l.outSize * n, write: (v, pos, from, to) => { for (let e = from; e < to; e++) { const o = Math.floor(e / n); v.setInt8(pos++, i8Code(params[at(o, e - o * n)], scales[o])); } } },
      { name: `layers.${li}.weight_scale`, dtype: 'F32', shape: [l.outSize], size: 4 * l.outSize, write: (v, pos, from, to) => { for (let o = from; o < to; o++, pos += 4) v.setFloat32(pos, scales[o], true); } },
    );
    return out;
  }
  if (precision === 'f16') {
    for (let o = 0; o < l.outSize; o++) {
      for (let j = 0; j < n; j++) {
        const w = params[at(o, j)];
        if (Math.abs(w) > FLOAT16_MAX && !Number.isFinite(fromFloat16Bits(toFloat16Bits(w)))) {
          throw new HogwildError('E_MODEL_NOT_FINITE', `the model's layers.${li}.weight[${o},${rows ? rows[j] : j}] is ${w}, beyond float16's ±${FLOAT16_MAX}: write it compact as i8 or f32`);
        }
      }
    }
    out.push({ name: `layers.${li}.weight`, dtype: 'F16', shape: [l.outSize, n], size: 2 * l.outSize * n, write: (v, pos, from, to) => { for (let e = from; e < to; e++, pos += 2) { const o = Math.floor(e / n); v.setUint16(pos, toFloat16Bits(params[at(o, e - o * n)]), true); } } });
    return out;
  }
  out.push({ name: `layers.${li}.weight`, dtype: 'F32', shape: [l.outSize, n], size: 4 * l.outSize * n, write: (v, pos, from, to) => { for (let e = from; e < to; e++, pos += 4) { const o = Math.floor(e / n); v.setFloat32(pos, params[at(o, e - o * n)], true); } } });
  return out;
}

const UTF8 = new TextEncoder();
/** As Buffer's toString('utf8'): invalid bytes become U+FFFD and a byte-order mark is kept (so JSON.parse refuses it). */
const HEADER_TEXT = new TextDecoder('utf-8', { ignoreBOM: true });

/** A model's file: its header's bytes (the length and the JSON) and the tensors that follow, checked (encodeModel). */
function modelFile(model: Model): { head: Uint8Array; tensors: OutTensor[]; size: number } {
  const spec = validateSpec(model.spec);
  const layout = paramLayout(spec.layers);
  const bad = firstNonFinite(model.params, layout);
  if (bad) throw new HogwildError('E_MODEL_NOT_FINITE', `the model's ${bad.name} is ${bad.value}: a model with non-finite weights is not written (training diverged?)`);
  const header: Record<string, unknown> = {};
  const metadata: Record<string, string> = {
    ...(model.extra ?? {}),
    format: 'hogwild',
    layers: spec.layers.join(','),
    activation: spec.activation,
    output: LOSSES[spec.loss].output,
    loss: spec.loss,
    input_shape: JSON.stringify(model.inputShape),
    input_scale: String(model.inputScale),
  };
  const d = spec.layers[0];
  const outputs = spec.layers[spec.layers.length - 1];
  if (model.standardization) {
    const { mean, std } = model.standardization;
    if (mean.length !== d || std.length !== d) throw new HogwildError('E_MODEL_SHAPE', `standardization: statistics for ${mean.length} features, the model takes ${d}`);
    metadata.input_mean = JSON.stringify(Array.from(mean));
    metadata.input_std = JSON.stringify(Array.from(std));
  }
  if (model.classes) {
    if (model.classes.length > outputs) throw new HogwildError('E_MODEL_SHAPE', `classes: ${model.classes.length} names for ${outputs} outputs`);
    metadata.classes = JSON.stringify(model.classes);
  }
  if (model.featureNames) {
    if (model.featureNames.length !== d) throw new HogwildError('E_MODEL_SHAPE', `featureNames: ${model.featureNames.length} names for ${d} inputs`);
    metadata.features = JSON.stringify(model.featureNames);
  }
  const regression = spec.loss === 'mse';
  if ((model.task === 'regression') !== regression) throw new HogwildError('E_MODEL_SHAPE', `task: ${model.task ?? 'classification'} with loss ${spec.loss}: regression goes with mse, classification with the others`);
  metadata.task = regression ? 'regression' : 'classification';
  if (model.label !== undefined) metadata.label = model.label;
  if (model.columns) {
    const width = model.columns.reduce((a, c) => a + columnWidth(c), 0);
    if (width !== d) throw new HogwildError('E_MODEL_SHAPE', `columns: they encode into ${width} features, the model takes ${d}`);
    metadata.columns = JSON.stringify(model.columns);
  }
  let idf: Float32Array | null = null;
  if (model.featurizer) {
    const f = validateRowFeaturizer(model.featurizer);
    if (f.features !== d) throw new HogwildError('E_MODEL_SHAPE', `featurizer: it makes ${f.features} features, the model takes ${d}`);
    metadata.featurizer = JSON.stringify(f);
    idf = checkIdf(f, model.idf, 'model.idf');
  }
  if (model.target) {
    if (!regression) throw new HogwildError('E_MODEL_SHAPE', 'target: a target scaling is for regression models');
    metadata.target_mean = String(model.target.mean);
    metadata.target_std = String(model.target.std);
  }
  header.__metadata__ = metadata;
  const precision = model.compact === undefined ? undefined : checkPrecision(model.compact);
  const tensors: OutTensor[] = [];
  layout.layers.forEach((l, li) => {
    // Rows are left out of the first layer only, and only where some are zero (else the inputs tensor is dead weight).
    const rows = precision !== undefined && li === 0 ? nonZeroRows(model.params, l) : null;
    tensors.push(...weightTensors(model.params, l, li, precision, rows && rows.length < l.inSize ? rows : null));
    tensors.push({ name: `layers.${li}.bias`, dtype: 'F32', shape: [l.outSize], size: 4 * l.outSize, write: (v, pos, from, to) => { for (let o = from; o < to; o++, pos += 4) v.setFloat32(pos, model.params[l.biasOffset + o], true); } });
  });
  if (idf) {
    // Whole, even in a compact file: a left-out row's bucket still counts in a text's norm, and the whole tensor, mostly
    // zeros, gzips smaller than its non-zeros with their indices (docs/model-format.md#figures-spamassassin).
    const w = idf;
    tensors.push({ name: 'featurizer.idf', dtype: 'F32', shape: [w.length], size: 4 * w.length, write: (v, pos, from, to) => { for (let j = from; j < to; j++, pos += 4) v.setFloat32(pos, w[j], true); } });
  }
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.size] };
    offset += t.size;
  }
  const json = JSON.stringify(header);
  // Pad the header with spaces so tensor data starts 8-byte aligned, as the reference implementation does.
  const headerBytes = UTF8.encode(json + ' '.repeat((8 - (UTF8.encode(json).length % 8)) % 8));
  const head = new Uint8Array(8 + headerBytes.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  head.set(headerBytes, 8);
  return { head, tensors, size: head.length + offset };
}

/**
 * A model as the bytes of a safetensors file: `layers.{i}.weight` [out, in] and `layers.{i}.bias`, float32, with the
 * network, its preprocessing and names in the header's metadata (the README's File formats). Throws E_MODEL_NOT_FINITE
 * for non-finite weights and E_MODEL_SHAPE for statistics or names that do not fit the network.
 */
export function encodeModel(model: Model): Uint8Array {
  const { head, tensors, size } = modelFile(model);
  const out = new Uint8Array(size);
  out.set(head);
  const view = new DataView(out.buffer);
  let pos = head.length;
  for (const t of tensors) {
    t.write(view, pos, 0, t.size / DTYPE_BYTES[t.dtype]);
    pos += t.size;
  }
  return out;
}

/** Bytes a piece of modelChunks holds at most: small beside any big model, big enough that writes are few. */
const CHUNK_BYTES = 2 ** 20;

/**
 * encodeModel's bytes a piece at a time, each piece valid until the next is asked for (one buffer serves them all):
 * what saveModel writes, so that a model of a million inputs is not held a second time as its file's bytes.
 */
export function modelChunks(model: Model): Iterable<Uint8Array> {
  // Checked now, before a writer opens its file: a model that cannot be written fails as encodeModel fails.
  return pieces(modelFile(model));
}

function* pieces({ head, tensors }: ReturnType<typeof modelFile>): Generator<Uint8Array> {
  yield head;
  const buffer = new Uint8Array(CHUNK_BYTES);
  const view = new DataView(buffer.buffer);
  for (const t of tensors) {
    const per = DTYPE_BYTES[t.dtype], count = t.size / per, step = CHUNK_BYTES / per;
    for (let from = 0; from < count; from += step) {
      const to = Math.min(count, from + step);
      t.write(view, 0, from, to);
      yield buffer.subarray(0, (to - from) * per);
    }
  }
}

/** Bytes per value of the dtypes a model file holds. */
const DTYPE_BYTES = { F32: 4, F16: 2, I8: 1, I32: 4 } as const;

interface TensorInfo {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * A model from the bytes of a safetensors file, checked (header, dtype, shapes, metadata); `file` names it in errors
 * ({@link ModelFileError}, code E_MODEL_FILE).
 */
export function decodeModel(bytes: Uint8Array, file = '<model>'): Model {
  if (bytes.length < 8) throw new ModelFileError(file, `not a safetensors file: ${bytes.length} bytes, expected at least an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.length) {
    throw new ModelFileError(file, `header length ${headerLength} does not fit in a ${bytes.length}-byte file (truncated or not safetensors)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(HEADER_TEXT.decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new ModelFileError(file, 'header is not valid JSON (not a safetensors file)');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new ModelFileError(file, 'header is not a JSON object');
  const meta = header.__metadata__ as Record<string, string> | undefined;
  if (!meta || typeof meta.layers !== 'string') throw new ModelFileError(file, '__metadata__.layers is missing: not a hogwild model');
  // Absent keys are named as absent, not as JavaScript's "found undefined".
  for (const key of ['activation', 'loss'] as const) {
    if (typeof meta[key] !== 'string') throw new ModelFileError(file, `__metadata__.${key} is missing: not a hogwild model, or a damaged one`);
  }
  let spec: NetworkSpec;
  try {
    spec = validateSpec({
      layers: meta.layers.split(',').map(Number),
      activation: meta.activation as NetworkSpec['activation'],
      loss: meta.loss as NetworkSpec['loss'],
    });
  } catch (e) {
    if (e instanceof SpecError) throw new ModelFileError(file, `__metadata__ ${e.message}`);
    throw e;
  }
  const layout: ParamLayout = paramLayout(spec.layers);
  const params = allocateParams(layout);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  checkTiling(header, dataLength, file);
  const data = new DataView(bytes.buffer, bytes.byteOffset + dataStart, dataLength);
  /** Tensor `name`, checked: present, one of `dtypes`, of `shape`, its offsets spanning it inside the data; its first byte. */
  const tensor = (name: string, dtypes: readonly (keyof typeof DTYPE_BYTES)[], shape: number[], why = `__metadata__ layers ${meta.layers}`): { at: number; dtype: string } => {
    const t = header[name] as TensorInfo | undefined;
    if (!t) throw new ModelFileError(file, `tensor ${name} is missing`);
    if (!dtypes.includes(t.dtype as keyof typeof DTYPE_BYTES)) throw new ModelFileError(file, `tensor ${name}: dtype ${quoted(t.dtype)} is not supported, expected ${dtypes.join(' or ')}`);
    if (!Array.isArray(t.shape) || t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new ModelFileError(file, `tensor ${name}: shape ${quoted(t.shape)} disagrees with ${why}, expected ${JSON.stringify(shape)}`);
    }
    const [begin, end] = t.data_offsets ?? [];
    const count = shape.reduce((x, y) => x * y, 1);
    const size = DTYPE_BYTES[t.dtype as keyof typeof DTYPE_BYTES];
    if (!Number.isInteger(begin) || end - begin !== count * size) {
      throw new ModelFileError(file, `tensor ${name}: data_offsets ${quoted(t.data_offsets)} do not span ${count} ${t.dtype} values`);
    }
    if (end > dataLength) throw new ModelFileError(file, `truncated: tensor ${name} ends at byte ${dataStart + end}, file has ${bytes.length}`);
    return { at: begin, dtype: t.dtype };
  };
  let compact: WeightPrecision | undefined;
  const narrowest = (p: WeightPrecision) => { if (compact === undefined || WEIGHT_PRECISIONS.indexOf(p) > WEIGHT_PRECISIONS.indexOf(compact)) compact = p; };
  layout.layers.forEach((l, li) => {
    const rows = keptInputs(li, l.inSize);
    if (rows) narrowest('f32');
    const n = rows ? rows.length : l.inSize;
    const shape = [l.outSize, n];
    const why = rows ? `__metadata__ layers ${meta.layers} and the ${n} layers.${li}.inputs` : undefined;
    const w = (o: number, j: number) => l.weightOffset + (rows ? rows[j] : j) * l.stride + o;
    if (header[`layers.${li}.weight_i8`] !== undefined) {
      if (header[`layers.${li}.weight`] !== undefined) throw new ModelFileError(file, `tensors layers.${li}.weight and layers.${li}.weight_i8 are both present: a layer's weights are one or the other`);
      narrowest('i8');
      const codes = tensor(`layers.${li}.weight_i8`, ['I8'], shape, why).at;
      const scales = tensor(`layers.${li}.weight_scale`, ['F32'], [l.outSize]).at;
      for (let o = 0; o < l.outSize; o++) {
        const scale = data.getFloat32(scales + 4 * o, true);
        if (!(Number.isFinite(scale) && scale >= 0)) throw new ModelFileError(file, `layers.${li}.weight_scale[${o}] is ${scale}: a scale is a finite number ≥ 0`);
        for (let j = 0; j < n; j++) params[w(o, j)] = Math.fround(data.getInt8(codes + o * n + j) * scale);
      }
    } else {
      const { at, dtype } = tensor(`layers.${li}.weight`, ['F32', 'F16'], shape, why);
      if (dtype === 'F16') {
        narrowest('f16');
        for (let o = 0, pos = at; o < l.outSize; o++) for (let j = 0; j < n; j++, pos += 2) params[w(o, j)] = fromFloat16Bits(data.getUint16(pos, true));
      } else {
        for (let o = 0, pos = at; o < l.outSize; o++) for (let j = 0; j < n; j++, pos += 4) params[w(o, j)] = data.getFloat32(pos, true);
      }
    }
    const bias = tensor(`layers.${li}.bias`, ['F32'], [l.outSize]).at;
    for (let o = 0; o < l.outSize; o++) params[l.biasOffset + o] = data.getFloat32(bias + 4 * o, true);
  });

  /** Layer li's `inputs` tensor (a compact layer's kept input rows), checked strictly ascending below `inSize`; null when absent. */
  function keptInputs(li: number, inSize: number): Int32Array | null {
    const name = `layers.${li}.inputs`;
    const t = header[name] as TensorInfo | undefined;
    if (t === undefined) return null;
    const k = Array.isArray(t.shape) && t.shape.length === 1 && Number.isSafeInteger(t.shape[0]) && t.shape[0] <= inSize ? t.shape[0] : -1;
    if (k < 0) throw new ModelFileError(file, `tensor ${name}: shape ${quoted(t.shape)} is not [k] with k ≤ the layer's ${inSize} inputs`);
    const at = tensor(name, ['I32'], [k]).at;
    const rows = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      const i = data.getInt32(at + 4 * j, true);
      if (i < 0 || i >= inSize || (j > 0 && i <= rows[j - 1])) throw new ModelFileError(file, `tensor ${name}: entry ${j} is ${i}, expected an input index above ${j > 0 ? rows[j - 1] : -1} and below ${inSize} (ascending, each once)`);
      rows[j] = i;
    }
    return rows;
  }
  const bad = firstNonFinite(params, layout);
  if (bad) throw new ModelFileError(file, `${bad.name} is ${bad.value}: the weights must be finite numbers (a diverged model?)`);
  let inputShape: number[] = [spec.layers[0]];
  if (meta.input_shape !== undefined) {
    try {
      inputShape = JSON.parse(meta.input_shape);
    } catch {
      throw new ModelFileError(file, `__metadata__.input_shape ${JSON.stringify(meta.input_shape)} is not JSON`);
    }
    if (!Array.isArray(inputShape) || inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0) || inputShape.reduce((a, b) => a * b, 1) !== spec.layers[0]) {
      throw new ModelFileError(file, `__metadata__.input_shape ${meta.input_shape} is not a list of positive integers whose product is the ${spec.layers[0]} inputs`);
    }
  }
  const inputScale = meta.input_scale === undefined ? 1 : Number(meta.input_scale);
  if (typeof meta.input_scale === 'string' && !/^\s*[-+0-9.eE]+\s*$/.test(meta.input_scale) || !Number.isFinite(inputScale) || inputScale <= 0) {
    throw new ModelFileError(file, `__metadata__.input_scale ${JSON.stringify(meta.input_scale)} is not a positive number`);
  }
  const d = spec.layers[0];
  const outputs = spec.layers[spec.layers.length - 1];
  let standardization: Standardization | undefined;
  if (meta.input_mean !== undefined || meta.input_std !== undefined) {
    const mean = jsonList(meta, 'input_mean', file, (x) => typeof x === 'number' && Number.isFinite(x), `${d} finite numbers`, d);
    const std = jsonList(meta, 'input_std', file, (x) => typeof x === 'number' && Number.isFinite(x) && x > 0, `${d} positive numbers`, d);
    standardization = { mean: Float32Array.from(mean as number[]), std: Float32Array.from(std as number[]) };
  }
  const classes = meta.classes === undefined ? undefined
    : jsonList(meta, 'classes', file, (x) => typeof x === 'string', `at most ${outputs} class names (strings)`, undefined, outputs) as string[];
  const featureNames = meta.features === undefined ? undefined
    : jsonList(meta, 'features', file, (x) => typeof x === 'string', `${d} feature names (strings)`, d) as string[];
  const regression = spec.loss === 'mse';
  if (meta.task !== undefined && meta.task !== (regression ? 'regression' : 'classification')) {
    throw new ModelFileError(file, `__metadata__.task ${JSON.stringify(meta.task)} does not fit loss ${spec.loss} (${regression ? 'regression' : 'classification'})`);
  }
  const columns = meta.columns === undefined ? undefined : parseColumns(meta.columns, d, file);
  const featurizer = meta.featurizer === undefined ? undefined : parseFeaturizer(meta.featurizer, d, file);
  const idf = featurizer ? readIdf(featurizer) : null;
  let target: TargetScaling | undefined;
  if (meta.target_mean !== undefined || meta.target_std !== undefined) {
    const mean = Number(meta.target_mean), std = Number(meta.target_std);
    if (!regression || !Number.isFinite(mean) || !(Number.isFinite(std) && std > 0)) throw new ModelFileError(file, `__metadata__.target_mean ${JSON.stringify(meta.target_mean)} and target_std ${JSON.stringify(meta.target_std)}: a regression model's finite mean and positive std`);
    target = { mean, std };
  }
  const known = new Set<string>(MODEL_METADATA_KEYS);
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) if (!known.has(k)) extra[k] = String(v);
  return {
    spec, params, inputShape, inputScale, extra, ...(standardization && { standardization }), ...(classes && { classes }), ...(featureNames && { featureNames }),
    ...(regression && { task: 'regression' as const }), ...(columns && { columns }), ...(meta.label !== undefined && { label: meta.label }), ...(target && { target }),
    ...(featurizer && { featurizer }), ...(idf && { idf }), ...(compact !== undefined && { compact }),
  };

  /** The `featurizer.idf` tensor, one weight an input, when the featurizer uses IDF. */
  function readIdf(f: RowFeaturizer): Float32Array | null {
    const name = 'featurizer.idf';
    if (!usesIdf(f)) {
      if (header[name] !== undefined) throw new ModelFileError(file, `tensor ${name} is present, but __metadata__.featurizer does not weigh by IDF`);
      return null;
    }
    const at = tensor(name, ['F32'], [d], `the featurizer's ${d} features`).at;
    const w = new Float32Array(d);
    for (let j = 0; j < d; j++) {
      const v = data.getFloat32(at + 4 * j, true);
      if (!(Number.isFinite(v) && v >= 0)) throw new ModelFileError(file, `tensor ${name}: entry ${j} is ${v}, an IDF weight is a finite number ≥ 0`);
      w[j] = v;
    }
    return w;
  }
}

/** `__metadata__.featurizer`: a row featurizer (row-featurizer.ts) that makes the model's d inputs. */
function parseFeaturizer(text: string, d: number, file: string): RowFeaturizer {
  let f: RowFeaturizer;
  try {
    f = validateRowFeaturizer(JSON.parse(text), '__metadata__.featurizer');
  } catch (e) {
    throw new ModelFileError(file, e instanceof HogwildError ? e.message : '__metadata__.featurizer: not JSON');
  }
  if (f.features !== d) throw new ModelFileError(file, `__metadata__.featurizer: it makes ${f.features} features, the model takes ${d}`);
  return f;
}

/** `__metadata__.columns`: a JSON list of column encodings (preprocess.ts) that encode into the model's d inputs. */
function parseColumns(text: string, d: number, file: string): ColumnEncoding[] {
  const fail = (why: string): never => { throw new ModelFileError(file, `__metadata__.columns: ${why}`); };
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  if (!Array.isArray(list)) return fail('not a JSON list');
  let width = 0;
  const out = list.map((c, i): ColumnEncoding => {
    if (c === null || typeof c !== 'object' || typeof c.name !== 'string') return fail(`column ${i} has no name`);
    if (c.role === 'numeric') {
      if (typeof c.fill !== 'number' || !Number.isFinite(c.fill)) return fail(`column ${JSON.stringify(c.name)}: fill ${JSON.stringify(c.fill)} is not a finite number`);
      if (c.item !== undefined && !(Number.isInteger(c.item) && c.item >= 0)) return fail(`column ${JSON.stringify(c.name)}: item ${JSON.stringify(c.item)} is not an index`);
      width++;
      return { name: c.name, role: 'numeric', fill: c.fill, ...(c.item !== undefined && { item: c.item }) };
    }
    if (c.role === 'categorical') {
      const k = c.categories;
      if (!Array.isArray(k) || k.length === 0 || k.length > MAX_ONE_HOT || !k.every((x: unknown) => x === null || typeof x === 'string')) return fail(`column ${JSON.stringify(c.name)}: categories are not a list of 1 to ${MAX_ONE_HOT} strings (or null)`);
      width += k.length;
      return { name: c.name, role: 'categorical', categories: k };
    }
    return fail(`column ${JSON.stringify(c.name)}: role ${JSON.stringify(c.role)} is not numeric or categorical`);
  });
  if (width !== d) fail(`they encode into ${width} features, the model takes ${d}`);
  return out;
}

/** A header value as it is written in the file, or "(none)" where it is absent. */
const quoted = (v: unknown): string => (v === undefined ? '(none)' : JSON.stringify(v));

/** A metadata value that must be a JSON list of `length` (or at most `most`) items passing `ok`. */
function jsonList(meta: Record<string, string>, key: string, file: string, ok: (x: unknown) => boolean, want: string, length?: number, most?: number): unknown[] {
  const text = meta[key];
  let list: unknown;
  try {
    list = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || !list.every(ok) || (length !== undefined && list.length !== length) || (most !== undefined && list.length > most)) {
    const shown = typeof text === 'string' && text.length > 60 ? `${text.slice(0, 57)}...` : text;
    throw new ModelFileError(file, `__metadata__.${key} ${JSON.stringify(shown)} is not a JSON list of ${want}`);
  }
  return list;
}

/**
 * The tensors must tile the data region exactly, as the reference safetensors implementation requires: sorted by
 * offset, each starts where the one before ended, the first at 0 and the last at the end of the file. So a header
 * shifted by a byte, overlapping or misaligned offsets, and trailing bytes are all refused rather than read as garbage.
 */
function checkTiling(header: Record<string, unknown>, dataLength: number, file: string): void {
  const spans: [number, number, string][] = [];
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const offsets = (t as Partial<TensorInfo> | null)?.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((x) => Number.isSafeInteger(x) && x >= 0) || offsets[1] < offsets[0]) {
      throw new ModelFileError(file, `tensor ${name}: data_offsets ${quoted(offsets)} are not two offsets 0 ≤ begin ≤ end`);
    }
    spans.push([offsets[0], offsets[1], name]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== at) throw new ModelFileError(file, `tensor ${name} starts at data byte ${begin}, expected ${at}: the tensors must tile the data without gaps or overlaps`);
    at = end;
  }
  if (at !== dataLength) throw new ModelFileError(file, `the tensors cover ${at} bytes of data, the file has ${dataLength} (${at < dataLength ? 'trailing bytes' : 'truncated'})`);
}

/** The first weight or bias that is NaN or ±Infinity, named as in the file (layers.l.weight[o,i] or layers.l.bias[o]). */
export function firstNonFinite(params: Float32Array, layout: ParamLayout): { name: string; value: number } | null {
  for (const [li, l] of layout.layers.entries()) {
    for (let i = 0; i < l.inSize; i++) {
      for (let o = 0; o < l.outSize; o++) {
        const v = params[l.weightOffset + i * l.stride + o];
        if (!Number.isFinite(v)) return { name: `layers.${li}.weight[${o},${i}]`, value: v };
      }
    }
    for (let o = 0; o < l.outSize; o++) {
      const v = params[l.biasOffset + o];
      if (!Number.isFinite(v)) return { name: `layers.${li}.bias[${o}]`, value: v };
    }
  }
  return null;
}
