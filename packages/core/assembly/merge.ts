// The replicas protocol, kernel side (MergeCode.REPLICAS; trainReplica is its training loop, which kernel.ts's train
// dispatches to): a view that merges trains on its own replica of the parameters, and every few samples adds what it
// changed into the shared parameters, shared += replica − snapshot, then takes the others' changes,
// replica = snapshot = shared. Merging every n samples pays for each contended cache line once per n samples
// instead of once a sample (docs/merge-protocol.md#replicas). The first-layer rows are merged once changed
// DUE_TOUCHES times (a counter byte per row, checked every ROWS_EVERY samples; docs/merge-protocol.md#touch-counting),
// the dense region (the first layer's bias and every later layer, which every sample changes) every DENSE_EVERY
// samples: the two tolerate staleness very differently (docs/merge-protocol.md#staleness-budgets). Each group of
// ROW_GROUP rows and each block of DENSE_BLOCK dense floats is merged under its own lock, so that two views merging
// the same row never drop each other's change (docs/merge-protocol.md#locks). A row the view does not change keeps
// its old value in the replica until the view next changes and merges it (the Hogwild! argument for sparse updates).
import { DataWord, DENSE_BLOCK, LOCK_SPACING, LayerWord, ROW_GROUP, Word } from '../src/descriptor';
import { dataWord } from './data';
import { sampleStep } from './math';
import { field, setWord, word } from './view';

/**
 * Replicas: steps on the view's own copy, which counts the first-layer rows each step changes; every ROWS_EVERY
 * samples the rows changed at least DUE_TOUCHES times are merged, the dense region every DENSE_EVERY samples (with
 * the rows when that is 0). The counts since the last merges carry over from call to call in the view.
 */
export function trainReplica(net: usize, data: usize, start: i32, end: i32, lr: f32): f64 {
  let total: f64 = 0;
  const order = <usize>dataWord(data, DataWord.ORDER);
  const smoothing = load<f32>(net + (<usize>Word.SMOOTHING << 2));
  const flags = <usize>word(net, Word.TOUCH_COUNTS);
  const every = word(net, Word.ROWS_EVERY), denseEvery = word(net, Word.DENSE_EVERY), touches = word(net, Word.DUE_TOUCHES);
  let since = word(net, Word.SINCE_ROWS), sinceDense = word(net, Word.SINCE_DENSE);
  for (let t = start; t < end; t++) {
    const s = load<u32>(order + (<usize>t << 2));
    total += <f64>sampleStep(net, data, s, lr, smoothing, flags);
    if (++since >= every) {
      mergeRows(net, touches);
      since = 0;
      if (denseEvery == 0) mergeDense(net);
    }
    if (denseEvery > 0 && ++sinceDense >= denseEvery) {
      mergeDense(net);
      sinceDense = 0;
    }
  }
  setWord(net, Word.SINCE_ROWS, since);
  setWord(net, Word.SINCE_DENSE, sinceDense);
  return total;
}

/** Counts a touch of a first-layer row for the merge (a byte per row, saturating at 255: it never wraps to "clean"). */
// @ts-ignore: decorator
@inline export function touch(counter: usize): void {
  const c = load<u8>(counter);
  store<u8>(counter, c + <u8>(c != 255));
}

/**
 * Merges every row the view has changed and the dense region: what the host calls at the end of a task, and after
 * each of a range's last samples, so that a range does not end with every worker's unmerged changes added at once
 * (docs/merge-protocol.md#closing-tail).
 */
export function merge(net: usize): void {
  mergeRows(net, 1);
  mergeDense(net);
  setWord(net, Word.SINCE_ROWS, 0);
}

/**
 * Merges the first-layer rows changed at least `touches` times, in row order from this view's ROWS_FROM row round
 * to it again, found 16 counters at a time (a bitmask of an unsigned compare), each group of ROW_GROUP rows under
 * its lock, taken once for all of the group's due rows; their counters go back to 0, the others keep counting.
 * Views start their scans at different rows, so two views merging at once walk different groups instead of
 * queueing at each lock in turn.
 */
