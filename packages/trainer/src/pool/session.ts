/**
 * The main-thread side of training: lays out the shared memory (memory.ts), starts the piscina pool once with
 * it, then runs training ranges and evaluations as one task per worker. Data flow: Arrow file → arena (one copy)
 * → workers (zero-copy views) → parameters → model file. simulated.ts offers the same Session in one thread.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { compileKernel, createRng, shuffleInPlace, validateSpec, type InitName, type NetworkSpec, type ParamLayout, type Rng, type Standardization } from '@hogwild/core';
import type { Dataset } from '@hogwild/data';
import { CONTROL, CONTROL_SLOTS, copyPlanBytes, copySlot, type CopyPlan, type EvalResult, type KernelName, type Task, type TaskResult, type TrainResult, type WorkerInit } from '../protocol.ts';
import { TrainerError } from '../errors.ts';
import { layoutMemory, type SessionInputs } from './memory.ts';
import { physicalCores } from '../machine.ts';
import { periodsFollowingRate, syncPeriods, type RangePeriods, type SyncFlag, type SyncPeriods } from './sync.ts';

export interface SessionOptions extends SessionInputs {
  readonly spec: NetworkSpec;
  readonly kernel: KernelName;
  readonly workers: number;
  /** Samples between progress updates and stop checks. */
  readonly chunk?: number;
  /**
   * Several workers: each worker trains on a replica of the parameters and merges what it changed into the
   * shared ones (see merge in assembly/merge.ts); a number n merges its first-layer rows every n samples, 0 keeps
   * plain per-sample Hogwild, 'auto' (the default) takes the periods of syncPeriods (sync.ts) for the worker count.
   * Ignored with one worker, where there is nothing to contend with.
   */
  readonly sync?: SyncFlag;
  /** The dense region's merge period, instead of the one syncPeriods gives (see sync.ts). */
  readonly syncDense?: number;
  /** Changes of a first-layer row that make it due for a merge (1 to 255), instead of the count syncPeriods gives. */
  readonly syncTouches?: number;
  /** A worker's last samples of each range that are each followed by a full merge, instead of CLOSING_TAIL (0: none). */
  readonly syncTail?: number;
  /**
   * The most the merge periods grow as the learning rate falls below the largest this session has trained at,
   * instead of STRETCH (1: fixed periods; see stretchPeriods in pool/sync.ts).
   */
  readonly syncStretch?: number;
  /**
   * Run the workers as logical workers in this thread, round-robin a sample at a time, each with its own view and
   * replica and the same kernel, merge protocol and phases as real workers: deterministic, and independent of
   * the cores this machine has, so that the statistics of W workers can be measured and tested anywhere.
   */
  readonly simulate?: boolean;
}

export interface EpochResult {
  readonly samples: number;
  /** Mean cost of the samples trained, each taken just before its own update. */
  readonly loss: number;
  readonly seconds: number;
  readonly stopped: boolean;
  /** Floats the workers merged into the shared parameters (replication on; 0 otherwise). */
  readonly mergedFloats: number;
  /** The copies of the shared parameters that trainRange's `copyAt` asked for, in order (fewer if training stopped). */
  readonly copies: readonly ParamsCopy[];
  /** The wasm kernel's merge periods in this range (stretchPeriods, pool/sync.ts); null without replicas. */
  readonly periods: RangePeriods | null;
}

