import { describe, expect, it } from 'vitest';
import { REFERENCE_SPEC } from '../../../test/internal.ts';
import { checkSessionOptions, maxWorkers } from '../src/options.ts';
import type { SessionOptions } from '../src/pool/session.ts';
import { HogwildError } from '@hogwild/core';

const base: SessionOptions = { spec: REFERENCE_SPEC, kernel: 'wasm', workers: 2 };

describe('session options', () => {
  it('are checked at the entry, each message naming the option and the value, and each error its field', () => {
    const cases: [Partial<SessionOptions>, string, string][] = [
      [{ workers: 0 }, 'workers: expected an integer ≥ 1, found 0', 'workers'],
      [{ workers: 1.5 }, 'workers: expected an integer ≥ 1, found 1.5', 'workers'],
      [{ workers: maxWorkers() + 1 }, `workers: expected an integer from 1 to ${maxWorkers()} (4 per logical CPU of this machine), found ${maxWorkers() + 1}`, 'workers'],
      [{ chunk: 0 }, 'chunk: expected an integer ≥ 1, found 0', 'chunk'],
      [{ merge: { every: -1 } }, 'merge.every: expected an integer ≥ 0, found -1', 'merge.every'],
      [{ merge: { dense: 0 } }, 'merge.dense: expected an integer ≥ 1, found 0', 'merge.dense'],
      [{ merge: { touches: 256 } }, 'merge.touches: expected an integer from 1 to 255, found 256', 'merge.touches'],
      [{ merge: { touch: 8 } as never }, 'unknown option `merge.touch` (did you mean `merge.touches`?)', 'merge.touch'],
      [{ seed: -3 }, 'seed: expected an integer from 0 to 4294967295, found -3', 'seed'],
      [{ kernel: 'gpu' as never }, 'kernel: expected one of ts, wasm, found "gpu"', 'kernel'],
      [{ labelSmoothing: 1 }, 'labelSmoothing: expected a number in [0, 1), found 1', 'labelSmoothing'],
      [{ labelSmoothing: 0.1 }, 'labelSmoothing: 0.1 needs the softmax loss, found loss cross-entropy', 'labelSmoothing'],
    ];
    for (const [bad, message, field] of cases) {
      let caught: unknown;
      try {
        checkSessionOptions({ ...base, ...bad });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(HogwildError);
      expect((caught as HogwildError).message).toBe(message);
      expect((caught as HogwildError).field).toBe(field);
      expect((caught as HogwildError).kind).toBe('usage');
    }
    expect(() => checkSessionOptions({ ...base, workers: 64, simulate: true })).not.toThrow();
    expect(() => checkSessionOptions({ ...base, merge: { every: 'auto' }, chunk: 1, seed: 0, labelSmoothing: 0 })).not.toThrow();
    expect(() => checkSessionOptions({ ...base, spec: { ...REFERENCE_SPEC, loss: 'softmax' }, labelSmoothing: 0.1 })).not.toThrow();
  });
});

describe('worker counts', () => {
  it('allow simulated (logical) workers past the real limit, and real ones only up to it', async () => {
    const { checkWorkerCount, MAX_SIMULATED_WORKERS } = await import('../src/options.ts');
    expect(checkWorkerCount(64, true)).toBe(64);
    expect(checkWorkerCount(MAX_SIMULATED_WORKERS, true)).toBe(MAX_SIMULATED_WORKERS);
    expect(() => checkWorkerCount(MAX_SIMULATED_WORKERS + 1, true)).toThrow(`workers: expected an integer from 1 to ${MAX_SIMULATED_WORKERS} (simulated workers), found ${MAX_SIMULATED_WORKERS + 1}`);
    expect(() => checkWorkerCount(maxWorkers() + 1)).toThrow(/^workers: expected an integer from 1 to \d+ \(4 per logical CPU of this machine\)/);
    expect(checkWorkerCount(undefined)).toBeUndefined();
  });
});
