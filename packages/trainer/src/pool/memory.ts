/**
 * The shared-memory plan of a training session, the same for real workers and for the simulation: one arena
 * (a shared WebAssembly.Memory) holding the parameters, the datasets (read once from their Arrow files), the
 * shuffle order, the merge locks and one network view (descriptor, scratch, replica) per worker.
 */
import {
  compileKernel, createArena, createRng, createWasmView, writeDataDescriptor, createPreprocessor, fitStandardization, fitTargetScaling, initParams, oneHotMask, paramLayout,
  type Arena, type DataLayout, type InitName, type Preprocessor, type NetworkSpec, type ParamLayout, type Standardization, type TargetScaling,
} from '@hogwild/core/internal';
import { columnsOf, featureScale, type AnyColumns, type Dataset, type DatasetAllocator, type DatasetInfo, type SparseDataset } from '@hogwild/data/internal';
import type { DataRef, KernelName, KernelViews } from '../protocol.ts';
import { protocolHost, type MergeProtocol } from '../merge-plan.ts';
import { TrainerError } from '../errors.ts';

/** Where a session's data and starting parameters come from (the options memory and session share). */
export interface SessionInputs {
  /**
   * The datasets, read once by the caller (a file, arrays or a Table: data-input.ts); their columns are copied into
   * the arena, once. Either may be absent (eval needs no training set).
   */
  readonly train?: Dataset | AnyColumns;
  readonly test?: Dataset | AnyColumns;
  /** Start from these parameters (a loaded model, in the layout of params.ts) instead of a fresh init. */
  readonly params?: Float32Array;
  /** Multiply features by this instead of the data's own scale (1/255 for uint8): a loaded model's input_scale. */
  readonly inputScale?: number;
  /**
   * Standardisation of float features, applied in place to the arena's copies of the datasets: `{ fit }` fits it on
   * the training set (training), statistics apply a model's (evaluation); absent or uint8 features: none. How `fit`
   * treats mostly-zero features: 'auto' divides them by their largest |value| (standardize.ts), 'on' centres every
   * feature (the run's choice: resolve-run.ts).
   */
  readonly standardize?: { readonly fit: 'auto' | 'on' } | Standardization;
  /**
   * Regression: the targets are standardised in the arena, y ← (y − mean) / std, with the training set's statistics
   * ('fit') or a model's.
   */
  readonly target?: 'fit' | TargetScaling;
  readonly init?: InitName;
  readonly seed?: number;
}

export interface MemoryOptions extends SessionInputs {
  readonly spec: NetworkSpec;
  readonly kernel: KernelName;
  /** Network views to prepare (one per worker, real or simulated). */
  readonly views: number;
  /** How the views merge. */
  readonly protocol: MergeProtocol;
  /** Label smoothing ε of a softmax network, which the views train with. */
  readonly labelSmoothing?: number;
}

export interface LoadedDataset {
  readonly ds: Dataset;
  readonly ref: DataRef;
  /** Regression: the scaled targets the kernels train on, and the predictions evaluation writes (in the arena). */
  readonly scaledTargets: Float32Array | null;
  readonly predictions: Float32Array | null;
}

export interface SessionMemory {
  readonly arena: Arena;
  readonly layout: ParamLayout;
  readonly paramsOffset: number;
  /** The shared parameters (a view on the arena). */
  readonly params: Float32Array;
  readonly train: LoadedDataset | null;
  readonly test: LoadedDataset | null;
  /** The standardisation applied to the float features (fitted or given), or null. */
  readonly standardization: Standardization | null;
  /** Regression: the target scaling (fitted or given). */
  readonly target: TargetScaling | null;
  /** The preprocessing both make (core createPreprocessor), which scaled the arena's data: evaluation un-scales with it. */
  readonly pre: Preprocessor;
  /** Per-epoch shuffle of the training indices, written by the main thread (the training set's layout names it). */
  readonly order: Uint32Array;
  /** The kernel, and its views and scratch per worker. */
  readonly kernel: KernelViews;
}

/**
 * Copies a dataset's columns into the arena (the workers see them there without a copy) once it is checked to fit the
 * network: a file's straight from its bytes, so that a run holds its data once.
 */