export function mergeRows(net: usize, touches: i32): void {
  const threshold = i8x16.splat(<i8>max(touches, 1));
  const replica = <usize>word(net, Word.REPLICA), snapshot = <usize>word(net, Word.SNAPSHOT), shared = <usize>word(net, Word.SHARED);
  const locks = <usize>word(net, Word.LOCKS);
  const flags = <usize>word(net, Word.TOUCH_COUNTS);
  const rows = <usize>field(net, 0, LayerWord.IN);
  const rowBytes = <usize>field(net, 0, LayerWord.STRIDE) << 2;
  const w0 = <usize>field(net, 0, LayerWord.W) - replica; // byte offset of the first-layer weights in the parameters
  let held: usize = 0; // the lock of the group being merged (0: none)
  let heldGroup: usize = -1;
  let dirty: usize = 0;
  const blocks = (rows + 15) >> 4;
  let block = <usize>word(net, Word.ROWS_FROM) >> 4;
  for (let j: usize = 0; j < blocks; j++, block++) {
    if (block >= blocks) block = 0;
    const i = block << 4;
    const counts = v128.load(flags + i);
    const due = i8x16.ge_u(counts, threshold);
    let mask = i8x16.bitmask(due);
    if (mask == 0) continue;
    v128.store(flags + i, v128.andnot(counts, due));
    while (mask != 0) {
      const row = i + <usize>ctz(mask);
      mask &= mask - 1;
      const group = row / <usize>ROW_GROUP;
      if (group != heldGroup) {
        if (held != 0) release(held);
        held = locks + group * <usize>LOCK_SPACING;
        heldGroup = group;
        acquire(held);
      }
      mergeRange(replica, snapshot, shared, w0 + row * rowBytes, rowBytes);
      dirty++;
    }
  }
  if (held != 0) release(held);
  addMerged(net, (dirty * rowBytes) >> 2);
}

/** Merges the dense region (the first-layer bias and every later layer), a block of DENSE_BLOCK floats under each lock. */
export function mergeDense(net: usize): void {
  const replica = <usize>word(net, Word.REPLICA), snapshot = <usize>word(net, Word.SNAPSHOT), shared = <usize>word(net, Word.SHARED);
  const locks = <usize>word(net, Word.LOCKS);
  const groups = (<usize>field(net, 0, LayerWord.IN) + <usize>ROW_GROUP - 1) / <usize>ROW_GROUP;
  const denseAt = <usize>word(net, Word.DENSE_AT), bytes = <usize>word(net, Word.PARAMS_BYTES);
  const blockBytes = <usize>DENSE_BLOCK << 2;
  let b: usize = 0; // block b of the dense region is guarded by lock groups + b, whatever called the merge
  for (let at = denseAt; at < bytes; at += blockBytes, b++) {
    const lock = locks + (groups + b) * <usize>LOCK_SPACING;
    acquire(lock);
    mergeRange(replica, snapshot, shared, at, min(blockBytes, bytes - at));
    release(lock);
  }
  setWord(net, Word.SINCE_DENSE, 0);
  addMerged(net, (bytes - denseAt) >> 2);
}

/** The f64 count of merged floats, which the host reads and resets (takeMergedFloats). */
// @ts-ignore: decorator
@inline export function mergedAt(net: usize): usize {
  return net + (<usize>Word.MERGED << 2);
}

// @ts-ignore: decorator
@inline function addMerged(net: usize, floats: usize): void {
  const at = mergedAt(net);
  store<f64>(at, load<f64>(at) + <f64>floats);
}

/**
 * shared += replica − snapshot, then replica = snapshot = shared, over [at, at + bytes) of the parameters, in whole
 * vectors; but a first-layer row of one or two outputs is 4 or 8 bytes (params.ts), and only those are merged, as
 * lanes of a vector: the bytes after them are the next input's row, which another lock may guard.
 */
