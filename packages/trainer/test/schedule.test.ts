import { describe, expect, it } from 'vitest';
import { learningRate } from '../src/schedule.ts';

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
