/**
 * `pnpm exec tsx bench/tables.ts [--repeat 3]`: the two table figures of issue 21, printed with the machine.
 *
 * 1. (printed second) Scaling that keeps sparsity: a generated bag of words, 20,000 mostly-zero columns (1% nonzero)
 *    × 2,000 training rows (and 500 test rows), trained with `standardize: 'auto'`, `'on'` (every column centred: the zeros become nonzero)
 *    and `'off'`, taking turns; samples/s (median of the epochs' median over the repeats) and test accuracy.
 *    Target: auto ≥ 80% of off's samples/s, accuracy no worse.
 * 2. (printed first) Conversion speed: a CSV with categorical and missing cells against an all-numeric CSV of the
 *    same size (both written here), converted by `readTableFile`; MB/s, median of the repeats. Target: ≥ 80%.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@hogwild/core';
import { readTableFile, writeArrowDataset, type DenseDataset } from '@hogwild/data';
import { train } from '@hogwild/trainer';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 3;
const dir = mkdtempSync(join(tmpdir(), 'hogwild-bench-tables-'));
const rng = createRng(21);

/**
 * A bag of words: 20,000 word columns, each row 200 words (1% nonzero) with counts 1–3, 6% of them drawn from its
 * class's own 400-word vocabulary and the rest from all words; 5 classes. A linear model can learn it, so the modes'
 * accuracies differ by what the scaling does (a random linear label over 20,000 columns left every mode near chance).
 */
const D = 20_000, CLASSES = 5, VOCABULARY = 400, WORDS = 200, TOPICAL = 0.06;
const vocabularies = Array.from({ length: CLASSES }, () => Uint32Array.from({ length: VOCABULARY }, () => rng.nextInt(D)));
function sparseTable(rows: number): DenseDataset {
  const features = new Float32Array(rows * D);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = r % CLASSES;
    labels[r] = c;
    for (let k = 0; k < WORDS; k++) {
      const j = rng.nextFloat() < TOPICAL ? vocabularies[c][rng.nextInt(VOCABULARY)] : rng.nextInt(D);
      features[r * D + j] += 1 + rng.nextInt(3);
    }
  }
  return { rows, featureLength: D, features, labels, shape: [D], source: 'generated sparse table' };
}

console.log(`machine: ${machineLine()}`);
// Conversion speed: the same rows and size, numbers only against categories and missing cells.
const N = 200_000;
const numeric: string[] = ['a,b,c,d,e,y'];
const mixed: string[] = ['a,b,color,d,shape,y'];
// Six-letter categories, as long as the numbers' text: the same size without padding for the parser to trim.
const colors = ['orange', 'yellow', 'violet', 'silver'], shapes = ['circle', 'square', 'oblong'];
for (let r = 0; r < N; r++) {
  const x = () => (10 * rng.nextFloat()).toFixed(4);
  numeric.push(`${x()},${x()},${x()},${x()},${x()},${r % 3}`);
  const miss = (s: string) => (rng.nextFloat() < 0.05 ? 'NA' : s);
  mixed.push(`${miss(x())},${x()},${miss(colors[rng.nextInt(4)])},${miss(x())},${shapes[rng.nextInt(3)]},${r % 3}`);
}
const csvs = { numeric: join(dir, 'numeric.csv'), mixed: join(dir, 'mixed.csv') };
writeFileSync(csvs.numeric, numeric.join('\n') + '\n');
writeFileSync(csvs.mixed, mixed.join('\n') + '\n');
const mbps: Record<string, number[]> = { numeric: [], mixed: [] };
// Before the trainings (whose arena and heap would weigh on the second reader), each kind first in every other turn.
for (let k = 0; k < repeat; k++) {
  for (const kind of k % 2 === 0 ? ['numeric', 'mixed'] as const : ['mixed', 'numeric'] as const) {
    const t0 = performance.now();
    await readTableFile('csv', csvs[kind], { label: 'y' });
    mbps[kind].push(statSync(csvs[kind]).size / 1e6 / ((performance.now() - t0) / 1000));
  }
}
console.log(`CSV conversion (read, roles, encode; no write), ${N.toLocaleString('en-US')} rows, ${repeat} repeats taking turns`);
for (const kind of ['numeric', 'mixed'] as const) console.log(`  ${kind === 'numeric' ? 'all numeric             ' : 'categories, 5% missing  '} ${(statSync(csvs[kind]).size / 1e6).toFixed(1)} MB  ${median(mbps[kind]).toFixed(1)} MB/s (${mbps[kind].map((x) => x.toFixed(1)).join(', ')})`);
console.log(`  mixed against numeric: ${(100 * median(mbps.mixed) / median(mbps.numeric)).toFixed(0)}%`);

const files = { train: join(dir, 'train.arrow'), test: join(dir, 'test.arrow') };
await writeArrowDataset(files.train, sparseTable(2000));
await writeArrowDataset(files.test, sparseTable(500));
const modes = ['auto', 'on', 'off'] as const;
const rates: Record<string, number[]> = { auto: [], on: [], off: [] };
const accs: Record<string, number[]> = { auto: [], on: [], off: [] };
for (let k = 0; k < repeat; k++) {
  for (const mode of modes) {
    const r = await train({ data: files.train, test: files.test, epochs: 5, seed: k + 1, standardize: mode });
    rates[mode].push(median(r.history.map((e) => e.samplesPerSecond)));
    accs[mode].push(r.evaluation!.accuracy);
  }
}
console.log(`\n20,000 columns (a bag of words, 1% nonzero, 5 classes) × 2,000 rows, 500 test rows, 5 epochs, default network and workers, ${repeat} repeats taking turns`);
for (const mode of modes) {
  console.log(`  standardize ${mode.padEnd(4)}  ${Math.round(median(rates[mode])).toLocaleString('en-US').padStart(9)} samples/s (${rates[mode].map((x) => Math.round(x).toLocaleString('en-US')).join(', ')})  test accuracy ${(100 * median(accs[mode])).toFixed(2)}% (${accs[mode].map((a) => (100 * a).toFixed(1)).join(', ')})`);
}
// Per turn too: the two runs of a turn mostly share the host's placement of the vCPUs, which swings speed by 2× between turns.
const paired = rates.auto.map((x, k) => x / rates.off[k]);
console.log(`  auto against off: ${(100 * median(rates.auto) / median(rates.off)).toFixed(0)}% of the samples/s (medians); per turn ${paired.map((x) => `${(100 * x).toFixed(0)}%`).join(', ')}, median ${(100 * median(paired)).toFixed(0)}%`);
rmSync(dir, { recursive: true, force: true });
