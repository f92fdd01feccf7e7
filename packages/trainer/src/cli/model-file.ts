/**
 * `--model FILE` for every command: a safetensors model written by `trainer run --save`, or the reference project's
 * text model (rows of W then b per layer, in %.6e), which carries no architecture, so its layer sizes come from
 * `--layers` and its activation and loss default to the reference's (sigmoid, cross-entropy).
 */
import { readFileSync } from 'node:fs';
import { loadModel, ModelFileError, paramLayout, parseReferenceText, type Model } from '@hogwild/core';
import { nonZeroRows, REFERENCE_SPEC } from '@hogwild/core/internal';
import { featureScale, readInput } from '@hogwild/data/internal';
import { specFromFlags } from './options.ts';

import type { NetworkOptions } from '../options.ts';

export interface ModelFlags extends NetworkOptions { model: string; inputScale?: number }

/** Safetensors files begin with an 8-byte header length and then '{'; the reference's text begins with a number. */
function isSafetensors(bytes: Uint8Array): boolean {
  return bytes.length >= 9 && bytes[8] === 0x7b;
}

export function loadModelFile(f: ModelFlags): Model {
  const bytes = readInput(f.model);
  if (isSafetensors(bytes)) {
    if (f.layers !== undefined) throw new ModelFileError(f.model, 'is a safetensors model, which names its own layers: drop --layers');
    return loadModel(f.model);
  }
  if (f.layers === undefined) {
    throw new ModelFileError(f.model, 'is not a safetensors model; if it is the reference project\'s text model, give its layer sizes, e.g. --layers 784,100,10');
  }
  const spec = specFromFlags(f, REFERENCE_SPEC);
  const params = parseReferenceText(readFileSync(f.model, 'utf8'), spec.layers, f.model);
  const inputs = spec.layers[0];
  return { spec, params, inputShape: inputs === 784 ? [28, 28] : [inputs], inputScale: f.inputScale ?? featureScale('uint8'), extra: { converted_from: 'reference text' } };
}

/**
 * What a compact model keeps, for the line a command prints: "compact i8, 9,881 of 1,048,576 inputs kept"; `seen`:
 * how many inputs the training set has (trainer run), when the kept rows are fewer.
 */
export function compactNote(model: Model, seen?: number): string {
  if (model.compact === undefined) return 'full';
  const l = paramLayout(model.spec.layers).layers[0];
  // The rows the file keeps, by the writer's own rule (encodeModel's).
  const kept = nonZeroRows(model.params, l).length;
  // A model file does not say which inputs its training data had, and trained rows are rarely exactly zero.
  const why = kept === l.inSize ? ' (no row is all zero: `trainer run --save FILE --compact` keeps only the inputs its training data has)'
    : seen !== undefined && kept < seen ? ` (of the ${seen.toLocaleString('en-US')} the training set has, the others' weights all round to 0 in ${model.compact})` : '';
  return `compact ${model.compact}, ${kept.toLocaleString('en-US')} of ${l.inSize.toLocaleString('en-US')} inputs kept${why}`;
}
