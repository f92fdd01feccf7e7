import { describe, expect, it } from 'vitest';
import { learningRate } from '../src/schedule.ts';
import { syncPeriods } from '../src/pool/sync.ts';

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
  it('auto gives the first-layer rows 128 samples of staleness and the dense layers 16, whatever the worker count', () => {
    expect([2, 4, 8, 16, 256].map((w) => syncPeriods('auto', w))).toEqual([
      { rows: 64, dense: 8 }, { rows: 32, dense: 4 }, { rows: 16, dense: 2 }, { rows: 8, dense: 1 }, { rows: 1, dense: 1 },
    ]);
  });
  it('one worker never replicates, --sync 0 is plain Hogwild, and --sync n sets the row period', () => {
    expect(syncPeriods('auto', 1)).toEqual({ rows: 0, dense: 0 });
    expect(syncPeriods(10, 1)).toEqual({ rows: 0, dense: 0 });
    expect(syncPeriods(0, 4)).toEqual({ rows: 0, dense: 0 });
    expect(syncPeriods(10, 4)).toEqual({ rows: 10, dense: 4 });
    expect(syncPeriods(2, 4)).toEqual({ rows: 2, dense: 2 });
    expect(syncPeriods('auto', 16, 8)).toEqual({ rows: 8, dense: 8 });
    expect(syncPeriods('auto', 16, 64)).toEqual({ rows: 8, dense: 8 });
  });
});
