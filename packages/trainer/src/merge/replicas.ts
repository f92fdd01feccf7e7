/**
 * The replicas protocol, host side: each worker trains on its own replica of the parameters and merges what it
 * changed into the shared ones on periods (the kernel's mechanism: assembly/merge.ts, under MergeCode.REPLICAS).
 * Its settings from the options, its part of each range's plan, its views and its engine. Why each rule:
 * docs/merge-protocol.md.
 */
import { mergeStart, reserveLocks, setMergePeriods, takeMergedFloats, type MergePeriods } from '@hogwild/core/internal';
import type { MergeOptions } from '../options.ts';
import type { ProtocolHost } from '../merge-plan.ts';

/** Touches of a row between its merges, summed over the other workers (docs/merge-protocol.md#staleness-budgets). */
export const TOUCH_BUDGET = 64;
/** Samples of dense-region staleness, summed over the other workers (docs/merge-protocol.md#staleness-budgets). */
export const DENSE_STALENESS = 16;
/** Samples per worker at the end of each range merged one by one (docs/merge-protocol.md#closing-tail). */
export const CLOSING_TAIL = 32;
/** The most the periods grow as the rate falls (docs/merge-protocol.md#periods-that-follow-the-learning-rate). */
export const STRETCH = 8;

/**
 * The replicas protocol's settings: periods before a schedule stretches them, each range's last `tail` samples per
 * worker each followed by a full merge, the periods growing up to `stretch`× as the learning rate falls.
 */
export type Replicas = { readonly kind: 'replicas'; readonly tail: number; readonly stretch: number } & MergePeriods;

/** A range's part of the protocol: its periods, and the samples since the last merge worker k starts with (out of phase). */
export interface ReplicasRange { readonly kind: 'replicas'; readonly periods: MergePeriods; readonly phases: readonly number[] }

/**
 * The settings for W ≥ 2 workers. auto: a first-layer row is merged after T = 64 ÷ (W − 1) touches, checked every
 * max(1, T ÷ 4) samples, the dense region every 16 ÷ (W − 1) samples (the budgets are shared by the other workers:
 * what one misses is what they hold back). A number n: every changed row every n samples (T = 1). The dense period
 * never exceeds the check period.
 */
export function resolveReplicas(s: MergeOptions, workers: number): Replicas {
  const every = s.every ?? 'auto';
  const others = workers - 1;
  const touches = s.touches ?? (every === 'auto' ? Math.max(1, Math.floor(TOUCH_BUDGET / others)) : 1);
  const rows = every === 'auto' ? Math.max(1, Math.floor(touches / 4)) : (every as number);
  const dense = s.dense ?? Math.max(1, Math.floor(DENSE_STALENESS / others));
  return { kind: 'replicas', rows, touches, dense: Math.min(rows, dense), tail: s.tail ?? CLOSING_TAIL, stretch: s.stretch ?? STRETCH };
}

/**
 * The periods for a range trained at rate `lr` when the largest rate trained at so far is `top`: each period times
 * r = min(stretch, top ÷ lr), touches at most 255 (the counter's limit), checks at most a quarter of the touches,
 * the dense period at most the check period. A stale step is off by about lr · staleness, so a lower rate affords
 * more staleness (docs/merge-protocol.md#periods-that-follow-the-learning-rate).
 */
export function stretchPeriods(p: Replicas, lr: number, top: number): MergePeriods {
  const r = Math.max(1, Math.min(p.stretch, lr > 0 ? top / lr : p.stretch));
  const touches = p.touches > 1 ? Math.min(255, Math.max(p.touches, Math.round(p.touches * r))) : p.touches;
  const rowsCap = p.touches > 1 ? Math.max(1, Math.floor(touches / 4)) : Number.MAX_SAFE_INTEGER;
  const rows = Math.max(p.rows, Math.min(rowsCap, Math.round(p.rows * r)));
  const dense = Math.min(rows, Math.max(p.dense, Math.round(p.dense * r)));
  return { rows, touches, dense };
}

export const REPLICAS: ProtocolHost<Replicas, ReplicasRange> = {
  plan(p, lr, top, from, to, workers) {
    const periods = stretchPeriods(p, lr, top);
    const phases = Array.from({ length: workers }, (_, k) => Math.floor((k * periods.rows) / workers));
    return { tail: Math.min(to - from, p.tail * workers), merge: { kind: 'replicas', periods, phases } };
  },
  views(p, arena, spec, workers) {
    // One set of locks for every view of the shared parameters; views start their scans apart.
    const locks = reserveLocks(arena, spec);
    return (k) => ({ locks, periods: p, from: mergeStart(k, workers, spec.layers[0]) });
  },
  evalViews: true,
  engine(wasm, memory, view, slot) {
    let tailFrom = 0;
    return {
      begin(plan, range) {
        tailFrom = plan.end - plan.tail;
        setMergePeriods(memory, view, range.periods);
        wasm.pull(view, range.phases[slot]);
      },
      train(data, at, stop, lr) {
        const cut = Math.max(at, Math.min(stop, tailFrom));
        let loss = cut > at ? wasm.train(view, data, at, cut, lr) : 0;
        // The range's tail: every sample merged at once (docs/merge-protocol.md#closing-tail).
        for (let t = cut; t < stop; t++) {
          loss += wasm.train(view, data, t, t + 1, lr);
          wasm.merge(view);
        }
        return loss;
      },
      finish() {
        wasm.merge(view);
        return takeMergedFloats(memory, view);
      },
    };
  },
  describe(p) {
    const every = (n: number) => `every ${n} sample${n > 1 ? 's' : ''}`;
    const rows = p.touches > 1 ? `first-layer rows merged after ${p.touches} changes (checked ${every(p.rows)})` : `first-layer rows merged ${every(p.rows)}`;
    const grow = p.stretch > 1 ? `, up to ${p.stretch}× longer as the learning rate falls` : '';
    return `${rows}, the rest ${every(p.dense)}${grow}`;
  },
  short: (p) => `${p.touches > 1 ? `${p.touches}×/${p.rows}` : p.rows}, ${p.dense}${p.stretch > 1 ? ` ↑${p.stretch}` : ''}`,
};
