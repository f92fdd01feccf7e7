import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { formatReferenceText, loadModel, saveModel } from '@hogwild/core';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';
import { smallMnistWithModel, trainerInProcess } from './trainer-cli-fixture.ts';

// The trainer CLI: trainer eval and predict on a model trained on the small dataset.
// test/trainer-cli-*.test.ts are one file a topic, so that they run side by side; each makes its own small dataset.
let train: string, test: string, model: string;
beforeAll(async () => ({ train, test, model } = await smallMnistWithModel()));

const small = () => ['--data', train, '--test', test];
const trainer = trainerInProcess;

// A model trained on the whole of MNIST reading hand-drawn digits is in trainer-cli.slow.test.ts.
describe('trainer eval and predict on a trained model', () => {
  it('eval applies the model\'s input_scale, as predict does', async () => {
    const dimmed = join(tempDir(), 'dimmed.safetensors');
    saveModel(dimmed, { ...loadModel(model), inputScale: 1e-6 }); // the same weights, told that inputs are a million times smaller
    const a = JSON.parse((await cli('trainer', ['eval', '--model', model, '--data', test, '--workers', '1', '--json'])).stdout);
    const b = JSON.parse((await cli('trainer', ['eval', '--model', dimmed, '--data', test, '--workers', '1', '--json'])).stdout);
    expect(a.accuracy).toBeGreaterThan(0.85);
    expect(b.accuracy).toBeLessThan(0.5);
  });

  it('reads the reference project\'s text model given its --layers, in eval, predict and convert-model', async () => {
    const m = loadModel(model);
    const text = join(tempDir(), 'model.txt');
    writeFileSync(text, formatReferenceText(m.params, m.spec.layers)); // the reference's writer, %.6e
    const arch = ['--layers', '784,128,10', '--activation', 'relu', '--loss', 'softmax'];
    const fromFile = JSON.parse((await cli('trainer', ['eval', '--model', model, '--data', test, '--workers', '1', '--json'])).stdout);
    const fromText = JSON.parse((await cli('trainer', ['eval', '--model', text, ...arch, '--data', test, '--workers', '1', '--json'])).stdout);
    expect(Math.abs(fromText.accuracy - fromFile.accuracy)).toBeLessThanOrEqual(0.002); // %.6e rounds the weights
    const bare = await trainer(['eval', '--model', text, '--data', test]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toBe(`trainer: ${text}: is not a safetensors model; if it is the reference project's text model, give its layer sizes, e.g. --layers 784,100,10\n`);
    const out = join(tempDir(), 'converted.safetensors');
    const conv = await cli('trainer', ['convert-model', '--model', text, ...arch, '--out', out]);
    expect(conv.code).toBe(0);
    expect(loadModel(out).spec).toEqual(m.spec);
    const p = await cli('trainer', ['predict', '--model', text, ...arch, join(ROOT, 'test/fixtures/digits/chalk-7.jpg'), '--json']);
    expect(JSON.parse(p.stdout).probabilities).toHaveLength(10);
  });

  it('reads a large photo, refuses a decompression bomb before decoding it, and answers every file of a batch', async () => {
    const dir = tempDir();
    // 1200x900 (1.08 megapixels; 352x352 used to overflow the stack): a dark stroke on white.
    const big = join(dir, 'big.png');
    const img = new Jimp({ width: 1200, height: 900, color: 0xffffffff });
    for (let y = 150; y < 750; y++) for (let x = 560; x < 640; x++) img.setPixelColor(0x000000ff, x, y);
    await img.write(big as `${string}.png`);
    // A real PNG whose header claims 30000x30000: refused from the header, without decoding 900 megapixels.
    const bomb = join(dir, 'bomb.png');
    const bytes = readFileSync(join(ROOT, 'test/fixtures/digits', readdirSync(join(ROOT, 'test/fixtures/digits')).find((f) => f.endsWith('.png'))!));
    const header = new DataView(bytes.buffer, bytes.byteOffset);
    header.setUint32(16, 30000);
    header.setUint32(20, 30000);
    writeFileSync(bomb, bytes);
    const r = await trainer(['predict', '--model', model, bomb, big, '/nonexistent.png', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`trainer: ${bomb}: the image is 30000x30000, 900 megapixels; predict reads images of up to 50 megapixels\ntrainer: /nonexistent.png: no such file\n`);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.file)).toEqual([bomb, big, '/nonexistent.png']);
    expect(lines[0].error).toMatch(/900 megapixels/);
    expect(lines[1].digit).toBeTypeOf('number');
    expect(lines[1].probabilities).toHaveLength(10);
  });

  it('names an unreadable image and a blank one', async () => {
    const notImage = join(ROOT, 'test/fixtures/digits/draw-digits.py');
    const r = await trainer(['predict', '--model', model, notImage]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^trainer: ${notImage}: cannot read as an image`));
    const missing = await trainer(['predict', '--model', model, '/nonexistent.png']);
    expect(missing.stderr).toBe('trainer: /nonexistent.png: no such file\n');
    const blank = join(tempDir(), 'blank.png');
    await new Jimp({ width: 60, height: 40, color: 0xffffffff }).write(blank as `${string}.png`);
    const b = await trainer(['predict', '--model', model, blank]);
    expect(b.code).toBe(1);
    expect(b.stderr).toBe(`trainer: ${blank}: the image is blank (no ink to read)\n`);
  });
});
