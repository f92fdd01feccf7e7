import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type NetworkSpec } from '@hogwild/core';
import { DESCRIPTOR } from './internal.ts';
import { datasetFromTableFile, openArrowDataset, readArrowDataset, writeArrowDataset, type Dataset, type DatasetAllocator } from '@hogwild/data';
import { plainAllocator } from './internal.ts';
import { createSession } from './internal.ts';
import { loadData } from './internal.ts';
import { layoutMemory, type SessionMemory } from './internal.ts';
import { createEngine } from './internal.ts';
import { createPlanner, mergeProtocol } from './internal.ts';
import { CONTROL_SLOTS, type WorkerInit } from './internal.ts';
import { ROOT, tempDir } from './helpers.ts';

const FRUIT = join(ROOT, 'test/fixtures/tabular/fruit-train.csv');

/** The fruit table (float32 features, 3 classes) as a dataset file, made by `data convert`'s code. */
async function fruitFile(): Promise<string> {
  const { dataset } = await datasetFromTableFile('csv', FRUIT, { label: 'kind' });
  const file = join(tempDir(), 'fruit.arrow');
  await writeArrowDataset(file, dataset);
  return file;
}

describe('a dataset file reaches the shared memory in one copy', () => {
  it('loading a file for a run copies no column: they stay in the file\'s bytes until the session reads them', async () => {
    const data = loadData(await fruitFile(), 'data');
    expect(data).not.toHaveProperty('features');
    expect(data).toMatchObject({ rows: 240, featureLength: 7, featureType: 'float32', maxLabel: 2, regression: false });
  });

  it('reading copies the columns once, straight into the arrays the allocator hands out', async () => {
    const made: (Uint8Array | Float32Array)[] = [];
    const alloc: DatasetAllocator = {
      features: (type, n) => { made.push(plainAllocator.features(type, n)); return made.at(-1)!; },
      labels: (n) => { made.push(plainAllocator.labels(n)); return made.at(-1) as Uint8Array; },
    };
    const file = await fruitFile();
    const ds = openArrowDataset(file).read(alloc);
    expect(made).toHaveLength(2);
    expect(ds.features).toBe(made[0]);
    expect(ds.labels).toBe(made[1]);
    expect(ds).toEqual(readArrowDataset(file));
  });

  it('a float32 table trains to the same weights from its file as from its arrays in memory', async () => {
    const file = await fruitFile();
    const spec: NetworkSpec = { layers: [7, 16, 3], activation: 'relu', loss: 'softmax' };
    const trained = async (train: ReturnType<typeof loadData> | Dataset) => {
      const session = await createSession({ spec, kernel: 'wasm', workers: 2, simulate: true, seed: 3, train, standardize: { fit: 'on' } });
      try {
        await session.trainEpoch(0.05);
        expect(session.train!.features).toBeInstanceOf(Float32Array);
        return Float32Array.from(session.params);
      } finally {
        await session.close();
      }
    };
    expect(await trained(loadData(file, 'data'))).toEqual(await trained(readArrowDataset(file)));
  });
});

/** Worker slot `slot`'s merge state: its descriptor words, replica, snapshot and touch counters. */
function mergeState(mem: SessionMemory, slot: number): Uint8Array[] {
  const { Word, LAYER0 } = DESCRIPTOR;
  const buffer = mem.arena.buffer;
  if (mem.kernel.name !== 'wasm') throw new Error('a wasm session was expected');
  const view = mem.kernel.views[slot];
  const words = new Int32Array(buffer, view, LAYER0);
  const bytes = (at: number, n: number) => new Uint8Array(buffer, at, n).slice();
  return [
    bytes(view, 4 * LAYER0),
    bytes(words[Word.REPLICA], words[Word.PARAMS_BYTES]),
    bytes(words[Word.SNAPSHOT], words[Word.PARAMS_BYTES]),
    bytes(words[Word.TOUCH_COUNTS], 16 * Math.ceil(mem.layout.layers[0].inSize / 16)),
  ];
}

/** Two replicated wasm workers over the fruit table; worker 0 trains the first `mid` samples of the range. */
async function halfTrained(mid: number) {
  const train = readArrowDataset(await fruitFile());
  const spec: NetworkSpec = { layers: [7, 16, 3], activation: 'relu', loss: 'softmax' };
  const protocol = mergeProtocol({}, 2, 'wasm');
  const mem = layoutMemory({ spec, kernel: 'wasm', views: 2, protocol, train, test: train, seed: 1 });
  const init: WorkerInit = {
    memory: mem.arena.memory, kernel: mem.kernel, spec, paramsOffset: mem.paramsOffset, paramsLength: mem.layout.length,
    control: new SharedArrayBuffer(4 * CONTROL_SLOTS), train: mem.train!.ref, test: mem.test!.ref, merge: protocol,
  };
  const plan = createPlanner(protocol, 2, 64)(0.05, 0, train.rows);
  const engine = createEngine(init, 0);
  engine.begin(plan);
  engine.train(0, mid, 0.05);
  return { mem, engine, rows: train.rows };
}

describe('evaluation reads the shared weights without merging', () => {
  it('evaluating in the middle of a range leaves the worker\'s replica and merge counters as they were', async () => {
    const { mem, engine, rows } = await halfTrained(101);
    const before = mergeState(mem, 0);
    const confusion = new Int32Array(9);
    const correct = engine.evaluate('test', 0, rows, confusion);
    expect(mergeState(mem, 0)).toEqual(before);
    expect(confusion.reduce((a, b) => a + b, 0)).toBe(rows);
    expect(correct).toBe(confusion[0] + confusion[4] + confusion[8]);
  });

  it('a range trains to the same weights whether or not it is evaluated in the middle', async () => {
    const finished = async (evaluate: boolean) => {
      const { mem, engine, rows } = await halfTrained(101);
      if (evaluate) engine.evaluate('test', 0, rows, new Int32Array(9));
      engine.train(101, rows, 0.05);
      engine.finish();
      return Float32Array.from(mem.params);
    };
    expect(await finished(true)).toEqual(await finished(false));
  });
});
