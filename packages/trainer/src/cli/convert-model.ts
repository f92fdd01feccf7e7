/** `trainer convert-model`: the reference project's text model → safetensors. */
import { existsSync } from 'node:fs';
import { saveModel } from '@hogwild/core';
import { sameFile } from '@hogwild/data';
import { TrainerError } from '../errors.ts';
import { loadModelFile, type ModelFlags } from './model-file.ts';

export async function convertModelCommand(o: ModelFlags & { out: string; force?: boolean }): Promise<void> {
  if (sameFile(o.out, o.model)) throw new TrainerError('E_USAGE', `--out ${o.out} is the --model input: choose another name`);
  if (!o.force && existsSync(o.out)) throw new TrainerError('E_USAGE', `--out ${o.out}: the file exists; pass --force to replace it`);
  const model = loadModelFile(o);
  saveModel(o.out, model);
  process.stdout.write(`wrote ${o.out}: ${model.spec.layers.join('-')} ${model.spec.activation}/${model.spec.loss}, input scale ${model.inputScale}\n`);
}
