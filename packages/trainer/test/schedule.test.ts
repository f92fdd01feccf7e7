import { describe, expect, it } from 'vitest';
import { learningRate } from '../src/schedule.ts';
import { describeSync, shortSync, stretchPeriods, syncPeriods } from '../src/pool/sync.ts';
import { takeGrain } from '../src/protocol.ts';

describe('learning-rate schedules', () => {
  it('constant keeps the rate (the reference)', () => {
    expect([0, 1, 9].map((e) => learningRate({ name: 'constant', lr: 0.033 }, e, 10))).toEqual([0.033, 0.033, 0.033]);
  });
  it('step multiplies by gamma every n epochs', () => {
    const s = { name: 'step', lr: 0.1, every: 2, gamma: 0.5 } as const;
    expect([0, 1, 2, 3, 4].map((e) => learningRate(s, e, 5))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });
  it('cosine decays from near lr to near 0, sampled at the middle of each epoch', () => {
    const rates = [0, 1, 2, 3].map((e) => learningRate({ name: 'cosine', lr: 1 }, e, 4));
    expect(rates[0]).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 8)), 12);
    expect(rates[3]).toBeCloseTo(0.5 * (1 + Math.cos((7 * Math.PI) / 8)), 12);
    expect(rates).toEqual([...rates].sort((a, b) => b - a));
    expect(rates[1] + rates[2]).toBeCloseTo(1, 12);
  });
});

