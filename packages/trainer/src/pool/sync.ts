/**
 * How often replicated workers merge, per worker count (see assembly/merge.ts for the protocol).
 *
 * A merged change reaches the other workers late: a worker trains on parameters that miss what the other W − 1
 * workers hold back, each up to its merge period. So the first-layer rows and the dense region (the first layer's
 * bias and every later layer) each get a budget of such staleness, divided among the *other* workers: with 2
 * workers the one other worker may hold back the whole budget. (They were first divided by W, which halved the
 * periods at 2 workers for no accuracy, and cost 2 cores about 7% of their speed; below.)
 *
 * Dense region, 16 samples (d = 16 ÷ (W − 1)). Chosen with the simulation (pool/simulated.ts), R on MNIST after one
 * epoch, 16 workers, rows every 8 (one worker: 95.8%, seed 1): dense every 8 samples 90.7%, every 2 95.2%, every
 * sample 95.5%. The output layer is what needs it (only its bias every sample: 91.5%); the default network at 16
 * workers merging everything every 8 samples stalls at 74.6%, and with the dense region every sample reaches 98% as
 * soon as one worker does.
 *
 * First-layer rows: merged after T = 64 ÷ (W − 1) touches (`TOUCH_BUDGET`), checked every T ÷ 4 samples. Until the
 * touch rule, every row a worker had changed was merged every n = 128 ÷ W samples (the window rule, still `--sync
 * n`), chosen on the 16-core machine (docs/bench-16core), where the time to 98% of the default network decided: at
 * 8 / 16 workers, n = 16 / 8 gave 3.45× / 4.52× less time than one worker, against 1.95× / 1.98× for n = 4 / 1 and
 * 3.00× / never reached 98% for n = 32. But a window pays a whole row merge for every row touched in it, and over a
 * window of MNIST samples most of the rows touched are touched once or twice; counting touches pays 1 ÷ T of a row
 * per touch. Simulation (R, one epoch, seeds 1–21, the accuracy over the epoch's last quarter against one worker,
 * and merged bytes a sample), window rule → touch rule with T = 64 ÷ W, d = 16 ÷ W: 2 workers −0.04 at 3,757 B →
 * +0.01 at 2,451 B; 4: −0.04 at 7,045 → +0.01 at 4,927; 8: −0.18 at 13,021 → −0.11 at 9,954; 16: −0.20 at 23,586 →
 * −0.10 at 20,331. The window rule with n = 64 ÷ W reached the same accuracy at 8 and 16 workers (−0.11, −0.09) with
 * more bytes than either.
 *
 * Dividing by W − 1 instead of W (same simulation, last quarter against one worker, merged bytes a sample): 2
 * workers, T 32 → 64 and d 8 → 16: +0.01 at 2,451 B → +0.04 at 1,225 B (T = 128 as well: +0.04 at 781 B); 4
 * workers, T 16 → 21, d 4 → 5: +0.01 at 4,927 B → +0.00 at 3,805 B; 8 workers, T 8 → 9: −0.11 at 9,954 B → −0.13 at
 * 9,166 B; 16 workers: unchanged. On 2 cores, in turns (`trainer bench --workers 1,2 --repeat 5`, four rounds): 2
 * workers 1.71–1.74× (median 1.74×) the samples/s of one with T = 32, d = 8; 1.69–1.88× (median 1.86×) with T =
 * 64, d = 16; 1.77–1.99× (median 1.96×) without merges. The touch rule has not yet run on 16 cores (README). The
 * TypeScript kernel, which merges its whole replica, keeps the window: every 128 ÷ W samples.
 *
 * Merging whole parameters each time instead of the changed rows only made no difference to accuracy (R at 16 and 8
 * workers, 9 seeds: 95.07% vs 95.06%, 95.25% vs 95.24%), and a smaller step did not help (R at 16 workers with
 * lr × 0.8: 95.2% against 95.5%).
 *
 * The figures above come from the first simulation, in which simulated worker k trained the k-th contiguous slice of
 * a range while real workers take it a grain at a time from a shared cursor. Now that simulated workers take grains
 * as real ones do, W workers visit the samples in nearly one worker's order and the comparison with one worker is
 * paired seed by seed. Measured again that way (R, one epoch, seeds 1–21, mean final accuracy against one worker's
 * 95.60%, merged bytes a sample), the rules differ by no more than the noise and the defaults merge least: 2
 * workers 95.53% at 1,291 B (T = 32, d = 8: 95.56% at 2,516 B; every changed row every 64 samples: 95.57% at
 * 3,488 B); 4: 95.57% at 3,932 B (95.59% at 5,052 B; every 32: 95.58% at 6,900 B); 8: 95.59% at 9,398 B (T = 4:
 * 95.60%; dense every sample: 95.60%; T = 8: 95.59% at 10,183 B; every 16: 95.56% at 13,238 B); 16: 95.58% at
 * 20,748 B (T = 8: 95.51%; every 8: 95.56% at 23,976 B). The dense period still decides: at 16 workers with rows
 * every 8 samples, seeds 1–5, dense layers every sample 95.61%, every 8 samples 90.35%.
 *
 * What the budgets cost: each worker merges W − 1 times as often as at 2 workers. On 2 cores, 2 workers given the
 * periods of W workers by flags (R, `trainer bench --workers 1,2 --repeat 7`) each ran at 90%, 77%, 62% and 50% of one
 * worker's speed with the periods of 2, 4, 8 and 16 workers (in one thread, where nothing is contended, the periods of
 * 2, 8 and 16 workers cost 5%, 20% and 32%). Read against the same 2 workers sharing nothing in the same round
 * (`--ceiling`, about 14 rounds of each): 92%, 83%, 68% and 50% where the two threads' cache-line round trip was under
 * 200 ns, 80%, 61%, 40% and 23% where it was about 340 ns (README, "What 2 cores predict for 16"). Budgets of 128
 * instead of 64 cost the default network samples to 98% in the simulation (seeds 1–5, mean: 193,500 → 215,250 at 4
 * workers, 208,500 → 233,250 at 8; at 16 two seeds no longer reached 98%); at 2 workers T = 128 and 255 were 5–10%
 * faster in one driver's rounds in turns and lowered R's mean over 21 seeds by 0.02 and 0.07 points, with one seed of
 * 10 of the default network short of 98% at T = 128. So the budgets stay (README, "What 2 cores predict for 16").
 */