// @ts-ignore: decorator
@inline function mergeRange(replica: usize, snapshot: usize, shared: usize, at: usize, bytes: usize): void {
  const end = at + bytes;
  let o = at;
  for (; o + 16 <= end; o += 16) {
    const merged = f32x4.add(v128.load(shared + o), f32x4.sub(v128.load(replica + o), v128.load(snapshot + o)));
    v128.store(shared + o, merged);
    v128.store(replica + o, merged);
    v128.store(snapshot + o, merged);
  }
  if (o + 8 <= end) {
    const merged = f32x4.add(v128.load64_zero(shared + o), f32x4.sub(v128.load64_zero(replica + o), v128.load64_zero(snapshot + o)));
    v128.store64_lane(shared + o, merged, 0);
    v128.store64_lane(replica + o, merged, 0);
    v128.store64_lane(snapshot + o, merged, 0);
  } else if (o < end) {
    const merged = f32x4.add(v128.load32_zero(shared + o), f32x4.sub(v128.load32_zero(replica + o), v128.load32_zero(snapshot + o)));
    v128.store32_lane(shared + o, merged, 0);
    v128.store32_lane(replica + o, merged, 0);
    v128.store32_lane(snapshot + o, merged, 0);
  }
}

/** Reads of a taken lock before a view sleeps on it (a few microseconds: longer than a merge of 8 rows holds it; docs/merge-protocol.md#locks). */
const SPIN: i32 = 2000;

/**
 * Takes a merge lock: 0 free, 1 taken, 2 taken with a sleeper (Drepper's "Futexes Are Tricky", mutex 3). It spins
 * briefly, then sleeps in atomic.wait until the holder's release wakes it: with more workers than cores, a holder
 * the system has paused would otherwise cost every waiter a time slice of spinning. Uncontended, it is one
 * compare-exchange. WebAssembly atomics are sequentially consistent, so the plain stores of a critical section are
 * visible before the releasing exchange.
 */
// @ts-ignore: decorator
@inline function acquire(lock: usize): void {
  let c = atomic.cmpxchg<i32>(lock, 0, 1);
  if (c == 0) return;
  for (let i = 0; i < SPIN; i++) {
    if (atomic.load<i32>(lock) == 0) {
      c = atomic.cmpxchg<i32>(lock, 0, 1);
      if (c == 0) return;
    }
  }
  if (c != 2) c = atomic.xchg<i32>(lock, 2);
  while (c != 0) {
    atomic.wait<i32>(lock, 2, -1);
    c = atomic.xchg<i32>(lock, 2);
  }
}

/** Lets a merge lock go, waking one sleeper if there is one. */
// @ts-ignore: decorator
@inline function release(lock: usize): void {
  if (atomic.xchg<i32>(lock, 0) == 2) atomic.notify(lock, 1);
}

/**
 * Takes the shared values into the replica without merging (at the start of a task: the host or the other views
 * may have changed them), and sets the samples since the last merge to `phase`, so that views that start together
 * merge out of phase (the host gives view k of W the phase k·n/W).
 */
export function pull(net: usize, phase: i32): void {
  const replica = <usize>word(net, Word.REPLICA), snapshot = <usize>word(net, Word.SNAPSHOT), shared = <usize>word(net, Word.SHARED);
  const bytes = <usize>word(net, Word.PARAMS_BYTES);
  for (let o: usize = 0; o < bytes; o += 16) {
    const v = v128.load(shared + o);
    v128.store(replica + o, v);
    v128.store(snapshot + o, v);
  }
  memory.fill(<usize>word(net, Word.TOUCH_COUNTS), 0, <usize>field(net, 0, LayerWord.IN));
  setWord(net, Word.SINCE_ROWS, phase);
  const denseEvery = word(net, Word.DENSE_EVERY);
  setWord(net, Word.SINCE_DENSE, denseEvery > 0 ? phase % denseEvery : 0);
}
