/**
 * The main-thread side of training: lays out the shared memory (parameters, datasets, shuffle order, worker
 * scratch), starts the piscina pool once with those buffers, then runs epochs and evaluations as a few tasks
 * per worker. Data flow: Arrow file → arena (one copy) → workers (zero-copy views) → parameters → model file.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import {
  compileKernel, createArena, createRng, createWasmView, initParams, paramLayout, shuffleInPlace, validateSpec,
  type Arena, type InitName, type NetworkSpec, type ParamLayout, type Rng,
} from '@hogwild/core';
import { readArrowDataset, type Dataset, type DatasetAllocator } from '@hogwild/data';
import { CONTROL, CONTROL_SLOTS, type DatasetRef, type EvalResult, type KernelName, type Task, type TaskResult, type TrainResult, type WorkerInit } from '../protocol.ts';
import { TrainerError } from '../errors.ts';

export interface SessionOptions {
  readonly spec: NetworkSpec;
  readonly kernel: KernelName;
  readonly workers: number;
  /** Arrow files; either may be absent (eval needs no training set). */
  readonly trainFile?: string;
  readonly testFile?: string;
  /** Start from these parameters (a loaded model, in the layout of params.ts) instead of a fresh init. */
  readonly params?: Float32Array;
  readonly init?: InitName;
  readonly seed?: number;
  /** Samples between progress updates and stop checks. */
  readonly chunk?: number;
  /**
   * Several workers: each worker trains on a replica of the parameters and merges it into the
   * shared ones every this many samples (see sync in assembly/kernel.ts); 0 keeps plain per-sample Hogwild.
   * 'auto' (the default): SYNC_STALENESS ÷ workers, so that the updates of the other workers reach a worker at
   * most about SYNC_STALENESS samples late, whatever the worker count.
   * Ignored (0) with one worker, where there is nothing to contend with.
   */
  readonly syncEvery?: number | 'auto';
}

export interface EpochResult {
  readonly samples: number;
  /** Mean cost of the samples trained, each taken just before its own update. */
  readonly loss: number;
  readonly seconds: number;
  readonly stopped: boolean;
}

export interface Evaluation {
  readonly samples: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly classes: number;
  /** confusion[label · classes + predicted] */
  readonly confusion: Int32Array;
  readonly seconds: number;
}

export interface Session {
  readonly spec: NetworkSpec;
  readonly layout: ParamLayout;
  /** The shared parameters (a view on the arena). */
  readonly params: Float32Array;
  readonly workers: number;
  readonly kernel: KernelName;
  readonly train: Dataset | null;
  readonly test: Dataset | null;
  /** Shuffles the order with the session's seeded generator and trains one epoch, worker k on slice k. */
  trainEpoch(lr: number): Promise<EpochResult>;
  evaluate(split: 'train' | 'test'): Promise<Evaluation>;
  /** Samples trained so far in the current epoch (all workers). */
  progress(): number;
  /** Asks the workers to stop at their next chunk boundary (Ctrl-C). */
  stop(): void;
  close(): Promise<void>;
}

/**
 * The worker module: the TypeScript source, run through tsx. A bundled build (one JavaScript file for the CLI and
 * one for the worker, e.g. made with esbuild to run where only `node` exists) names its worker in HOGWILD_WORKER.
 */
const WORKER_URL = process.env.HOGWILD_WORKER ? pathToFileURL(process.env.HOGWILD_WORKER) : new URL('../worker/worker.ts', import.meta.url);

