import { describe, expect, it } from 'vitest';
import { createRng, shuffleInPlace } from '../src/rng.ts';
import { allocateParams, initParams, paramLayout } from '../src/params.ts';

describe('seeded random numbers', () => {
  it('the same seed gives the same stream, another seed another', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa);
  });
  it('floats lie in [0, 1) with mean near 1/2', () => {
    const r = createRng(7);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100000; i++) {
      const f = r.nextFloat();
      if (!(f >= 0 && f < 1)) outside++;
      sum += f;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100000 - 0.5)).toBeLessThan(0.01);
  });
  it('a shuffle is a permutation and depends on the seed', () => {
    const p = Uint32Array.from({ length: 1000 }, (_, i) => i);
    shuffleInPlace(p, createRng(1));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const q = Uint32Array.from({ length: 1000 }, (_, i) => i);
    shuffleInPlace(q, createRng(1));
    expect(q).toEqual(p);
  });
  it('the same seed gives the same weights; the default init is U(-0.1, 0.1) with zero biases', () => {
    const layout = paramLayout([20, 7, 3]);
    const a = allocateParams(layout), b = allocateParams(layout);
    initParams(a, layout, createRng(5));
    initParams(b, layout, createRng(5));
    expect(a).toEqual(b);
    for (const l of layout.layers) {
      for (let k = 0; k < l.inSize * l.outSize; k++) expect(Math.abs(a[l.weightOffset + k])).toBeLessThanOrEqual(0.1);
      for (let o = 0; o < l.outSize; o++) expect(a[l.biasOffset + o]).toBe(0);
    }
  });
  it('xavier and he scale the range by the fan', () => {
    const layout = paramLayout([600, 600]);
    const p = allocateParams(layout);
    initParams(p, layout, createRng(1), 'he');
    let max = 0;
    for (let k = 0; k < 360000; k++) max = Math.max(max, Math.abs(p[k]));
    expect(max).toBeLessThanOrEqual(Math.sqrt(6 / 600));
    expect(max).toBeGreaterThan(0.9 * Math.sqrt(6 / 600));
    expect(() => initParams(p, layout, createRng(1), 'lecun' as never)).toThrow('init: expected one of uniform, xavier, he, zeros, found "lecun"');
  });
});
