// The WebAssembly SIMD kernel's entries. The per-sample math is in math.ts, the merge of a view's replica into
// the shared parameters in merge.ts; train is where the two meet. Parameters, data and scratch all live in one
// shared WebAssembly.Memory (its buffer is a SharedArrayBuffer, so every worker's instance sees the same weights),
// laid out by the host, which describes each network view by a block of i32 words (src/descriptor.ts names them;
// src/wasm-kernel.ts writes them). Nothing here allocates.
import { LayerWord, Word } from '../src/descriptor';
import { forward, step } from './math';
import { mergeDense, mergedAt, mergeRows } from './merge';
import { field, setWord, word } from './view';

export { merge, pull } from './merge';

/**
 * Trains on samples order[start … end) (each an index into the dataset), in place on the view's parameters, merging
 * on the view's periods. `smoothing`: label smoothing ε of a softmax network (0, or absent from the host: none).
 * Returns the summed cost (float64) of those samples before their updates.
 */
export function train(net: usize, features: usize, featureLength: i32, inputU8: bool, scale: f32, labels: usize, order: usize, start: i32, end: i32, lr: f32, targets: bool, smoothing: f32): f64 {
  let total: f64 = 0;
  const bytesPerSample = inputU8 ? featureLength : featureLength << 2;
  const every = word(net, Word.ROWS_EVERY), denseEvery = word(net, Word.DENSE_EVERY), touches = word(net, Word.DUE_TOUCHES);
  let since = word(net, Word.SINCE_ROWS), sinceDense = word(net, Word.SINCE_DENSE);
  for (let t = start; t < end; t++) {
    const s = load<u32>(order + (<usize>t << 2));
    // A class (uint8) per sample, or with `targets` a float32 target (regression).
    const label: i32 = targets ? 0 : <i32>load<u8>(labels + <usize>s);
    const target: f32 = targets ? load<f32>(labels + (<usize>s << 2)) : 0;
    total += <f64>step(net, features + <usize>s * <usize>bytesPerSample, inputU8, scale, label, target, lr, smoothing);
    if (every > 0 && ++since >= every) {
      mergeRows(net, touches);
      since = 0;
      if (denseEvery == 0) mergeDense(net);
    }
    if (denseEvery > 0 && ++sinceDense >= denseEvery) {
      mergeDense(net);
      sinceDense = 0;
    }
  }
  if (every > 0) {
    setWord(net, Word.SINCE_ROWS, since);
    setWord(net, Word.SINCE_DENSE, sinceDense);
  }
  return total;
}

/** Classifies samples [start, end) and adds each to confusion[label·classes + predicted] (i32 counts). Returns the correct count. */
export function evaluate(net: usize, features: usize, featureLength: i32, inputU8: bool, scale: f32, labels: usize, start: i32, end: i32, confusion: usize): i32 {
  const layers = word(net, Word.LAYERS);
  const top = layers - 1;
  const classes = <i32>field(net, top, LayerWord.OUT);
  const out = field(net, top, LayerWord.A);
  const bytesPerSample = inputU8 ? featureLength : featureLength << 2;
  let correct = 0;
  for (let s = start; s < end; s++) {
    forward(net, features + <usize>s * <usize>bytesPerSample, inputU8, scale, 0);
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

/** A regression network's predictions: the first output of samples [start, end) into out[s] (float32). */
export function predictValues(net: usize, features: usize, featureLength: i32, inputU8: bool, scale: f32, start: i32, end: i32, out: usize): void {
  const top = word(net, Word.LAYERS) - 1;
  const z = field(net, top, LayerWord.A);
  const bytesPerSample = inputU8 ? featureLength : featureLength << 2;
  for (let s = start; s < end; s++) {
    forward(net, features + <usize>s * <usize>bytesPerSample, inputU8, scale, 0);
    store<f32>(out + (<usize>s << 2), load<f32>(z));
  }
}

// What the kernel reads at each place of a view, through the accessors the entries above use: test/kernels.test.ts
// writes a view through the host and checks every named word here.

/** Word k (a Word) of the view, as the kernel reads it. */
export function viewWord(net: usize, k: i32): i32 {
  return word(net, k);
}

/** Word f (a LayerWord) of layer l, as the kernel reads it. */
export function viewLayerWord(net: usize, l: i32, f: i32): i32 {
  return <i32>field(net, l, f);
}

/** The count of merged floats, where the kernel adds to it. */
export function viewMerged(net: usize): f64 {
  return load<f64>(mergedAt(net));
}