function loadInto(arena: Arena, input: Dataset | AnyColumns, spec: NetworkSpec, inputScale?: number): Omit<LoadedDataset, 'ref'> & { layout: DataLayout; longestRow: number } {
  const cols = 'read' in input ? input : columnsOf(input);
  const regression = spec.loss === 'mse';
  if (regression !== cols.regression) {
    throw new TrainerError('E_INPUT', `${cols.source || 'the data'}: ${regression ? 'a regression network (loss mse) needs regression targets (a float32 label column: data convert --task regression)' : 'regression targets (a float32 label column) need a regression network: leave --loss out, or give --loss mse'}`, { field: 'loss' });
  }
  checkFits(cols, spec, cols.source);
  // Regression: the labels stay out of the arena, which holds the float32 targets (scaled in place by layoutMemory)
  // and room for the predictions instead; else uint8 classes.
  const alloc: DatasetAllocator = {
    features: (type, n) => {
      const at = arena.reserve(type === 'uint8' ? n : 4 * n); // before arena.buffer, which a growth replaces
      return type === 'uint8' ? new Uint8Array(arena.buffer, at, n) : new Float32Array(arena.buffer, at, n);
    },
    labels: (n) => {
      if (regression) return new Uint8Array(n);
      const at = arena.reserve(n);
      return new Uint8Array(arena.buffer, at, n);
    },
    int32: (n) => {
      const at = arena.reserve(4 * n);
      return new Int32Array(arena.buffer, at, n);
    },
  };
  const ds = cols.read(alloc);
  const type = cols.featureType;
  const inputs: DataLayout['input'] = ds.layout === 'sparse'
    ? { kind: 'sparse', offsets: ds.indptr.byteOffset, indices: ds.indices.byteOffset, values: ds.values.byteOffset }
    : { kind: type, values: ds.features.byteOffset };
  const longest = ds.layout === 'sparse' ? longestRow(ds) : ds.featureLength;
  let labelsOffset = ds.labels.byteOffset;
  let scaledTargets: Float32Array | null = null, predictions: Float32Array | null = null, predictionsOffset = 0;
  if (regression) {
    labelsOffset = arena.reserve(4 * ds.rows);
    scaledTargets = new Float32Array(arena.buffer, labelsOffset, ds.rows);
    scaledTargets.set(ds.targets!);
    predictionsOffset = arena.reserve(4 * ds.rows);
    predictions = new Float32Array(arena.buffer, predictionsOffset, ds.rows);
  }
  const layout: DataLayout = {
    rows: ds.rows, features: ds.featureLength, scale: inputScale ?? featureScale(type),
    input: inputs,
    labels: regression ? { kind: 'targets', values: labelsOffset, predictions: predictionsOffset } : { kind: 'classes', values: labelsOffset },
    order: null,
  };
  return { ds, layout, scaledTargets, predictions, longestRow: longest };
}

/**
 * The longest row's entry count, which sizes the views' lists of nonzero inputs. What the kernel's gather relies on
 * (distinct indices below the feature count, rows that do not overlap) is the CSR contract the data package checks
 * when it reads a sparse dataset (checkSparse).
 */
function longestRow(ds: SparseDataset): number {
  let longest = 0;
  for (let r = 0; r < ds.rows; r++) longest = Math.max(longest, ds.indptr[r + 1] - ds.indptr[r]);
  return longest;
}

function checkFits(ds: DatasetInfo, spec: NetworkSpec, file: string): void {
  if (ds.rows === 0) throw new TrainerError('E_INPUT', `${file}: the dataset has no samples`);
  const inSize = spec.layers[0];
  const classes = spec.layers[spec.layers.length - 1];
  if (ds.featureLength !== inSize) {
    throw new TrainerError('E_INPUT', `${file}: samples have ${ds.featureLength} features, but the network's input layer has ${inSize}`);
  }
  if (!ds.regression && ds.maxLabel >= classes) {
    throw new TrainerError('E_INPUT', `${file}: label ${ds.maxLabel} does not fit the network's ${classes} outputs`);
  }
}

