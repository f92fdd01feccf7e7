/**
 * pnpm bench:sparse-memory: the peak memory of training on a wide sparse dataset, against what issue "Text and sparse
 * data" allows: model + dataset + 20% + Node's own baseline (the same command on a 40-row sparse file).
 *
 *   pnpm bench:sparse-memory [--rows 100000] [--bits 22] [--nonzeros 40] [--classes 2,4] [--repeat 3] [--workers 2]
 *
 * For each class count: scikit-learn writes the LIBSVM file (bench/sparse-memory.py), `pnpm data convert --libsvm`
 * makes the sparse dataset, then `pnpm trainer run --data D --epochs 2 --workers W` runs under GNU time (`time -f %M`:
 * the peak resident set of the trainer's process, its worker threads included), with and without `--save`. Medians
 * over --repeat runs. The model counts twice: as the file holds it (outputs × inputs floats) and as training holds it
 * (each input's outputs padded to a multiple of 4 floats for the kernel's SIMD, but for 1 or 2 outputs, which are
 * not padded: docs/text.md#memory). The two agree for 2 classes and for 4, 8, …; 3 classes hold 4 floats an input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { paramLayout, parameterCount } from '@hogwild/core/internal';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const ROOT = resolve(import.meta.dirname, '..');
const PYTHON = process.env.PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const TIME = '/usr/bin/time';

function fail(message: string): never {
  console.error(`bench:sparse-memory: ${message}`);
  process.exit(2);
}
function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : process.argv[i + 1] ?? fail(`${name} needs a value`);
}
function whole(name: string, fallback: number): number {
  const n = Number(flag(name, String(fallback)));
  if (!Number.isInteger(n) || n < 1) fail(`${name}: expected a positive whole number`);
  return n;
}
const rows = whole('--rows', 100_000), bits = whole('--bits', 22), nonzeros = whole('--nonzeros', 40);
const repeat = whole('--repeat', 3), workers = whole('--workers', 2);
const classList = flag('--classes', '2,4').split(',').map(Number);
if (classList.some((c) => !Number.isInteger(c) || c < 2 || c > 256)) fail('--classes: expected class counts from 2 to 256, comma-separated');
if (!existsSync(TIME)) fail(`${TIME} (GNU time) is missing: apt-get install time`);
const work = mkdtempSync(join(tmpdir(), 'hogwild-bench-memory-'));
const MiB = 2 ** 20;

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
  return r.stdout;
}
/** Peak resident set of the command's largest process, MiB (GNU time's %M is in KiB). */
function peak(args: string[]): number {
  const r = spawnSync(TIME, ['-f', 'PEAK %M', 'pnpm', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /PEAK (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) fail(`pnpm ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').filter((l) => !l.startsWith('PEAK')).pop()}`);
  return Number(m![1]) / 1024;
}
const medianPeak = (args: string[]) => median(Array.from({ length: repeat }, () => peak(args)));

console.log(`machine: ${machineLine()}`);
console.log(`rows ${rows}, features 2^${bits}, ${nonzeros} non-zeros a row, ${workers} workers, medians of ${repeat}`);
const tiny = join(work, 'tiny.arrow');
run('pnpm', ['data', 'convert', '--libsvm', join(ROOT, 'test/fixtures/sparse/binary.svm'), '--out', tiny]);
const runArgs = (data: string, save?: string) => ['trainer', 'run', '--data', data, '--epochs', '2', '--workers', String(workers), ...(save ? ['--save', save, '--force'] : [])];
const baseline = medianPeak(runArgs(tiny));
const baselineSaved = medianPeak(runArgs(tiny, join(work, 'tiny.safetensors')));
console.log(`baseline (the same command on a 40-row sparse file): ${baseline.toFixed(1)} MiB, with --save ${baselineSaved.toFixed(1)} MiB`);
console.log('');
console.log('| classes | dataset file | model (file) | model (training) | allowed (file / training) | peak | peak with --save |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const classes of classList) {
  const svm = join(work, `wide-${classes}.svm`), data = join(work, `wide-${classes}.arrow`);
  run(PYTHON, [join(ROOT, 'bench/sparse-memory.py'), svm, String(rows), String(2 ** bits), String(nonzeros), String(classes)]);
  run('pnpm', ['data', 'convert', '--libsvm', svm, '--out', data]);
  rmSync(svm);
  const dataset = statSync(data).size / MiB;
  const layers = [2 ** bits, classes];
  const layout = paramLayout(layers);
  const modelFile = (4 * parameterCount(layout)) / MiB, modelHeld = (4 * layout.length) / MiB;
  const allowed = (m: number) => baseline + 1.2 * (m + dataset);
  const p = medianPeak(runArgs(data)), ps = medianPeak(runArgs(data, join(work, 'm.safetensors')));
  const mark = (x: number, a: number) => `${x.toFixed(1)} MiB ${x <= a ? '≤' : '>'}`;
  console.log(`| ${classes} | ${dataset.toFixed(1)} MiB | ${modelFile.toFixed(1)} MiB | ${modelHeld.toFixed(1)} MiB | ${allowed(modelFile).toFixed(1)} / ${allowed(modelHeld).toFixed(1)} MiB | ${mark(p, allowed(modelFile))} file's, ${p <= allowed(modelHeld) ? '≤' : '>'} training's | ${mark(ps, allowed(modelFile))} file's, ${ps <= allowed(modelHeld) ? '≤' : '>'} training's |`);
}
rmSync(work, { recursive: true, force: true });
