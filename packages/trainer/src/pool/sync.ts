/**
 * How often replicated workers merge, per worker count (see `sync` in assembly/kernel.ts for the protocol).
 *
 * A merged change reaches the other workers late: with W workers each merging every n samples, a worker trains on
 * parameters that miss up to about W·n samples of the others' updates. The periods were chosen with the simulation
 * (pool/simulated.ts: deterministic, the same kernel and protocol), on MNIST: R's test accuracy after one epoch
 * (mean of 9 seeds; one worker 95.63%) and the default network's samples to 98% (one worker: 192k–219k).
 *   - The dense region (the first layer's bias and every later layer) must stay within about 16 samples of
 *     staleness: R at 16 workers, rows every 8, dense every 8: 90.7%; every 2: 95.2%; every sample: 95.5% (seed 1).
 *     The output layer is what needs it (only its bias every sample: 91.5%). The default network at 16 workers
 *     merging everything every 8 samples stalls at 74.6%; with the dense region every sample it reaches 98% as
 *     soon as one worker does. So d = 16 ÷ W.
 *   - The first-layer rows tolerate less staleness the more workers there are (as asynchrony acts like momentum
 *     that grows with the worker count, Mitliagkas et al. 2016). Loss against one worker, mean of 9 seeds:
 *     W = 4: 0.14 points at 32 samples of staleness, 0.16 at 64, 0.20 at 128; W = 8: 0.24 at 32, 0.33 at 64,
 *     0.39 at 128; W = 16: 0.24 at 32, 0.39 at 64, 0.57 at 128; W = 2 at 128 (seeds 1–3): 0.04. So the budget is
 *     256 ÷ W samples, n = 256 ÷ W²: 64 at 2 workers, 16 at 4, 4 at 8, 1 at 16.
 *   - Merging whole parameters (all rows, each merge) instead of the changed rows only made no difference (R at
 *     16 and 8 workers, 9 seeds: 95.07% vs 95.06%, 95.25% vs 95.24%).
 *   - Step-size corrections did not help: R at 16 workers with lr × 0.8 ended lower (95.2%) than with the plain lr.
 */
export const ROW_STALENESS_BUDGET = 256;
export const DENSE_STALENESS = 16;

export interface SyncPeriods {
  /** Samples between merges of a worker's changed first-layer rows (0: no replica, plain per-sample Hogwild). */
  readonly rows: number;
  /** Samples between merges of the dense region (the first layer's bias and every later layer). */
  readonly dense: number;
}

/** `--sync auto` or a number n (rows every n samples, dense region every min(n, the auto period)); 0: plain Hogwild. */
export type SyncFlag = number | 'auto';

export function syncPeriods(flag: SyncFlag, workers: number): SyncPeriods {
  if (workers <= 1 || flag === 0) return { rows: 0, dense: 0 };
  const dense = Math.max(1, Math.floor(DENSE_STALENESS / workers));
  if (flag === 'auto') return { rows: Math.max(1, Math.floor(ROW_STALENESS_BUDGET / (workers * workers))), dense };
  return { rows: flag, dense: Math.min(flag, dense) };
}

/** "rows every 64, dense every 8 samples" (for headers and logs). */
export function describeSync(p: SyncPeriods): string {
  return p.rows === 0 ? 'plain Hogwild, no replicas' : `first-layer rows merged every ${p.rows} sample${p.rows > 1 ? 's' : ''}, the rest every ${p.dense}`;
}
