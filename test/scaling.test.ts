import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { paramLayout, type NetworkSpec } from '@hogwild/core';
import { DESCRIPTOR, REFERENCE_SPEC, compileKernel, createArena, createWasmView, dirtyRows, mergeStart, instantiateKernel, reserveLocks, setMergePeriods, takeMergedFloats, writeDataDescriptor } from './internal.ts';
import { DEFAULT_CHUNK, createSession } from './internal.ts';
import { grainSize as grain } from './internal.ts';
import { measureRun } from './internal.ts';
import { simulated } from './simulated-run.ts';
import { mnistDatasets } from './helpers.ts';
import { asDense } from './internal.ts';

/** The bytes of a parameter vector: runs that must agree are compared bit for bit (toEqual on 79,510 floats takes a second or more). */
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

// The statistics of many simulated workers against one are in scaling.slow.test.ts (`pnpm test:slow`).
describe('simulated workers, with the merge periods real workers use', () => {
  it('merge periods follow the learning rate: a range at a quarter of the largest rate merges after 4 times the changes, and fewer floats a sample', async () => {
    const files = await mnistDatasets();
    const run = async (stretch?: number) => {
      const s = await createSession({ spec: REFERENCE_SPEC, kernel: 'wasm', workers: 8, train: files.train, init: 'uniform', seed: 2, simulate: true, merge: { stretch } });
      s.shuffle();
      const high = await s.trainRange(0.04, 0, 20000);
      const low = await s.trainRange(0.01, 20000, 40000);
      await s.close();
      return { high, low };
    };
    const follow = await run(), fixed = await run(1);
    expect(follow.high.periods).toEqual({ rows: 2, touches: 9, dense: 2 });
    expect(follow.low.periods).toEqual({ rows: 8, touches: 36, dense: 8 });
    expect(fixed.low.periods).toEqual({ rows: 2, touches: 9, dense: 2 });
    expect(follow.high.mergedFloats).toBe(fixed.high.mergedFloats); // the same run until the rate falls
    expect(follow.low.mergedFloats / fixed.low.mergedFloats, `${follow.low.mergedFloats} against ${fixed.low.mergedFloats}`).toBeLessThan(0.5);
  });

  it('evaluation points do not change what the workers learn (no merge at a point, as with real workers)', async () => {
    const files = await mnistDatasets();
    const run = async (evals: number) => {
      const s = await createSession({ spec: REFERENCE_SPEC, kernel: 'wasm', workers: 8, train: files.train, test: files.test, init: 'uniform', seed: 3, simulate: true });
      const r = await measureRun(s, { epochs: 1, schedule: { name: 'constant', lr: 0.033 }, evalsPerEpoch: evals });
      const params = Float32Array.from(s.params);
      await s.close();
      return { r, params };
    };
    const once = await run(1), often = await run(16);
    expect(often.r.curve).toHaveLength(16);
    expect(often.r.curve.map((p) => p.samples)).toEqual(Array.from({ length: 16 }, (_, g) => Math.floor(((g + 1) * 60000) / 16)));
    expect(bits(often.params).equals(bits(once.params)), 'the parameters after the epoch').toBe(true);
    expect(often.r.accuracy).toBe(once.r.accuracy);
  });

  it('with the TypeScript kernel simulate plain per-sample Hogwild!: no replicas, nothing merged, the same run twice', async () => {
    const { train } = await mnistDatasets();
    const rows = 2000;
    const small = { ...train, rows, features: train.features.subarray(0, rows * train.featureLength), labels: train.labels.subarray(0, rows) };
    const run = async () => {
      const s = await createSession({ spec: REFERENCE_SPEC, kernel: 'ts', workers: 3, train: small, init: 'uniform', seed: 4, simulate: true });
      const r = await s.trainEpoch(0.033);
      const params = Float32Array.from(s.params);
      await s.close();
      return { r, merges: s.merges, params };
    };
    const a = await run(), b = await run();
    expect(a.merges.kind).toBe('plain');
    expect(a.r.mergedFloats).toBe(0);
    expect(a.r.samples).toBe(rows);
    expect(bits(a.params).equals(bits(b.params))).toBe(true);
  });

  it('the same seed gives the same run, evaluation by evaluation', async () => {
    const run = () => simulated({ spec: REFERENCE_SPEC, init: 'uniform', schedule: { name: 'constant', lr: 0.033 }, epochs: 1, workers: 4, seed: 7 });
    const a = await run();
    const b = await run();
    expect(b.curve.map((p) => [p.samples, p.accuracy])).toEqual(a.curve.map((p) => [p.samples, p.accuracy]));
    expect(b.mergedFloats).toBe(a.mergedFloats);
  });
});

