/**
 * The main-thread side of training: lays out the shared memory once (memory.ts), then trains ranges and evaluates
 * through a driver, either a piscina pool of threads (pool-driver.ts) or W workers taking turns in this thread
 * (inline-driver.ts, `simulate`). Both run the merge plan (merge-plan.ts) on the same memory. Data flow: dataset →
 * arena (one copy) → workers (zero-copy views) → parameters → model file.
 */
import { createRng, shuffleInPlace, validateSpec, type NetworkSpec, type MergePeriods, type ParamLayout, type Rng, type Standardization, type TargetScaling } from '@hogwild/core/internal';
import type { Dataset } from '@hogwild/data/internal';
import { CONTROL, CONTROL_SLOTS, copyPlanBytes, copySlot, type CopyPlan, type EvalResult, type EvalTask, type KernelName, type RangeResult, type WorkerInit } from '../protocol.ts';
import { createPlanner, mergeProtocol, type MergeProtocol, type RangePlan } from '../merge-plan.ts';
import { DEFAULT_CHUNK, checkSessionOptions, type MergeOptions } from '../options.ts';
import { TrainerError } from '../errors.ts';
import { layoutMemory, type SessionInputs } from './memory.ts';
import { createPoolDriver } from './pool-driver.ts';
import { createInlineDriver } from './inline-driver.ts';
import { regressionMetrics, type RegressionMetrics } from '../metrics.ts';

/** What a {@link Session} trains and evaluates, on how many workers. */
export interface SessionOptions extends SessionInputs {
  /** The network. */
  readonly spec: NetworkSpec;
  /** The compute kernel. */
  readonly kernel: KernelName;
  /** Worker threads (or logical workers with `simulate`). */
  readonly workers: number;
  /** Samples between progress updates and stop checks (at most a grain). */
  readonly chunk?: number;
  /** How several workers merge (the merge group of options.ts; merge-plan.ts). Ignored with one worker. */
  readonly merge?: MergeOptions;
  /** Run the workers as logical workers taking turns in this thread: deterministic (inline-driver.ts). */
  readonly simulate?: boolean;
  /** The largest learning rate trained at before this session (a resumed run), from which the merge periods stretch. */
  readonly topLr?: number;
  /** Label smoothing ε of a softmax network (options.ts SCHEDULE; default 0, the one-hot target). */
  readonly labelSmoothing?: number;
}

/** What one epoch (or range) of training did. */
export interface EpochResult {
  /** Samples trained. */
  readonly samples: number;
  /** Mean cost of the samples trained, each taken just before its own update. */
  readonly loss: number;
  /** Training seconds (wall clock). */
  readonly seconds: number;
  /** Whether stop() ended it early. */
  readonly stopped: boolean;
  /** Floats the workers merged into the shared parameters (replicas on; 0 otherwise). */
  readonly mergedFloats: number;
  /** The copies of the shared parameters that trainRange's `copyAt` asked for, in order (fewer if training stopped). */
  readonly copies: readonly ParamsCopy[];
  /** The range's merge periods (merge-plan.ts); null without replicas. */
  readonly periods: MergePeriods | null;
}

/** The shared parameters as they were while a range trained (an evaluation point of `trainer bench`). */
export interface ParamsCopy {
  /** Samples of the range trained when the copy was taken. */
  readonly samples: number;
  /** Training seconds into the range. */
  readonly seconds: number;
  readonly params: Float32Array;
}

/** Accuracy and confusion counts of a model on a dataset. */
export interface Evaluation {
  /** Samples evaluated. */
  readonly samples: number;
  /** Samples whose most probable class is their label. */
  readonly correct: number;
  /** Classification: the fraction classified correctly (NaN for regression). */
  readonly accuracy: number;
  /** Regression: RMSE, MAE, R² and the residuals, in the target's units. */
  readonly regression?: RegressionMetrics;
  /** Regression: each sample's prediction, in the target's units. */
  readonly predictions?: Float32Array;
  /** Output classes of the model (the confusion matrix is classes × classes). */
  readonly classes: number;
  /** confusion[label · classes + predicted] */
  readonly confusion: Int32Array;
  /** Evaluation seconds. */
  readonly seconds: number;
}

