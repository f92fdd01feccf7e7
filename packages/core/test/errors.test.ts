import { describe, expect, it } from 'vitest';
import { ERROR_CODES, HogwildError, ModelFileError, SpecError, type ErrorCode, type ErrorKind } from '../src/errors.ts';
import { createPreprocessor } from '../src/preprocess.ts';
import { softmax } from '../src/activations.ts';
import { validateSpec } from '../src/spec.ts';
import { EXIT, EXIT_BY_KIND } from '../src/cli/runtime.ts';

const KINDS: readonly ErrorKind[] = ['input', 'usage', 'worker', 'interrupted', 'internal'];

/** What `fn` throws (it must throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('the error catalogue', () => {
  it('gives every code a kind and a meaning, and each error the kind of its code', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(KINDS).toContain(entry.kind);
      expect(entry.what.length).toBeGreaterThan(10);
      const e = new HogwildError(code as ErrorCode, 'm');
      expect([e.code, e.kind, e.message]).toEqual([code, entry.kind, 'm']);
    }
  });
  it('keeps the kinds the CLIs exit by: usage exits 2, input and worker 1, interrupted 130', () => {
    expect(new HogwildError('E_USAGE', 'm').kind).toBe('usage');
    expect(new SpecError('m').kind).toBe('usage');
    expect(new ModelFileError('f', 'p').kind).toBe('input');
    expect(new HogwildError('E_WORKER', 'm').kind).toBe('worker');
    expect(KINDS.map((k) => EXIT_BY_KIND[k])).toEqual([EXIT.input, EXIT.usage, 1, 130, 1]);
  });
  it('marks a code outside the catalogue (a bug of the thrower) internal, never bad input', () => {
    const e = new HogwildError('E_TYPO' as ErrorCode, 'something failed');
    expect(e).toBeInstanceOf(HogwildError);
    expect([e.code, e.kind]).toEqual(['E_INTERNAL', 'internal']);
    expect(e.message).toBe('something failed (unknown error code "E_TYPO")');
    // An inherited name is not a code either.
    expect(new HogwildError('toString' as ErrorCode, 'm').kind).toBe('internal');
  });
  it('carries the option field that was wrong, and a cause', () => {
    const cause = new Error('low level');
    const e = new HogwildError('E_USAGE', 'lr: expected a number in (0, 10], found -1', { field: 'lr', cause });
    expect([e.field, e.cause]).toEqual(['lr', cause]);
    expect(new HogwildError('E_USAGE', 'm').field).toBeUndefined();
    const spec = thrown(() => validateSpec({ layers: [2, 2], activation: 'gelu' as never, loss: 'square' }));
    expect(spec).toMatchObject({ code: 'E_SPEC', field: 'activation' });
  });
});

describe('public paths throw HogwildError, not Error', () => {
  it('a preprocessor with standardisation statistics of the wrong width: E_USAGE naming the field', () => {
    const standardization = { mean: new Float32Array(3), std: new Float32Array(3).fill(1) };
    const e = thrown(() => createPreprocessor({ standardization }, 4));
    expect(e).toBeInstanceOf(HogwildError);
    expect(e).toMatchObject({ code: 'E_USAGE', kind: 'usage', field: 'standardization', message: 'standardization: statistics for 3 features, the model takes 4' });
  });
  it("softmax's elementwise derivative, which the kernels never call: E_INTERNAL", () => {
    const e = thrown(() => softmax.derivMul(new Float64Array(2), new Float64Array(2), 2));
    expect(e).toBeInstanceOf(HogwildError);
    expect(e).toMatchObject({ code: 'E_INTERNAL', kind: 'internal' });
  });
});