/** The shared parameters as they were while a range trained (an evaluation point of `trainer bench`). */
export interface ParamsCopy {
  /** Samples of the range trained when the copy was taken. */
  readonly samples: number;
  /** Training seconds into the range. */
  readonly seconds: number;
  readonly params: Float32Array;
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
  /** The merge periods in use (rows 0: plain Hogwild, or one worker). */
  readonly sync: SyncPeriods;
  readonly simulated: boolean;
  readonly train: Dataset | null;
  readonly test: Dataset | null;
  /** The standardisation applied to the float features in the session's memory (see SessionInputs.standardize), or null. */
  readonly standardization: Standardization | null;
  /** Starts an epoch: a new seeded shuffle of the training order, and the progress count back to 0. */
  shuffle(): void;
  /**
   * Trains positions [from, to) of the current order with learning rate lr (real workers take a grain at a time
   * from a shared cursor, simulated workers as well). `copyAt` (ascending sample counts into the range):
   * copies of the shared parameters taken as training passes each count, without stopping the workers (real
   * workers: by the worker whose grain takes the progress count past it, so within a grain per worker;
   * simulated: exactly there). With replicas, the range's merge periods grow as lr falls below the largest rate this
   * session has trained at (stretchPeriods in sync.ts; EpochResult.periods says which were used).
   */
  trainRange(lr: number, from: number, to: number, copyAt?: readonly number[]): Promise<EpochResult>;
  /** shuffle(), then the whole order. */
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
// From the sources (tsx) the worker is worker.ts; in the built package (dist/) it is worker.js beside this module's folder.
const WORKER_URL = process.env.HOGWILD_WORKER ? pathToFileURL(process.env.HOGWILD_WORKER)
  : new URL(import.meta.url.endsWith('.ts') ? '../worker/worker.ts' : '../worker/worker.js', import.meta.url);

/** Worker threads inherit the tsx loader from the CLI; elsewhere (tests) it is added so the .ts worker loads. */
function workerExecArgv(): string[] | undefined {
  // The tsx CLI passes --import …/tsx/dist/loader.mjs (a bare path check would also match vitest's tsx@… folder).
  if (process.env.HOGWILD_WORKER || !WORKER_URL.pathname.endsWith('.ts') || process.execArgv.some((a) => a === 'tsx' || /[\\/]tsx[\\/]dist[\\/]loader\.mjs$/.test(a))) return undefined;
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}

/** Samples between progress updates and stop checks, unless SessionOptions.chunk says otherwise. */
export const DEFAULT_CHUNK = 256;

/** [from, to) cut into `parts` contiguous slices. */
export function slices(from: number, to: number, parts: number): [number, number][] {
  const n = to - from;
  return Array.from({ length: parts }, (_, k) => [from + Math.floor((k * n) / parts), from + Math.floor(((k + 1) * n) / parts)] as [number, number]);
}

/**
 * Positions a worker takes from a training range at a time: small enough that the workers finish a range within
 * about a 32nd of a worker's share of each other (a worker the system pauses is not waited for), at least 32 so that
 * the shared cursor is touched rarely, and at most `chunk` (the progress and stop-check period).
 */
export function grain(samples: number, workers: number, chunk: number): number {
  return Math.max(1, Math.min(chunk, Math.max(32, Math.floor(samples / (32 * workers)))));
}

/**
 * The last positions of a range of `samples` after each of which the worker that trained it merges everything it
 * changed: `tail` per worker (CLOSING_TAIL, pool/sync.ts), with the wasm kernel's replicas only.
 */
export function tailPositions(sync: SyncPeriods, kernel: KernelName, workers: number, samples: number): number {
  return kernel === 'wasm' && sync.rows > 0 ? Math.min(samples, sync.tail * workers) : 0;
}

/** The samples since the last merge that worker k of `workers` starts a task with, so that workers merge out of phase. */
export function mergePhase(k: number, workers: number, syncEvery: number): number {
  return syncEvery > 0 ? Math.floor((k * syncEvery) / workers) : 0;
}

/** The most workers a session may start: 4 per logical CPU, at least 16 (each worker is a thread with its own replica). */
export function maxWorkers(): number {
  return Math.max(16, 4 * availableParallelism());
}

/** Checks the options a caller controls, naming the option and the value (a chunk of 0 once hung every worker). */
export function checkSessionOptions(o: SessionOptions): void {
  const int = (name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new TrainerError('E_USAGE', `${name}: expected an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any size' : max}, found ${JSON.stringify(v)}`);
    }
  };
  int('workers', o.workers, 1, o.simulate ? 1024 : maxWorkers());
  if (o.chunk !== undefined) int('chunk', o.chunk, 1);
  if (o.sync !== undefined && o.sync !== 'auto') int('sync', o.sync, 0);
  if (o.syncDense !== undefined) int('syncDense', o.syncDense, 1);
  if (o.syncTouches !== undefined) int('syncTouches', o.syncTouches, 1, 255);
  if (o.syncTail !== undefined) int('syncTail', o.syncTail, 0);
  if (o.syncStretch !== undefined) int('syncStretch', o.syncStretch, 1, 255);
  if (o.seed !== undefined) int('seed', o.seed, 0, 2 ** 32 - 1);
  if (o.kernel !== 'wasm' && o.kernel !== 'ts') throw new TrainerError('E_USAGE', `kernel: expected "wasm" or "ts", found ${JSON.stringify(o.kernel)}`);
}

