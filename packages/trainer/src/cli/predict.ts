/** `trainer predict`: read digits from images, or classify rows of features (predict-rows.ts), with a trained model. */
import { HogwildError } from '@hogwild/core';
import { loadModelFile, type ModelFlags } from './model-file.ts';
import { asciiArt, featureScale, printable } from '@hogwild/data/internal';
import { TrainerError } from '../errors.ts';
import { classify, readImage } from '../predict/image.ts';

export async function predictCommand(images: string[], o: ModelFlags & { json?: boolean; show?: boolean; csv?: string; jsonl?: string | true; text?: string[] | true }): Promise<void> {
  const sources = [images.length > 0, o.csv !== undefined, o.jsonl !== undefined, o.text !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new TrainerError('E_USAGE', sources === 0 ? 'predict needs image files, --csv FILE, --jsonl [FILE] (rows of features or records) or --text [TEXT] (a text model)' : 'give image files, --csv, --jsonl or --text, one kind at a time');
  const model = loadModelFile(o);
  if (o.show && images.length === 0) throw new TrainerError('E_USAGE', '--show draws images; rows of features have none');
  if (model.featurizer !== undefined || o.text !== undefined) {
    // A text model (a row featurizer): raw records and texts, each through core encodeRow.
    if (images.length > 0) throw new TrainerError('E_USAGE', `${o.model} is a model of raw records (text), not of images: give --text, --csv or --jsonl`);
    const { predictRecordsCsv, predictRecordsJsonLines, predictTexts } = await import('./predict-records.ts');
    const json = o.json ?? false;
    const failed = o.csv !== undefined ? await predictRecordsCsv(model, o.csv, json)
      : o.jsonl !== undefined ? await predictRecordsJsonLines(model, o.jsonl === true ? '-' : o.jsonl, json)
      : await predictTexts(model, o.text === true ? [] : o.text!, json);
    if (failed > 0) process.exitCode = 1;
    return;
  }
  if (o.csv !== undefined || o.jsonl !== undefined) {
    const { predictCsv, predictJsonLines } = await import('./predict-rows.ts');
    const failed = o.csv !== undefined ? await predictCsv(model, o.csv, o.json ?? false) : await predictJsonLines(model, o.jsonl === true ? '-' : o.jsonl!, o.json ?? false);
    if (failed > 0) process.exitCode = 1;
    return;
  }
  if (model.spec.layers[0] !== 784) throw new TrainerError('E_INPUT', `${o.model}: predict reads 28x28 images, but the model takes ${model.spec.layers[0]} inputs`);
  // Every file gets its answer or its own one-line error, and the batch goes on; the exit code says if any failed.
  let failed = 0;
  for (const file of images) {
    let sample: Uint8Array;
    try {
      sample = await readImage(file);
    } catch (e) {
      if (!(e instanceof HogwildError) || e.kind === 'internal') throw e; // a bug stops the batch
      failed++;
      process.stderr.write(`trainer: ${printable(e.message, 1000)}\n`);
      if (o.json) process.stdout.write(JSON.stringify({ file, error: e.message }) + '\n');
      continue;
    }
    const { digit, probabilities } = classify(model, sample);
    if (o.json) {
      process.stdout.write(JSON.stringify({ file, digit, probabilities }) + '\n');
      continue;
    }
    const top = probabilities.map((p, d) => [d, p] as const).sort((a, b) => b[1] - a[1]).slice(0, 3);
    process.stdout.write(`${file}: ${digit}  (${top.map(([d, p]) => `${d} ${(100 * p).toFixed(1)}%`).join(', ')})\n`);
    if (o.show) process.stdout.write(asciiArt(Float32Array.from(sample, (v) => v * featureScale('uint8')), 28, 28) + '\n');
  }
  if (failed > 0) process.exitCode = 1;
}