export const ROW_STALENESS = 128;
export const DENSE_STALENESS = 16;
/**
 * Touches of a row between its merges, summed over the other workers: with `--sync auto` a row is merged when a
 * worker has changed it T = 64 ÷ (W − 1) times (see above).
 */
export const TOUCH_BUDGET = 64;
/**
 * Samples at the end of each training range (an epoch) after each of which a worker merges everything it changed,
 * its rows and the dense region: the model a range ends with then holds no bulk of unmerged changes. Without it each
 * worker's closing merge adds up to T − 1 changes of every row at once, computed on weights that miss the others' and
 * never corrected by a later sample; in the simulation that took a few seeds of R down by up to 0.7 points. R, one
 * epoch, seeds 1–21, final accuracy, mean against one worker's 95.60%, tail 0 → 32: 2 workers 95.50% → 95.53%; 4
 * workers 95.56% → 95.57%; 8 workers 95.47% → 95.59%; 16 workers 95.44% → 95.58%, the lowest seed 94.74% → 95.12%.
 * It costs 5% more merged bytes at 2 workers (1,225 → 1,291 B a sample) and 2.5% at 8, and 1.4% of the time of a
 * simulated epoch at 8 workers (median of 7 in turns: 395.8 ms against 390.2 ms). (With the first simulation,
 * workers on slices of the range, tail 16 and 64 were measured too: 32 took most of the gain of 64.)
 */