/** Worker threads inherit the tsx loader from the CLI; elsewhere (tests) it is added so the .ts worker loads. */
function workerExecArgv(): string[] | undefined {
  // The tsx CLI passes --import …/tsx/dist/loader.mjs (a bare path check would also match vitest's tsx@… folder).
  if (process.env.HOGWILD_WORKER || process.execArgv.some((a) => a === 'tsx' || /[\\/]tsx[\\/]dist[\\/]loader\.mjs$/.test(a))) return undefined;
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
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

function loadInto(arena: Arena, file: string): { ds: Dataset; ref: DatasetRef } {
  const at = { features: 0, labels: 0 };
  const ds = readArrowDataset(file, arenaAllocator(arena, at));
  const ref: DatasetRef = {
    rows: ds.rows, featureLength: ds.featureLength, featureType: ds.features instanceof Uint8Array ? 'uint8' : 'float32',
    featuresOffset: at.features, labelsOffset: at.labels,
  };
  return { ds, ref };
}

function checkFits(ds: Dataset, spec: NetworkSpec, file: string): void {
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

export async function createSession(o: SessionOptions): Promise<Session> {
  const spec = validateSpec(o.spec);
  const layout = paramLayout(spec.layers);
  const workers = o.workers;
  const chunk = o.chunk ?? 256;
  const syncEvery = syncPeriod(o.syncEvery ?? 'auto', workers);
  const arena = createArena();

  const paramsOffset = arena.reserve(4 * layout.length);
  const params = new Float32Array(arena.buffer, paramsOffset, layout.length);
  if (o.params) {
    if (o.params.length !== layout.length) throw new Error(`params: ${o.params.length} floats, layout needs ${layout.length}`);
    params.set(o.params);
  } else {
    initParams(params, layout, createRng(o.seed ?? 1), o.init ?? 'uniform');
  }

  const train = o.trainFile ? loadInto(arena, o.trainFile) : null;
  const test = o.testFile ? loadInto(arena, o.testFile) : null;
  if (train) checkFits(train.ds, spec, o.trainFile!);
  if (test) checkFits(test.ds, spec, o.testFile!);
  const orderOffset = arena.reserve(4 * (train?.ds.rows ?? 0));
  const order = new Uint32Array(arena.buffer, orderOffset, train?.ds.rows ?? 0);
  for (let i = 0; i < order.length; i++) order[i] = i;

  const classes = spec.layers[spec.layers.length - 1];
  const views: number[] = [];
  const confusion: number[] = [];
  const module = o.kernel === 'wasm' ? compileKernel() : null;
  if (module) {
    for (let k = 0; k < workers; k++) {
      views.push(createWasmView(arena, spec, paramsOffset, syncEvery).descriptor);
      confusion.push(arena.reserve(4 * classes * classes));
    }
  } else {
    for (let k = 0; k < workers; k++) views.push(0);
  }

  const control = new SharedArrayBuffer(4 * CONTROL_SLOTS);
  const ctl = new Int32Array(control);
  const fault = parseFault(process.env.HOGWILD_FAULT);
  if (fault) {
    ctl[CONTROL.FAULT_AT] = fault.at;
    ctl[CONTROL.FAULT_KIND] = fault.kind;
  }
  const workerData: WorkerInit = {
    memory: arena.memory, module, kernel: o.kernel, spec, paramsOffset, paramsLength: layout.length, control,
    train: train?.ref ?? null, test: test?.ref ?? null, orderOffset, views, confusion, chunk, syncEvery,
  };
  const pool = new Piscina<Task, TaskResult>({
    filename: WORKER_URL.href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    workerData,
    execArgv: workerExecArgv(),
  });
  let failure: Error | null = null;
  pool.on('error', (e: Error) => { failure ??= e; });

  // Start every thread before anything is timed: one blocking 'ready' task per worker.
  try {
    await runAllOnce(pool, workers);
  } catch (e) {
    await pool.destroy();
    throw workerFailure(failure ?? (e as Error));
  }

  const rng: Rng = createRng((o.seed ?? 1) ^ 0x5eed);
  const slices = (n: number): [number, number][] =>
    Array.from({ length: workers }, (_, k) => [Math.floor((k * n) / workers), Math.floor(((k + 1) * n) / workers)] as [number, number]);

  const runAll = async <R extends TaskResult>(tasks: Task[]): Promise<R[]> => {
    try {
      return (await Promise.all(tasks.map((t) => pool.run(t)))) as R[];
    } catch (e) {
      throw workerFailure(failure ?? (e as Error));
    }
  };

  return {
    spec, layout, params, workers, kernel: o.kernel,
    train: train?.ds ?? null,
    test: test?.ds ?? null,
    async trainEpoch(lr: number): Promise<EpochResult> {
      if (!train) throw new Error('trainEpoch: the session has no training set');
      shuffleInPlace(order, rng);
      Atomics.store(ctl, CONTROL.PROGRESS, 0);
      const t0 = performance.now();
      const results = await runAll<TrainResult>(slices(order.length).map(([start, end]) => ({ kind: 'train', start, end, lr })));
      const seconds = (performance.now() - t0) / 1000;
      const samples = results.reduce((a, r) => a + r.samples, 0);
      const loss = results.reduce((a, r) => a + r.loss, 0);
      return { samples, loss: samples > 0 ? loss / samples : NaN, seconds, stopped: results.some((r) => r.stopped) };
    },
    async evaluate(split: 'train' | 'test'): Promise<Evaluation> {
      const ds = split === 'test' ? test?.ds : train?.ds;
      if (!ds) throw new Error(`evaluate: the session has no ${split} set`);
      const t0 = performance.now();
      const results = await runAll<EvalResult>(slices(ds.rows).map(([start, end]) => ({ kind: 'eval', split, start, end })));
      const total = new Int32Array(classes * classes);
      let correct = 0;
      for (const r of results) {
        correct += r.correct;
        for (let i = 0; i < total.length; i++) total[i] += r.confusion[i];
      }
      return { samples: ds.rows, correct, accuracy: ds.rows ? correct / ds.rows : NaN, classes, confusion: total, seconds: (performance.now() - t0) / 1000 };
    },
    progress: () => Atomics.load(ctl, CONTROL.PROGRESS),
    stop: () => Atomics.store(ctl, CONTROL.STOP, 1),
    close: () => pool.destroy(),
  };
}

async function runAllOnce(pool: Piscina<Task, TaskResult>, workers: number): Promise<void> {
  await Promise.all(Array.from({ length: workers }, () => pool.run({ kind: 'ready', workers })));
}

function workerFailure(e: Error): TrainerError {
  const msg = (e?.message ?? String(e)).split('\n')[0];
  const err = new TrainerError('E_WORKER', `a worker failed: ${msg}`);
  err.stack = e?.stack;
  return err;
}

/** HOGWILD_FAULT=throw@N or exit@N: a test hook that makes a worker fail after N samples of a task. */
function parseFault(text: string | undefined): { at: number; kind: number } | null {
  if (!text) return null;
  const m = /^(throw|exit)@(\d+)$/.exec(text);
  if (!m) return null;
  return { at: Math.max(1, Number(m[2])), kind: m[1] === 'exit' ? 2 : 1 };
}

/**
 * Samples of other workers' updates a worker may miss, in total, under replication. Merged deltas add up like
 * updates computed that many samples late; measured on MNIST (16-core machine, 1 epoch of R): 128 stays within
 * 0.2 points of 1 worker up to 4 workers and about 1 point below at 8 and 16, 512 costs 5 points, 1024 diverges.
 */
export const SYNC_STALENESS = 128;

export function syncPeriod(flag: number | 'auto', workers: number): number {
  if (workers <= 1) return 0;
  return flag === 'auto' ? Math.max(1, Math.floor(SYNC_STALENESS / workers)) : flag;
}

export function defaultWorkers(): number {
  return availableParallelism();
}
