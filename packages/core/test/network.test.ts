import { describe, expect, it } from 'vitest';
import { gradCheck } from '../src/grad-check.ts';
import { createNetwork, forward, gradients, predict, trainSample } from '../src/network.ts';
import { allocateParams, getWeight, initParams, paramLayout } from '../src/params.ts';
import { createRng } from '../src/rng.ts';
import { HIDDEN_ACTIVATIONS, LOSS_NAMES, type NetworkSpec } from '../src/spec.ts';

describe('gradient check', () => {
  for (const activation of HIDDEN_ACTIVATIONS) {
    for (const loss of LOSS_NAMES) {
      it(`analytic gradients match central differences for ${activation} + ${loss}`, () => {
        const out = loss === 'mse' ? 1 : 4;
        const r = gradCheck({ layers: [7, 6, 5, out], activation, loss }, { seed: 3 });
        expect(r.checked).toBe(3 * (7 * 6 + 6 + 6 * 5 + 5 + 5 * out + out));
        expect(r.maxRelativeError).toBeLessThanOrEqual(1e-4);
        expect(r.passed).toBe(true);
      });
    }
  }
  for (const activation of HIDDEN_ACTIVATIONS) {
    it(`analytic gradients match central differences for ${activation} + softmax with label smoothing`, () => {
      const r = gradCheck({ layers: [7, 6, 5, 4], activation, loss: 'softmax' }, { seed: 5, labelSmoothing: 0.2 });
      expect(r.maxRelativeError).toBeLessThanOrEqual(1e-4);
      expect(r.passed).toBe(true);
    });
  }
  it('refuses label smoothing outside [0, 1), or with a loss other than softmax', () => {
    const softmax: NetworkSpec = { layers: [3, 2], activation: 'relu', loss: 'softmax' };
    expect(() => gradCheck(softmax, { labelSmoothing: 1 })).toThrow('labelSmoothing: expected a number in [0, 1), found 1');
    expect(() => gradCheck({ ...softmax, loss: 'cross-entropy' }, { labelSmoothing: 0.1 })).toThrow('labelSmoothing: 0.1 needs the softmax loss, found loss cross-entropy');
  });
  it('fails when the analytic side is wrong, and points at the wrong gradient', () => {
    const spec: NetworkSpec = { layers: [4, 3, 2], activation: 'sigmoid', loss: 'square' };
    const layout = paramLayout(spec.layers);
    // Backpropagation with one mistake: the output layer's bias gradient comes out doubled.
    const wrong: typeof gradients = (net, x, offset, scale, label, out) => {
      const cost = gradients(net, x, offset, scale, label, out);
      const top = layout.layers[1];
      for (let o = 0; o < top.outSize; o++) out[top.biasOffset + o] *= 2;
      return cost;
    };
    const r = gradCheck(spec, { analytic: wrong });
    expect(r.passed).toBe(false);
    expect(r.worst).toMatchObject({ layer: 1, tensor: 'bias' });
    expect(r.maxRelativeError).toBeGreaterThan(0.4);
    expect(gradCheck(spec).passed).toBe(true);
  });
});

describe('forward pass', () => {
  it('computes a = g(Wx + b) layer by layer, as written by hand', () => {
    const spec: NetworkSpec = { layers: [2, 2, 1], activation: 'tanh', loss: 'square' };
    const layout = paramLayout(spec.layers);
    const p = allocateParams(layout);
    const [l0, l1] = layout.layers;
    // W0 = [[1, 2], [3, 4]] ([out, in]), b0 = [0.5, -0.5]; W1 = [[1, -1]], b1 = [0.1]
    p[l0.weightOffset + 0 * l0.stride + 0] = 1; p[l0.weightOffset + 1 * l0.stride + 0] = 2;
    p[l0.weightOffset + 0 * l0.stride + 1] = 3; p[l0.weightOffset + 1 * l0.stride + 1] = 4;
    p[l0.biasOffset] = 0.5; p[l0.biasOffset + 1] = -0.5;
    p[l1.weightOffset] = 1; p[l1.weightOffset + l1.stride] = -1; p[l1.biasOffset] = Math.fround(0.1);
    expect(getWeight(p, l0, 1, 0)).toBe(3);
    const net = createNetwork(spec, p);
    forward(net, Float64Array.from([0.2, 0.3]), 0, 1);
    const h0 = Math.tanh(0.2 + 0.6 + 0.5), h1 = Math.tanh(0.6 + 1.2 - 0.5);
    const y = 1 / (1 + Math.exp(-(h0 - h1 + Math.fround(0.1))));
    expect(net.acts[2][0]).toBeCloseTo(y, 12);
  });
});

describe('training step', () => {
  for (const loss of LOSS_NAMES) {
    it(`the fused in-place step equals θ − α·gradients (${loss})`, () => {
      const spec: NetworkSpec = { layers: [30, 12, 8, loss === 'mse' ? 1 : 5], activation: 'sigmoid', loss };
      const layout = paramLayout(spec.layers);
      const p = allocateParams(layout);
      initParams(p, layout, createRng(9), 'xavier');
      const before = Float32Array.from(p);
      const x = new Uint8Array(30);
      const rng = createRng(2);
      for (let i = 0; i < 30; i++) x[i] = rng.nextFloat() < 0.5 ? 0 : rng.nextInt(256);
      const grad = new Float64Array(layout.length);
      const net = createNetwork(spec, p);
      const lr = 0.5;
      const cost1 = gradients(net, x, 0, 1 / 255, 3, grad);
      expect(p).toEqual(before);
      const cost2 = trainSample(net, x, 0, 1 / 255, 3, lr);
      expect(cost2).toBe(cost1);
      let changed = 0;
      for (let k = 0; k < layout.length; k++) {
        const expected = Math.fround(before[k] - lr * grad[k]);
        expect(Math.abs(p[k] - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
        if (p[k] !== before[k]) changed++;
      }
      expect(changed).toBeGreaterThan(100);
    });
  }

  // A linear hidden layer keeps the network linear: XOR is out of its reach.
  for (const activation of HIDDEN_ACTIVATIONS.filter((a) => a !== 'linear')) {
    it(`learns XOR to 100% with ${activation} hidden units`, () => {
      const spec: NetworkSpec = { layers: [2, 8, 2], activation, loss: 'softmax' };
      const layout = paramLayout(spec.layers);
      const p = allocateParams(layout);
      initParams(p, layout, createRng(11), activation === 'relu' ? 'he' : 'xavier');
      const net = createNetwork(spec, p);
      const xs = Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
      const ys = [0, 1, 1, 0];
      const rng = createRng(4);
      for (let step = 0; step < 20000; step++) {
        const s = rng.nextInt(4);
        trainSample(net, xs, s * 2, 1, ys[s], 0.2);
      }
      for (let s = 0; s < 4; s++) expect(predict(net, xs, s * 2, 1)).toBe(ys[s]);
    });
  }
});
