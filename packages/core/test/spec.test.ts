import { describe, expect, it } from 'vitest';
import { parseLayers, validateSpec } from '../src/spec.ts';
import { createNetwork } from '../src/network.ts';
import { SpecError } from '../src/errors.ts';

describe('network spec', () => {
  it('rejects fewer than 2 layers', () => {
    expect(() => validateSpec({ layers: [784], activation: 'sigmoid', loss: 'square' })).toThrow(
      'layers: expected at least 2 sizes (input and output), found [784]',
    );
  });
  it('rejects a zero size, naming its index', () => {
    expect(() => validateSpec({ layers: [784, 0, 10], activation: 'sigmoid', loss: 'square' })).toThrow(
      'layers[1]: expected a positive integer, found 0',
    );
  });
  it('rejects an unknown activation', () => {
    expect(() => validateSpec({ layers: [2, 2], activation: 'gelu' as never, loss: 'square' })).toThrow(
      'activation: expected one of sigmoid, relu, tanh, linear, found "gelu"',
    );
  });
  it('rejects an unknown loss', () => {
    expect(() => validateSpec({ layers: [2, 2], activation: 'relu', loss: 'hinge' as never })).toThrow(
      'loss: expected one of cross-entropy, square, softmax, mse, found "hinge"',
    );
  });
  it('rejects softmax with a single output', () => {
    expect(() => validateSpec({ layers: [2, 1], activation: 'relu', loss: 'softmax' })).toThrow(
      'layers: softmax needs at least 2 outputs, found 1',
    );
  });
  it('errors carry a stable code', () => {
    try {
      validateSpec({ layers: [], activation: 'relu', loss: 'square' });
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      expect((e as SpecError).code).toBe('E_SPEC');
    }
    expect.assertions(2);
  });
  it('parses comma-separated layer sizes and rejects anything else', () => {
    expect(parseLayers('784, 100,10')).toEqual([784, 100, 10]);
    expect(() => parseLayers('784,x,10')).toThrow('layers: expected comma-separated positive integers such as 784,100,10, found "784,x,10"');
  });
  it('rejects a parameter buffer too small for the spec', () => {
    expect(() => createNetwork({ layers: [4, 3, 2], activation: 'relu', loss: 'square' }, new Float32Array(8))).toThrow(
      'params: expected at least 64 floats for layers 4,3,2, found 8',
    );
  });
});
