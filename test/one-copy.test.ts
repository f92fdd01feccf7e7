import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetworkSpec } from '@hogwild/core';
import { datasetFromTableFile, openArrowDataset, plainAllocator, readArrowDataset, writeArrowDataset, type Dataset, type DatasetAllocator } from '@hogwild/data';
import { createSession } from '@hogwild/trainer';
import { loadData } from '../packages/trainer/src/data-input.ts';
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
