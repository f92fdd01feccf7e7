// The WebAssembly SIMD kernel's entries. The per-sample math is in math.ts, how a sample is read from a dataset in
// data.ts, the replicas protocol (a view's training loop on its replica, and its merges) in merge.ts; train
// dispatches on the view's protocol once per call. Parameters,
// data and scratch all live in one shared WebAssembly.Memory (its buffer is a SharedArrayBuffer, so every worker's
// instance sees the same weights), laid out by the host, which describes each network view and each dataset by a
// block of i32 words (src/descriptor.ts names them; src/wasm-kernel.ts and src/data-layout.ts write them). Every
// entry takes a view, a data descriptor and a sample range. Nothing here allocates.
import { DataWord, LayerWord, MergeCode, Word } from '../src/descriptor';
import { dataWord } from './data';
import { forward, sampleStep } from './math';
import { mergedAt, trainReplica } from './merge';
import { field, setWord, word } from './view';

export { merge, pull } from './merge';

/**
 * Trains on positions [start, end) of the dataset's training order (each an index into the dataset), in place on the
 * view's parameters, by the view's merge protocol (word MERGE, dispatched here once per call). Returns the summed
 * cost (float64) of those samples before their updates.
 */
export function train(net: usize, data: usize, start: i32, end: i32, lr: f32): f64 {
  if (word(net, Word.MERGE) == MergeCode.REPLICAS) return trainReplica(net, data, start, end, lr);
  return trainPlain(net, data, start, end, lr);
}

/** Plain Hogwild: each step's stores go straight to the shared parameters. (Replicas: trainReplica, in merge.ts.) */
function trainPlain(net: usize, data: usize, start: i32, end: i32, lr: f32): f64 {
  let total: f64 = 0;
  const order = <usize>dataWord(data, DataWord.ORDER);
  const smoothing = load<f32>(net + (<usize>Word.SMOOTHING << 2));
  for (let t = start; t < end; t++) {
    const s = load<u32>(order + (<usize>t << 2));
    total += <f64>sampleStep(net, data, s, lr, smoothing, 0);
  }
  return total;
}

/** Classifies samples [start, end) and adds each to confusion[label·classes + predicted] (i32 counts). Returns the correct count. */
export function evaluate(net: usize, data: usize, start: i32, end: i32, confusion: usize): i32 {
  const layers = word(net, Word.LAYERS);
  const top = layers - 1;
  const classes = <i32>field(net, top, LayerWord.OUT);
  const out = field(net, top, LayerWord.A);
  const labels = <usize>dataWord(data, DataWord.LABELS);
  let correct = 0;
  for (let s = start; s < end; s++) {
    forward(net, data, s, 0);
    let best = 0;
    let bestV = load<f32>(out);
    for (let i = 1; i < classes; i++) {
      const v = load<f32>(out + (<usize>i << 2));
      if (v > bestV) { bestV = v; best = i; }
    }
    const label = <i32>load<u8>(labels + <usize>s);
    if (best == label) correct++;
    // The host checks labels against the outputs before training or evaluating (pool/memory.ts); this guard only
    // keeps a caller of the exported kernel that did not from writing outside the confusion matrix.
    if (label >= classes) continue;
    const c = confusion + (<usize>(label * classes + best) << 2);
    store<i32>(c, load<i32>(c) + 1);
  }
  return correct;
}

/** A regression network's predictions: the first output of samples [start, end) into the dataset's PREDICTIONS (float32). */
export function predictValues(net: usize, data: usize, start: i32, end: i32): void {
  const top = word(net, Word.LAYERS) - 1;
  const z = field(net, top, LayerWord.A);
  const out = <usize>dataWord(data, DataWord.PREDICTIONS);
  for (let s = start; s < end; s++) {
    forward(net, data, s, 0);
    store<f32>(out + (<usize>s << 2), load<f32>(z));
  }
}

// What the kernel reads at each place of a view and of a data descriptor, through the accessors the entries above
// use: test/kernels.test.ts writes both through the host and checks every named word here.

/** Word k (a Word) of the view, as the kernel reads it. */
export function viewWord(net: usize, k: i32): i32 {
  return word(net, k);
}

/** Word f (a LayerWord) of layer l, as the kernel reads it. */
export function viewLayerWord(net: usize, l: i32, f: i32): i32 {
  return <i32>field(net, l, f);
}

/** Word k (a DataWord) of a data descriptor, as the kernel reads it. */
export function readDataWord(data: usize, k: i32): i32 {
  return dataWord(data, k);
}

/** The count of merged floats, where the kernel adds to it. */
export function viewMerged(net: usize): f64 {
  return load<f64>(mergedAt(net));
}
