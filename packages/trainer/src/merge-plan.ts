/**
 * The merge plan: the one place that turns the merge protocol, the learning rate, the worker count and a training
 * range into what every worker executes (grain, tail, and the protocol's part: periods and phases for replicas).
 * Real workers (worker/worker.ts) and simulated ones (pool/inline-driver.ts) run it through the same loop
 * (worker/loop.ts). Each protocol's host side is one file in merge/ (its settings, plan, views and engine), its
 * mechanism one in the kernel's assembly/ (replicas: merge.ts). Why each rule: docs/merge-protocol.md.
 */
import type { Arena, KernelExports, NetworkSpec, ViewMerge } from '@hogwild/core/internal';
import type { MergeOptions } from './options.ts';
import type { KernelName } from './protocol.ts';
import { PLAIN, PLAIN_HOST, type Plain } from './merge/plain.ts';
import { REPLICAS, resolveReplicas, type Replicas, type ReplicasRange } from './merge/replicas.ts';

export { PLAIN, type Plain } from './merge/plain.ts';
export { CLOSING_TAIL, DENSE_STALENESS, STRETCH, TOUCH_BUDGET, stretchPeriods, type Replicas, type ReplicasRange } from './merge/replicas.ts';

/**
 * How a session's workers merge: the merge protocol, resolved once (mergeProtocol) and dispatched on once on each
 * side of the boundary: here, through its ProtocolHost (plan, views, engine), and in the kernel, through the view's
 * MERGE word (assembly/kernel.ts). A new protocol is a member here, a file in merge/ and one in assembly/
 * (docs/merge-protocol.md#a-new-protocol).
 */
export type MergeProtocol = Plain | Replicas;

/** A range's part of the protocol, by protocol. */
export type RangeMerge = Plain | ReplicasRange;

/** What each protocol does on the host side; PROTOCOLS holds one per protocol. */
export interface ProtocolHost<P extends MergeProtocol, M extends RangeMerge> {
  /** The part of the plan of a range [from, to) trained at `lr`, `top` being the largest rate so far: its tail, and what the workers need. */
  plan(p: P, lr: number, top: number, from: number, to: number, workers: number): { readonly tail: number; readonly merge: M };
  /** Reserves what the views share (once) and returns the view options of worker k. */
  views(p: P, arena: Arena, spec: NetworkSpec, workers: number): (k: number) => ViewMerge | undefined;
  /** Whether evaluation needs views of its own: the training views do not read the shared parameters. */
  readonly evalViews: boolean;
  /** Worker slot `slot`'s part of the engine, over view `view`. */
  engine(wasm: KernelExports, memory: WebAssembly.Memory, view: number, slot: number): ProtocolEngine<M>;
  /** "first-layer rows merged after 64 changes (checked every 16 samples), the rest every 16" (headers and logs). */
  describe(p: P): string;
  /** "64×/16, 16 ↑8" (tables). */
  short(p: P): string;
}

/** What a protocol does in a worker: at a range's start, for positions [at, stop) of the data's order, and at its end (floats merged). */
export interface ProtocolEngine<M extends RangeMerge> {
  begin(plan: RangePlan, range: M): void;
  train(data: number, at: number, stop: number, lr: number): number;
  finish(): number;
}

const PROTOCOLS: { readonly [K in MergeProtocol['kind']]: ProtocolHost<Extract<MergeProtocol, { kind: K }>, Extract<RangeMerge, { kind: K }>> } = { plain: PLAIN_HOST, replicas: REPLICAS };

/** The host side of a protocol: the one dispatch on its kind. */
export const protocolHost = (p: MergeProtocol): ProtocolHost<MergeProtocol, RangeMerge> => PROTOCOLS[p.kind] as unknown as ProtocolHost<MergeProtocol, RangeMerge>;

/**
 * The protocol for W workers: replicas (merge/replicas.ts, their periods from the merge options), except plain
 * Hogwild for one worker, `every: 0`, the TypeScript kernel (the readable reference) and sparse inputs unless a
 * period is given (their first layer, up to millions of hashed features, is updated in place: no replica of it, no
 * counter per row to scan).
 */
export function mergeProtocol(s: MergeOptions, workers: number, kernel: KernelName, input: 'dense' | 'sparse' = 'dense'): MergeProtocol {
  const every = s.every ?? 'auto';
  // Sparse inputs merge only when told how often (--merge n): bench --ceiling's share-nothing workers do.
  if (workers <= 1 || every === 0 || kernel === 'ts' || (input === 'sparse' && every === 'auto')) return PLAIN;
  return resolveReplicas(s, workers);
}

/** What every worker of one training range executes. */
export interface RangePlan {
  /** The range's end; its start is where the shared cursor stands when the range begins. */
  readonly end: number;
  /** Positions a worker takes from the cursor at a time (takeGrain shrinks them towards the tail). */
  readonly grain: number;
  /** The range's last positions, each followed by a full merge of the worker that trained it (0: none). */
  readonly tail: number;
  /** What the protocol does in this range. */
  readonly merge: RangeMerge;
}

/** Positions a range gives a worker at a time: about a 32nd of a worker's share, at least 32, at most `chunk` (docs/merge-protocol.md#grains). */
export function grainSize(samples: number, workers: number, chunk: number): number {
  return Math.max(1, Math.min(chunk, Math.max(32, Math.floor(samples / (32 * workers)))));
}

/**
 * A session's planner: the plan of each range it trains, in turn, the protocol's part with the largest rate trained at
 * so far.
 */
export function createPlanner(protocol: MergeProtocol, workers: number, chunk: number, topLr = 0): (lr: number, from: number, to: number) => RangePlan {
  let top = topLr;
  const host = protocolHost(protocol);
  return (lr, from, to) => {
    top = Math.max(top, lr);
    return { end: to, grain: grainSize(to - from, workers, chunk), ...host.plan(protocol, lr, top, from, to, workers) };
  };
}

/**
 * Positions a worker takes from the cursor at `next`: the plan's grain, shrinking as the tail nears (half of what is
 * left before it, shared by the workers) so that all workers reach the tail together; one at a time inside it.
 */
export function takeGrain(next: number, plan: RangePlan, workers: number): number {
  if (plan.tail <= 0) return plan.grain;
  const before = plan.end - plan.tail - next;
  return before <= 0 ? 1 : Math.max(1, Math.min(plan.grain, Math.ceil(before / (2 * workers))));
}

/** "first-layer rows merged after 64 changes (checked every 16 samples), the rest every 16" (headers and logs). */
export const describeMerges = (p: MergeProtocol): string => protocolHost(p).describe(p);

/** "64×/16, 16 ↑8": rows after 64 touches checked every 16 samples, dense every 16, up to 8× as lr falls (tables). */
export const shortMerges = (p: MergeProtocol): string => protocolHost(p).short(p);
