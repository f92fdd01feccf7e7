/**
 * W logical workers in one thread (`--simulate`): the same memory plan, kernel, replicas, merge protocol and merge
 * phases as real workers, taking positions from the range's cursor a grain at a time as they do, with the workers
 * taking turns a sample at a time instead of running at once, in lock step. (Simulated worker k once trained the
 * k-th contiguous slice of the range, so W workers saw the samples in an order unrelated to one worker's: the
 * comparison with one worker then mixed the cost of parallelism with the luck of the order.) It leaves out timing
 * noise and the cost of cache-line traffic, which is what `trainer bench` measures. Deterministic for a given seed.
 * Evaluation points are copies of the shared parameters taken as the count passes them, as real workers take
 * them: an earlier version stopped and merged every replica at each of the 16 points an epoch, which real
 * workers never do, and which moved R's final accuracy by tenths of a point (README).
 */
import { compileKernel, createRng, createWasmView, instantiateKernel, setMergePeriods, shuffleInPlace, takeMergedFloats, validateSpec } from '@hogwild/core';
import { TrainerError } from '../errors.ts';
import { takeGrain } from '../protocol.ts';
import { layoutMemory } from './memory.ts';
import { periodsFollowingRate, syncPeriods } from './sync.ts';
import { DEFAULT_CHUNK, addEvaluations, grain, mergePhase, tailPositions, type EpochResult, type Evaluation, type ParamsCopy, type Session, type SessionOptions } from './session.ts';

export function createSimulatedSession(o: SessionOptions): Session {
  if (o.kernel !== 'wasm') throw new TrainerError('E_USAGE', '--simulate runs the WebAssembly kernel (the merge protocol under test is its); drop --kernel ts');
  const spec = validateSpec(o.spec);
  const workers = o.workers;
  const sync = syncPeriods(o.sync ?? 'auto', workers, o.syncDense, o.syncTouches, o.syncTail, o.syncStretch);
  const syncEvery = sync.rows;
  const chunk = o.chunk ?? DEFAULT_CHUNK;
  // One view per logical worker, and one more without a replica that evaluates the shared parameters.
  const mem = layoutMemory({ ...o, spec, kernel: 'wasm', views: workers, sync });
  const evalMem = {
    view: createWasmView(mem.arena, spec, mem.paramsOffset).descriptor,
    confusion: mem.arena.reserve(4 * spec.layers[spec.layers.length - 1] ** 2),
  };
  const kernel = instantiateKernel(compileKernel(), mem.arena.memory);
  const { train, test, order, views } = mem;
  const rng = createRng((o.seed ?? 1) ^ 0x5eed);
  const classes = spec.layers[spec.layers.length - 1];
  let progress = 0;
  let stopped = false;
  const periodsAt = periodsFollowingRate(sync); // the merge periods grow as a schedule lowers the rate (stretchPeriods)

  const session: Session = {
    spec, layout: mem.layout, params: mem.params, workers, kernel: 'wasm', sync, simulated: true,
    train: train?.ds ?? null,
    test: test?.ds ?? null,
    standardization: mem.standardization,
    shuffle() {
      shuffleInPlace(order, rng);
      progress = 0;
    },
    async trainRange(lr: number, from: number, to: number, copyAt: readonly number[] = []): Promise<EpochResult> {
      if (!train) throw new Error('trainRange: the session has no training set');
      const t0 = performance.now();
      const ref = train.ref;
      const u8 = ref.featureType === 'uint8' ? 1 : 0;
      const scale = ref.scale;
      // Positions come from the range's cursor a grain at a time, as real workers take them (takeGrain, grains
      // shrinking towards the range's tail); each worker trains its grain a sample a turn.
      const size = grain(to - from, workers, chunk);
      const tail = tailPositions(sync, 'wasm', workers, to - from);
      const tailFrom = to - tail;
      const at = new Array<number>(workers).fill(0);
      const stop = new Array<number>(workers).fill(0);
      let cursor = from;
      const periods = syncEvery > 0 ? periodsAt(lr) : null;
      if (periods) {
        views.forEach((v, k) => {
          setMergePeriods(mem.arena.memory, v, periods);
          kernel.pull(v, mergePhase(k, workers, periods.rows));
        });
      }
      let loss = 0, samples = 0;
      const copies: ParamsCopy[] = [];
      let next = 0; // the next copy point
      // Round-robin, a sample per worker per turn; a worker that finds the cursor at the range's end sits out. Copies
      // of the shared parameters are taken as the count passes each point, without a merge (as real workers
      // take them).
      for (let busy = true; busy && !stopped;) {
        busy = false;
        for (let k = 0; k < workers; k++) {
          if (at[k] >= stop[k]) {
            if (cursor >= to) continue;
            at[k] = cursor;
            cursor = stop[k] = Math.min(to, cursor + takeGrain(cursor, to, size, tail, workers));
          }
          const t = at[k];
          loss += kernel.train(views[k], ref.featuresOffset, ref.featureLength, u8, scale, ref.labelsOffset, mem.orderOffset, t, t + 1, lr);
          // The range's tail: every sample merged at once (CLOSING_TAIL in pool/sync.ts).
          if (t >= tailFrom) kernel.merge(views[k]);
          at[k] = t + 1;
          samples++;
          busy = true;
          for (; next < copyAt.length && samples >= copyAt[next]; next++) {
            copies.push({ samples, seconds: (performance.now() - t0) / 1000, params: Float32Array.from(mem.params) });
          }
        }
      }
      let mergedFloats = 0;
      if (syncEvery > 0) {
        for (const v of views) {
          kernel.merge(v);
          mergedFloats += takeMergedFloats(mem.arena.memory, v);
        }
      }
      progress += samples;
      return { samples, loss: samples > 0 ? loss / samples : NaN, seconds: (performance.now() - t0) / 1000, stopped, mergedFloats, copies, periods };
    },
    async trainEpoch(lr: number): Promise<EpochResult> {
      session.shuffle();
      return session.trainRange(lr, 0, order.length);
    },
    async evaluate(split: 'train' | 'test'): Promise<Evaluation> {
      const data = split === 'test' ? test : train;
      if (!data) throw new Error(`evaluate: the session has no ${split} set`);
      const t0 = performance.now();
      const ref = data.ref;
      const u8 = ref.featureType === 'uint8' ? 1 : 0;
      const scratch = new Int32Array(mem.arena.buffer, evalMem.confusion, classes * classes);
      scratch.fill(0);
      const correct = kernel.evaluate(evalMem.view, ref.featuresOffset, ref.featureLength, u8, ref.scale, ref.labelsOffset, 0, ref.rows, evalMem.confusion);
      return addEvaluations([{ correct, confusion: Int32Array.from(scratch) }], ref.rows, classes, (performance.now() - t0) / 1000);
    },
    progress: () => progress,
    stop: () => { stopped = true; },
    close: async () => {},
  };
  return session;
}