/** What runs the workers (each the worker loop, worker/loop.ts): a piscina pool, or the in-thread simulation. Each call is one task per worker. */
export interface Driver {
  /** Trains the plan's range (CONTROL.NEXT already at its start), the workers taking the copies of the parameters `copies` asks for. */
  train(lr: number, plan: RangePlan, copies: CopyPlan | null): Promise<RangeResult[]>;
  evaluate(tasks: readonly EvalTask[]): Promise<EvalResult[]>;
  close(): Promise<void>;
}

/**
 * Worker threads over one shared memory holding the parameters and the data: trains ranges and epochs, evaluates,
 * stops and closes. train(), evaluate() and bench() run on one; {@link createSession} starts it.
 */
export interface Session {
  readonly spec: NetworkSpec;
  readonly layout: ParamLayout;
  /** The shared parameters (a view on the arena). */
  readonly params: Float32Array;
  readonly workers: number;
  readonly kernel: KernelName;
  /** How the workers merge (plain Hogwild for one worker). */
  readonly merges: MergeProtocol;
  readonly simulated: boolean;
  readonly train: Dataset | null;
  readonly test: Dataset | null;
  /** The standardisation applied to the float features in the session's memory (see SessionInputs.standardize), or null. */
  readonly standardization: Standardization | null;
  /** Regression: the target scaling of the session's targets (fitted on the training set, or given). */
  readonly target: TargetScaling | null;
  /** Starts an epoch: a new seeded shuffle of the training order, and the progress count back to 0. */
  shuffle(): void;
  /**
   * Trains positions [from, to) of the current order with learning rate lr, the workers taking a grain at a time
   * from a shared cursor. `copyAt` (ascending sample counts into the range): copies of the shared parameters taken
   * as training passes each count, without stopping the workers (real workers: within a grain per worker;
   * simulated: exactly there). The range's merge periods grow as lr falls below the largest rate trained at so far.
   */
  trainRange(lr: number, from: number, to: number, copyAt?: readonly number[]): Promise<EpochResult>;
  /** shuffle(), then the whole order. */
  trainEpoch(lr: number): Promise<EpochResult>;
  /** Evaluates the current parameters on a split, across the workers. */
  evaluate(split: 'train' | 'test'): Promise<Evaluation>;
  /** Samples trained so far in the current epoch (all workers). */
  progress(): number;
  /** Asks the workers to stop at their next chunk boundary (Ctrl-C). */
  stop(): void;
  /** Stops the workers and releases the memory. */
  close(): Promise<void>;
}

export { DEFAULT_CHUNK };

/** [from, to) cut into `parts` contiguous slices. */
export function slices(from: number, to: number, parts: number): [number, number][] {
  const n = to - from;
  return Array.from({ length: parts }, (_, k) => [from + Math.floor((k * n) / parts), from + Math.floor(((k + 1) * n) / parts)] as [number, number]);
}

