/** `trainer export-web`: the model as a static web page (a drawing pad for a digit model, a text box for a text model's, a form for a table's). */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openAtomic } from '@hogwild/core/internal';
import { isDigitModel, isRowFeaturizer } from '@hogwild/core/infer';
import { compactModel, type WeightPrecision } from '@hogwild/core/internal';
import { SAVE } from '../options.ts';
import { TrainerError } from '../errors.ts';
import { webSite } from '../web/site.ts';
import { compactNote, loadModelFile, type ModelFlags } from './model-file.ts';

export async function exportWebCommand(o: ModelFlags & { out: string; force?: boolean; compact?: WeightPrecision | true }): Promise<void> {
  if (existsSync(o.out)) {
    if (!statSync(o.out).isDirectory()) throw new TrainerError('E_USAGE', `--out ${o.out}: exists and is not a folder`);
    if (!o.force && readdirSync(o.out).length > 0) throw new TrainerError('E_USAGE', `--out ${o.out}: the folder is not empty; pass --force to write the page's files into it`);
  }
  const read = loadModelFile(o);
  // A model file knows no training data: --compact drops its all-zero first-layer rows (a compact file's are its own).
  const model = o.compact === undefined ? read : compactModel(read, { precision: SAVE.compact.check(o.compact) });
  const files = await webSite(model);
  mkdirSync(o.out, { recursive: true });
  for (const f of files) {
    const out = openAtomic(join(o.out, f.name));
    try {
      out.write(f.bytes);
      out.commit();
    } catch (e) {
      out.abort();
      throw new TrainerError('E_INPUT', `--out ${o.out}: cannot write ${f.name} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
    }
  }
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  process.stdout.write(`wrote ${o.out}: ${files.map((f) => `${f.name} ${kib(f.bytes.length)}`).join(', ')}${model.compact === undefined ? '' : ` (the model ${compactNote(model)})`}\n`);
  process.stdout.write(`${isRowFeaturizer(model.featurizer) ? (model.featurizer.columns.length === 1 ? 'a text box' : `a form of its ${model.featurizer.columns.length} raw columns`) : isDigitModel(model) ? 'a drawing pad' : 'a form of the features'}; serve the folder with any static web server, or preview it: trainer serve --model ${o.model}\n`);
}
