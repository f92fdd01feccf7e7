/**
 * One worker's hands on the shared memory: its network view (a slot of the arena) and the kernel that trains and
 * classifies through it. The thread of a piscina worker (worker.ts) and each simulated worker (pool/inline-driver.ts)
 * hold one and run the same loop over it (loop.ts). The engine is chosen once, by kernel and merge protocol; nothing
 * here allocates per sample.
 */
import { createNetwork, forward, HogwildError, instantiateKernel, predict, trainSample, type DataLayout, type KernelExports, type NetworkView } from '@hogwild/core/internal';
import { protocolHost, type RangePlan } from '../merge-plan.ts';
import type { DataRef, KernelViews, WorkerInit } from '../protocol.ts';

export interface Engine {
  /** Before a range: what the protocol does first (replicas: the periods, and the shared parameters taken in at this worker's phase). */
  begin(plan: RangePlan): void;
  /** Trains positions [at, stop) of the training order. Returns the summed cost. */
  train(at: number, stop: number, lr: number): number;
  /** The end of a range: what the protocol does last (replicas: the closing merge). Returns the floats merged since the last call. */
  finish(): number;
  /**
   * Classifies samples [start, end) of a split, adding to confusion[label · classes + predicted]; returns the correct
   * count. A regression network writes its predictions to the split's predictions instead (and returns 0).
   */
  evaluate(split: 'train' | 'test', start: number, end: number, confusion: Int32Array): number;
}

/** The engine of worker slot `slot`; `kernel` shares one instance among the engines of one thread. */
export function createEngine(init: WorkerInit, slot: number, kernel?: KernelExports): Engine {
  const need = (split: 'train' | 'test'): DataRef => {
    const d = init[split];
    if (!d) throw new HogwildError('E_INTERNAL', `no ${split === 'train' ? 'training' : 'test'} set was given to the workers`);
    return d;
  };
  const k = init.kernel;
  if (k.name === 'ts') return tsEngine(init, k, need);
  const wasm = kernel ?? instantiateKernel(k.module, init.memory);
  const view = k.views[slot];
  const evalView = k.evalViews[slot];
  const classes = init.spec.layers[init.spec.layers.length - 1];
  const scratch = new Int32Array(init.memory.buffer as unknown as SharedArrayBuffer, k.confusion[slot], classes * classes);
  // Evaluation reads the shared parameters through a view that never merges, whatever the protocol.
  const evaluate: Engine['evaluate'] = (split, start, end, confusion) => {
    const d = need(split);
    if (d.layout.labels.kind === 'targets') {
      wasm.predictValues(evalView, d.descriptor, start, end);
      return 0;
    }
    scratch.fill(0);
    const correct = wasm.evaluate(evalView, d.descriptor, start, end, k.confusion[slot]);
    for (let i = 0; i < confusion.length; i++) confusion[i] += scratch[i];
    return correct;
  };
  // The protocol's part, chosen once.
  const protocol = protocolHost(init.merge).engine(wasm, init.memory, view, slot);
  return {
    begin: (plan) => protocol.begin(plan, plan.merge),
    train: (at, stop, lr) => protocol.train(need('train').descriptor, at, stop, lr),
    finish: () => protocol.finish(),
    evaluate,
  };
}

/** Typed-array views of a dense dataset in the shared memory, for the TypeScript kernel. */
function denseArrays(buffer: SharedArrayBuffer, l: DataLayout) {
  const n = l.rows * l.features;
  if (l.input.kind === 'sparse') throw new HogwildError('E_USAGE', 'the TypeScript kernel reads dense rows only: leave --kernel out for sparse data');
  const x = l.input.kind === 'uint8' ? new Uint8Array(buffer, l.input.values, n) : new Float32Array(buffer, l.input.values, n);
  const labels = l.labels.kind === 'classes' ? new Uint8Array(buffer, l.labels.values, l.rows) : null;
  const targets = l.labels.kind === 'targets' ? new Float32Array(buffer, l.labels.values, l.rows) : null;
  const predictions = l.labels.kind === 'targets' ? new Float32Array(buffer, l.labels.predictions, l.rows) : null;
  const order = l.order === null ? null : new Uint32Array(buffer, l.order, l.rows);
  return { x, labels, targets, predictions, order, len: l.features, scale: l.scale };
}

/** The TypeScript kernel: plain per-sample Hogwild on the shared parameters, the readable reference (no replicas). */
function tsEngine(init: WorkerInit, k: Extract<KernelViews, { name: 'ts' }>, need: (split: 'train' | 'test') => DataRef): Engine {
  const buffer = init.memory.buffer as unknown as SharedArrayBuffer;
  const net: NetworkView = createNetwork(init.spec, new Float32Array(buffer, init.paramsOffset, init.paramsLength));
  const classes = init.spec.layers[init.spec.layers.length - 1];
  const arrays = { train: init.train && denseArrays(buffer, init.train.layout), test: init.test && denseArrays(buffer, init.test.layout) };
  const data = (split: 'train' | 'test') => (need(split), arrays[split]!);
  return {
    begin() {},
    train(at, stop, lr) {
      const d = data('train');
      let loss = 0;
      for (let t = at; t < stop; t++) {
        const s = d.order![t];
        loss += trainSample(net, d.x, s * d.len, d.scale, d.targets ? d.targets[s] : d.labels![s], lr, k.labelSmoothing);
      }
      return loss;
    },
    finish: () => 0,
    evaluate(split, start, end, confusion) {
      const d = data(split);
      if (d.predictions) {
        for (let s = start; s < end; s++) {
          forward(net, d.x, s * d.len, d.scale);
          d.predictions[s] = net.acts[net.acts.length - 1][0];
        }
        return 0;
      }
      let correct = 0;
      for (let s = start; s < end; s++) {
        const p = predict(net, d.x, s * d.len, d.scale);
        const label = d.labels![s];
        confusion[label * classes + p]++;
        if (p === label) correct++;
      }
      return correct;
    },
  };
}