/** Starts a session: the data and parameters copied into one shared memory, the workers started (or simulated). */
export async function createSession(o: SessionOptions): Promise<Session> {
  checkSessionOptions(o);
  const spec = validateSpec(o.spec);
  const { workers, kernel } = o;
  const chunk = o.chunk ?? DEFAULT_CHUNK;
  const sparse = [o.train, o.test].some((d) => d !== undefined && d.layout === 'sparse');
  if (sparse && kernel === 'ts') throw new TrainerError('E_USAGE', { field: 'kernel', problem: 'the TypeScript kernel reads dense rows only; leave --kernel out (wasm) for a sparse dataset' });
  const protocol = mergeProtocol(o.merge ?? {}, workers, kernel, sparse ? 'sparse' : 'dense');
  const mem = layoutMemory({ ...o, spec, views: workers, protocol });
  const { train, test, order } = mem;
  const control = new SharedArrayBuffer(4 * CONTROL_SLOTS);
  const ctl = new Int32Array(control);
  const init: WorkerInit = {
    memory: mem.arena.memory, kernel: mem.kernel, spec, paramsOffset: mem.paramsOffset, paramsLength: mem.layout.length,
    control, train: train?.ref ?? null, test: test?.ref ?? null, merge: protocol,
  };
  const driver = o.simulate ? createInlineDriver(init, workers, mem.params) : await createPoolDriver(init, workers);
  const plan = createPlanner(protocol, workers, chunk, o.topLr);
  const rng: Rng = createRng((o.seed ?? 1) ^ 0x5eed);
  // The buffer the workers copy the parameters into at evaluation points, kept from range to range and written through
  // once when made, so that the training workers do not fault its pages in.
  let copySpace: SharedArrayBuffer | null = null;
  const copyBuffer = (n: number): SharedArrayBuffer => {
    const bytes = copyPlanBytes(n, mem.layout.length);
    if (copySpace === null || copySpace.byteLength < bytes) {
      copySpace = new SharedArrayBuffer(bytes);
      new Uint8Array(copySpace).fill(1).fill(0);
    }
    return copySpace;
  };
  const classes = spec.layers[spec.layers.length - 1];

  const session: Session = {
    spec, layout: mem.layout, params: mem.params, workers, kernel, merges: protocol, simulated: o.simulate ?? false,
    train: train?.ds ?? null,
    test: test?.ds ?? null,
    standardization: mem.standardization,
    target: mem.target,
    shuffle() {
      shuffleInPlace(order, rng);
      Atomics.store(ctl, CONTROL.PROGRESS, 0);
    },
    async trainRange(lr, from, to, copyAt = []) {
      if (!train) throw new TrainerError('E_USAGE', 'trainRange: the session has no training set (give it `train`)');
      Atomics.store(ctl, CONTROL.NEXT, from);
      const range = plan(lr, from, to);
      // The workers copy the shared parameters as they pass each point: the main thread waits, without waking.
      const progress0 = Atomics.load(ctl, CONTROL.PROGRESS);
      const copies: CopyPlan | null = copyAt.length > 0 ? { buffer: copyBuffer(copyAt.length), at: copyAt.map((c) => progress0 + c) } : null;
      Atomics.store(ctl, CONTROL.COPY, 0);
      const t0 = performance.now();
      const results = await driver.train(lr, range, copies);
      const seconds = (performance.now() - t0) / 1000;
      const taken: ParamsCopy[] = [];
      for (let k = 0; copies && k < Atomics.load(ctl, CONTROL.COPY); k++) {
        const { header, params } = copySlot(copies, k, mem.layout.length);
        // Out of the buffer, which the next range reuses.
        taken.push({ samples: header[0] - progress0, seconds: Math.max(0, header[1] - performance.timeOrigin - t0) / 1000, params: params.slice() });
      }
      return sumRangeResults(results, seconds, taken, range.merge.kind === 'replicas' ? range.merge.periods : null);
    },
    async trainEpoch(lr) {
      session.shuffle();
      return session.trainRange(lr, 0, order.length);
    },
    async evaluate(split) {
      const loaded = split === 'test' ? test : train;
      const ds = loaded?.ds;
      if (!ds) throw new TrainerError('E_USAGE', `evaluate: the session has no ${split} set (give it \`${split}\`)`);
      const t0 = performance.now();
      const results = await driver.evaluate(slices(0, ds.rows, workers).map(([start, end]) => ({ kind: 'eval', split, start, end })));
      const e = addEvaluations(results, ds.rows, classes, (performance.now() - t0) / 1000);
      if (!loaded.predictions) return e;
      // Regression: the workers wrote the scaled predictions; the metrics are in the target's units.
      const predictions = Float32Array.from(loaded.predictions, mem.pre.unscaleTarget);
      return { ...e, accuracy: NaN, regression: regressionMetrics(ds.targets!, predictions), predictions };
    },
    progress: () => Atomics.load(ctl, CONTROL.PROGRESS),
    stop: () => Atomics.store(ctl, CONTROL.STOP, 1),
    close: () => driver.close(),
  };
  return session;
}

export function sumRangeResults(results: readonly RangeResult[], seconds: number, copies: readonly ParamsCopy[] = [], periods: MergePeriods | null = null): EpochResult {
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
