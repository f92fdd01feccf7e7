import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/program.ts';
import { readArrowDataset } from '../src/arrow-dataset.ts';
import { fixture, runProgram, tempDir } from './helpers.ts';

const data = (...argv: string[]) => runProgram(createProgram(), argv);

describe('data convert', () => {
  it('converts IDX files and prints a summary', async () => {
    const out = join(tempDir(), 's.arrow');
    const r = await data('convert', '--images', fixture('small-images.idx.gz'), '--labels', fixture('small-labels.idx'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*s\.arrow: 5 rows, features uint8\[6\], shape 3x2, .* MB in .* s\nlabels 0:2 1:2 2:1\n$/);
    expect(readArrowDataset(out).rows).toBe(5);
  });
  it('converts an ex4data1-shaped .mat file with --limit and --json', async () => {
    const out = join(tempDir(), 'ex4.arrow');
    const r = await data('convert', '--mat', fixture('ex4-like-v7.mat'), '--features', 'X', '--labels', 'y', '--label-map', '10=0',
      '--image-shape', '20x20', '--column-major', '--out', out, '--limit', '10', '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ rows: 10, features: { type: 'float32', length: 400 }, shape: [20, 20] });
    expect(Object.keys(summary.labels).every((k) => Number(k) <= 9)).toBe(true);
  });
  it('says, in one line each, when .mat labels look 1-based and when images may be column-major', async () => {
    const out = join(tempDir(), 'ex4.arrow');
    const r = await data('convert', '--mat', fixture('ex4-like-v7.mat'), '--features', 'X', '--labels', 'y', '--image-shape', '20x20', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'data: note: labels run from 1 to 10, with no 0: MATLAB-style 1-based classes (ex4data1 writes the digit 0 as 10: --label-map 10=0); as they are, the network gets 11 outputs, one never used; --label-map 1=0,2=1,3=2,… renumbers them from 0\n' +
      'data: note: MATLAB stores matrices column by column: if the images look transposed (data inspect OUT --show 0), convert again with --column-major\n');
    const quiet = await data('convert', '--mat', fixture('ex4-like-v7.mat'), '--features', 'X', '--labels', 'y', '--label-map', '10=0', '--image-shape', '20x20', '--column-major', '--out', out, '--force');
    expect(quiet.stderr).toBe('');
  });
  it('refuses to overwrite without --force (exit 2) and overwrites with it', async () => {
    const out = join(tempDir(), 's.arrow');
    writeFileSync(out, 'keep me');
    const args = ['convert', '--images', fixture('small-images.idx'), '--labels', fixture('small-labels.idx'), '--out', out];
    const r = await data(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`data: --out: ${out} exists; pass --force to overwrite it\n`);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect((await data(...args, '--force')).code).toBe(0);
  });
  it('removes temporary files that a killed conversion left under the output name, and only those', async () => {
    const dir = tempDir();
    const out = join(dir, 's.arrow');
    // 999999999: no such process; the parent of this test process: alive, maybe still writing.
    const dead = `${out}.999999999.tmp`, live = `${out}.${process.ppid}.tmp`, other = join(dir, 'other.arrow.999999999.tmp');
    for (const f of [dead, live, other]) writeFileSync(f, 'partial');
    const r = await data('convert', '--images', fixture('small-images.idx'), '--labels', fixture('small-labels.idx'), '--out', out);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['other.arrow.999999999.tmp', 's.arrow', `s.arrow.${process.ppid}.tmp`].sort());
  });
  it('refuses an --out that is one of its inputs, even with --force', async () => {
    const dir = tempDir();
    const images = join(dir, 'images.idx');
    writeFileSync(images, readFileSync(fixture('small-images.idx')));
    const before = readFileSync(images);
    const r = await data('convert', '--images', images, '--labels', fixture('small-labels.idx'), '--out', join(dir, '.', 'images.idx'), '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`data: --out ${join(dir, 'images.idx')} is the --images input: choose another output name\n`);
    expect(readFileSync(images)).toEqual(before);
  });

  const badInputs: [string, () => string[], RegExp][] = [
    ['a missing file', () => ['--images', '/nonexistent/x.idx', '--labels', fixture('small-labels.idx')], /^data: \/nonexistent\/x.idx: no such file\n$/],
    ['a directory', () => ['--images', tempDir(), '--labels', fixture('small-labels.idx')], /: is a directory, expected a file\n$/],
    ['a v7.3 file', () => ['--mat', fixture('v73.mat'), '--features', 'X'], /v73.mat: is a MATLAB v7.3 \(HDF5\) file, which is not supported; re-save it/],
    ['a variable that does not exist', () => ['--mat', fixture('ex4-like-v7.mat'), '--features', 'Q'], /ex4-like-v7.mat: no variable named "Q" \(variables: X, y\)\n$/],
    ['a non-numeric variable', () => ['--mat', fixture('classes-v6-le.mat'), '--features', 'txt'], /classes-v6-le.mat: variable "txt" is char, expected a real numeric or logical array\n$/],
    ['labels that do not fit a label map', () => ['--mat', fixture('ex4-like-v7.mat'), '--features', 'X', '--labels', 'y', '--label-map', '10=999'], /label 999 \(mapped from 10\) at row \d+ does not fit uint8/],
  ];
  for (const [what, args, message] of badInputs) {
    it(`exits 1 with one line naming the file for ${what}, leaving no output`, async () => {
      const dir = tempDir();
      const r = await data('convert', ...args(), '--out', join(dir, 'o.arrow'));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  const badUsage: [string, string[], string][] = [
    ['no source', ['--out', 'o.arrow'], 'data: convert needs a source: --images FILE --labels FILE, --mat FILE --features VAR, --csv/--parquet/--arrow/--jsonl FILE --label COLUMN, or --libsvm/--fasttext FILE\n'],
    ['--images without --labels', ['--images', 'a', '--out', 'o.arrow'], 'data: --images needs --labels FILE: the IDX label file\n'],
    ['--mat without --features', ['--mat', 'a.mat', '--out', 'o.arrow'], 'data: --mat needs --features VAR: the variable with one sample per row\n'],
    ['a bad --label-map', ['--mat', fixture('ex4-like-v7.mat'), '--features', 'X', '--label-map', 'ten', '--out', 'o.arrow'], 'data: --label-map: expected FROM=TO pairs such as 10=0, found "ten"\n'],
    ['a bad --image-shape', ['--mat', fixture('ex4-like-v7.mat'), '--features', 'X', '--image-shape', '20by20', '--out', 'o.arrow'], 'data: --image-shape: expected sizes joined by x such as 20x20, found "20by20"\n'],
    ['an --image-shape of the wrong size', ['--mat', fixture('ex4-like-v7.mat'), '--features', 'X', '--image-shape', '10x10', '--out', 'o.arrow'], 'data: --image-shape 10x10 has 100 elements, but variable "X" has 400 features per sample\n'],
  ];
  for (const [what, args, message] of badUsage) {
    it(`exits 2 for ${what}`, async () => {
      const r = await data('convert', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(message);
    });
  }
  it('exits 2 with commander\'s message for a bad --limit, in one line naming the program', async () => {
    const r = await data('convert', '--images', 'a', '--labels', 'b', '--out', 'o', '--limit', '-3');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("data: option '--limit <n>' argument '-3' is invalid: expected an integer ≥ 1 (see data convert --help)\n");
  });
});

describe('data inspect', () => {
  it('prints the DESIGN.md JSON for IDX, MAT and Arrow files', async () => {
    const idx = await data('inspect', fixture('small-images.idx.gz'), '--json');
    expect(JSON.parse(idx.stdout)).toEqual({ format: 'idx', dtype: 'uint8', dims: [5, 3, 2], gzip: true });
    const mat = JSON.parse((await data('inspect', fixture('ex4-like-v7.mat'), '--json')).stdout);
    expect(mat).toEqual({ format: 'mat', version: 5, variables: [
      { name: 'X', class: 'double', dims: [60, 400], supported: true },
      { name: 'y', class: 'double', dims: [60, 1], supported: true },
    ] });
    const out = join(tempDir(), 's.arrow');
    await data('convert', '--images', fixture('small-images.idx'), '--labels', fixture('small-labels.idx'), '--out', out);
    const arrow = JSON.parse((await data('inspect', out, '--json')).stdout);
    expect(arrow).toMatchObject({ format: 'arrow', rows: 5, features: { type: 'uint8', length: 6 }, shape: [3, 2], labels: { 0: 2, 1: 2, 2: 1 } });
  });
  it('draws a sample as ASCII art with --show', async () => {
    const out = join(tempDir(), 'ex4.arrow');
    await data('convert', '--mat', fixture('ex4-like-v7.mat'), '--features', 'X', '--labels', 'y', '--label-map', '10=0', '--image-shape', '20x20', '--column-major', '--out', out);
    const r = await data('inspect', out, '--show', '0');
    const lines = r.stdout.split('\n');
    const title = lines.findIndex((l) => l.startsWith('sample 0, label '));
    expect(title).toBeGreaterThan(0);
    expect(lines.slice(title + 1, title + 21)).toHaveLength(20);
    expect(r.stdout).toMatch(/[#%@]/);
    const bad = await data('inspect', out, '--show', '99');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`data: ${out}: --show 99: sample out of range, the file has 60 (0–59)\n`);
  });
  it('lists MAT variables as a table, and names an unknown format', async () => {
    const r = await data('inspect', fixture('classes-v7-be.mat'));
    expect(r.stdout).toMatch(/MAT-file version 5, 18 variable\(s\)/);
    expect(r.stdout).toMatch(/cel\s+cell\s+1x2\s+not supported/);
    const u = await data('inspect', fixture('make-fixtures.py'));
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/make-fixtures.py: unknown format: not an Arrow IPC file, a MAT file or an IDX file \(raw or gzip\)\n$/);
  });
  it('prints names and metadata from files with their control characters escaped, errors included', async () => {
    const f = fixture('control-names-v6.mat');
    const shown = await data('inspect', f);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('red\\x1b[31mname\\x0d\\x0a');
    expect(shown.stdout).not.toMatch(/[\u001b\r]/);
    const missing = await data('convert', '--mat', f, '--features', 'Q', '--out', join(tempDir(), 'o.arrow'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`data: ${f}: no variable named "Q" (variables: X, red\\x1b[31mname\\x0d\\x0a)\n`);
    // An Arrow file whose source metadata (the names of the files it came from) holds an escape.
    const dir = tempDir();
    const images = join(dir, 'img\u001b[2J.idx');
    writeFileSync(images, readFileSync(fixture('small-images.idx')));
    const out = join(dir, 'o.arrow');
    expect((await data('convert', '--images', images, '--labels', fixture('small-labels.idx'), '--out', out)).code).toBe(0);
    const arrow = await data('inspect', out);
    expect(arrow.stdout).toContain('source    img\\x1b[2J.idx, small-labels.idx');
  });
  it('shows a stack trace only with --debug', async () => {
    const plain = await data('inspect', '/nonexistent');
    expect(plain.stderr).toBe('data: /nonexistent: no such file\n');
    const debug = await data('inspect', '/nonexistent', '--debug');
    expect(debug.stderr).toMatch(/^data: \/nonexistent: no such file\nInputError: .*\n\s+at /);
  });
});
