/**
 * The messages between the pool (main thread) and its workers, typed in one place, and the slots of the shared
 * control array. Shared buffers reach a worker once, in its WorkerInit (piscina's workerData); each task then
 * carries only a few numbers.
 */
import type { NetworkSpec } from '@hogwild/core';
import type { DataLayout } from '@hogwild/core/internal';
import type { MergeProtocol, RangePlan } from './merge-plan.ts';

export type KernelName = 'ts' | 'wasm';
export const KERNELS: readonly KernelName[] = ['ts', 'wasm'];

/** Slots of the Int32Array over `WorkerInit.control`. Atomics are used only for these signals, never for parameters. */
export const CONTROL = {
  /** Samples trained so far in this epoch, summed over workers: the progress bars read it. */
  PROGRESS: 0,
  /** Set to 1 by the main thread (Ctrl-C): workers stop at their next chunk boundary. */
  STOP: 1,
  /** Next free worker slot: each worker thread claims one at start for its own scratch (Atomics.add). */
  CLAIM: 2,
  /**
   * The next position of the training range in progress: workers take their samples from it a grain at a time
   * (Atomics.add), so that a worker the system slows down does not hold the others up at the end of a range.
   */
  NEXT: 3,
  /**
   * The next evaluation copy of the range in progress (TrainTask.copies): the worker whose grain takes the progress
   * count past its point claims it (Atomics.compareExchange) and copies the shared parameters.
   */
  COPY: 4,
} as const;
export const CONTROL_SLOTS = 8;

/** A dataset inside the arena: its layout (core data-layout.ts), and the data descriptor the kernel reads it by. */
export interface DataRef {
  readonly layout: DataLayout;
  /** Byte offset of the data descriptor (writeDataDescriptor). */
  readonly descriptor: number;
}

/** The compute kernel of the workers, with what it needs in the shared memory, one entry per worker slot. */
export type KernelViews =
  /** The TypeScript kernel: each worker keeps its own network view of the shared parameters. */
  | { readonly name: 'ts'; readonly slots: number; readonly labelSmoothing: number }
  | {
    readonly name: 'wasm';
    readonly slots: number;
    /** The compiled kernel (a WebAssembly.Module is shared with workers, not recompiled). */
    readonly module: WebAssembly.Module;
    /** The views the workers train through (descriptor offsets; their label smoothing is in them). */
    readonly views: readonly number[];
    /**
     * The views evaluation reads through: the training views where they train on the shared parameters, else
     * (replicas) views of the shared parameters that do no merging, so that evaluating leaves a worker's replica
     * and merge counters as they were.
     */
    readonly evalViews: readonly number[];
    /** Confusion-count scratch (int32, classes²). */
    readonly confusion: readonly number[];
  };

/** What a worker (a thread of the pool, or a simulated one) needs to reach the shared memory. */
export interface WorkerInit {
  readonly memory: WebAssembly.Memory;
  readonly kernel: KernelViews;
  readonly spec: NetworkSpec;
  readonly paramsOffset: number;
  readonly paramsLength: number;
  readonly control: SharedArrayBuffer;
  readonly train: DataRef | null;
  readonly test: DataRef | null;
  /** How the workers merge (merge-plan.ts): the engine is chosen by it once (worker/engine.ts). */
  readonly merge: MergeProtocol;
}

/**
 * Train the range of the order that ends at `plan.end` with learning rate lr: every worker gets the same task and
 * runs the plan (merge-plan.ts) from CONTROL.NEXT, which the main thread set to the range's start, until the range
 * is done. `copies`: the evaluation copies to take while training (CopyPlan).
 */
export interface TrainTask { readonly kind: 'train'; readonly lr: number; readonly plan: RangePlan; readonly copies: CopyPlan | null }

/**
 * Copies of the shared parameters the workers take while a range trains (the evaluation points of `trainer bench`):
 * copy k is taken by the worker whose grain takes CONTROL.PROGRESS to `at[k]` or past it. `buffer` holds a header of
 * two float64 per copy (the progress count when it was taken, and `performance.timeOrigin + performance.now()` then,
 * in ms), followed by the copies' float32 parameters, one after the other.
 */
export interface CopyPlan { readonly buffer: SharedArrayBuffer; readonly at: readonly number[] }

/** Bytes of a CopyPlan buffer for `copies` copies of `params` parameters. */
export function copyPlanBytes(copies: number, params: number): number {
  return 16 * copies + 4 * copies * params;
}

/** Copy k of a plan in its buffer (the layout above): its header and its `params` parameters. */
export function copySlot(plan: CopyPlan, k: number, params: number): { header: Float64Array; params: Float32Array } {
  return { header: new Float64Array(plan.buffer, 16 * k, 2), params: new Float32Array(plan.buffer, 16 * plan.at.length + 4 * k * params, params) };
}
/** Returns once `workers` threads have started: sent once per worker, so each waits on a different thread. */
export interface ReadyTask { readonly kind: 'ready'; readonly workers: number }
/** Classify samples [start, end) of a split. */
export interface EvalTask { readonly kind: 'eval'; readonly split: 'train' | 'test'; readonly start: number; readonly end: number }
export type Task = ReadyTask | TrainTask | EvalTask;

/** One worker's share of a range. mergedFloats: parameters it merged into the shared ones (replicas only). */
export interface RangeResult { readonly kind: 'train'; readonly samples: number; readonly loss: number; readonly stopped: boolean; readonly mergedFloats: number }
/** confusion[label · classes + predicted]. */
export interface EvalResult { readonly kind: 'eval'; readonly samples: number; readonly correct: number; readonly confusion: Int32Array }
export interface ReadyResult { readonly kind: 'ready'; readonly slot: number }
export type TaskResult = ReadyResult | RangeResult | EvalResult;
