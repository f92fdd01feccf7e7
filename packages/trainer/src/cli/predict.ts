/** `trainer predict`: read digits from images with a trained model. */
import { Jimp } from 'jimp';
import { createNetwork, forward, loadModel, type Model } from '@hogwild/core';
import { asciiArt, readInput } from '@hogwild/data';
import { TrainerError } from '../errors.ts';
import { toGray, toMnist } from '../predict/preprocess.ts';

/** Reads an image file (PNG, JPEG, …: decoded by jimp) and prepares it as an MNIST sample. */
export async function readImage(file: string): Promise<Uint8Array> {
  const bytes = readInput(file); // missing, directory, empty: one-line errors naming the file
  let img;
  try {
    img = await Jimp.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new TrainerError('E_INPUT', `${file}: cannot read as an image (${(e as Error).message.split('\n')[0]})`);
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
