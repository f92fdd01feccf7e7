/**
 * The shared-memory plan of a training session, the same for real workers and for the simulation: one arena
 * (a shared WebAssembly.Memory) holding the parameters, the datasets (read once from their Arrow files), the
 * shuffle order, the merge locks and one network view (descriptor, scratch, replica) per worker.
 */
import {
  createArena, createRng, createWasmView, fitStandardization, mergeStart, initParams, paramLayout, reserveLocks, standardize,
  type Arena, type InitName, type NetworkSpec, type ParamLayout, type Standardization,
} from '@hogwild/core';
import { decodeArrowDataset, featureScale, featureType, readArrowDataset, type Dataset, type DatasetAllocator } from '@hogwild/data';
import type { DatasetRef, KernelName } from '../protocol.ts';
import type { SyncPeriods } from './sync.ts';
import { TrainerError } from '../errors.ts';

/** Where a session's data and starting parameters come from (the options memory and session share). */
export interface SessionInputs {
  /** Arrow files; either may be absent (eval needs no training set). */
  readonly trainFile?: string;
  readonly testFile?: string;
  /** The files' bytes when the caller has read them already (to summarise them): the files are not read again. */
  readonly trainBytes?: Uint8Array;
  readonly testBytes?: Uint8Array;
  /** Datasets in memory (arrays or a Table from a library caller), copied into the arena instead of reading a file. */
  readonly trainData?: Dataset;
  readonly testData?: Dataset;
  /** Start from these parameters (a loaded model, in the layout of params.ts) instead of a fresh init. */
  readonly params?: Float32Array;
  /** Multiply features by this instead of the data's own scale (1/255 for uint8): a loaded model's input_scale. */
  readonly inputScale?: number;
  /**
   * Standardisation of float features, applied in place to the arena's copies of the datasets: 'fit' fits it on the
   * training set (training), statistics apply a model's (evaluation); absent or uint8 features: none.
   */
  readonly standardize?: 'fit' | Standardization;
  readonly init?: InitName;
  readonly seed?: number;
}

export interface MemoryOptions extends SessionInputs {
  readonly spec: NetworkSpec;
  readonly kernel: KernelName;
  /** Network views to prepare (one per worker, real or simulated). */
  readonly views: number;
  /** Merge periods of the views' replicas (rows 0: no replica, plain Hogwild on the shared parameters). */
  readonly sync: SyncPeriods;
}

export interface LoadedDataset { readonly ds: Dataset; readonly ref: DatasetRef }

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
  readonly orderOffset: number;
  /** Per-epoch shuffle of the training indices, written by the main thread. */
  readonly order: Uint32Array;
  /** wasm kernel: descriptor offsets of the views (one per worker); 0 for each worker of the TypeScript kernel. */
  readonly views: readonly number[];
  /** wasm kernel: confusion-count scratch (int32, classes²) per view. */
  readonly confusion: readonly number[];
}

function arenaAllocator(arena: Arena, refs: { features: number; labels: number }): DatasetAllocator {
  return {
    features(type, n) {
      refs.features = arena.reserve(type === 'uint8' ? n : 4 * n);
      return type === 'uint8' ? new Uint8Array(arena.buffer, refs.features, n) : new Float32Array(arena.buffer, refs.features, n);
    },
    labels(n) {
      refs.labels = arena.reserve(n);
      return new Uint8Array(arena.buffer, refs.labels, n);
    },
  };
}

function loadInto(arena: Arena, file: string, bytes: Uint8Array | undefined, spec: NetworkSpec, inputScale?: number, data?: Dataset): LoadedDataset {
  const at = { features: 0, labels: 0 };
  const alloc = arenaAllocator(arena, at);
  const ds = data ? copyInto(data, alloc) : bytes ? decodeArrowDataset(bytes, file, alloc) : readArrowDataset(file, alloc);
  checkFits(ds, spec, file);
  const ref: DatasetRef = {
    rows: ds.rows, featureLength: ds.featureLength, featureType: featureType(ds), scale: inputScale ?? featureScale(featureType(ds)),
    featuresOffset: at.features, labelsOffset: at.labels,
  };
  return { ds, ref };
}

