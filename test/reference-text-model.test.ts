import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, initParams, loadModel, paramLayout, parseReferenceText, saveModel, type Model, type NetworkSpec } from '@hogwild/core';
import { allocateParams, REFERENCE_SPEC } from './internal.ts';
import { tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createTrainerProgram as createProgram } from './internal.ts';

const trainer = (...args: string[]) => runProgram(createProgram(), args);

/** A model file of seeded random weights (as `trainer run --save` writes one, without the training). */
function modelFile(dir: string, spec: NetworkSpec, more: Partial<Model> = {}): { file: string; model: Model } {
  const layout = paramLayout(spec.layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(3), 'uniform');
  const model: Model = { spec, params, inputShape: [28, 28], inputScale: 1 / 255, ...more };
  const file = join(dir, 'mnist.safetensors');
  saveModel(file, model);
  return { file, model };
}

describe('convert-model writes a safetensors model as the reference project\'s text model', () => {
  it('writes W then b per layer in %.6e, prints the flags that read it back, and converts back to the same network', async () => {
    const dir = tempDir();
    const { file, model } = modelFile(dir, REFERENCE_SPEC);
    const text = join(dir, 'model.txt');
    const to = await trainer('convert-model', '--model', file, '--out', text);
    expect(to).toEqual({ code: 0, stderr: '', stdout: `wrote ${text}: the reference's text model (W then b per layer, %.6e) of 784-100-10 sigmoid/cross-entropy; read it with --layers 784,100,10\n` });
    expect(readFileSync(text, 'utf8').split('\n', 1)[0]).toMatch(/^-?\d\.\d{6}e[+-]\d\d(\t-?\d\.\d{6}e[+-]\d\d){783}$/);
    const back = join(dir, 'm.safetensors');
    expect((await trainer('convert-model', '--model', text, '--layers', '784,100,10', '--out', back)).code).toBe(0);
    const m = loadModel(back);
    expect(m.spec).toEqual(model.spec);
    expect(m.inputScale).toBe(model.inputScale);
    // %.6e keeps 7 significant digits.
    let worst = 0;
    for (let i = 0; i < model.params.length; i++) worst = Math.max(worst, Math.abs(m.params[i] - model.params[i]) / Math.max(1e-30, Math.abs(model.params[i])));
    expect(worst).toBeLessThan(1e-6);
    expect(parseReferenceText(readFileSync(text, 'utf8'), [784, 100, 10])).toEqual(m.params);
    // The text model names no layers: reading it needs them.
    const bare = await trainer('convert-model', '--model', text, '--out', join(dir, 'x.safetensors'));
    expect(bare).toMatchObject({ code: 1, stderr: `trainer: ${text}: is not a safetensors model; if it is the reference project's text model, give its layer sizes, e.g. --layers 784,100,10\n` });
  });

  it('names the activation, loss and input scale that differ from the reference\'s defaults', async () => {
    const dir = tempDir();
    const { file } = modelFile(dir, { layers: [784, 16, 10], activation: 'relu', loss: 'softmax' }, { inputScale: 0.5 });
    const r = await trainer('convert-model', '--model', file, '--out', join(dir, 'relu.txt'));
    expect(r.stdout).toMatch(/; read it with --layers 784,16,10 --activation relu --loss softmax --input-scale 0\.5\n$/);
  });

  it('refuses a model whose answers need what the text cannot hold (standardisation), and a .safetensors --out', async () => {
    const dir = tempDir();
    const { file } = modelFile(dir, REFERENCE_SPEC, { standardization: { mean: new Float32Array(784), std: new Float32Array(784).fill(2) } });
    const standardized = await trainer('convert-model', '--model', file, '--out', join(dir, 'model.txt'));
    expect(standardized).toMatchObject({ code: 2, stderr: `trainer: --model ${file}: its input_mean and input_std cannot go into the reference's text model (it holds the weights only), and its answers need them\n` });
    const wrongName = await trainer('convert-model', '--model', file, '--out', join(dir, 'again.safetensors'));
    expect(wrongName).toMatchObject({ code: 2, stderr: `trainer: --out ${join(dir, 'again.safetensors')}: ${file} is a safetensors model, which converts to the reference's text model: give a name such as model.txt\n` });
    expect(existsSync(join(dir, 'model.txt'))).toBe(false);
  });
});
