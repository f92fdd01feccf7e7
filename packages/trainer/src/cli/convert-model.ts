/**
 * `trainer convert-model`: between the reference project's text model and a safetensors model, in the direction the
 * input's format says: a text model (given its --layers) becomes safetensors, a safetensors model the text format.
 */
import { existsSync } from 'node:fs';
import { compactModel, encodeModel, formatReferenceText, type Model, type WeightPrecision } from '@hogwild/core';
import { REFERENCE_SPEC, writeFileAtomic } from '@hogwild/core/internal';
import { featureScale, sameFile } from '@hogwild/data/internal';
import { TrainerError } from '../errors.ts';
import { SAVE } from '../options.ts';
import { compactNote, loadModelFile, type ModelFlags } from './model-file.ts';

export async function convertModelCommand(o: ModelFlags & { out: string; force?: boolean; compact?: WeightPrecision | true }): Promise<void> {
  if (sameFile(o.out, o.model)) throw new TrainerError('E_USAGE', `--out ${o.out} is the --model input: choose another name`);
  if (!o.force && existsSync(o.out)) throw new TrainerError('E_USAGE', `--out ${o.out}: the file exists; pass --force to replace it`);
  const model = loadModelFile(o);
  // loadModelFile reads a text model only with --layers, and refuses --layers for a safetensors model; --compact
  // writes a safetensors model whichever it read (a model file knows no training data: its all-zero rows are dropped).
  if (o.layers === undefined && o.compact === undefined) {
    writeText(o.out, o.model, model);
    return;
  }
  const written = o.compact === undefined ? model : compactModel(model, { precision: SAVE.compact.check(o.compact) });
  const bytes = encodeModel(written);
  writeFileAtomic(o.out, bytes);
  process.stdout.write(`wrote ${o.out}: ${model.spec.layers.join('-')} ${model.spec.activation}/${model.spec.loss}, input scale ${model.inputScale}${o.compact === undefined ? '' : `, ${compactNote(written)}, ${bytes.length.toLocaleString('en-US')} bytes`}\n`);
}

/**
 * The reference's text holds the weights and nothing else: a model whose answers need more (standardisation, a
 * regression target's scale) is refused; the rest (layers, activation, loss, input scale) are the flags that read it
 * back, printed.
 */
function writeText(out: string, source: string, model: Model): void {
  if (out.endsWith('.safetensors')) throw new TrainerError('E_USAGE', `--out ${out}: ${source} is a safetensors model, which converts to the reference's text model: give a name such as model.txt`);
  const lost = [model.standardization && 'input_mean and input_std', model.target && 'target_mean and target_std'].filter(Boolean);
  if (lost.length > 0) {
    throw new TrainerError('E_USAGE', `--model ${source}: its ${lost.join(' and ')} cannot go into the reference's text model (it holds the weights only), and its answers need them`);
  }
  writeFileAtomic(out, new TextEncoder().encode(formatReferenceText(model.params, model.spec.layers)));
  const { layers, activation, loss } = model.spec;
  const flags = [
    `--layers ${layers.join(',')}`,
    ...(activation !== REFERENCE_SPEC.activation ? [`--activation ${activation}`] : []),
    ...(loss !== REFERENCE_SPEC.loss ? [`--loss ${loss}`] : []),
    ...(model.inputScale !== featureScale('uint8') ? [`--input-scale ${model.inputScale}`] : []),
  ];
  process.stdout.write(`wrote ${out}: the reference's text model (W then b per layer, %.6e) of ${layers.join('-')} ${activation}/${loss}; read it with ${flags.join(' ')}\n`);
}
