import { describe, expect, it } from 'vitest';
import type { Model } from '@hogwild/core';
import { resolveRun, sessionOptions, type RunData, type RunOptions } from '../src/resolve-run.ts';
import { readState, stateMetadata, type Resumed } from '../src/resume.ts';
import { learningRate } from '../src/schedule.ts';
import { BENCH_DEFAULTS, MAX_DEFAULT_EPOCHS, REGRESSION_LR } from '../src/options.ts';

const mnist: RunData = { source: 'mnist', rows: 60_000, featureLength: 784, maxLabel: 9, shape: [28, 28], scale: 1 / 255, regression: false, sparse: false };
const table: RunData = { source: 'fruit.arrow', rows: 240, featureLength: 7, maxLabel: 2, shape: [7], scale: 1, regression: false, sparse: false, classes: ['0', '100', '200'] };
const text: RunData = { source: 'spam.arrow', rows: 60_000, featureLength: 2 ** 20, maxLabel: 1, shape: [2 ** 20], scale: 1, regression: false, sparse: true, classes: ['ham', 'spam'] };
const run = (o: RunOptions, data: RunData, resumed: Resumed | null = null) => resolveRun(o, data, { defaults: 'run', defaultWorkers: 3, resumed });
const benched = (o: RunOptions, data: RunData) => resolveRun(o, data, { defaults: 'bench', defaultWorkers: 3 });

/** A model as train() leaves it after `epochs` of a 10-epoch step schedule (no files: the state is its metadata). */
function resumedModel(epochs: number, epochSamples = 0): Resumed {
  const spec = { layers: [7, 16, 3], activation: 'tanh', loss: 'softmax' } as const;
  const model: Model = {
    spec, params: new Float32Array(7 * 16 + 16 + 16 * 3 + 3), inputShape: [7], inputScale: 1, classes: ['0', '100', '200'],
    extra: stateMetadata({ epochs, epochSamples, scheduleEpochs: 10, lr: 0.1, schedule: 'step', lrStep: 2, lrGamma: 0.5, seed: 7, labelSmoothing: 0.05 }),
  };
  return { model, state: readState(model, 'a.safetensors'), source: 'a.safetensors' };
}

