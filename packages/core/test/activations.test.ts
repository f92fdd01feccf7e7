import { describe, expect, it } from 'vitest';
import { relu, sigmoid, softmax, tanh } from '../src/activations.ts';

const z = Float64Array.from([-3, -0.5, 0, 0.25, 2]);

describe('activations', () => {
  it('sigmoid matches 1/(1+e^-z) and its derivative is y(1-y)', () => {
    const a = new Float64Array(5);
    sigmoid.apply(z, a, 5);
    const d = new Float64Array(5).fill(1);
    sigmoid.derivMul(a, d, 5);
    for (let i = 0; i < 5; i++) {
      const y = 1 / (1 + Math.exp(-z[i]));
      expect(a[i]).toBeCloseTo(y, 15);
      expect(d[i]).toBeCloseTo(y * (1 - y), 15);
    }
  });

  it('tanh derivative is 1 - y^2', () => {
    const a = new Float64Array(5);
    tanh.apply(z, a, 5);
    const d = new Float64Array(5).fill(2);
    tanh.derivMul(a, d, 5);
    for (let i = 0; i < 5; i++) expect(d[i]).toBeCloseTo(2 * (1 - Math.tanh(z[i]) ** 2), 14);
  });

  it('relu passes positives and takes the derivative at 0 as 0', () => {
    const a = new Float64Array(5);
    relu.apply(z, a, 5);
    expect([...a]).toEqual([0, 0, 0, 0.25, 2]);
    const d = new Float64Array(5).fill(3);
    relu.derivMul(a, d, 5);
    expect([...d]).toEqual([0, 0, 0, 3, 3]);
  });

  it('softmax sums to 1 and does not overflow on large inputs', () => {
    const big = Float64Array.from([1000, 1001, 1002]);
    const a = new Float64Array(3);
    softmax.apply(big, a, 3);
    expect(a[0] + a[1] + a[2]).toBeCloseTo(1, 15);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const s = e[0] + e[1] + e[2];
    for (let i = 0; i < 3; i++) expect(a[i]).toBeCloseTo(e[i] / s, 15);
  });
});