/** Lays out everything the kernels touch in one arena; `spec` must be validated. */
export function layoutMemory(o: MemoryOptions): SessionMemory {
  const { spec } = o;
  const layout = paramLayout(spec.layers);
  const arena = createArena();
  const paramsOffset = arena.reserve(4 * layout.length);
  const params = new Float32Array(arena.buffer, paramsOffset, layout.length);
  if (o.params) {
    if (o.params.length !== layout.length) throw new TrainerError('E_INPUT', `params: ${o.params.length} floats, but the network ${spec.layers.join('-')} has ${layout.length}`);
    params.set(o.params);
  } else {
    initParams(params, layout, createRng(o.seed ?? 1), o.init ?? 'uniform');
  }
  const trainData = o.train ? loadInto(arena, o.train, spec, o.inputScale) : null;
  const testData = o.test ? loadInto(arena, o.test, spec, o.inputScale) : null;
  const rows = trainData?.ds.rows ?? 0;
  const orderOffset = arena.reserve(4 * rows);
  const order = new Uint32Array(arena.buffer, orderOffset, rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  // Each set's data descriptor, the training set's with its order.
  const described = (d: ReturnType<typeof loadInto> | null, trained: boolean): LoadedDataset | null => {
    if (!d) return null;
    const layout: DataLayout = trained ? { ...d.layout, order: orderOffset } : d.layout;
    return { ds: d.ds, ref: { layout, descriptor: writeDataDescriptor(arena, layout) }, scaledTargets: d.scaledTargets, predictions: d.predictions };
  };
  const train = described(trainData, true);
  const test = described(testData, false);
  const { standardization, target, pre } = preprocessData(o, train, test);
  // The views' lists of nonzero inputs need room for the longest row only (a sparse row is far shorter than its features).
  const inputNonzeros = Math.max(0, ...[trainData, testData].map((d) => d?.longestRow ?? 0));
  return { arena, layout, paramsOffset, params, train, test, standardization, target, pre, order, kernel: kernelViews(arena, o, paramsOffset, inputNonzeros) };
}

/**
 * The kernel's views, one per worker (and, for replicas, one per worker for evaluation that never merges), with their
 * confusion scratch: reserved after the rest, which keep their places.
 */
function kernelViews(arena: Arena, o: MemoryOptions, paramsOffset: number, inputNonzeros: number): KernelViews {
  const { spec, protocol } = o;
  const smoothing = o.labelSmoothing ?? 0;
  if (o.kernel === 'ts') return { name: 'ts', slots: o.views, labelSmoothing: smoothing };
  const classes = spec.layers[spec.layers.length - 1];
  const views: number[] = [];
  const confusion: number[] = [];
  const host = protocolHost(protocol);
  const mergeOf = host.views(protocol, arena, spec, o.views);
  for (let k = 0; k < o.views; k++) {
    views.push(createWasmView(arena, spec, paramsOffset, { merge: mergeOf(k), smoothing, inputNonzeros }).descriptor);
    confusion.push(arena.reserve(4 * classes * classes));
  }
  // Views that train on replicas would have to be merged into to read the shared parameters: evaluation gets views of
  // its own over them, which never merge.
  const evalViews = host.evalViews ? views.map(() => createWasmView(arena, spec, paramsOffset, { inputNonzeros }).descriptor) : views;
  return { name: 'wasm', slots: o.views, module: compileKernel(), views, evalViews, confusion };
}

/**
 * The preprocessing of the arena's datasets: the standardisation fitted on the training set ('fit') or a model's, and
 * the target scaling likewise, applied in place by the model's one Preprocessor (core preprocess.ts), as eval and
 * predict apply them.
 */
function preprocessData(o: MemoryOptions, train: LoadedDataset | null, test: LoadedDataset | null): { standardization: Standardization | null; target: TargetScaling | null; pre: Preprocessor } {
  const standardization = fitOrTake(o.standardize, train, test);
  const scaled = [train, test].filter((x): x is LoadedDataset => x !== null && x.scaledTargets !== null);
  const target = scaled.length === 0 ? null : o.target === undefined || o.target === 'fit' ? fitTargetScaling((train ?? test)!.ds.targets!) : o.target;
  const pre = createPreprocessor({ ...(standardization && { standardization }), ...(target && { target }) }, o.spec.layers[0]);
  if (standardization) for (const x of [train, test]) if (x) pre.scaleRows(x.ds.features as Float32Array);
  for (const d of scaled) {
    const y = d.scaledTargets!;
    for (let i = 0; i < y.length; i++) y[i] = pre.scaleTarget(y[i]);
  }
  return { standardization, target, pre };
}

/** Fits (on the training set) or takes the standardisation of float features; checks that every dataset has them. */
function fitOrTake(how: SessionInputs['standardize'], train: LoadedDataset | null, test: LoadedDataset | null): Standardization | null {
  if (how === undefined) return null;
  if (!('fit' in how)) {
    for (const x of [train, test]) {
      if (x && !(x.ds.features instanceof Float32Array)) throw new TrainerError('E_INPUT', `${x.ds.source || 'the data'}: uint8 features, but the model standardises float features: give it the float table it was trained on`);
    }
    return how;
  }
  if (!train || !(train.ds.features instanceof Float32Array)) return null;
  if (test && !(test.ds.features instanceof Float32Array)) throw new TrainerError('E_INPUT', `${test.ds.source || 'the test set'}: uint8 features, but the training set's are float32: give both sets the same feature type`);
  // One-hot indicators (a table's categorical columns) stay 0 or 1; with 'auto', mostly-zero columns keep their zeros.
  const ds = train.ds;
  const keep = ds.columns ? oneHotMask(ds.columns) : undefined;
  return fitStandardization(ds.features as Float32Array, ds.featureLength, { sparse: how.fit === 'auto', keep });
}
