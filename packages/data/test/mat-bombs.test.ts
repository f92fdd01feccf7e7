import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetFromMat } from '../src/convert.ts';
import { createProgram } from '../src/cli/program.ts';
import { fixture, runProgram, tempDir } from './helpers.ts';

// The bombs and the large valid file are written here, at test time, by make-bombs.py: Python's zlib for the bombs
// (megabytes that inflate to gigabytes, not committed), scipy.io.savemat(do_compression=True) for the valid file.
// Their peak memory is checked in mat-bombs.slow.test.ts, and measured by bench/mat-bombs.sh.
let dir: string;
const ROWS = 1000, ROW = 993;
beforeAll(() => {
  dir = tempDir();
  execFileSync('python3', [fixture('make-bombs.py'), dir, '--large', String(ROWS)]);
});

const data = (...argv: string[]) => runProgram(createProgram(), argv);

describe('MATLAB decompression bombs', () => {
  const cases: [string, string, (f: string) => string][] = [
    ['a 1 MB v7 file whose zlib stream inflates to 1 GiB of zeros (inflated element tag: type 0, 0 bytes)', 'bomb-zeros.mat',
      (f) => `data: ${f}: zlib stream in a compressed variable inflates to more than the 8 bytes its header says (corrupted, or a decompression bomb) (at byte 128)\n`],
    // The array header after the tags is damaged (zeros): refused from the first inflated bytes, whatever the tags claim.
    ['a 5 MB file whose inflated element tag claims 4,294,967,288 bytes', 'bomb-claims.mat',
      (f) => `data: ${f}: corrupted array flags: type 0, 0 bytes (at byte 144)\n`],
    ['a 1 MB file that inflates to 1 GiB, as its element tag claims, of zeros where the array header goes', 'bomb-flags.mat',
      (f) => `data: ${f}: corrupted array flags: type 0, 0 bytes (at byte 144)\n`],
    ['a 5 MB file whose element tag claims 4,294,967,280 bytes (4,294,967,288 with the tag), zeros after it', 'bomb-4g.mat',
      (f) => `data: ${f}: corrupted array flags: type 0, 0 bytes (at byte 144)\n`],
    ['a well-formed variable of 1 x 2,147,483,647 doubles, 8 GiB as features, more than a dataset may hold', 'bomb-dims.mat',
      (f) => `data: ${f}: variable "X" declares 1x2147483647 double values, 8.0 GiB as float32 features: more than the 4 GiB a dataset may hold (the shared memory); not inflated (at byte 128)\n`],
  ];
  for (const [what, name, message] of cases) {
    it(`refuses ${what}, in one line with exit 1, inflating no more than its tags allow (inspect and convert)`, async () => {
      const f = join(dir, name);
      for (const argv of [['inspect', f], ['convert', '--mat', f, '--features', 'X', '--out', join(dir, `${name}.arrow`)]]) {
        const r = await data(...argv);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(message(f));
        expect(r.stdout).toBe('');
      }
    });
  }

  it('still reads a valid large compressed array (scipy, do_compression=True) as scipy.io.loadmat reads it', () => {
    const f = join(dir, 'large.mat');
    const ds = datasetFromMat(f, { features: 'X', labels: 'y' });
    expect([ds.rows, ds.featureLength]).toEqual([ROWS, 784]);
    const python = 'import json, sys, scipy.io as sio; m = sio.loadmat(sys.argv[1]); X = m["X"]; '
      + 'print(json.dumps({"sum": float(X.sum()), "row": X[int(sys.argv[2]), 300:340].tolist(), "last": X[-1, -8:].tolist(), "y": m["y"][:12, 0].tolist()}))';
    const want = JSON.parse(execFileSync('python3', ['-c', python, f, String(ROW)], { encoding: 'utf8' }));
    let sum = 0;
    for (let i = 0; i < ds.features.length; i++) sum += ds.features[i];
    expect(sum).toBe(want.sum);
    expect(Array.from(ds.features.subarray(ROW * 784 + 300, ROW * 784 + 340))).toEqual(want.row);
    expect(Array.from(ds.features.subarray(ds.features.length - 8))).toEqual(want.last);
    expect(Array.from(ds.labels.subarray(0, 12))).toEqual(want.y);
  });
});

describe('MATLAB compressed variables checked before they are inflated', () => {
  it('refuses an element that declares more bytes than its array\'s dimensions and values need', async () => {
    const out = join(dir, 'y-claims.mat');
    const r = await data('convert', '--mat', out, '--features', 'y', '--out', join(dir, 'y.arrow'));
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(new RegExp(`^data: ${out}: variable "y": its compressed element declares \\d+ bytes, where ${ROWS}x1 values of \\d bytes each and the array's header need \\d+; not inflated \\(at byte 128\\)\\n$`));
  });
});
