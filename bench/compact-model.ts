/**
 * Compact model files (docs/model-format.md) side by side: a text model trained once, written full and compact at
 * each precision, with each file's size, gzipped size (what a page serves) and test accuracy read back from its bytes.
 *
 *   tsx bench/compact-model.ts TRAIN.arrow TEST.arrow [layers, default FEATURES,2]
 *
 * The figures of docs/model-format.md come from the SpamAssassin split of bench/text-corpus.ts, converted with
 * `pnpm data convert --fasttext` (the commands are in the doc).
 */
import { gzipSync } from 'node:zlib';
import { compactModel, decodeModel, encodeModel, type Model, type WeightPrecision } from '@hogwild/core';
import { evaluate, train } from '@hogwild/trainer';
import { machineLine } from '../packages/trainer/src/machine.ts';
import { seenInputs } from '../packages/trainer/src/seen-inputs.ts';
import { openArrowDataset } from '@hogwild/data';

const [trainFile, testFile, layersText] = process.argv.slice(2);
if (!trainFile || !testFile) {
  process.stderr.write('usage: tsx bench/compact-model.ts TRAIN.arrow TEST.arrow [layers]\n');
  process.exit(2);
}
const features = openArrowDataset(trainFile).featureLength;
const layers = layersText ? layersText.split(',').map(Number) : [features, 2];
process.stdout.write(`machine: ${machineLine()}\n`);
const run = await train({ data: trainFile, test: testFile, layers, lr: 0.5, schedule: 'constant', epochs: 5, workers: 1, seed: 1 });
const keep = seenInputs(trainFile, layers[0]);
let seen = 0;
if (keep) for (const k of keep) seen += k;
process.stdout.write(`trained ${layers.join('-')} on ${trainFile}: ${seen.toLocaleString('en-US')} of ${layers[0].toLocaleString('en-US')} inputs seen in training\n\n`);

const forms: [string, Model][] = [['full', run.model]];
for (const precision of ['f32', 'f16', 'i8'] as WeightPrecision[]) forms.push([`compact ${precision}`, compactModel(run.model, { keep, precision })]);
// What export-web --compact i8 makes of a full model file, which knows nothing of its training data.
forms.push(['compact i8, no mask', compactModel(run.model, { precision: 'i8' })]);

const mb = (n: number) => `${(n / 1e6).toFixed(3)} MB`;
process.stdout.write(`${'form'.padEnd(22)}${'file'.padStart(12)}${'gzipped'.padStart(12)}${'accuracy'.padStart(10)}\n`);
for (const [name, model] of forms) {
  const bytes = encodeModel(model);
  const ev = await evaluate(decodeModel(bytes), testFile, { workers: 1 });
  process.stdout.write(`${name.padEnd(22)}${mb(bytes.length).padStart(12)}${mb(gzipSync(bytes, { level: 9 }).length).padStart(12)}${`${(100 * ev.accuracy).toFixed(2)}%`.padStart(10)}\n`);
}
