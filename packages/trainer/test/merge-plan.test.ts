import { describe, expect, it } from 'vitest';
import { PLAIN, createPlanner, describeMerges, grainSize, mergeProtocol, shortMerges, stretchPeriods, takeGrain, type RangePlan, type Replicas } from '../src/merge-plan.ts';

/** A range plan ending at `end` with grains of `grain` and a tail of `tail` positions. */
const range = (end: number, grain: number, tail: number): RangePlan => ({ end, grain, tail, merge: { kind: 'plain' } });

/** The replicas protocol for these options, which must resolve to it. */
function replicas(...a: Parameters<typeof mergeProtocol>): Replicas {
  const p = mergeProtocol(...a);
  if (p.kind !== 'replicas') throw new Error(`expected replicas, got ${p.kind}`);
  return p;
}

describe('merge periods', () => {
  it('auto merges a row after 64 ÷ (W − 1) changes, checked every quarter of that, and the dense layers every 16 ÷ (W − 1) samples', () => {
    expect([2, 3, 4, 8, 16, 256].map((w) => mergeProtocol({ every: 'auto' }, w, 'wasm'))).toEqual([
      { kind: 'replicas', rows: 16, touches: 64, dense: 16, tail: 32, stretch: 8 }, { kind: 'replicas', rows: 8, touches: 32, dense: 8, tail: 32, stretch: 8 }, { kind: 'replicas', rows: 5, touches: 21, dense: 5, tail: 32, stretch: 8 },
      { kind: 'replicas', rows: 2, touches: 9, dense: 2, tail: 32, stretch: 8 }, { kind: 'replicas', rows: 1, touches: 4, dense: 1, tail: 32, stretch: 8 }, { kind: 'replicas', rows: 1, touches: 1, dense: 1, tail: 32, stretch: 8 },
    ]);
    expect(describeMerges(mergeProtocol({ every: 'auto' }, 2, 'wasm'))).toBe('first-layer rows merged after 64 changes (checked every 16 samples), the rest every 16 samples, up to 8× longer as the learning rate falls');
    expect(describeMerges(mergeProtocol({ every: 'auto', stretch: 1 }, 2, 'wasm'))).toBe('first-layer rows merged after 64 changes (checked every 16 samples), the rest every 16 samples');
    expect(shortMerges(mergeProtocol({ every: 'auto' }, 16, 'wasm'))).toBe('4×/1, 1 ↑8');
    expect(shortMerges(mergeProtocol({ every: 'auto', stretch: 1 }, 16, 'wasm'))).toBe('4×/1, 1');
  });
  it('the TypeScript kernel is plain per-sample Hogwild at any worker count', () => {
    for (const w of [1, 2, 16]) expect(mergeProtocol({}, w, 'ts')).toEqual(PLAIN);
  });
  it('sparse inputs train plain Hogwild at any worker count (no replica of a hashed first layer, no counter per row to scan)', () => {
    for (const w of [1, 2, 16]) expect(mergeProtocol({ every: 'auto' }, w, 'wasm', 'sparse')).toEqual(PLAIN);
    expect(mergeProtocol({ every: 'auto' }, 2, 'wasm', 'dense').kind).toBe('replicas');
    // A period given (bench --ceiling's share-nothing workers) makes replicas of sparse inputs too.
    expect(mergeProtocol({ every: 2 ** 30, dense: 2 ** 30 }, 2, 'wasm', 'sparse').kind).toBe('replicas');
  });
  it('one worker never replicates, --merge 0 is plain Hogwild, and --merge n merges every changed row every n samples', () => {
    const off = PLAIN;
    expect(mergeProtocol({ every: 'auto' }, 1, 'wasm')).toEqual(off);
    expect(mergeProtocol({ every: 10 }, 1, 'wasm')).toEqual(off);
    expect(mergeProtocol({ every: 0 }, 4, 'wasm')).toEqual(off);
    expect(mergeProtocol({ every: 10 }, 4, 'wasm')).toEqual({ kind: 'replicas', rows: 10, touches: 1, dense: 5, tail: 32, stretch: 8 });
    expect(mergeProtocol({ every: 2 }, 4, 'wasm')).toEqual({ kind: 'replicas', rows: 2, touches: 1, dense: 2, tail: 32, stretch: 8 });
    expect(describeMerges(mergeProtocol({ every: 10 }, 4, 'wasm'))).toBe('first-layer rows merged every 10 samples, the rest every 5 samples, up to 8× longer as the learning rate falls');
    expect(shortMerges(mergeProtocol({ every: 10 }, 4, 'wasm'))).toBe('10, 5 ↑8');
    expect(describeMerges(mergeProtocol({ every: 'auto' }, 2, 'wasm'))).toMatch(/^first-layer rows merged after 64 changes/);
  });
  it('--merge-dense, --merge-touches and --merge-tail override their parts; the dense period never exceeds the check period', () => {
    expect(mergeProtocol({ every: 'auto', dense: 8 }, 16, 'wasm')).toEqual({ kind: 'replicas', rows: 1, touches: 4, dense: 1, tail: 32, stretch: 8 });
    expect(mergeProtocol({ every: 'auto', touches: 16 }, 8, 'wasm')).toEqual({ kind: 'replicas', rows: 4, touches: 16, dense: 2, tail: 32, stretch: 8 });
    expect(mergeProtocol({ every: 'auto', dense: 4 }, 2, 'wasm')).toEqual({ kind: 'replicas', rows: 16, touches: 64, dense: 4, tail: 32, stretch: 8 });
    expect(mergeProtocol({ every: 8, dense: 8, touches: 3 }, 16, 'wasm')).toEqual({ kind: 'replicas', rows: 8, touches: 3, dense: 8, tail: 32, stretch: 8 });
    expect(replicas({ every: 'auto', tail: 0 }, 4, 'wasm').tail).toBe(0);
    expect(replicas({ every: 'auto', stretch: 1 }, 4, 'wasm').stretch).toBe(1);
  });
  it('grow with the fall of the learning rate below its largest, up to the stretch, a row after at most 255 changes', () => {
    const eight = replicas({ every: 'auto' }, 8, 'wasm'); // after 9 changes, checked every 2 samples; dense every 2
    expect(stretchPeriods(eight, 0.02, 0.02)).toEqual({ rows: 2, touches: 9, dense: 2 });
    expect(stretchPeriods(eight, 0.03, 0.02)).toEqual({ rows: 2, touches: 9, dense: 2 }); // a rate above the largest: never shorter
    expect(stretchPeriods(eight, 0.005, 0.02)).toEqual({ rows: 8, touches: 36, dense: 8 }); // 4 times
    expect(stretchPeriods(eight, 0.0001, 0.02)).toEqual({ rows: 16, touches: 72, dense: 16 }); // at most 8 times
    expect(stretchPeriods(eight, 0, 0.02)).toEqual({ rows: 16, touches: 72, dense: 16 });
    // 2 workers: 64 changes × 4 is past what a row's counter holds, so 255, checked every 63 samples; the dense period
    // grows at most to the check period.
    expect(stretchPeriods(replicas({ every: 'auto' }, 2, 'wasm'), 0.005, 0.02)).toEqual({ rows: 63, touches: 255, dense: 63 });
    expect(stretchPeriods(replicas({ every: 'auto' }, 2, 'wasm'), 0.01, 0.02)).toEqual({ rows: 32, touches: 128, dense: 32 });
    // --merge n (every changed row every n samples): the rows' period grows as well.
    expect(stretchPeriods(replicas({ every: 10 }, 4, 'wasm'), 0.01, 0.02)).toEqual({ rows: 20, touches: 1, dense: 10 });
    // --merge-stretch 1: fixed periods.
    const fixed = replicas({ every: 'auto', stretch: 1 }, 8, 'wasm');
    expect(stretchPeriods(fixed, 0.0001, 0.02)).toEqual({ rows: 2, touches: 9, dense: 2 });
  });
});