export async function createSession(o: SessionOptions): Promise<Session> {
  checkSessionOptions(o);
  if (o.simulate) return (await import('./simulated.ts')).createSimulatedSession(o);
  const spec = validateSpec(o.spec);
  const workers = o.workers;
  const chunk = o.chunk ?? DEFAULT_CHUNK;
  const sync = syncPeriods(o.sync ?? 'auto', workers, o.syncDense, o.syncTouches, o.syncTail, o.syncStretch);
  // The samples between merges a worker counts: the wasm kernel's row checks, or the TypeScript kernel's whole-replica
  // merges (the wasm kernel's other periods are in its views).
  const syncEvery = o.kernel === 'ts' ? sync.replica : sync.rows;
  const module = o.kernel === 'wasm' ? compileKernel() : null;
  const mem = layoutMemory({ ...o, spec, views: workers, sync });
  const { train, test, order } = mem;

  const control = new SharedArrayBuffer(4 * CONTROL_SLOTS);
  const ctl = new Int32Array(control);
  const workerData: WorkerInit = {
    memory: mem.arena.memory, module, kernel: o.kernel, spec, paramsOffset: mem.paramsOffset, paramsLength: mem.layout.length, control,
    train: train?.ref ?? null, test: test?.ref ?? null, orderOffset: mem.orderOffset, views: mem.views, confusion: mem.confusion, chunk, syncEvery,
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
  const classes = spec.layers[spec.layers.length - 1];

  const runAll = async <R extends TaskResult>(tasks: Task[]): Promise<R[]> => {
    try {
      return (await Promise.all(tasks.map((t) => pool.run(t)))) as R[];
    } catch (e) {
      throw workerFailure(failure ?? (e as Error));
    }
  };

  // The buffer the workers copy the parameters into at evaluation points, kept from range to range and written through
  // once when made, so that the training workers do not fault its pages in (a fresh one per range: some 1,200 pages
  // for R's 15 copies).
  let copySpace: SharedArrayBuffer | null = null;
  // The merge periods grow as a schedule lowers the learning rate (stretchPeriods).
  const periodsAt = periodsFollowingRate(sync);
  const copyBuffer = (n: number): SharedArrayBuffer => {
    const bytes = copyPlanBytes(n, mem.params.length);
    if (copySpace === null || copySpace.byteLength < bytes) {
      copySpace = new SharedArrayBuffer(bytes);
      new Uint8Array(copySpace).fill(1).fill(0);
    }
    return copySpace;
  };

  const session: Session = {
    spec, layout: mem.layout, params: mem.params, workers, kernel: o.kernel, sync, simulated: false,
    train: train?.ds ?? null,
    test: test?.ds ?? null,
    standardization: mem.standardization,
    shuffle() {
      shuffleInPlace(order, rng);
      Atomics.store(ctl, CONTROL.PROGRESS, 0);
    },
    async trainRange(lr: number, from: number, to: number, copyAt: readonly number[] = []): Promise<EpochResult> {
      if (!train) throw new Error('trainRange: the session has no training set');
      // The workers copy the shared parameters as they pass each point: the main thread waits, without waking.
      const progress0 = Atomics.load(ctl, CONTROL.PROGRESS);
      const plan: CopyPlan | null = copyAt.length > 0 ? { buffer: copyBuffer(copyAt.length), at: copyAt.map((c) => progress0 + c) } : null;
      Atomics.store(ctl, CONTROL.COPY, 0);
      Atomics.store(ctl, CONTROL.NEXT, from);
      const g = grain(to - from, workers, chunk);
      const tail = tailPositions(sync, o.kernel, workers, to - from);
      const periods = o.kernel === 'wasm' && sync.rows > 0 ? periodsAt(lr) : null;
      const every = periods?.rows ?? syncEvery;
      const tasks: Task[] = Array.from({ length: workers }, (_, k) => ({ kind: 'train', end: to, grain: g, lr, phase: mergePhase(k, workers, every), tail, copies: plan, periods }));
      const t0 = performance.now();
      const results = await runAll<TrainResult>(tasks);
      const seconds = (performance.now() - t0) / 1000;
      const copies: ParamsCopy[] = [];
      if (plan) {
        const taken = Atomics.load(ctl, CONTROL.COPY);
        for (let k = 0; k < taken; k++) {
          const { header, params } = copySlot(plan, k, mem.params.length);
          // Out of the buffer, which the next range reuses.
          copies.push({ samples: header[0] - progress0, seconds: Math.max(0, header[1] - performance.timeOrigin - t0) / 1000, params: params.slice() });
        }
      }
      return sumTrainResults(results, seconds, copies, periods);
    },
    async trainEpoch(lr: number): Promise<EpochResult> {
      session.shuffle();
      return session.trainRange(lr, 0, order.length);
    },
    async evaluate(split: 'train' | 'test'): Promise<Evaluation> {
      const ds = split === 'test' ? test?.ds : train?.ds;
      if (!ds) throw new Error(`evaluate: the session has no ${split} set`);
      const t0 = performance.now();
      const results = await runAll<EvalResult>(slices(0, ds.rows, workers).map(([start, end]) => ({ kind: 'eval', split, start, end })));
      return addEvaluations(results, ds.rows, classes, (performance.now() - t0) / 1000);
    },
    progress: () => Atomics.load(ctl, CONTROL.PROGRESS),
    stop: () => Atomics.store(ctl, CONTROL.STOP, 1),
    close: () => pool.destroy(),
  };
  return session;
}

export function sumTrainResults(results: readonly TrainResult[], seconds: number, copies: readonly ParamsCopy[] = [], periods: RangePeriods | null = null): EpochResult {
  let samples = 0, loss = 0, mergedFloats = 0, stopped = false;
  for (const r of results) {
    samples += r.samples;
    loss += r.loss;
    mergedFloats += r.mergedFloats;
    stopped ||= r.stopped;
  }
  return { samples, loss: samples > 0 ? loss / samples : NaN, seconds, stopped, mergedFloats, copies, periods };
}

export function addEvaluations(results: readonly { correct: number; confusion: Int32Array }[], samples: number, classes: number, seconds: number): Evaluation {
  const total = new Int32Array(classes * classes);
  let correct = 0;
  for (const r of results) {
    correct += r.correct;
    for (let i = 0; i < total.length; i++) total[i] += r.confusion[i];
  }
  return { samples, correct, accuracy: samples ? correct / samples : NaN, classes, confusion: total, seconds };
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

/** Workers by default: one per physical core (logical CPUs sharing a core add little to a memory-bound kernel). */
export function defaultWorkers(): number {
  return physicalCores() ?? availableParallelism();
}
