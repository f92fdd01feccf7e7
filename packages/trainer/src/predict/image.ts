/** Reading a digit from an image the MNIST way, and classifying one sample (library code: `predictImage`, `trainer predict`). */
import { Jimp } from 'jimp';
import type { Model } from '@hogwild/core';
import { createPredictor, digitSample } from '@hogwild/core/infer';
import { readInput } from '@hogwild/data/internal';
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

/** The image format by its magic number, among those jimp decodes; null for anything else. */
export function imageFormat(b: Uint8Array): 'PNG' | 'JPEG' | 'GIF' | 'BMP' | 'TIFF' | null {
  const starts = (...magic: number[]) => b.length >= magic.length && magic.every((m, i) => b[i] === m);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'PNG';
  if (starts(0xff, 0xd8, 0xff)) return 'JPEG';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'GIF';
  if (starts(0x42, 0x4d)) return 'BMP';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'TIFF';
  return null;
}

/** Whether a PNG ends with its IEND chunk, a JPEG with its EOI marker (other formats: assumed complete). */
function completeImage(b: Uint8Array, format: string): boolean {
  const ends = (...tail: number[]) => b.length >= tail.length && tail.every((t, i) => b[b.length - tail.length + i] === t);
  // IEND: length 0, type "IEND", CRC ae 42 60 82.
  if (format === 'PNG') return ends(0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82);
  if (format === 'JPEG') return ends(0xff, 0xd9);
  return true;
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
  const format = imageFormat(bytes);
  if (format === null) throw new TrainerError('E_INPUT', `${file}: cannot read as an image: its first bytes are not those of a PNG, JPEG, GIF, BMP or TIFF file`);
  let img;
  try {
    img = await Jimp.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    // The decoders' words are about their internals ("There are some read requests waitng on finished stream",
    // "Could not find MIME for Buffer"): the format and whether the file is complete say more.
    const truncated = !completeImage(bytes, format);
    throw new TrainerError('E_INPUT', `${file}: cannot decode this ${format} image: ${truncated ? `it is truncated (no ${format === 'PNG' ? 'IEND chunk' : 'end-of-image marker'} at its end)` : 'its data are corrupted'}`, { cause: e });
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

