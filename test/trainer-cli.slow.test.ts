import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';

// Trains on the whole of the bundled MNIST (4 epochs, 2 workers) to an accuracy target: in `pnpm test:slow`.
describe('trainer predict on digits drawn by hand', () => {
  it('a model trained on the bundled MNIST reads at least 18 of the 20 drawn digits (pen on paper PNGs, chalk on board JPEGs)', async () => {
    const model = join(tempDir(), 'mnist.safetensors');
    const run = await cli('trainer', ['run', '--workers', '2', '--epochs', '4', '--save', model, '--json'], { timeoutMs: 180_000 });
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout).at(-1).test_accuracy).toBeGreaterThan(0.97);
    const digits = join(ROOT, 'test/fixtures/digits');
    const files = readdirSync(digits).filter((f) => /\.(png|jpg)$/.test(f)).sort();
    expect(files).toHaveLength(20);
    const r = await cli('trainer', ['predict', '--model', model, ...files.map((f) => join(digits, f)), '--json']);
    expect(r.code).toBe(0);
    const answers = jsonLines(r.stdout);
    const right = answers.filter((a) => a.digit === Number(/-(\d)\./.exec(a.file)![1]));
    expect(right.length, JSON.stringify(answers.map((a) => [a.file.split('/').pop(), a.digit]))).toBeGreaterThanOrEqual(18);
  });
});
