/** `trainer predict`: read digits from images with a trained model. */
import { statSync } from 'node:fs';
import { Jimp } from 'jimp';
import { createNetwork, forward, loadModel, type Model } from '@hogwild/core';
import { asciiArt } from '@hogwild/data';
import { TrainerError } from '../errors.ts';
import { toGray, toMnist } from '../predict/preprocess.ts';

export interface Prediction { readonly file: string; readonly digit: number; readonly probabilities: number[] }

export async function readImage(file: string): Promise<Uint8Array> {
  let img;
  try {
    if (statSync(file).isDirectory()) throw new TrainerError('E_INPUT', `${file}: is a directory, expected an image`);
  } catch (e) {
    if (e instanceof TrainerError) throw e;
    throw new TrainerError('E_INPUT', `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read (${(e as NodeJS.ErrnoException).code})`}`);
  }
  try {
    img = await Jimp.read(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected an image' : `cannot read as an image (${(e as Error).message.split('\n')[0]})`;
    throw new TrainerError('E_INPUT', `${file}: ${why}`);
  }
  const { width, height, data } = img.bitmap;
  const sample = toMnist(toGray(data, width, height));
  if (!sample) throw new TrainerError('E_INPUT', `${file}: the image is blank (no ink to read)`);
  return sample;
}

/** Class scores of one preprocessed sample: softmax outputs as they are, sigmoid outputs normalised to sum 1. */
export function classify(model: Model, sample: Uint8Array): { digit: number; probabilities: number[] } {
  const net = createNetwork(model.spec, model.params);
  forward(net, sample, 0, model.inputScale);
  const out = Array.from(net.acts[net.acts.length - 1]);
  const sum = out.reduce((a, b) => a + b, 0);
  const probabilities = out.map((v) => v / sum);
  let digit = 0;
  for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[digit]) digit = i;
  return { digit, probabilities };
}

export async function predictCommand(images: string[], o: { model: string; json?: boolean; show?: boolean }): Promise<void> {
  const model = loadModel(o.model);
  if (model.spec.layers[0] !== 784) throw new TrainerError('E_INPUT', `${o.model}: predict reads 28x28 images, but the model takes ${model.spec.layers[0]} inputs`);
  for (const file of images) {
    const sample = await readImage(file);
    const { digit, probabilities } = classify(model, sample);
    if (o.json) {
      process.stdout.write(JSON.stringify({ file, digit, probabilities }) + '\n');
    } else {
      const top = probabilities.map((p, d) => [d, p] as const).sort((a, b) => b[1] - a[1]).slice(0, 3);
      process.stdout.write(`${file}: ${digit}  (${top.map(([d, p]) => `${d} ${(100 * p).toFixed(1)}%`).join(', ')})\n`);
    }
    if (o.show) process.stdout.write(asciiArt(Float32Array.from(sample, (v) => v / 255), 28, 28) + '\n');
  }
}
