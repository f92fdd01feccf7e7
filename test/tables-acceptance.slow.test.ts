/**
 * The acceptance check of issue 21, on this repository's fixtures: exactly the three commands a user runs, reading
 * `accuracy` or `r2` from eval's JSON.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';

const T = (name: string) => join(ROOT, 'test/fixtures/tabular', name);

async function accept(train: string, test: string, label: string): Promise<Record<string, number>> {
  const dir = tempDir();
  const arrow = join(dir, 'train.arrow'), model = join(dir, 'm.safetensors');
  const c = await cli('data', ['convert', '--csv', train, '--label', label, '--out', arrow]);
  expect(c.code, c.stderr).toBe(0);
  const r = await cli('trainer', ['run', '--data', arrow, '--seed', '1', '--save', model]);
  expect(r.code, r.stderr).toBe(0);
  const e = await cli('trainer', ['eval', '--model', model, '--csv', test, '--label', label, '--json']);
  expect(e.code, e.stderr).toBe(0);
  return jsonLines(e.stdout)[0];
}

describe('real tables through the README\'s commands, default epochs', () => {
  it('a regression target (load_diabetes): r2 from eval --csv', async () => {
    const j = await accept(T('diabetes-train.csv'), T('diabetes-test.csv'), 'target');
    expect(j.r2).toBeGreaterThan(0.35);
    expect(j.accuracy).toBeUndefined();
  });

  it('categories, missing values and labels {0, 100, 200}: accuracy from eval --csv, an unseen category counted', async () => {
    const j = await accept(T('fruit-train.csv'), T('fruit-test.csv'), 'kind');
    expect(j.accuracy).toBeGreaterThan(0.75);
    expect(j.unseen).toEqual({ color: 1 });
  });
});
