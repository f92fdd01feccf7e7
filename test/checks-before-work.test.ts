import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createDataProgram as dataProgram } from './internal.ts';
import { createTrainerProgram as trainerProgram } from './internal.ts';
import { BENCH } from './internal.ts';
import { tempDir } from './helpers.ts';

const data = (...argv: string[]) => runProgram(dataProgram(), argv);
const trainer = (...argv: string[]) => runProgram(trainerProgram(), argv);

describe('data convert checks its outputs before any work', () => {
  // The input does not exist: an answer about --out shows --out was checked before the input was read.
  const input = ['--csv', '/nonexistent/big.csv', '--label', 'y'];

  it('refuses an existing --out (and --test-out) before reading the input, and leaves it as it was', async () => {
    const dir = tempDir();
    const out = join(dir, 'train.arrow');
    writeFileSync(out, 'keep me');
    const r = await data('convert', ...input, '--out', out);
    expect([r.code, r.stderr]).toEqual([2, `data: --out: ${out} exists; pass --force to overwrite it\n`]);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const t = await data('convert', ...input, '--test-fraction', '0.2', '--test-out', out, '--out', join(dir, 'new.arrow'));
    expect([t.code, t.stderr]).toEqual([2, `data: --test-out: ${out} exists; pass --force to overwrite it\n`]);
    // With --force the input is read, and its absence is what is said.
    expect((await data('convert', ...input, '--out', out, '--force')).stderr).toBe('data: /nonexistent/big.csv: no such file\n');
  });

  it('gives --out DIR its own message, even with --force', async () => {
    const dir = tempDir();
    for (const force of [[], ['--force']]) {
      const r = await data('convert', ...input, '--out', dir, ...force);
      expect([r.code, r.stderr]).toEqual([2, `data: --out ${dir} is a folder; give a file name such as ${join(dir, 'dataset.arrow')}\n`]);
    }
  });

  it('refuses an --out in a folder that does not exist, or under a file', async () => {
    const dir = tempDir();
    const r = await data('convert', ...input, '--out', join(dir, 'no-such', 'x.arrow'));
    expect([r.code, r.stderr]).toEqual([2, `data: --out ${join(dir, 'no-such', 'x.arrow')}: folder ${join(dir, 'no-such')} does not exist\n`]);
    writeFileSync(join(dir, 'file'), '');
    const f = await data('convert', ...input, '--out', join(dir, 'file', 'x.arrow'));
    expect([f.code, f.stderr]).toEqual([2, `data: --out ${join(dir, 'file', 'x.arrow')}: ${join(dir, 'file')} is not a folder\n`]);
  });

  it('still converts into a new name, and replaces an existing one with --force', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const csv = join(dir, 't.csv');
    writeFileSync(csv, 'a,b,y\n1,2,x\n3,4,z\n5,6,x\n');
    const out = join(dir, 'sub', 't.arrow');
    expect((await data('convert', '--csv', csv, '--label', 'y', '--out', out)).code).toBe(0);
    expect((await data('convert', '--csv', csv, '--label', 'y', '--out', out, '--force')).code).toBe(0);
  });
});

describe('flag messages stay on one line and say the interval', () => {
  it('a mistyped flag or command keeps its suggestion on the error line', async () => {
    const r = await trainer('run', '--epoch', '3');
    expect([r.code, r.stderr]).toEqual([2, "trainer: unknown option '--epoch' (did you mean --epochs?) (see trainer run --help)\n"]);
    const c = await trainer('rn');
    expect([c.code, c.stderr]).toEqual([2, "trainer: unknown command 'rn' (did you mean run?) (see trainer --help)\n"]);
    const d = await data('convert', '--image', 'x', '--out', 'y');
    expect([d.code, d.stderr]).toEqual([2, "data: unknown option '--image' (did you mean --images?) (see data convert --help)\n"]);
  });

  it('--lr Infinity (and 0, and NaN) is refused with the interval (0, ∞)', async () => {
    for (const lr of ['Infinity', '0', 'NaN', '-1']) {
      const r = await trainer('run', '--lr', lr);
      expect([r.code, r.stderr]).toEqual([2, `trainer: option '--lr <rate>' argument '${lr}' is invalid: expected a number in (0, ∞) (see trainer run --help)\n`]);
    }
  });

  it('bench --target takes a fraction in (0, 1], or a percentage said so with its sign; 98 alone is refused', async () => {
    const parse = (t: string) => BENCH.target.check(BENCH.target.parse(t));
    expect([parse('0.98'), parse('1'), parse('98%'), parse('99.5 %'), parse('100%')]).toEqual([0.98, 1, 0.98, 0.995, 1]);
    for (const target of ['98', '0', '1.5', '0%', '150%', 'Infinity', 'NaN', '98%%']) {
      const r = await trainer('bench', '--target', target);
      expect([r.code, r.stderr]).toEqual([2, `trainer: option '--target <acc>' argument '${target}' is invalid: expected a fraction in (0, 1] such as 0.98, or a percentage such as 98% (see trainer bench --help)\n`]);
    }
  });
});
