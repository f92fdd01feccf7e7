import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as core from '@hogwild/core';
import * as data from '@hogwild/data';
import * as trainer from '@hogwild/trainer';

const FIXTURES = join(import.meta.dirname, '../packages/data/test/fixtures');
const dir = mkdtempSync(join(tmpdir(), 'hogwild-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error `run` rejects or throws with (it must fail). */
async function failure(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

/** An error of the catalogue: one HogwildError class whichever package threw it, its kind that of its code. */
function expectCatalogued(e: unknown, code: core.ErrorCode): void {
  expect(e).toBeInstanceOf(core.HogwildError);
  const h = e as core.HogwildError;
  expect(h.code).toBe(code);
  expect(h.kind).toBe(core.ERROR_CODES[code].kind);
  expect(h.message.length).toBeGreaterThan(0);
}

describe('HogwildError from every package', () => {
  it('is one class, exported by core, data and trainer', () => {
    expect(data.HogwildError).toBe(core.HogwildError);
    expect(trainer.HogwildError).toBe(core.HogwildError);
    expect(trainer.ERROR_CODES).toBe(core.ERROR_CODES);
    expect(new trainer.TrainerError('E_USAGE', 'm')).toBeInstanceOf(trainer.HogwildError);
    expect(new data.InputError('f', 'p')).toBeInstanceOf(data.HogwildError);
  });

  it('is what train() rejects a missing data file with', async () => {
    const e = await failure(() => trainer.train({ data: '/nope.arrow', workers: 1 }));
    expectCatalogued(e, 'E_INPUT');
    expect((e as Error).message).toMatch(/\/nope\.arrow/);
  });

  it('is what the data readers throw on a bad file', async () => {
    // A real IDX file from the fixtures' writer, cut short; and an IDX file read as an Arrow dataset.
    const cut = join(dir, 'cut.idx');
    const whole = readFileSync(join(FIXTURES, 'small-images.idx'));
    writeFileSync(cut, whole.subarray(0, whole.length - 5));
    expectCatalogued(await failure(() => data.readIdx(cut)), 'E_INPUT');
    expectCatalogued(await failure(() => data.readArrowDataset(join(FIXTURES, 'small-images.idx'))), 'E_INPUT');
    expectCatalogued(await failure(() => data.datasetFromTableFile('csv', join(dir, 'none.csv'), { label: 'y' })), 'E_INPUT');
    expectCatalogued(await failure(() => data.readMatVariable(join(FIXTURES, 'corrupted_zlib_data.mat'), 'x')), 'E_INPUT');
  });

  it('is what loadModel() throws on a file that is not a model', async () => {
    const e = await failure(() => core.loadModel(join(FIXTURES, 'small-labels.idx')));
    expectCatalogued(e, 'E_MODEL_FILE');
    expect(await failure(() => trainer.loadModel(join(dir, 'missing.safetensors')))).toBeInstanceOf(core.HogwildError);
  });

  it('is what a bad option is refused with, the field set and the nearest known name given', async () => {
    const typo = await failure(() => trainer.train({ epoch: 1 } as never));
    expectCatalogued(typo, 'E_USAGE');
    expect(typo).toMatchObject({ field: 'epoch', message: 'unknown option `epoch` (did you mean `epochs`?)' });
    const both = await failure(() => trainer.train({ epoch: 1, learningRate: 5 } as never));
    expect((both as Error).message).toBe('unknown option `epoch` (did you mean `epochs`?)');
    const range = await failure(() => trainer.train({ lr: -1 }));
    expectCatalogued(range, 'E_USAGE');
    expect(range).toMatchObject({ field: 'lr', message: 'lr: expected a number in (0, ∞), found -1' });
    const nested = await failure(() => trainer.train({ merge: { touch: 3 } } as never));
    expect(nested).toMatchObject({ code: 'E_USAGE', field: 'merge.touch', message: 'unknown option `merge.touch` (did you mean `merge.touches`?)' });
    const spec = await failure(() => trainer.train({ layers: [2, 3], activation: 'gelu' } as never));
    expectCatalogued(spec, 'E_USAGE');
    expect((spec as core.HogwildError).field).toBe('activation');
    const bench = await failure(() => trainer.bench({ data: '/nope.arrow', workers: [1], repeats: 2 } as never));
    expect(bench).toMatchObject({ code: 'E_USAGE', message: 'unknown option `repeats` (did you mean `repeat`?)' });
    const model: core.Model = { spec: core.validateSpec({ layers: [2, 2], activation: 'relu', loss: 'softmax' }), params: new Float32Array(6), inputShape: [2], inputScale: 1 };
    const evaluation = await failure(() => trainer.evaluate(model, { features: [[0, 1]], labels: [0] }, { kernal: 'ts' } as never));
    expect(evaluation).toMatchObject({ code: 'E_USAGE', kind: 'usage', field: 'kernal', message: 'unknown option `kernal` (did you mean `kernel`?)' });
    expectCatalogued(await failure(() => trainer.predict(model, [[0, 1, 2]])), 'E_USAGE');
  });
});
