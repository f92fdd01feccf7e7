/**
 * How often replicated workers merge, per worker count (see `sync` in assembly/kernel.ts for the protocol).
 *
 * A merged change reaches the other workers late: with W workers each merging every n samples, a worker trains on
 * parameters that miss up to about W·n samples of the others' updates. The first-layer rows and the dense region
 * (the first layer's bias and every later layer) each get a budget of such staleness, n = budget ÷ W.
 *
 * Dense region, 16 samples (d = 16 ÷ W). Chosen with the simulation (pool/simulated.ts), R on MNIST after one epoch,
 * 16 workers, rows every 8 (one worker: 95.8%, seed 1): dense every 8 samples 90.7%, every 2 95.2%, every sample
 * 95.5%. The output layer is what needs it (only its bias every sample: 91.5%); the default network at 16 workers
 * merging everything every 8 samples stalls at 74.6%, and with the dense region every sample reaches 98% as soon as
 * one worker does.
 *
 * First-layer rows, 128 samples (n = 128 ÷ W). Chosen on the 16-core machine (docs/bench-16core), where the time to
 * 98% of the default network decides: at 8 / 16 workers, n = 16 / 8 gave 3.45× / 4.52× less time than one worker,
 * against 1.95× / 1.98× for n = 4 / 1 (a budget of 256 ÷ W) and 3.00× / never reached 98% for n = 32. R's accuracy
 * held at every n tried on that machine (95.5–95.8% against 95.6% for one worker). In the simulation (R, the
 * accuracy over the epoch's last quarter, mean of seeds 1–21) these periods cost 2 and 4 workers 0.04 points and 8
 * and 16 workers 0.18 and 0.20; a budget of 64 (n = 8 / 4 at 8 / 16 workers) cost them 0.11 and 0.09, at a speed
 * on 16 cores not yet measured with the current kernel (README).
 *
 * Merging whole parameters each time instead of the changed rows only made no difference to accuracy (R at 16 and 8
 * workers, 9 seeds: 95.07% vs 95.06%, 95.25% vs 95.24%), and a smaller step did not help (R at 16 workers with
 * lr × 0.8: 95.2% against 95.5%).
 */
export const ROW_STALENESS = 128;
export const DENSE_STALENESS = 16;

export interface SyncPeriods {
  /** Samples between merges of a worker's changed first-layer rows (0: no replica, plain per-sample Hogwild). */
  readonly rows: number;
  /** Samples between merges of the dense region (the first layer's bias and every later layer). */
  readonly dense: number;
}

/** `--sync auto` or a number n (rows every n samples, dense region every min(n, 16 ÷ workers)); 0: plain Hogwild. */
export type SyncFlag = number | 'auto';

/** `denseFlag` (--sync-dense) overrides the dense period; it is capped at the row period, which merges everything. */
export function syncPeriods(flag: SyncFlag, workers: number, denseFlag?: number): SyncPeriods {
  if (workers <= 1 || flag === 0) return { rows: 0, dense: 0 };
  const rows = flag === 'auto' ? Math.max(1, Math.floor(ROW_STALENESS / workers)) : flag;
  const dense = denseFlag ?? Math.max(1, Math.floor(DENSE_STALENESS / workers));
  return { rows, dense: Math.min(rows, dense) };
}

/** "rows every 64, dense every 8 samples" (for headers and logs). */
export function describeSync(p: SyncPeriods): string {
  return p.rows === 0 ? 'plain Hogwild, no replicas' : `first-layer rows merged every ${p.rows} sample${p.rows > 1 ? 's' : ''}, the rest every ${p.dense}`;
}