describe('real workers taking grains from the shared cursor', () => {
  it('train every position of a range once, each of the closing tail followed by a merge (ranges longer and shorter than the tail)', async () => {
    const files = await mnistDatasets();
    const s = await createSession({ spec: REFERENCE_SPEC, kernel: 'wasm', workers: 3, train: files.train, init: 'uniform', seed: 1 });
    try {
      expect(s.merges).toMatchObject({ kind: 'replicas', tail: 32 }); // 96 positions of tail for 3 workers
      // Not shuffled: position p is sample p. A merge after a sample takes the first-layer rows of its nonzero pixels
      // and the dense layers; each worker's closing merge takes the dense layers again (up to 3 × dense floats more).
      const l0 = s.layout.layers[0], dense = s.params.length - l0.biasOffset;
      const { features, featureLength } = asDense(s.train!);
      const merges = (from: number, to: number) => {
        let floats = 0;
        for (let p = from; p < to; p++) for (let j = 0; j < featureLength; j++) if (features[p * featureLength + j] !== 0) floats += l0.stride;
        return floats + (to - from) * dense;
      };
      for (const [from, to] of [[0, 5000], [5000, 5257], [6000, 6060], [7000, 7001]]) {
        const before = s.progress();
        const r = await s.trainRange(0.01, from, to);
        expect(r.samples, `range [${from}, ${to})`).toBe(to - from);
        expect(s.progress() - before).toBe(to - from);
        const tail = merges(Math.max(from, to - 96), to);
        if (to - from <= 96) {
          // All tail: exactly its own positions' merges and the closing ones (a position skipped, or trained twice, shows).
          expect([0, 1, 2, 3], `range [${from}, ${to}): ${r.mergedFloats} floats merged, ${tail} for its samples, dense ${dense}`).toContain((r.mergedFloats - tail) / dense);
        } else {
          expect(r.mergedFloats, `range [${from}, ${to})`).toBeGreaterThan(tail);
        }
      }
    } finally {
      await s.close();
    }
  });
});

describe('merge periods that follow the learning rate, in real workers', () => {
  it('reach each worker with its range: at a quarter of the largest rate, a row is merged after 4 times the changes', async () => {
    const files = await mnistDatasets();
    const s = await createSession({ spec: REFERENCE_SPEC, kernel: 'wasm', workers: 2, train: files.train, init: 'uniform', seed: 1 });
    try {
      s.shuffle();
      const high = await s.trainRange(0.04, 0, 30000);
      const low = await s.trainRange(0.01, 30000, 60000);
      expect(high.periods).toEqual({ rows: 16, touches: 64, dense: 16 });
      expect(low.periods).toEqual({ rows: 63, touches: 255, dense: 63 });
      // Merged floats a sample: about 320 at 64 changes, about a third of that at 255 (with each range's closing tail).
      const perSample = (r: { mergedFloats: number; samples: number }) => r.mergedFloats / r.samples;
      expect(perSample(low) / perSample(high), `${perSample(low)} against ${perSample(high)} floats a sample`).toBeLessThan(0.6);
    } finally {
      await s.close();
    }
  });
});

