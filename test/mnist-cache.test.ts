import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.ts';

describe('the bundled MNIST cache', () => {
  it('converts both splits on first use, reuses them after, and redoes a damaged one', async () => {
    const cache = tempDir();
    const env = { HOGWILD_CACHE: cache };
    const first = await cli('data', ['mnist', '--json'], { env });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).splits.map((s: any) => [s.split, s.action])).toEqual([['train', 'converted'], ['test', 'converted']]);
    const again = await cli('data', ['mnist', '--json'], { env });
    expect(JSON.parse(again.stdout).splits.map((s: any) => s.action)).toEqual(['cached', 'cached']);
    const train = join(cache, 'mnist-train.arrow');
    writeFileSync(train, readFileSync(train).subarray(0, 1_000_000));
    const repaired = await cli('data', ['mnist', '--json'], { env });
    expect(JSON.parse(repaired.stdout).splits.map((s: any) => s.action)).toEqual(['converted', 'cached']);
    const info = await cli('data', ['inspect', train, '--json']);
    expect(JSON.parse(info.stdout)).toMatchObject({ rows: 60000, labels: { 0: 5923, 9: 5949 } });
  });
});
