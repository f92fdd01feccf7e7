import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from './helpers.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { createDataProgram as createProgram } from './internal.ts';

/** `pnpm data ARGS…` in this process, through the program the CLI runs (the cache folder is read at each call). */
const data = (args: string[]) => runProgram(createProgram(), args);

describe('the bundled MNIST cache', () => {
  afterEach(() => { vi.unstubAllEnvs(); });

  it('converts both splits on first use, reuses them after, and redoes a damaged one', async () => {
    const cache = tempDir();
    vi.stubEnv('HOGWILD_CACHE', cache);
    const first = await data(['mnist', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).splits.map((s: any) => [s.split, s.action])).toEqual([['train', 'converted'], ['test', 'converted']]);
    const again = await data(['mnist', '--json']);
    expect(JSON.parse(again.stdout).splits.map((s: any) => s.action)).toEqual(['cached', 'cached']);
    const train = join(cache, 'mnist-train.arrow');
    writeFileSync(train, readFileSync(train).subarray(0, 1_000_000));
    const repaired = await data(['mnist', '--json']);
    expect(JSON.parse(repaired.stdout).splits.map((s: any) => s.action)).toEqual(['converted', 'cached']);
    const info = await data(['inspect', train, '--json']);
    expect(JSON.parse(info.stdout)).toMatchObject({ rows: 60000, labels: { 0: 5923, 9: 5949 } });
  });
});