describe('merge periods', () => {
  it('auto merges a row after 64 ÷ (W − 1) changes, checked every quarter of that, and the dense layers every 16 ÷ (W − 1) samples', () => {
    expect([2, 3, 4, 8, 16, 256].map((w) => syncPeriods('auto', w))).toEqual([
      { rows: 16, touches: 64, dense: 16, replica: 64, tail: 32, stretch: 8 }, { rows: 8, touches: 32, dense: 8, replica: 42, tail: 32, stretch: 8 }, { rows: 5, touches: 21, dense: 5, replica: 32, tail: 32, stretch: 8 },
      { rows: 2, touches: 9, dense: 2, replica: 16, tail: 32, stretch: 8 }, { rows: 1, touches: 4, dense: 1, replica: 8, tail: 32, stretch: 8 }, { rows: 1, touches: 1, dense: 1, replica: 1, tail: 32, stretch: 8 },
    ]);
    expect(describeSync(syncPeriods('auto', 2))).toBe('first-layer rows merged after 64 changes (checked every 16 samples), the rest every 16 samples, up to 8× longer as the learning rate falls');
    expect(describeSync(syncPeriods('auto', 2, undefined, undefined, undefined, 1))).toBe('first-layer rows merged after 64 changes (checked every 16 samples), the rest every 16 samples');
    expect(shortSync(syncPeriods('auto', 16))).toBe('4×/1, 1 ↑8');
    expect(shortSync(syncPeriods('auto', 16, undefined, undefined, undefined, 1))).toBe('4×/1, 1');
  });
  it('one worker never replicates, --sync 0 is plain Hogwild, and --sync n merges every changed row every n samples', () => {
    const off = { rows: 0, touches: 0, dense: 0, replica: 0, tail: 0, stretch: 1 };
    expect(syncPeriods('auto', 1)).toEqual(off);
    expect(syncPeriods(10, 1)).toEqual(off);
    expect(syncPeriods(0, 4)).toEqual(off);
    expect(syncPeriods(10, 4)).toEqual({ rows: 10, touches: 1, dense: 5, replica: 10, tail: 32, stretch: 8 });
    expect(syncPeriods(2, 4)).toEqual({ rows: 2, touches: 1, dense: 2, replica: 2, tail: 32, stretch: 8 });
    expect(describeSync(syncPeriods(10, 4))).toBe('first-layer rows merged every 10 samples, the rest every 5 samples, up to 8× longer as the learning rate falls');
    expect(shortSync(syncPeriods(10, 4))).toBe('10, 5 ↑8');
    expect(describeSync(syncPeriods('auto', 2), 'ts')).toBe('the whole replica merged every 64 samples');
  });
  it('--sync-dense, --sync-touches and --sync-tail override their parts; the dense period never exceeds the check period', () => {
    expect(syncPeriods('auto', 16, 8)).toEqual({ rows: 1, touches: 4, dense: 1, replica: 8, tail: 32, stretch: 8 });
    expect(syncPeriods('auto', 8, undefined, 16)).toEqual({ rows: 4, touches: 16, dense: 2, replica: 16, tail: 32, stretch: 8 });
    expect(syncPeriods('auto', 2, 4)).toEqual({ rows: 16, touches: 64, dense: 4, replica: 64, tail: 32, stretch: 8 });
    expect(syncPeriods(8, 16, 8, 3)).toEqual({ rows: 8, touches: 3, dense: 8, replica: 8, tail: 32, stretch: 8 });
    expect(syncPeriods('auto', 4, undefined, undefined, 0).tail).toBe(0);
    expect(syncPeriods('auto', 4, undefined, undefined, undefined, 1).stretch).toBe(1);
  });
  it('grow with the fall of the learning rate below its largest, up to the stretch, a row after at most 255 changes', () => {
    const eight = syncPeriods('auto', 8); // after 9 changes, checked every 2 samples; dense every 2
    expect(stretchPeriods(eight, 0.02, 0.02)).toEqual({ rows: 2, touches: 9, dense: 2 });
    expect(stretchPeriods(eight, 0.03, 0.02)).toEqual({ rows: 2, touches: 9, dense: 2 }); // a rate above the largest: never shorter
    expect(stretchPeriods(eight, 0.005, 0.02)).toEqual({ rows: 8, touches: 36, dense: 8 }); // 4 times
    expect(stretchPeriods(eight, 0.0001, 0.02)).toEqual({ rows: 16, touches: 72, dense: 16 }); // at most 8 times
    expect(stretchPeriods(eight, 0, 0.02)).toEqual({ rows: 16, touches: 72, dense: 16 });
    // 2 workers: 64 changes × 4 is past what a row's counter holds, so 255, checked every 63 samples; the dense period
    // grows at most to the check period.
    expect(stretchPeriods(syncPeriods('auto', 2), 0.005, 0.02)).toEqual({ rows: 63, touches: 255, dense: 63 });
    expect(stretchPeriods(syncPeriods('auto', 2), 0.01, 0.02)).toEqual({ rows: 32, touches: 128, dense: 32 });
    // --sync n (every changed row every n samples): the rows' period grows as well.
    expect(stretchPeriods(syncPeriods(10, 4), 0.01, 0.02)).toEqual({ rows: 20, touches: 1, dense: 10 });
    // --sync-stretch 1: fixed periods.
    const fixed = syncPeriods('auto', 8, undefined, undefined, undefined, 1);
    expect(stretchPeriods(fixed, 0.0001, 0.02)).toEqual({ rows: 2, touches: 9, dense: 2 });
  });
});

describe('grains from the shared cursor', () => {
  it('keep their size far from the closing tail, shrink to half of what is left before it shared by the workers, and take one position inside it', () => {
    // A range ending at 60,000 with a tail of 64 positions (2 workers × 32): the tail starts at 59,936.
    expect(takeGrain(0, 60000, 256, 64, 2)).toBe(256);
    expect(takeGrain(59000, 60000, 256, 64, 2)).toBe(234); // ⌈936 ÷ 4⌉
    expect(takeGrain(59930, 60000, 256, 64, 2)).toBe(2);
    expect(takeGrain(59935, 60000, 256, 64, 2)).toBe(1);
    expect(takeGrain(59936, 60000, 256, 64, 2)).toBe(1);
    expect(takeGrain(59999, 60000, 256, 64, 2)).toBe(1);
    expect(takeGrain(59000, 60000, 256, 0, 2)).toBe(256); // no tail (one worker, --sync 0, --sync-tail 0)
  });
  it('never reach past the start of the tail from a cursor before it', () => {
    for (let next = 58000; next < 59936; next++) expect(next + takeGrain(next, 60000, 256, 64, 2)).toBeLessThanOrEqual(59936);
  });
});
