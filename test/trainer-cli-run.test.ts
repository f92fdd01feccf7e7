import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '@hogwild/core';
import { cli, jsonLines, ROOT } from './helpers.ts';
import { smallMnist, trainerInProcess } from './trainer-cli-fixture.ts';

// The trainer CLI end to end: the whole chain (convert, run, eval, predict) as processes, and a second process for determinism.
// test/trainer-cli-*.test.ts are one file a topic, so that they run side by side; each makes its own small dataset.
let dir: string, train: string, test: string;
beforeAll(async () => {
  ({ dir, train, test } = await smallMnist(true));
});

const small = () => ['--data', train, '--test', test];
const trainer = trainerInProcess;

describe('trainer run, eval and predict end to end', () => {
  it('converts, trains with 2 workers, saves, evaluates and predicts', async () => {
    const model = join(dir, 'two.safetensors');
    const run = await cli('trainer', ['run', ...small(), '--workers', '2', '--epochs', '2', '--save', model, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.map((l) => l.event)).toEqual(['epoch', 'epoch', 'done']);
    expect(lines[0]).toMatchObject({ event: 'epoch', epoch: 1, workers: 2 });
    // Each epoch's figures: its 3,000 samples over its seconds, a mean loss that falls from the first epoch to the
    // second, an accuracy that counts whole test samples (of 1,000), and the epochs' seconds adding up to the run's.
    for (const l of lines.slice(0, 2)) {
      expect(l.seconds).toBeGreaterThan(0);
      expect(l.samples_per_second).toBe(3000 / l.seconds);
      expect(l.train_loss).toBeGreaterThan(0);
      expect(Math.round(1000 * l.test_accuracy) / 1000).toBe(l.test_accuracy);
      expect(l.eval_seconds).toBeGreaterThan(0);
    }
    expect(lines[1].train_loss, `losses ${lines[0].train_loss}, ${lines[1].train_loss}`).toBeLessThan(lines[0].train_loss);
    expect(lines[1].test_accuracy).toBeGreaterThan(0.85);
    expect(lines[2].train_seconds).toBe(lines[0].seconds + lines[1].seconds);
    expect(lines[2].test_accuracy).toBe(lines[1].test_accuracy);
    // Cosine over 2 epochs: rates of 0.85 and 0.15 of lr, so the second epoch's periods grow (a row after at most 255 changes).
    expect(lines.slice(0, 2).map((l) => l.merge_periods)).toEqual([{ rows: 16, touches: 64, dense: 16 }, { rows: 63, touches: 255, dense: 63 }]);
    expect(lines[2]).toMatchObject({ event: 'done', epochs: 2, saved: model });

    const m = loadModel(model);
    expect(m.spec).toEqual({ layers: [784, 128, 10], activation: 'relu', loss: 'softmax' });
    expect(m.inputShape).toEqual([28, 28]);

    const ev = await cli('trainer', ['eval', '--model', model, '--data', test, '--workers', '2', '--json']);
    expect(ev.code).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect(e.samples).toBe(1000);
    expect(e.accuracy).toBeCloseTo(lines[1].test_accuracy, 10);
    expect(e.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(1000);
    expect(e.classes).toHaveLength(10);

    const text = await cli('trainer', ['eval', '--model', model, '--data', test, '--workers', '1']);
    expect(text.stdout).toMatch(/accuracy \d+\.\d\d% \(\d+\/1000\)/);
    expect(text.stdout).toMatch(/true\\pred/);
    expect(text.stdout).toMatch(/class\s+precision\s+recall\s+support/);

    const p = await cli('trainer', ['predict', '--model', model, join(ROOT, 'test/fixtures/digits/chalk-7.jpg'), '--json']);
    expect(p.code).toBe(0);
    const out = JSON.parse(p.stdout);
    expect(out.probabilities).toHaveLength(10);
    expect(out.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('prints progress lines, a confusion matrix and the saved path as text', async () => {
    const model = join(dir, 'text.safetensors');
    const r = await trainer(['run', ...small(), '--workers', '1', '--epochs', '1', '--save', model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^training 784-128-10 relu\/softmax on .+train\.arrow \(3,000 samples; test .+test\.arrow\), 1 worker, kernel wasm, lr 0\.02 cosine, 1 epoch, seed 1\n/);
    expect(r.stdout).toMatch(/epoch  1\/1  loss \d\.\d{4}  test \d+\.\d\d%/);
    expect(r.stdout).toMatch(/true\\pred/);
    expect(r.stdout).toContain(`model saved to ${model}`);
  });

  for (const kernel of ['wasm', 'ts']) {
    it(`writes bit-identical models from two runs with --workers 1 and the same seed (${kernel} kernel)`, async () => {
      const a = join(dir, `det-a-${kernel}.safetensors`), b = join(dir, `det-b-${kernel}.safetensors`), c = join(dir, `det-c-${kernel}.safetensors`);
      const args = (seed: string) => ['run', ...small(), '--workers', '1', '--epochs', '2', '--seed', seed, '--kernel', kernel, '--json'];
      const [ra, rb, rc] = await Promise.all([cli('trainer', [...args('5'), '--save', a]), cli('trainer', [...args('5'), '--save', b]), cli('trainer', [...args('6'), '--save', c])]);
      expect([ra.code, rb.code, rc.code]).toEqual([0, 0, 0]);
      expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
      expect(Buffer.compare(readFileSync(a), readFileSync(c))).not.toBe(0);
    });
  }
});
