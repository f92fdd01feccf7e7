import { describe, expect, it } from 'vitest';
import { REFERENCE_SPEC } from '@hogwild/core';
import { checkSessionOptions, maxWorkers, type SessionOptions } from '../src/pool/session.ts';

const base: SessionOptions = { spec: REFERENCE_SPEC, kernel: 'wasm', workers: 2 };

describe('session options', () => {
  it('are checked at the entry, each message naming the option and the value', () => {
    const cases: [Partial<SessionOptions>, string][] = [
      [{ workers: 0 }, `workers: expected an integer from 1 to ${maxWorkers()}, found 0`],
      [{ workers: 1.5 }, `workers: expected an integer from 1 to ${maxWorkers()}, found 1.5`],
      [{ workers: maxWorkers() + 1 }, `workers: expected an integer from 1 to ${maxWorkers()}, found ${maxWorkers() + 1}`],
      [{ chunk: 0 }, 'chunk: expected an integer from 1 to any size, found 0'],
      [{ sync: -1 }, 'sync: expected an integer from 0 to any size, found -1'],
      [{ syncDense: 0 }, 'syncDense: expected an integer from 1 to any size, found 0'],
      [{ seed: -3 }, 'seed: expected an integer from 0 to 4294967295, found -3'],
      [{ kernel: 'gpu' as never }, 'kernel: expected "wasm" or "ts", found "gpu"'],
    ];
    for (const [bad, message] of cases) expect(() => checkSessionOptions({ ...base, ...bad })).toThrow(message);
    expect(() => checkSessionOptions({ ...base, workers: 64, simulate: true })).not.toThrow();
    expect(() => checkSessionOptions({ ...base, sync: 'auto', chunk: 1, seed: 0 })).not.toThrow();
  });
});