describe('grains from the shared cursor', () => {
  it('keep their size far from the closing tail, shrink to half of what is left before it shared by the workers, and take one position inside it', () => {
    // A range ending at 60,000 with a tail of 64 positions (2 workers × 32): the tail starts at 59,936.
    expect(takeGrain(0, range(60000, 256, 64), 2)).toBe(256);
    expect(takeGrain(59000, range(60000, 256, 64), 2)).toBe(234); // ⌈936 ÷ 4⌉
    expect(takeGrain(59930, range(60000, 256, 64), 2)).toBe(2);
    expect(takeGrain(59935, range(60000, 256, 64), 2)).toBe(1);
    expect(takeGrain(59936, range(60000, 256, 64), 2)).toBe(1);
    expect(takeGrain(59999, range(60000, 256, 64), 2)).toBe(1);
    expect(takeGrain(59000, range(60000, 256, 0), 2)).toBe(256); // no tail (one worker, --merge 0, --merge-tail 0)
  });
  it('never reach past the start of the tail from a cursor before it', () => {
    for (let next = 58000; next < 59936; next++) expect(next + takeGrain(next, range(60000, 256, 64), 2)).toBeLessThanOrEqual(59936);
  });
});

describe('range plans', () => {
  it('give each worker its phase, a tail of 32 positions per worker and grains of a 32nd of a share', () => {
    const plan = createPlanner(mergeProtocol({}, 4, 'wasm'), 4, 256);
    const r = plan(0.02, 0, 60000);
    expect(r).toEqual({ end: 60000, grain: grainSize(60000, 4, 256), tail: 128, merge: { kind: 'replicas', periods: { rows: 5, touches: 21, dense: 5 }, phases: [0, 1, 2, 3] } });
    expect(grainSize(60000, 4, 256)).toBe(256);
    expect(grainSize(2000, 4, 256)).toBe(32);
  });
  it('stretch the periods against the largest rate planned so far, not the current one', () => {
    const plan = createPlanner(mergeProtocol({}, 8, 'wasm'), 8, 256);
    expect(plan(0.02, 0, 1000).merge).toMatchObject({ periods: { rows: 2, touches: 9, dense: 2 } });
    expect(plan(0.005, 0, 1000).merge).toMatchObject({ periods: { rows: 8, touches: 36, dense: 8 } });
    expect(plan(0.01, 0, 1000).merge).toMatchObject({ periods: { rows: 4, touches: 18, dense: 4 } });
  });
  it('have no tail, periods or phases without replicas', () => {
    const r = createPlanner(PLAIN, 1, 256)(0.02, 100, 5100);
    expect(r).toEqual({ end: 5100, grain: grainSize(5000, 1, 256), tail: 0, merge: { kind: 'plain' } });
  });
});