function copyInto(data: Dataset, alloc: DatasetAllocator): Dataset {
  const type = data.features instanceof Uint8Array ? 'uint8' : 'float32';
  const features = alloc.features(type, data.features.length);
  features.set(data.features as never);
  const labels = alloc.labels(data.rows);
  labels.set(data.labels);
  return { ...data, features, labels };
}

function checkFits(ds: Dataset, spec: NetworkSpec, file: string): void {
  if (ds.rows === 0) throw new TrainerError('E_INPUT', `${file}: the dataset has no samples`);
  const inSize = spec.layers[0];
  const classes = spec.layers[spec.layers.length - 1];
  if (ds.featureLength !== inSize) {
    throw new TrainerError('E_INPUT', `${file}: samples have ${ds.featureLength} features, but the network's input layer has ${inSize}`);
  }
  let max = 0;
  for (let i = 0; i < ds.labels.length; i++) if (ds.labels[i] > max) max = ds.labels[i];
  if (ds.rows > 0 && max >= classes) {
    throw new TrainerError('E_INPUT', `${file}: label ${max} does not fit the network's ${classes} outputs`);
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
    if (o.params.length !== layout.length) throw new Error(`params: ${o.params.length} floats, layout needs ${layout.length}`);
    params.set(o.params);
  } else {
    initParams(params, layout, createRng(o.seed ?? 1), o.init ?? 'uniform');
  }
  const train = o.trainData ? loadInto(arena, o.trainData.source, undefined, spec, o.inputScale, o.trainData)
    : o.trainFile ? loadInto(arena, o.trainFile, o.trainBytes, spec, o.inputScale) : null;
  const test = o.testData ? loadInto(arena, o.testData.source, undefined, spec, o.inputScale, o.testData)
    : o.testFile ? loadInto(arena, o.testFile, o.testBytes, spec, o.inputScale) : null;
  const standardization = standardizeData(o.standardize, train, test);
  const rows = train?.ds.rows ?? 0;
  const orderOffset = arena.reserve(4 * rows);
  const order = new Uint32Array(arena.buffer, orderOffset, rows);
  for (let i = 0; i < rows; i++) order[i] = i;

  const classes = spec.layers[spec.layers.length - 1];
  const views: number[] = [];
  const confusion: number[] = [];
  if (o.kernel === 'wasm') {
    const locks = o.sync.rows > 0 ? reserveLocks(arena, spec) : 0;
    for (let k = 0; k < o.views; k++) {
      const merge = o.sync.rows > 0 ? { locks, periods: o.sync, from: mergeStart(k, o.views, spec.layers[0]) } : undefined;
      views.push(createWasmView(arena, spec, paramsOffset, merge).descriptor);
      confusion.push(arena.reserve(4 * classes * classes));
    }
  } else {
    // The TypeScript kernel keeps its network views in each worker; the slots still count the workers.
    for (let k = 0; k < o.views; k++) views.push(0);
  }
  return { arena, layout, paramsOffset, params, train, test, standardization, orderOffset, order, views, confusion };
}

/** Fits (on the training set) or takes the standardisation, and applies it to the float datasets in the arena. */
function standardizeData(how: 'fit' | Standardization | undefined, train: LoadedDataset | null, test: LoadedDataset | null): Standardization | null {
  if (how === undefined) return null;
  const loaded = [train, test].filter((x): x is LoadedDataset => x !== null);
  if (how === 'fit') {
    if (!train || !(train.ds.features instanceof Float32Array)) return null;
    if (test && !(test.ds.features instanceof Float32Array)) throw new TrainerError('E_INPUT', `${test.ds.source || 'the test set'}: uint8 features, but the training set's are float32: give both sets the same feature type`);
  }
  const s = how === 'fit' ? fitStandardization(train!.ds.features as Float32Array, train!.ds.featureLength) : how;
  for (const { ds } of loaded) {
    if (!(ds.features instanceof Float32Array)) throw new TrainerError('E_INPUT', `${ds.source || 'the data'}: uint8 features, but the model standardises float features: give it the float table it was trained on`);
    standardize(ds.features, ds.featureLength, s);
  }
  return s;
}
