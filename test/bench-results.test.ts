import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mnistIdxFiles } from './internal.ts';
import { tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createTrainerProgram as createProgram } from './internal.ts';
import { createDataProgram } from './internal.ts';

let train: string, test: string;
// 600 + 200 MNIST digits, converted as a user converts them; the benches here are simulated (one thread, quick).
beforeAll(async () => {
  const idx = mnistIdxFiles();
  const dir = tempDir();
  [train, test] = [join(dir, 'train.arrow'), join(dir, 'test.arrow')];
  for (const [images, labels, out, n] of [[idx.trainImages, idx.trainLabels, train, '600'], [idx.testImages, idx.testLabels, test, '200']]) {
    const r = await runProgram(createDataProgram(), ['convert', '--images', images, '--labels', labels, '--limit', n, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
  }
});

const trainer = (args: string[]) => runProgram(createProgram(), args);
const simulated = (out: string, ...more: string[]) =>
  trainer(['bench', '--data', train, '--test', test, '--simulate', '--workers', '1,4', '--repeat', '1', '--epochs', '2', '--evals', '2', '--out', out, ...more]);

describe('trainer bench results', () => {
  it('are not replaced by a later bench into the same --out without --force, refused in one line before any run', async () => {
    const out = join(tempDir(), 'bench-out');
    expect((await simulated(out)).code).toBe(0);
    const before = readFileSync(join(out, 'bench.json'), 'utf8');
    const again = await simulated(out);
    expect([again.code, again.stderr, again.stdout]).toEqual([2, `trainer: --out ${out}: holds an earlier bench's bench.json and bench.svg; pass --force to replace them, or name another --out folder\n`, '']);
    expect(readFileSync(join(out, 'bench.json'), 'utf8')).toBe(before);
    const forced = await simulated(out, '--force');
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')).date).not.toBe(JSON.parse(before).date);
    expect(statSync(join(out, 'bench.svg')).size).toBeGreaterThan(0);
  });

  it('of --simulate show accuracy and samples only: no samples/s, speedup or efficiency in the table, bench.json or chart', async () => {
    const out = join(tempDir(), 'bench-out');
    const r = await simulated(out, '--target', '0.5');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const head = lines.find((l) => l.startsWith('workers'))!;
    expect(head.trim().split(/\s{2,}/)).toEqual(['workers', 'test acc', 'epochs to 50.00%', 'merged B/sample']);
    const rows = lines.slice(lines.indexOf(head) + 1, lines.indexOf(head) + 3);
    expect(rows.map((l) => l.trim().split(/\s+/).length)).toEqual([4, 4]);
    expect(lines.slice(lines.indexOf(head)).join('\n')).not.toMatch(/speedup|efficiency|samples\/s|GFLOP| s\b/);
    expect(r.stdout).toContain('SIMULATED: the workers take turns in one thread; only samples and accuracy count, and only they are shown');
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    expect(report.config.simulate).toBe(true);
    for (const row of report.results) {
      expect(row).toMatchObject({ speedup: null, efficiency: null, time_speedup: null });
      expect(row.epochs_to_target).toBeGreaterThan(0);
    }
    const svg = readFileSync(join(out, 'bench.svg'), 'utf8');
    expect(svg).toContain('Test accuracy against samples trained');
    expect(svg).toContain('Epochs to 50.0% test accuracy');
    expect(svg).not.toMatch(/Throughput|training seconds|Training time/);
  });
});
