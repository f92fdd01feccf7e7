import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeArrowDataset, writeArrowDataset } from '@hogwild/data';
import { mnistIdxFiles } from './internal.ts';
import { tableFromIPC } from 'apache-arrow';
import { bench, evaluate, predict, predictImage, train, type EpochEvent } from '@hogwild/trainer';
import { join } from 'node:path';
import { tempDir } from './helpers.ts';

// Arrays a Node developer might have: the first MNIST images and labels, straight from the IDX files.
const files = mnistIdxFiles();
const n = 4000, m = 1000;
const images = new Uint8Array(readFileSync(files.trainImages).subarray(16, 16 + 784 * n));
const labels = Array.from(readFileSync(files.trainLabels).subarray(8, 8 + n));
const testImages = new Uint8Array(readFileSync(files.testImages).subarray(16, 16 + 784 * m));
const testLabels = new Uint8Array(readFileSync(files.testLabels).subarray(8, 8 + m));

describe('the trainer as a library', () => {
  it('trains on arrays in memory, reports every epoch, and gives a model that evaluate and predict agree on', async () => {
    const epochs: EpochEvent[] = [];
    const r = await train({
      data: { features: images, labels, featureLength: 784, shape: [28, 28] },
      test: { features: testImages, labels: testLabels, featureLength: 784 },
      workers: 2, epochs: 2, onEpoch: (e) => epochs.push(e),
    });
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(r.epochs).toBe(2);
    expect(r.stopped).toBe(false);
    expect(r.model.spec.layers).toEqual([784, 128, 10]);
    expect(r.model.inputShape).toEqual([28, 28]);
    expect(r.evaluation!.accuracy).toBeGreaterThan(0.85);
    const e = await evaluate(r.model, { features: testImages, labels: testLabels, featureLength: 784 }, { workers: 1 });
    expect(e.accuracy).toBe(r.evaluation!.accuracy);
    const p = predict(r.model, testImages);
    expect(p).toHaveLength(m);
    expect(p.filter((x, i) => x.label === testLabels[i]).length / m).toBeCloseTo(e.accuracy, 2);
    expect(p[0].probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('predictImage reads a digit from an image file or its bytes', async () => {
    const r = await train({ data: { features: images, labels, featureLength: 784, shape: [28, 28] }, workers: 1, epochs: 2 });
    const file = join(import.meta.dirname, 'fixtures/digits/pen-3.png');
    const a = await predictImage(r.model, file);
    const b = await predictImage(r.model, new Uint8Array(readFileSync(file)));
    expect(b).toEqual(a);
    expect(a.probabilities).toHaveLength(10);
    await expect(predictImage(r.model, new Uint8Array([1, 2, 3]))).rejects.toThrow(/^image: cannot read as an image/);
  });

  it('stops at the next chunk when its signal aborts, and still returns the model', async () => {
    const stop = new AbortController();
    const r = await train({
      data: { features: images, labels, featureLength: 784 }, workers: 1, epochs: 50, signal: stop.signal,
      onEpoch: (e) => { if (e.epoch === 1) stop.abort(); },
    });
    expect(r.stopped).toBe(true);
    expect(r.epochs).toBe(1);
    expect(r.model.params.every(Number.isFinite)).toBe(true);
    expect(r.split).toBe('train');
  });

  it('keeps label smoothing in the model only when it is on, and a resumed run takes it from there (one worker: bit for bit)', async () => {
    const data = { features: images.subarray(0, 784 * 1000), labels: labels.slice(0, 1000), featureLength: 784 };
    const common = { data, workers: 1, epochs: 2, layers: [784, 32, 10] };
    const plain = await train(common);
    expect(plain.model.extra).not.toHaveProperty('label_smoothing');
    const whole = await train({ ...common, labelSmoothing: 0.1 });
    expect(whole.model.extra).toMatchObject({ label_smoothing: '0.1' });
    expect(whole.model.params).not.toEqual(plain.model.params);
    const stop = new AbortController();
    const half = await train({ ...common, labelSmoothing: 0.1, signal: stop.signal, onEpoch: () => stop.abort() });
    expect(half.epochs).toBe(1);
    expect((await train({ data, workers: 1, resume: half.model })).model.params).toEqual(whole.model.params);
    // Given, it overrides the model's: off, the resumed epoch trains as without it.
    expect((await train({ data, workers: 1, resume: half.model, labelSmoothing: 0 })).model.params).not.toEqual(whole.model.params);
  });

  it('takes an apache-arrow Table in memory as it takes a dataset file', async () => {
    const table = tableFromIPC(await encodeArrowDataset({ rows: n, featureLength: 784, features: images, labels: Uint8Array.from(labels), shape: [28, 28], source: 'mem' }));
    const r = await train({ data: table, workers: 1, epochs: 1 });
    expect(r.model.inputShape).toEqual([28, 28]);
    expect(r.evaluation!.accuracy).toBeGreaterThan(0.8);
    const e = await evaluate(r.model, table, { workers: 1 });
    expect(e.accuracy).toBe(r.evaluation!.accuracy);
  });

  it('bench() returns a row per worker count and every run\'s curve; simulated, no speedups', async () => {
    const file = join(tempDir(), 'small.arrow');
    await writeArrowDataset(file, { rows: n, featureLength: 784, features: images, labels: Uint8Array.from(labels), shape: [28, 28], source: 'mem' });
    const evals: number[] = [];
    const { start, rows } = await bench({
      data: file, workers: [1, 4], epochs: 1, repeat: 1, target: 0.8, lr: 0.033, schedule: 'constant', seed: 1, kernel: 'wasm', merge: { every: 'auto' },
      evals: 4, simulate: true, onEval: (e) => evals.push(e.workers),
    });
    expect(start.spec.layers).toEqual([784, 100, 10]);
    expect(rows.map((r) => r.workers)).toEqual([1, 4]);
    // One thread's turns have no parallel speed: a speedup or efficiency would claim one.
    expect(rows.map((r) => [r.speedup, r.efficiency, r.time_speedup])).toEqual([[null, null, null], [null, null, null]]);
    expect(rows[1].merges).toEqual({ kind: 'replicas', rows: 5, touches: 21, dense: 5, tail: 32, stretch: 8 });
    expect(rows[1].merged_bytes_per_sample).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.runs[0].curve).toHaveLength(4);
      expect(r.epochs_to_target).not.toBeNull();
    }
    expect(evals).toEqual([1, 1, 1, 1, 4, 4, 4, 4]);
  });

  it('bench() on a table trains, weight for weight, the model train() trains with the same settings', async () => {
    // A table with a mostly-zero float column (standardised by 'auto' unlike 'on') and a class with no rows (an
    // output of its own): the two rules bench() once derived apart from train().
    const rows = 120;
    const features = Array.from({ length: rows }, (_, i) => [Math.sin(i), Math.cos(0.7 * i), i % 10 === 0 ? 5 + (i % 7) : 0, (i % 13) / 13]);
    const data = { features, labels: features.map(([a, b]) => (a + b > 0.5 ? 'high' : a + b < -0.5 ? 'low' : 'mid')), classes: ['low', 'mid', 'high', 'unseen'] };
    // bench()'s defaults are the reference R; these settings make train() and bench() ask for the same network.
    const settings = { epochs: 3, seed: 1, activation: 'sigmoid', loss: 'cross-entropy', init: 'uniform', lr: 0.033, schedule: 'constant' } as const;
    const { model } = await train({ data, workers: 1, layers: [4, 100, 4], ...settings });
    let benched: Float32Array | undefined;
    const { start } = await bench({ data, workers: [1], repeat: 1, evals: 4, ...settings, onRun: (e) => { benched = e.params; } });
    expect(start.spec).toEqual(model.spec);
    expect(benched).toEqual(model.params);
  });

  it('names the option and the value it refuses', async () => {
    const data = { features: images.subarray(0, 784 * 10), labels: labels.slice(0, 10), featureLength: 784 };
    await expect(train({ data: { ...data, labels: labels.slice(0, 9) } })).rejects.toThrow('data.labels: 9 labels for 10 rows');
    await expect(train({ data: { ...data, labels: [...labels.slice(0, 9), NaN] } })).rejects.toThrow('data.labels[9]: expected a finite number (or strings for every label), found NaN');
    await expect(train({ data, epochs: 0 })).rejects.toThrow('epochs: expected an integer ≥ 1, found 0');
    await expect(train({ data, lr: -1 })).rejects.toThrow('lr: expected a number in (0, ∞), found -1');
    await expect(train({ data, workers: 0 })).rejects.toThrow('workers: expected an integer ≥ 1, found 0');
    await expect(train({ data, chunk: 0 })).rejects.toThrow('chunk: expected an integer ≥ 1, found 0');
    await expect(train({ data, epoch: 3 } as never)).rejects.toThrow('unknown option `epoch` (did you mean `epochs`?)');
    await expect(train({ data, learningRate: 0.1 } as never)).rejects.toThrow('unknown option `learningRate` (did you mean `lr`?)');
    await expect(train({ data, task: 'regression' } as never)).rejects.toThrow('unknown option `task`: it goes in `data` (data: { …, task })');
    await expect(train({ data, merge: { touch: 8 } } as never)).rejects.toThrow('unknown option `merge.touch` (did you mean `merge.touches`?)');
    await expect(train({ data, layers: [100, 10] })).rejects.toThrow('layers: the input layer of 100,10 must have 784 units, the features per sample of data');
    await expect(train({ data, labelSmoothing: 1 })).rejects.toThrow('labelSmoothing: expected a number in [0, 1), found 1');
    await expect(train({ data, loss: 'square', labelSmoothing: 0.1 })).rejects.toThrow('labelSmoothing: 0.1 needs the softmax loss, found loss square');
  });
});