describe('evaluation copies, taken by the real workers as they train', () => {
  it('one worker: a copy holds the parameters after exactly the samples it reports, the first grain boundary at or past its point', async () => {
    const files = await mnistDatasets();
    const open = () => createSession({ spec: REFERENCE_SPEC, kernel: 'wasm', workers: 1, train: files.train, init: 'uniform', seed: 5 });
    const a = await open(), b = await open();
    try {
      a.shuffle();
      b.shuffle(); // the same seed: the same order
      const points = [1000, 1001, 2500, 4000];
      const g = grain(5000, 1, DEFAULT_CHUNK);
      const r = await a.trainRange(0.03, 0, 5000, points);
      expect(r.copies.map((c) => c.samples)).toEqual(points.map((p) => Math.ceil(p / g) * g));
      let trained = 0;
      for (const c of r.copies) {
        if (c.samples > trained) await b.trainRange(0.03, trained, c.samples);
        trained = c.samples;
        expect(bits(c.params).equals(bits(b.params)), `the copy at ${c.samples} samples`).toBe(true);
      }
      await b.trainRange(0.03, trained, 5000);
      expect(bits(a.params).equals(bits(b.params)), 'the parameters at the end').toBe(true);
      expect(bits(r.copies[3].params).equals(bits(a.params)), 'the last copy against the end').toBe(false);
      const seconds = r.copies.map((c) => c.seconds);
      expect(seconds).toEqual([...seconds].sort((x, y) => x - y));
      expect(seconds[0]).toBeGreaterThan(0);
      expect(seconds[3]).toBeLessThanOrEqual(r.seconds);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('several workers: every copy is taken, in order, within a grain per worker past its point, and a new range takes its own', async () => {
    const files = await mnistDatasets();
    const s = await createSession({ spec: REFERENCE_SPEC, kernel: 'wasm', workers: 3, train: files.train, init: 'uniform', seed: 5 });
    try {
      s.shuffle();
      const points = Array.from({ length: 15 }, (_, k) => Math.floor(((k + 1) * 20000) / 16));
      const g = grain(20000, 3, DEFAULT_CHUNK);
      const first = await s.trainRange(0.03, 0, 20000, points);
      expect(first.copies).toHaveLength(points.length);
      first.copies.forEach((c, k) => {
        expect(c.samples, `copy ${k}`).toBeGreaterThanOrEqual(points[k]);
        expect(c.samples, `copy ${k}`).toBeLessThanOrEqual(points[k] + 3 * g);
        expect(c.seconds).toBeLessThanOrEqual(first.seconds);
        if (k > 0) expect(c.params, `copy ${k} against ${k - 1}`).not.toEqual(first.copies[k - 1].params);
      });
      const kept = Float32Array.from(first.copies[0].params);
      // The next range (progress continues from 20000) takes its copies afresh, and leaves the first range's alone.
      const second = await s.trainRange(0.03, 20000, 30000, [5000]);
      expect(second.copies).toHaveLength(1);
      expect(second.copies[0].samples).toBeGreaterThanOrEqual(5000);
      expect(second.copies[0].samples).toBeLessThanOrEqual(5000 + 3 * grain(10000, 3, DEFAULT_CHUNK));
      expect(first.copies[0].params).toEqual(kept);
      expect((await s.trainRange(0.03, 30000, 31000)).copies).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe('merging a replica into the shared parameters', () => {
  // One sample whose only nonzero inputs are pixels 3 and 700.
  function oneSample(spec: NetworkSpec = REFERENCE_SPEC) {
    const layout = paramLayout(spec.layers);
    const arena = createArena();
    const p = arena.reserve(4 * layout.length);
    const x = arena.reserve(784), y = arena.reserve(1), order = arena.reserve(4);
    const pixels = new Uint8Array(arena.buffer, x, 784);
    pixels[3] = 200;
    pixels[700] = 90;
    new Uint8Array(arena.buffer, y, 1)[0] = 4 % spec.layers[spec.layers.length - 1];
    const shared = new Float32Array(arena.buffer, p, layout.length);
    for (let i = 0; i < shared.length; i++) shared[i] = ((i * 7919) % 1000) / 1e4 - 0.05;
    const view = createWasmView(arena, spec, p, { merge: { locks: reserveLocks(arena, spec), periods: { rows: 1000, touches: 1, dense: 1000 }, from: 0 } });
    const kernel = instantiateKernel(compileKernel(), arena.memory);
    const data = writeDataDescriptor(arena, { rows: 1, features: 784, scale: 1 / 255, input: { kind: 'uint8', values: x }, labels: { kind: 'classes', values: y }, order });
    return { arena, layout, shared, view, kernel, data };
  }

  const TWO_CLASSES: NetworkSpec = { layers: [784, 2], activation: 'linear', loss: 'softmax' };

  it.each([['784-100-10', REFERENCE_SPEC], ['784-2, rows of 2 floats', TWO_CLASSES]] as const)('marks as changed exactly the first-layer rows of the nonzero inputs, and merges those rows and the dense layers only (%s)', (_, spec) => {
    const { arena, layout, shared, view, kernel, data } = oneSample(spec);
    const before = Float32Array.from(shared);
    kernel.train(view.descriptor, data, 0, 1, 0.1);
    expect(dirtyRows(arena.memory, view, 784)).toEqual([3, 700]);
    expect(shared).toEqual(before); // nothing reaches the shared parameters before the merge
    kernel.merge(view.descriptor);
    const l0 = layout.layers[0];
    const changedRows = new Set<number>();
    for (let i = 0; i < l0.inSize * l0.stride; i++) if (shared[i] !== before[i]) changedRows.add(Math.floor(i / l0.stride));
    expect([...changedRows]).toEqual([3, 700]);
    const dense = shared.length - l0.biasOffset;
    expect(takeMergedFloats(arena.memory, view)).toBe(2 * l0.stride + dense);
    expect(takeMergedFloats(arena.memory, view)).toBe(0);
    expect(dirtyRows(arena.memory, view, 784)).toEqual([]);
  });

  it('merges a row of 2 floats (a first layer of two outputs, unpadded) and not the next row, which another worker changed', () => {
    const { arena, layout, shared, view, kernel, data } = oneSample(TWO_CLASSES);
    const l0 = layout.layers[0];
    expect(l0.stride).toBe(2);
    const replica = new Float32Array(arena.buffer, new Int32Array(arena.buffer, view.descriptor, 8)[DESCRIPTOR.Word.REPLICA], layout.length);
    kernel.train(view.descriptor, data, 0, 1, 0.1);
    const row = (a: Float32Array, i: number) => [...a.subarray(i * l0.stride, (i + 1) * l0.stride)];
    const before = [3, 700].map((i) => row(shared, i)), held = [4, 701].map((i) => row(replica, i));
    for (const i of [4, 701]) shared.fill(9, i * l0.stride, (i + 1) * l0.stride); // another worker's change, merged before this one's
    kernel.merge(view.descriptor);
    const merged = [3, 700].map((i) => row(shared, i));
    expect(merged).toEqual([3, 700].map((i) => row(replica, i)));
    expect(merged.flat().every((w, k) => w !== before.flat()[k])).toBe(true);
    expect([4, 701].map((i) => row(shared, i))).toEqual([[9, 9], [9, 9]]);
    expect([4, 701].map((i) => row(replica, i))).toEqual(held); // taken when this view next changes and merges them
  });

  // Two samples: A (pixels 3 and 700), B (pixels 3 and 5); a view that checks after every sample.
  function twoSamples(touches: number, checkEvery: number) {
    const spec = REFERENCE_SPEC;
    const layout = paramLayout(spec.layers);
    const arena = createArena();
    const p = arena.reserve(4 * layout.length);
    const x = arena.reserve(2 * 784), y = arena.reserve(2), order = arena.reserve(4 * 512);
    const pixels = new Uint8Array(arena.buffer, x, 2 * 784);
    pixels[3] = 200;
    pixels[700] = 90;
    pixels[784 + 3] = 120;
    pixels[784 + 5] = 60;
    new Uint8Array(arena.buffer, y, 2).set([4, 7]);
    const shared = new Float32Array(arena.buffer, p, layout.length);
    for (let i = 0; i < shared.length; i++) shared[i] = ((i * 7919) % 1000) / 1e4 - 0.05;
    const view = createWasmView(arena, spec, p, { merge: { locks: reserveLocks(arena, spec), periods: { rows: checkEvery, touches, dense: 1 << 20 }, from: 0 } });
    const kernel = instantiateKernel(compileKernel(), arena.memory);
    const l0 = layout.layers[0];
    const changedRows = (before: Float32Array) => {
      const rows = new Set<number>();
      for (let i = 0; i < l0.inSize * l0.stride; i++) if (shared[i] !== before[i]) rows.add(Math.floor(i / l0.stride));
      return [...rows];
    };
    const data = writeDataDescriptor(arena, { rows: 2, features: 784, scale: 1 / 255, input: { kind: 'uint8', values: x }, labels: { kind: 'classes', values: y }, order });
    const train = (samples: number[]) => {
      new Uint32Array(arena.buffer, order, samples.length).set(samples);
      kernel.train(view.descriptor, data, 0, samples.length, 0.1);
    };
    return { arena, shared, view, kernel, train, changedRows };
  }

  it('merges a row once the worker has changed it the given number of times, and the rest at the closing merge', () => {
    const { arena, shared, view, kernel, train, changedRows } = twoSamples(2, 1);
    const before = Float32Array.from(shared);
    train([0]); // rows 3 and 700 changed once: not due
    expect(changedRows(before)).toEqual([]);
    train([1]); // row 3 changed twice: merged at the check after this sample; rows 5 and 700 once
    expect(changedRows(before)).toEqual([3]);
    expect(dirtyRows(arena.memory, view, 784)).toEqual([5, 700]);
    kernel.merge(view.descriptor); // a task's closing merge takes every changed row
    expect(changedRows(before).sort((a, b) => a - b)).toEqual([3, 5, 700]);
    expect(dirtyRows(arena.memory, view, 784)).toEqual([]);
  });

  it('takes new merge periods between tasks (setMergePeriods), and refuses a view without a replica or a count out of range', () => {
    const { arena, shared, view, kernel, train, changedRows } = twoSamples(2, 1);
    setMergePeriods(arena.memory, view, { rows: 1, touches: 3, dense: 1 << 20 });
    const before = Float32Array.from(shared);
    train([0, 1]); // row 3 changed twice: due after 2 changes, not after 3
    expect(changedRows(before)).toEqual([]);
    train([1]);
    expect(changedRows(before)).toEqual([3]);
    const words = new Int32Array(arena.buffer, view.descriptor, DESCRIPTOR.LAYER0);
    expect([words[DESCRIPTOR.Word.ROWS_EVERY], words[DESCRIPTOR.Word.DUE_TOUCHES], words[DESCRIPTOR.Word.DENSE_EVERY]]).toEqual([1, 3, 1 << 20]);
    expect(() => setMergePeriods(arena.memory, view, { rows: 1, touches: 256, dense: 1 })).toThrow(/touches must be an integer from 1 to 255, got 256/);
    expect(() => setMergePeriods(arena.memory, view, { rows: 0, touches: 3, dense: 1 })).toThrow(/periods.rows must be an integer/);
    const plain = createWasmView(arena, REFERENCE_SPEC, arena.reserve(4 * paramLayout(REFERENCE_SPEC.layers).length));
    expect(() => setMergePeriods(arena.memory, plain, { rows: 1, touches: 3, dense: 1 })).toThrow(/the view does not merge/);
  });

  it('a row changed more than 255 times between merges still counts as changed (the byte counter saturates)', () => {
    const { arena, shared, view, kernel, train, changedRows } = twoSamples(1, 1 << 20);
    const before = Float32Array.from(shared);
    train(Array(256).fill(0)); // a wrapping counter would read 0, "clean", after 256 changes
    expect(dirtyRows(arena.memory, view, 784)).toEqual([3, 700]);
    kernel.merge(view.descriptor);
    expect(changedRows(before)).toEqual([3, 700]);
  });

  // All threads merge every row at once (a start gate lines them up): from the same start row, they meet at every
  // lock; from spread start rows (as a session's workers), they meet mid-scan and wrap round. With the locks taken
  // out of the kernel (checked by hand), 75,536 and 76,792 of the 79,528 parameters lost additions.
  it.each([
    ['the same row', false, REFERENCE_SPEC],
    ['spread rows, as a session\'s workers do', true, REFERENCE_SPEC],
    ['spread rows, in rows of 2 floats: a 784-2 model', true, TWO_CLASSES],
  ] as const)('loses no change when several threads merge the same rows at once (scans starting at %s)', async (_, spread, spec) => {
    const layout = paramLayout(spec.layers);
    const arena = createArena();
    const p = arena.reserve(4 * layout.length);
    const locks = reserveLocks(arena, spec);
    const threads = 4, rounds = 150;
    const views = Array.from({ length: threads }, (_, k) => createWasmView(arena, spec, p, { merge: { locks, periods: { rows: 1 << 30, touches: 1, dense: 1 << 30 }, from: spread ? mergeStart(k, threads, 784) : 0 } }).descriptor);
    const rows = layout.layers[0].inSize;
    const gate = new Int32Array(new SharedArrayBuffer(4));
    // Each thread adds 1 to every parameter of its replica, marks every row changed and merges, `rounds` times.
    const code = `
      const { workerData: d, parentPort } = require('node:worker_threads');
      const w = d.words.Word;
      const k = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
      const words = new Int32Array(d.memory.buffer, d.view, d.words.LAYER0);
      const replica = new Float32Array(d.memory.buffer, words[w.REPLICA], words[w.PARAMS_BYTES] / 4);
      const flags = new Uint8Array(d.memory.buffer, words[w.TOUCH_COUNTS], d.rows);
      Atomics.add(d.gate, 0, 1);
      while (Atomics.load(d.gate, 0) < d.threads) {}
      for (let r = 0; r < d.rounds; r++) {
        for (let i = 0; i < replica.length; i++) replica[i] += 1;
        flags.fill(1);
        k.merge(d.view);
      }
      parentPort.postMessage('done');`;
    await Promise.all(views.map((view) => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { module: compileKernel(), memory: arena.memory, view, rows, rounds, threads, gate, words: { ...DESCRIPTOR } } });
      w.on('message', resolve);
      w.on('error', reject);
    })));
    const shared = new Float32Array(arena.buffer, p, layout.length);
    const l0 = layout.layers[0];
    const merged = [...shared.subarray(0, l0.inSize * l0.stride), ...shared.subarray(l0.biasOffset)];
    const lost = merged.filter((v) => v !== threads * rounds).length;
    expect(lost, `parameters missing some of the ${threads * rounds} merged additions`).toBe(0);
  });
});