describe('resolveRun: the one derivation of a run', () => {
  it('gives sparse data a linear softmax from zero weights, lr 4 with cosine decay over 10 epochs, in run and bench alike', () => {
    for (const r of [run({}, text), benched({}, text)]) {
      expect(r.spec).toEqual({ layers: [2 ** 20, 2], activation: 'relu', loss: 'softmax' });
      expect(r).toMatchObject({ init: 'zeros', epochs: 10, schedule: { name: 'cosine', lr: 4 } });
    }
    // A small sparse set gets the small-table epochs; given hidden layers, the dense defaults apply.
    expect(run({}, { ...text, rows: 40 }).epochs).toBe(MAX_DEFAULT_EPOCHS);
    expect(run({ layers: [2 ** 20, 16, 2] }, text)).toMatchObject({ init: 'he', schedule: { lr: 0.02 } });
  });

  it('fills trainer run\'s defaults: the input from the data, 128 ReLU units, an output a class, cosine from 0.02 over 5 epochs', () => {
    const r = run({}, mnist);
    expect(r.spec).toEqual({ layers: [784, 128, 10], activation: 'relu', loss: 'softmax' });
    expect(r).toMatchObject({
      task: 'classification', init: 'he', epochs: 5, first: 0, topLr: 0, seed: 1, labelSmoothing: 0, workers: 3, kernel: 'wasm', simulate: false,
      schedule: { name: 'cosine', lr: 0.02, every: 1, gamma: 0.5 }, preprocessing: { kind: 'fit', standardize: 'auto', target: false },
    });
  });

  it('fills bench\'s defaults with the reference R: 100 sigmoid units, cross-entropy, uniform init, a constant 0.033 for one epoch', () => {
    const r = benched({}, mnist);
    expect(r.spec).toEqual({ layers: [784, ...BENCH_DEFAULTS.hidden, 10], activation: 'sigmoid', loss: 'cross-entropy' });
    expect(r).toMatchObject({ init: 'uniform', epochs: 1, seed: 1, schedule: { name: 'constant', lr: 0.033 } });
  });

  it('takes every option given over the defaults', () => {
    const o: RunOptions = {
      layers: [784, 32, 10], activation: 'tanh', loss: 'square', init: 'xavier', lr: 0.5, schedule: 'step', lrStep: 3, lrGamma: 0.1, epochs: 2, seed: 9,
      workers: 5, kernel: 'ts', chunk: 64, merge: { every: 4 }, standardize: 'off',
    };
    for (const r of [run(o, mnist), benched(o, mnist)]) {
      expect(r).toMatchObject({
        spec: { layers: [784, 32, 10], activation: 'tanh', loss: 'square' }, init: 'xavier', epochs: 2, seed: 9, workers: 5, kernel: 'ts', chunk: 64, merge: { every: 4 },
        schedule: { name: 'step', lr: 0.5, every: 3, gamma: 0.1 }, preprocessing: { kind: 'fit', standardize: 'off' },
      });
    }
  });

  it('gives a small table enough epochs for 50,000 samples, at most 500, when run; bench keeps its one epoch', () => {
    expect(run({}, table).epochs).toBe(Math.ceil(50_000 / 240));
    expect(run({}, { ...table, rows: 20 }).epochs).toBe(MAX_DEFAULT_EPOCHS);
    expect(run({ epochs: 3 }, table).epochs).toBe(3);
    expect(benched({}, table).epochs).toBe(BENCH_DEFAULTS.epochs);
  });

  it('gives a table an output for every class it names, even one without rows, in run and bench alike', () => {
    const named = { ...table, classes: ['0', '100', '200', 'never seen'] };
    expect(run({}, named).spec.layers).toEqual([7, 128, 4]);
    expect(benched({}, named).spec.layers).toEqual([7, 100, 4]);
    expect(run({}, { ...table, maxLabel: 0, classes: undefined }).spec.layers).toEqual([7, 128, 2]);
  });

  it('standardises a table\'s float features the same way in run and bench: auto unless told, true is auto, false is off', () => {
    const mode = (o: RunOptions, defaults: 'run' | 'bench') => resolveRun(o, table, { defaults, defaultWorkers: 1 }).preprocessing;
    for (const defaults of ['run', 'bench'] as const) {
      expect(mode({}, defaults)).toEqual({ kind: 'fit', standardize: 'auto', target: false });
      expect(mode({ standardize: true }, defaults)).toEqual({ kind: 'fit', standardize: 'auto', target: false });
      expect(mode({ standardize: false }, defaults)).toEqual({ kind: 'fit', standardize: 'off', target: false });
      expect(mode({ standardize: 'on' }, defaults)).toEqual({ kind: 'fit', standardize: 'on', target: false });
    }
    expect(sessionOptions(run({}, table))).toMatchObject({ standardize: { fit: 'auto' } });
    expect(sessionOptions(run({ standardize: 'off' }, table))).not.toHaveProperty('standardize');
  });

  it('trains a regression target with one linear output, mse, its own learning rate and a fitted target scaling', () => {
    const target: RunData = { ...table, maxLabel: 0, classes: undefined, regression: true };
    for (const r of [run({}, target), benched({}, target)]) {
      expect(r.spec.layers.at(-1)).toBe(1);
      expect(r.spec.loss).toBe('mse');
      expect(r.schedule.lr).toBe(REGRESSION_LR);
      expect(r.task).toBe('regression');
      expect(r.preprocessing).toEqual({ kind: 'fit', standardize: 'auto', target: true });
    }
    expect(sessionOptions(run({}, target))).toMatchObject({ target: 'fit' });
    expect(() => run({ loss: 'softmax' }, target)).toThrow('loss: fruit.arrow holds regression targets, which train with mse, not softmax');
    expect(() => benched({ loss: 'softmax' }, target)).toThrow('loss: fruit.arrow holds regression targets, which train with mse, not softmax');
    expect(() => run({ loss: 'mse' }, table)).toThrow('loss: mse is for regression targets, and fruit.arrow holds classes');
  });

  it('refuses data with nothing to learn, and layers whose input is not the data\'s', () => {
    expect(() => run({}, { ...table, featureLength: 0 })).toThrow('fruit.arrow: samples have 0 features, nothing to learn from');
    expect(() => run({}, { ...table, rows: 0 })).toThrow('fruit.arrow: the dataset has no samples');
    expect(() => run({ layers: [5, 3] }, table)).toThrow('layers: the input layer of 5,3 must have 7 units, the features per sample of fruit.arrow');
    expect(() => run({ loss: 'square', labelSmoothing: 0.1 }, table)).toThrow('labelSmoothing: 0.1 needs the softmax loss, found loss square');
  });

  it('resumes with the model\'s network, weights and preprocessing, and its schedule and seed where the options are silent', () => {
    const resumed = resumedModel(4);
    const r = run({}, table, resumed);
    expect(r.spec).toBe(resumed.model.spec);
    expect(r).toMatchObject({ first: 4, epochs: 10, seed: 7, labelSmoothing: 0.05, schedule: { name: 'step', lr: 0.1, every: 2, gamma: 0.5 }, preprocessing: { kind: 'model' } });
    // The merge periods stretch from the largest rate of the epochs already trained.
    expect(r.topLr).toBe(Math.max(...[0, 1, 2, 3].map((e) => learningRate(r.schedule, e, 10))));
    expect(sessionOptions(r)).toMatchObject({ params: resumed.model.params, inputScale: 1, topLr: r.topLr });
  });

  it('lets the options given beside a resumed model override its schedule and seed, and refuses what it cannot continue', () => {
    const resumed = resumedModel(4);
    expect(run({ lr: 0.01, schedule: 'cosine', epochs: 12, seed: 2, labelSmoothing: 0 }, table, resumed)).toMatchObject({
      epochs: 12, seed: 2, labelSmoothing: 0, schedule: { name: 'cosine', lr: 0.01, every: 2, gamma: 0.5 },
    });
    expect(() => run({ epochs: 4 }, table, resumed)).toThrow('epochs: 4, but a.safetensors has trained 4 epochs already: give more epochs to train further');
    expect(() => run({}, { ...table, featureLength: 8 }, resumed)).toThrow('resume: a.safetensors takes 7 features per sample, but fruit.arrow has 8');
    expect(() => run({}, { ...table, maxLabel: 3 }, resumed)).toThrow('resume: a.safetensors has 3 outputs, but fruit.arrow has label 3');
  });

  it('resolves a simulated run to the network, schedule and seed of a threaded one: only `simulate` differs', () => {
    const threaded = run({ workers: 4 }, table);
    const simulated = run({ workers: 4, simulate: true }, table);
    expect(simulated).toEqual({ ...threaded, simulate: true });
    expect(sessionOptions(simulated)).toMatchObject({ simulate: true, workers: 4 });
  });

  it('takes the default worker count from its caller, never from the machine', () => {
    expect(resolveRun({}, mnist, { defaults: 'run', defaultWorkers: 11 }).workers).toBe(11);
    expect(resolveRun({ workers: 2 }, mnist, { defaults: 'run', defaultWorkers: 11 }).workers).toBe(2);
  });
});
