import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from '../src/losses.ts';

describe('softmax with label smoothing', () => {
  const a = Float64Array.from([0.7, 0.2, 0.1]);

  it('trains towards (1 − ε) on the label and ε/K on every class: δ = a − y, C = −Σ y ln a', () => {
    const eps = 0.3, y = [0.1, 0.8, 0.1]; // label 1 of K = 3
    const delta = new Float64Array(3);
    softmaxCrossEntropy.outputDelta(a, 1, delta, 3, eps);
    for (let i = 0; i < 3; i++) expect(delta[i]).toBeCloseTo(a[i] - y[i], 15);
    expect(delta.reduce((s, d) => s + d, 0)).toBeCloseTo(0, 15);
    expect(softmaxCrossEntropy.value(a, 1, 3, eps)).toBeCloseTo(-(0.1 * Math.log(0.7) + 0.8 * Math.log(0.2) + 0.1 * Math.log(0.1)), 12);
  });

  it('at ε = 0 gives the one-hot target\'s delta and cost, to the bit', () => {
    const off = new Float64Array(3), onehot = new Float64Array(3);
    softmaxCrossEntropy.outputDelta(a, 2, off, 3, 0);
    softmaxCrossEntropy.outputDelta(a, 2, onehot, 3);
    expect(off).toEqual(onehot);
    expect([...onehot]).toEqual([0.7, 0.2, 0.1 - 1]);
    expect(softmaxCrossEntropy.value(a, 2, 3, 0)).toBe(softmaxCrossEntropy.value(a, 2, 3));
  });
});
