/**
 * One worker's hands on the shared memory: its network view (a slot of the arena) and the kernel that trains and
 * classifies through it. The thread of a piscina worker (worker.ts) and each simulated worker (pool/inline-driver.ts)
 * hold one, so both run the merge plan through the same calls. Nothing here allocates per sample.
 */
import { createNetwork, forward, HogwildError, predict, trainSample, type NetworkView } from '@hogwild/core';
import { instantiateKernel, setMergePeriods, takeMergedFloats, type KernelExports } from '@hogwild/core/internal';
import type { RangePlan } from '../merge-plan.ts';
import type { DatasetRef, WorkerInit } from '../protocol.ts';

/** Zero-copy views of a dataset in the shared memory. */
interface DataViews {
  readonly x: Uint8Array | Float32Array;
  readonly labels: Uint8Array;
  /** Regression: the scaled targets, and where evaluation writes the predictions. */
  readonly targets: Float32Array | null;
  readonly predictions: Float32Array | null;
  readonly ref: DatasetRef;
  /** the kernel's inputU8 flag */
  readonly u8: 0 | 1;
}

export interface Engine {
  /** Before a range: the plan's merge periods and tail, and the shared parameters taken into the replica at this worker's phase. */
  begin(plan: RangePlan): void;
  /** Trains positions [at, stop) of the order; each of them in the range's tail is followed by a full merge. Returns the summed cost. */
  train(at: number, stop: number, lr: number): number;
  /** The closing merge of a range: everything the replica holds back. Returns the floats merged since the last call. */
  finish(): number;
  /**
   * Classifies samples [start, end) of a split, adding to confusion[label · classes + predicted]; returns the correct
   * count. A regression network writes its predictions to the split's predictions array instead (and returns 0).
   */
  evaluate(split: 'train' | 'test', start: number, end: number, confusion: Int32Array): number;
}

/** The engine of worker slot `slot`; `kernel` shares one instance among the engines of one thread. */
export function createEngine(init: WorkerInit, slot: number, kernel?: KernelExports): Engine {
  const buffer = init.memory.buffer as unknown as SharedArrayBuffer;
  const views = (ref: DatasetRef | null): DataViews | null => {
    if (!ref) return null;
    const n = ref.rows * ref.featureLength;
    const u8 = ref.featureType === 'uint8';
    const x = u8 ? new Uint8Array(buffer, ref.featuresOffset, n) : new Float32Array(buffer, ref.featuresOffset, n);
    const targets = ref.targets ? new Float32Array(buffer, ref.labelsOffset, ref.rows) : null;
    const predictions = ref.targets ? new Float32Array(buffer, ref.predictionsOffset, ref.rows) : null;
    return { x, labels: new Uint8Array(buffer, ref.labelsOffset, ref.rows), targets, predictions, ref, u8: u8 ? 1 : 0 };
  };
  const data = { train: views(init.train), test: views(init.test) };
  const need = (split: 'train' | 'test'): DataViews => {
    const d = data[split];
    if (!d) throw new HogwildError('E_INTERNAL', `no ${split === 'train' ? 'training' : 'test'} set was given to the workers`);
    return d;
  };
  const classes = init.spec.layers[init.spec.layers.length - 1];
  const view = init.views[slot];
  const evalView = init.evalViews[slot];
  if (init.kernel === 'ts') return tsEngine(init, buffer, need, classes);
  const wasm = kernel ?? instantiateKernel(init.module!, init.memory);
  const scratch = new Int32Array(buffer, init.confusion[slot], classes * classes);
  let tailFrom = 0;
  return {
    begin(plan) {
      tailFrom = plan.end - plan.tail;
      if (!plan.periods) return;
      setMergePeriods(init.memory, view, plan.periods);
      wasm.pull(view, plan.phases[slot]);
    },
    train(at, stop, lr) {
      const d = need('train');
      const { featuresOffset, featureLength, scale, labelsOffset } = d.ref;
      const cut = Math.max(at, Math.min(stop, tailFrom));
      const targets = d.ref.targets ? 1 : 0;
      const smoothing = init.labelSmoothing;
      let loss = cut > at ? wasm.train(view, featuresOffset, featureLength, d.u8, scale, labelsOffset, init.orderOffset, at, cut, lr, targets, smoothing) : 0;
      // The range's tail: every sample merged at once (docs/merge-protocol.md#closing-tail).
      for (let t = cut; t < stop; t++) {
        loss += wasm.train(view, featuresOffset, featureLength, d.u8, scale, labelsOffset, init.orderOffset, t, t + 1, lr, targets, smoothing);
        wasm.merge(view);
      }
      return loss;
    },
    finish() {
      if (!init.replicated) return 0;
      wasm.merge(view);
      return takeMergedFloats(init.memory, view);
    },
    evaluate(split, start, end, confusion) {
      const d = need(split);
      // Through a view of the shared parameters themselves: the training view's replica and merge state stay as they were.
      if (d.ref.targets) {
        wasm.predictValues(evalView, d.ref.featuresOffset, d.ref.featureLength, d.u8, d.ref.scale, start, end, d.ref.predictionsOffset);
        return 0;
      }
      scratch.fill(0);
      const correct = wasm.evaluate(evalView, d.ref.featuresOffset, d.ref.featureLength, d.u8, d.ref.scale, d.ref.labelsOffset, start, end, init.confusion[slot]);
      for (let i = 0; i < confusion.length; i++) confusion[i] += scratch[i];
      return correct;
    },
  };
}

/** The TypeScript kernel: plain per-sample Hogwild on the shared parameters, the readable reference (no replicas). */
function tsEngine(init: WorkerInit, buffer: SharedArrayBuffer, need: (split: 'train' | 'test') => DataViews, classes: number): Engine {
  const net: NetworkView = createNetwork(init.spec, new Float32Array(buffer, init.paramsOffset, init.paramsLength));
  const order = init.train ? new Uint32Array(buffer, init.orderOffset, init.train.rows) : null;
  return {
    begin() {},
    train(at, stop, lr) {
      const d = need('train');
      const len = d.ref.featureLength;
      const smoothing = init.labelSmoothing;
      let loss = 0;
      for (let t = at; t < stop; t++) {
        const s = order![t];
        loss += trainSample(net, d.x, s * len, d.ref.scale, d.targets ? d.targets[s] : d.labels[s], lr, smoothing);
      }
      return loss;
    },
    finish: () => 0,
    evaluate(split, start, end, confusion) {
      const d = need(split);
      const len = d.ref.featureLength;
      let correct = 0;
      if (d.predictions) {
        for (let s = start; s < end; s++) {
          forward(net, d.x, s * len, d.ref.scale);
          d.predictions[s] = net.acts[net.acts.length - 1][0];
        }
        return 0;
      }
      for (let s = start; s < end; s++) {
        const p = predict(net, d.x, s * len, d.ref.scale);
        const label = d.labels[s];
        confusion[label * classes + p]++;
        if (p === label) correct++;
      }
      return correct;
    },
  };
}