export const CLOSING_TAIL = 32;

/**
 * The most the merge periods grow as the learning rate falls (`--sync-stretch`): a range trained at a learning rate r
 * times below the largest the session has trained at merges after r times the touches and samples (at most this many
 * times, and a row after at most 255 touches, what its counter holds). See stretchPeriods.
 *
 * Measured with the simulation on the default network (784-128-10 ReLU, softmax, lr 0.02 cosine over 5 epochs: the
 * epochs' rates are 0.98, 0.79, 0.50, 0.21 and 0.02 of 0.02, and 98% comes in the fourth), seeds 1–16, fixed periods
 * → up to 8 times (seeds 1–8 with 4 and 64 gave the same within a few percent): merged bytes a sample over the run
 * 1,648 → 975 at 2 workers, 5,017 → 2,752 at 4, 11,990 → 6,652 at 8, 26,478 → 14,514 at 16; samples to 98%, median
 * of the 16 seeds (one worker: 193,125; a seed that never reached it counted as the slowest), 208,125 → 196,875,
 * 193,125 → 195,000, 211,875 → 213,750, 195,000 → 196,875, the seeds spreading from about 184,000 to 240,000 at every
 * count; 3 of the 64 runs ended below 98% either way (one worker: 1 of 16); final accuracy, mean of the seeds,
 * 98.05% → 98.09%, 98.11% → 98.13%, 98.06% → 98.08%, 98.11% → 98.11% (one worker 98.10%). R (constant rate) never
 * stretches. On 2 cores (README) it made no difference that the noise shows at 2 workers, and took 2 workers given
 * the periods of 8 workers from 1.33× to 1.52× the samples/s of one over the default run. Doubling TOUCH_BUDGET as
 * well did cost samples (README, "Periods that follow the learning rate").
 */
export const STRETCH = 8;

export interface SyncPeriods {
  /**
   * Samples between a worker's checks for first-layer rows to merge (0: no replica, plain per-sample Hogwild). A
   * check merges the rows the worker has changed at least `touches` times since their last merge.
   */
  readonly rows: number;
  /** Changes of a first-layer row that make it due at a check (1: every changed row, each check). */
  readonly touches: number;
  /** Samples between merges of the dense region (the first layer's bias and every later layer). */
  readonly dense: number;
  /** The TypeScript kernel (`--kernel ts`) merges its whole replica at once: samples between those merges. */
  readonly replica: number;
  /**
   * A worker's last samples of a training range that are each followed by a merge of everything it changed (the
   * range's last tail × W samples; the wasm kernel; 0: none).
   */
  readonly tail: number;
  /** The most the periods grow as the learning rate falls (1: fixed periods; see stretchPeriods). */
  readonly stretch: number;
}

/** The merge periods a worker of the wasm kernel uses for one training range (stretchPeriods). */
export interface RangePeriods {
  readonly rows: number;
  readonly touches: number;
  readonly dense: number;
}

/** `--sync auto` or a number n (changed rows every n samples, dense region every min(n, 16 ÷ (W − 1))); 0: plain Hogwild. */
export type SyncFlag = number | 'auto';

/**
 * The merge rule for W workers. auto: rows after T = 64 ÷ (W − 1) touches, checked every max(1, T ÷ 4) samples;
 * the dense region every 16 ÷ (W − 1) samples. A number n: every changed row every n samples (T = 1, the rule
 * before touch counting). `denseFlag` (--sync-dense) and `touchesFlag` (--sync-touches) override those two; the
 * dense period is capped at the check period. `tailFlag` (--sync-tail): CLOSING_TAIL instead.
 */
