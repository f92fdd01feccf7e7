import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, tempDir } from './helpers.ts';

// Peak memory of `data convert` in its own process (the process's maxRSS, written as it exits), on the bombs of
// make-bombs.py and on valid compressed files from scipy. A memory figure, not a timing.
const ROOT = join(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'packages/data/src/cli/main.ts');
const MB = 1e6;
let dir: string;
beforeAll(() => {
  dir = tempDir();
  execFileSync('python3', [fixture('make-bombs.py'), dir, '--large', '60000', '--uint8']);
});

/** Runs `data ARGS` in a child process; its peak resident memory in bytes, exit code and stderr. */
function dataPeak(...args: string[]): { code: number | null; stderr: string; peak: number } {
  const rss = join(dir, 'rss.txt');
  const hook = 'data:text/javascript,' + encodeURIComponent(`import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(${JSON.stringify(rss)}, String(process.resourceUsage().maxRSS)));`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', hook, MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, peak: Number(readFileSync(rss, 'utf8')) * 1024 };
}

describe('MATLAB decompression bombs in memory', () => {
  for (const bomb of ['bomb-zeros.mat', 'bomb-claims.mat', 'bomb-flags.mat', 'bomb-4g.mat', 'bomb-dims.mat']) {
    it(`refuses ${bomb} in one line, exit 1, under 200 MB at its peak`, () => {
      const r = dataPeak('convert', '--mat', join(dir, bomb), '--features', 'X', '--out', join(dir, 'o.arrow'));
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.peak / MB, r.stderr).toBeLessThan(200);
    });
  }

  it('reads a valid 60000 x 784 uint8 array (scipy, compressed) in memory near its declared 47 MB', () => {
    const r = dataPeak('convert', '--mat', join(dir, 'large.mat'), '--features', 'X', '--labels', 'y', '--out', join(dir, 'large.arrow'));
    expect(r.code, r.stderr).toBe(0);
    // The node process with the CLI loaded is ~100 MB; then the inflated element (47 MB), its values and the dataset.
    expect(r.peak / MB).toBeLessThan(100 + 4 * 47);
  });
});
