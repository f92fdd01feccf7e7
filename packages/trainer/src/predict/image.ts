/** Reading a digit from an image the MNIST way, and classifying one sample (library code: `predictImage`, `trainer predict`). */
import { Jimp } from 'jimp';
import type { Model } from '@hogwild/core';
import { createPredictor, digitSample } from '@hogwild/core/infer';
import { readInput } from '@hogwild/data';
import { TrainerError } from '../errors.ts';

/** The most pixels predict decodes: a 12-megapixel phone photo fits four times over; a decompression bomb does not. */
export const MAX_IMAGE_PIXELS = 50_000_000;

/**
 * Width and height from the header of a PNG, JPEG, GIF or BMP file, read before decoding so that an image too large
 * to decode is refused without decoding it; null for other formats (jimp then decides).
 */
export function imageSize(b: Uint8Array): { width: number; height: number } | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 24 && v.getUint32(0) === 0x89504e47 && v.getUint32(12) === 0x49484452) return { width: v.getUint32(16), height: v.getUint32(20) };
  if (b.length >= 10 && (v.getUint32(0) === 0x47494638)) return { width: v.getUint16(6, true), height: v.getUint16(8, true) };
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // JPEG: walk the marker segments to the first start-of-frame (SOF0–SOF15 but DHT C4, JPG C8, DAC CC).
    for (let at = 2; at + 9 <= b.length;) {
      if (b[at] !== 0xff) return null;
      const marker = b[at + 1];
      if (marker === 0xff) { at++; continue; }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: v.getUint16(at + 7), height: v.getUint16(at + 5) };
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; }
      at += 2 + v.getUint16(at + 2);
    }
  }
  return null;
}

/** Reads an image file (PNG, JPEG, …: decoded by jimp) and prepares it as an MNIST sample. */
export async function readImage(input: string | Uint8Array): Promise<Uint8Array> {
  const file = typeof input === 'string' ? input : 'image';
  const bytes = typeof input === 'string' ? readInput(input) : input; // missing, directory, empty: one-line errors naming the file
  const size = imageSize(bytes);
  if (size && size.width * size.height > MAX_IMAGE_PIXELS) {
    throw new TrainerError('E_INPUT', `${file}: the image is ${size.width}x${size.height}, ${(size.width * size.height / 1e6).toFixed(0)} megapixels; predict reads images of up to ${MAX_IMAGE_PIXELS / 1e6} megapixels`);
  }
  if (size && size.width * size.height === 0) throw new TrainerError('E_INPUT', `${file}: the image is ${size.width}x${size.height}, it has no pixels`);
  let img;
  try {
    img = await Jimp.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new TrainerError('E_INPUT', `${file}: cannot read as an image (${(e as Error).message.split('\n')[0]})`);
  }
  const { width, height, data } = img.bitmap;
  const sample = digitSample(data, width, height);
  if (!sample) throw new TrainerError('E_INPUT', `${file}: the image is blank (no ink to read)`);
  return sample;
}

/** Class scores of one preprocessed sample (core's infer, as the web page runs it): softmax outputs as they are, sigmoid outputs normalised to sum 1. */
export function classify(model: Model, sample: Uint8Array): { digit: number; probabilities: number[] } {
  const { label, probabilities } = createPredictor(model).predict(sample);
  return { digit: label, probabilities };
}

