import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, formatReferenceText, initParams, paramLayout, parseReferenceText } from '@hogwild/core';
import { allocateParams } from './internal.ts';
import { cli, ROOT, tempDir } from './helpers.ts';

const DIGITS = join(ROOT, 'test/fixtures/digits');

describe('the reference text model is float32, as a safetensors model is', () => {
  const layers = [784, 3, 10];
  const text = (): string => {
    const layout = paramLayout(layers);
    const params = allocateParams(layout);
    initParams(params, layout, createRng(4), 'uniform');
    // The fifth number (W[0][4] of layer 0) becomes 1e39: a finite float64, Infinity in float32.
    return formatReferenceText(params, layers).replace(/^((?:\S+\t){4})\S+/, '$11e39');
  };
  const message = 'number 5 (layer 0 W[0][4]) is 1e39, beyond float32\'s range (±3.4e38): it would be Infinity, and the weights must be finite numbers';

  it('refuses a weight beyond float32\'s range (1e39), which would be Infinity', () => {
    expect(() => parseReferenceText(text(), layers, 'w.txt')).toThrow(`w.txt: ${message}`);
    expect(() => parseReferenceText(text().replace('1e39', '3.4e38'), layers, 'w.txt')).not.toThrow();
  });

  it('trainer predict refuses it with exit 1, as a safetensors file with an infinite weight is refused', async () => {
    const file = join(tempDir(), 'w.txt');
    writeFileSync(file, text());
    const r = await cli('trainer', ['predict', '--model', file, '--layers', layers.join(','), join(DIGITS, 'chalk-7.jpg')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`trainer: ${file}: ${message}\n`);
  });
});
