import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '@hogwild/core';
import { tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createTrainerProgram as createProgram } from './internal.ts';

/**
 * The README's commands for the reference project's text model, in order, on a fresh clone: the reference
 * configuration R saved, written as the text model, evaluated as one, and converted back. The files are the README's
 * names in a folder of their own.
 */
const SEQUENCE = [
  'pnpm trainer run --workers 1 --layers 784,100,10 --activation sigmoid --loss cross-entropy --init uniform --lr 0.033 --schedule constant --epochs 1 --save r.safetensors',
  'pnpm trainer convert-model --model r.safetensors --out model.txt',
  'pnpm trainer eval --model model.txt --layers 784,100,10',
  'pnpm trainer convert-model --model model.txt --layers 784,100,10 --out m.safetensors',
];

describe('the README\'s reference text model commands', () => {
  it('run as written, one after another: the text model scores as the trained model did, and converts back to it', async () => {
    const dir = tempDir();
    const outputs: string[] = [];
    for (const line of SEQUENCE) {
      const [pnpm, tool, ...words] = line.split(' ');
      expect([pnpm, tool]).toEqual(['pnpm', 'trainer']);
      const r = await runProgram(createProgram(), words.map((w) => (/\.(safetensors|txt)$/.test(w) ? join(dir, w) : w)));
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      outputs.push(r.stdout);
    }
    const accuracy = (text: string) => Number(/accuracy (\d+\.\d+)%/.exec(text)![1]);
    // %.6e rounds the weights: the same digits but for a few samples of 10,000.
    expect(Math.abs(accuracy(outputs[2]) - accuracy(outputs[0]))).toBeLessThanOrEqual(0.05);
    expect(accuracy(outputs[2])).toBeGreaterThan(94);
    const [r, m] = [loadModel(join(dir, 'r.safetensors')), loadModel(join(dir, 'm.safetensors'))];
    expect(m.spec).toEqual(r.spec);
    let worst = 0;
    for (let i = 0; i < r.params.length; i++) worst = Math.max(worst, Math.abs(m.params[i] - r.params[i]) / Math.max(1e-30, Math.abs(r.params[i])));
    expect(worst).toBeLessThan(1e-6);
  });
});
