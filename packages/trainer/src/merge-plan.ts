/**
 * The merge plan: the one place that turns the merge settings, the learning rate, the worker count and a training
 * range into what every worker executes (grain, tail, phase and merge periods). Real workers (worker/worker.ts) and
 * simulated ones (pool/inline-driver.ts) run it through the same loop (worker/engine.ts); the mechanism it drives
 * (replicas, touch counters, locks) is the WebAssembly kernel's. Why each rule: docs/merge-protocol.md.
 *
 * The policy of the protocol is this file; its mechanism is the kernel's (assembly/merge.ts) behind the worker's
 * Engine (worker/engine.ts). A new protocol (say clusters of workers merging in a ring, HOGWILD++-style) is a new
 * rule and plan here, and, where it needs a mechanism the kernel lacks (a replica per cluster, a token), a new
 * Engine, a memory layout in pool/memory.ts and kernel entries: the Session, the drivers and the grain loop stay.
 */
import type { MergePeriods } from '@hogwild/core/internal';
import type { MergeOptions } from './options.ts';
import type { KernelName } from './protocol.ts';

/** Touches of a row between its merges, summed over the other workers (docs/merge-protocol.md#staleness-budgets). */
export const TOUCH_BUDGET = 64;
/** Samples of dense-region staleness, summed over the other workers (docs/merge-protocol.md#staleness-budgets). */
export const DENSE_STALENESS = 16;
/** Samples per worker at the end of each range merged one by one (docs/merge-protocol.md#closing-tail). */
export const CLOSING_TAIL = 32;
/** The most the periods grow as the rate falls (docs/merge-protocol.md#periods-that-follow-the-learning-rate). */
export const STRETCH = 8;

/** How a session's workers merge, before a schedule stretches the periods (rows 0: no replicas, plain Hogwild). */
export interface MergeRule extends MergePeriods {
  /** A worker's last samples of each range that are each followed by a full merge. */
  readonly tail: number;
  /** The most the periods grow as the learning rate falls (1: fixed). */
  readonly stretch: number;
}

export const NO_MERGES: MergeRule = { rows: 0, touches: 0, dense: 0, tail: 0, stretch: 1 };

/**
 * The rule for W workers. auto: a first-layer row is merged after T = 64 ÷ (W − 1) touches, checked every max(1, T ÷ 4)
 * samples, the dense region every 16 ÷ (W − 1) samples (the budgets are shared by the other workers: what one misses
 * is what they hold back). A number n: every changed row every n samples (T = 1). The dense period never exceeds the
 * check period. One worker, `every: 0` and the TypeScript kernel (the readable reference: plain per-sample Hogwild
 * on the shared weights) have no replicas.
 */
export function mergeRule(s: MergeOptions, workers: number, kernel: KernelName): MergeRule {
  const every = s.every ?? 'auto';
  if (workers <= 1 || every === 0 || kernel === 'ts') return NO_MERGES;
  const others = workers - 1;
  const touches = s.touches ?? (every === 'auto' ? Math.max(1, Math.floor(TOUCH_BUDGET / others)) : 1);
  const rows = every === 'auto' ? Math.max(1, Math.floor(touches / 4)) : every;
  const dense = s.dense ?? Math.max(1, Math.floor(DENSE_STALENESS / others));
  return { rows, touches, dense: Math.min(rows, dense), tail: s.tail ?? CLOSING_TAIL, stretch: s.stretch ?? STRETCH };
}

/**
 * The periods for a range trained at rate `lr` when the largest rate trained at so far is `top`: each period times
 * r = min(stretch, top ÷ lr), touches at most 255 (the counter's limit), checks at most a quarter of the touches,
 * the dense period at most the check period. A stale step is off by about lr · staleness, so a lower rate affords
 * more staleness (docs/merge-protocol.md#periods-that-follow-the-learning-rate).
 */
export function stretchPeriods(p: MergeRule, lr: number, top: number): MergePeriods {
  const r = Math.max(1, Math.min(p.stretch, lr > 0 ? top / lr : p.stretch));
  const touches = p.touches > 1 ? Math.min(255, Math.max(p.touches, Math.round(p.touches * r))) : p.touches;
  const rowsCap = p.touches > 1 ? Math.max(1, Math.floor(touches / 4)) : Number.MAX_SAFE_INTEGER;
  const rows = Math.max(p.rows, Math.min(rowsCap, Math.round(p.rows * r)));
  const dense = Math.min(rows, Math.max(p.dense, Math.round(p.dense * r)));
  return { rows, touches, dense };
}

/** What every worker of one training range executes. */
export interface RangePlan {
  /** The range's end; its start is where the shared cursor stands when the range begins. */
  readonly end: number;
  /** Positions a worker takes from the cursor at a time (takeGrain shrinks them towards the tail). */
  readonly grain: number;
  /** The range's last positions, each followed by a full merge of the worker that trained it. */
  readonly tail: number;
  /** The range's merge periods; null without replicas. */
  readonly periods: MergePeriods | null;
  /** Samples since the last merge that worker k starts with, so that workers merge out of phase. */
  readonly phases: readonly number[];
}

/** Positions a range gives a worker at a time: about a 32nd of a worker's share, at least 32, at most `chunk` (docs/merge-protocol.md#grains). */
export function grainSize(samples: number, workers: number, chunk: number): number {
  return Math.max(1, Math.min(chunk, Math.max(32, Math.floor(samples / (32 * workers)))));
}

/**
 * A session's planner: the plan of each range it trains, in turn, with the periods stretched against the largest
 * rate trained at so far.
 */
export function createPlanner(rule: MergeRule, workers: number, chunk: number, topLr = 0): (lr: number, from: number, to: number) => RangePlan {
  let top = topLr;
  return (lr, from, to) => {
    top = Math.max(top, lr);
    const periods = rule.rows > 0 ? stretchPeriods(rule, lr, top) : null;
    const every = periods?.rows ?? 0;
    return {
      end: to,
      grain: grainSize(to - from, workers, chunk),
      tail: rule.rows > 0 ? Math.min(to - from, rule.tail * workers) : 0,
      periods,
      phases: Array.from({ length: workers }, (_, k) => (every > 0 ? Math.floor((k * every) / workers) : 0)),
    };
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
export function describeMerges(p: MergeRule): string {
  if (p.rows === 0) return 'plain Hogwild, no replicas';
  const every = (n: number) => `every ${n} sample${n > 1 ? 's' : ''}`;
  const rows = p.touches > 1 ? `first-layer rows merged after ${p.touches} changes (checked ${every(p.rows)})` : `first-layer rows merged ${every(p.rows)}`;
  const grow = p.stretch > 1 ? `, up to ${p.stretch}× longer as the learning rate falls` : '';
  return `${rows}, the rest ${every(p.dense)}${grow}`;
}

/** "64×/16, 16 ↑8": rows after 64 touches checked every 16 samples, dense every 16, up to 8× as lr falls (tables). */
export function shortMerges(p: MergeRule): string {
  if (p.rows === 0) return '—';
  return `${p.touches > 1 ? `${p.touches}×/${p.rows}` : p.rows}, ${p.dense}${p.stretch > 1 ? ` ↑${p.stretch}` : ''}`;
}