export function syncPeriods(flag: SyncFlag, workers: number, denseFlag?: number, touchesFlag?: number, tailFlag?: number, stretchFlag?: number): SyncPeriods {
  if (workers <= 1 || flag === 0) return { rows: 0, touches: 0, dense: 0, replica: 0, tail: 0, stretch: 1 };
  // The staleness budgets are shared by the other workers: what this one misses is what they hold back.
  const others = workers - 1;
  const touches = touchesFlag ?? (flag === 'auto' ? Math.max(1, Math.floor(TOUCH_BUDGET / others)) : 1);
  const rows = flag === 'auto' ? Math.max(1, Math.floor(touches / 4)) : flag;
  const dense = denseFlag ?? Math.max(1, Math.floor(DENSE_STALENESS / others));
  const replica = flag === 'auto' ? Math.max(1, Math.floor(ROW_STALENESS / workers)) : flag;
  return { rows, touches, dense: Math.min(rows, dense), replica, tail: tailFlag ?? CLOSING_TAIL, stretch: stretchFlag ?? STRETCH };
}

/**
 * The periods for a range trained at learning rate `lr` when the largest the session has trained at is `top`: each
 * period times r = min(stretch, top ÷ lr), the row touches at most 255 (the counter's limit), the row checks at most a
 * quarter of the touches and the dense period at most the check period, as in syncPeriods.
 *
 * Why: what a stale update costs grows with the step it was computed for. A worker that trains on weights missing
 * the others' last s samples takes a step that is off by about lr · s samples' worth of change, so the staleness
 * budgets above hold lr · s, not s, fixed: as a schedule lowers lr, the same harm allows r times the staleness
 * (the dual of staleness-aware SGD, Zhang et al. 2016, which shrinks the step as staleness grows). Measured with
 * the simulation, the default network (cosine schedule), seeds 1–8: README, "Periods that follow the learning rate".
 */
export function stretchPeriods(p: SyncPeriods, lr: number, top: number): RangePeriods {
  const r = Math.max(1, Math.min(p.stretch, lr > 0 ? top / lr : p.stretch));
  const touches = p.touches > 1 ? Math.min(255, Math.max(p.touches, Math.round(p.touches * r))) : p.touches;
  const rowsCap = p.touches > 1 ? Math.max(1, Math.floor(touches / 4)) : Number.MAX_SAFE_INTEGER;
  const rows = Math.max(p.rows, Math.min(rowsCap, Math.round(p.rows * r)));
  const dense = Math.min(rows, Math.max(p.dense, Math.round(p.dense * r)));
  return { rows, touches, dense };
}

/** A session's periods for each range it trains, in turn: stretchPeriods against the largest rate trained at so far. */
export function periodsFollowingRate(p: SyncPeriods): (lr: number) => RangePeriods {
  let top = 0;
  return (lr) => stretchPeriods(p, lr, (top = Math.max(top, lr)));
}

/**
 * "first-layer rows merged after 64 changes (checked every 16 samples), the rest every 16" (for headers and logs); the
 * TypeScript kernel merges its whole replica instead.
 */
export function describeSync(p: SyncPeriods, kernel: 'wasm' | 'ts' = 'wasm'): string {
  if (p.rows === 0) return 'plain Hogwild, no replicas';
  if (kernel === 'ts') return `the whole replica merged every ${p.replica} sample${p.replica > 1 ? 's' : ''}`;
  const every = (n: number) => `every ${n} sample${n > 1 ? 's' : ''}`;
  const rows = p.touches > 1 ? `first-layer rows merged after ${p.touches} changes (checked ${every(p.rows)})` : `first-layer rows merged ${every(p.rows)}`;
  const grow = p.stretch > 1 ? `, up to ${p.stretch}× longer as the learning rate falls` : '';
  return `${rows}, the rest ${every(p.dense)}${grow}`;
}

/** "64×/16, 16 ↑8": rows after 64 touches checked every 16 samples, dense every 16, up to 8× as lr falls (for tables). */
export function shortSync(p: SyncPeriods): string {
  if (p.rows === 0) return '—';
  return `${p.touches > 1 ? `${p.touches}×/${p.rows}` : p.rows}, ${p.dense}${p.stretch > 1 ? ` ↑${p.stretch}` : ''}`;
}
