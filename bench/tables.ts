/**
 * `pnpm exec tsx bench/tables.ts [--repeat 3]`: the two table figures of issue 21, printed with the machine.
 *
 * 1. Scaling that keeps sparsity: a generated table of 20,000 mostly-zero columns (1% nonzero) × 2,000 training rows
 *    (and 500 test rows), trained with `standardize: 'auto'`, `'on'` (every column centred: the zeros become nonzero)
 *    and `'off'`, taking turns; samples/s (median of the epochs' median over the repeats) and test accuracy.
 *    Target: auto ≥ 80% of off's samples/s, accuracy no worse.
 * 2. Conversion speed: a CSV with categorical and missing cells against an all-numeric CSV of the same size (both
 *    written here), converted by `readTableFile`; MB/s, median of the repeats. Target: ≥ 80%.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@hogwild/core';
import { readTableFile, writeArrowDataset, type Dataset } from '@hogwild/data';
import { train } from '@hogwild/trainer';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 3;
const dir = mkdtempSync(join(tmpdir(), 'hogwild-bench-tables-'));
const rng = createRng(21);

function sparseTable(rows: number, d: number, w: Float32Array): Dataset {
  const features = new Float32Array(rows * d);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < d / 100; k++) {
      const j = rng.nextInt(d);
      const v = 1 + 4 * rng.nextFloat();
      features[r * d + j] = v;
      s += w[j] * v;
    }
    labels[r] = s > 0 ? 1 : 0;
  }
  return { rows, featureLength: d, features, labels, shape: [d], source: 'generated sparse table' };
}

console.log(`machine: ${machineLine()}`);
const D = 20_000;
const w = Float32Array.from({ length: D }, () => rng.nextFloat() - 0.5);
const files = { train: join(dir, 'train.arrow'), test: join(dir, 'test.arrow') };
await writeArrowDataset(files.train, sparseTable(2000, D, w));
await writeArrowDataset(files.test, sparseTable(500, D, w));
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
console.log(`\n20,000 columns (1% nonzero) × 2,000 rows, 500 test rows, 5 epochs, default network and workers, ${repeat} repeats taking turns`);
for (const mode of modes) {
  console.log(`  standardize ${mode.padEnd(4)}  ${Math.round(median(rates[mode])).toLocaleString('en-US').padStart(9)} samples/s (${rates[mode].map((x) => Math.round(x).toLocaleString('en-US')).join(', ')})  test accuracy ${(100 * median(accs[mode])).toFixed(2)}% (${accs[mode].map((a) => (100 * a).toFixed(1)).join(', ')})`);
}
console.log(`  auto against off: ${(100 * median(rates.auto) / median(rates.off)).toFixed(0)}% of the samples/s`);

// Conversion speed: the same rows and size, numbers only against categories and missing cells.
const N = 200_000;
const numeric: string[] = ['a,b,c,d,e,y'];
const mixed: string[] = ['a,b,color,d,shape,y'];
const colors = ['red', 'green', 'blue', 'amber'], shapes = ['round', 'square', 'oval'];
for (let r = 0; r < N; r++) {
  const x = () => (10 * rng.nextFloat()).toFixed(4);
  numeric.push(`${x()},${x()},${x()},${x()},${x()},${r % 3}`);
  const miss = (s: string) => (rng.nextFloat() < 0.05 ? 'NA' : s);
  mixed.push(`${miss(x())},${x()},${miss(colors[rng.nextInt(4)]).padEnd(6)},${miss(x())},${shapes[rng.nextInt(3)].padEnd(6)},${r % 3}`);
}
const csvs = { numeric: join(dir, 'numeric.csv'), mixed: join(dir, 'mixed.csv') };
writeFileSync(csvs.numeric, numeric.join('\n') + '\n');
writeFileSync(csvs.mixed, mixed.join('\n') + '\n');
const mbps: Record<string, number[]> = { numeric: [], mixed: [] };
for (let k = 0; k < repeat; k++) {
  for (const kind of ['numeric', 'mixed'] as const) {
    const t0 = performance.now();
    await readTableFile('csv', csvs[kind], { label: 'y' });
    mbps[kind].push(statSync(csvs[kind]).size / 1e6 / ((performance.now() - t0) / 1000));
  }
}
console.log(`\nCSV conversion (read, roles, encode; no write), ${N.toLocaleString('en-US')} rows, ${repeat} repeats taking turns`);
for (const kind of ['numeric', 'mixed'] as const) console.log(`  ${kind === 'numeric' ? 'all numeric             ' : 'categories, 5% missing  '} ${(statSync(csvs[kind]).size / 1e6).toFixed(1)} MB  ${median(mbps[kind]).toFixed(1)} MB/s (${mbps[kind].map((x) => x.toFixed(1)).join(', ')})`);
console.log(`  mixed against numeric: ${(100 * median(mbps.mixed) / median(mbps.numeric)).toFixed(0)}%`);
rmSync(dir, { recursive: true, force: true });
