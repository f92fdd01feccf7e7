import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, mnistIdxFiles } from '@hogwild/data';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';

// Debian's python3-torch installs into the system Python (/usr/bin/python3), which a pyenv or venv python3 on the
// PATH may hide: the first of the two that imports torch runs the snippet.
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!PYTHON) console.warn('test/torch.slow.test.ts: skipped: no python3 here imports torch (apt-get install -y python3-torch; CI installs it)');

/** The README's three lines, on rows of raw features (JSON lines), printing each row's probabilities; `shape` also feeds them reshaped. */
const SNIPPET = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'python'))})
rows = torch.tensor([json.loads(l) for l in open(sys.argv[2])], dtype=torch.float64)

from hogwild_torch import load
model = load(sys.argv[1])
probabilities = model(rows)

with torch.no_grad():
    out = {'flat': probabilities.tolist(), 'classes': model.classes}
    if len(model.input_shape) > 1:
        out['shaped'] = model(rows.reshape(-1, *model.input_shape)).tolist()
print(json.dumps(out))
`;

let dir: string;
beforeAll(() => { dir = tempDir(); });

/** trainer predict --jsonl --json on the rows, and the snippet on the same rows. */
async function both(model: string, rows: number[][]) {
  const file = join(dir, `rows-${rows.length}-${rows[0].length}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const p = await cli('trainer', ['predict', '--model', model, '--jsonl', file, '--json']);
  expect(p.code, p.stderr).toBe(0);
  const py = spawnSync(PYTHON!, ['-c', SNIPPET, model, file], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  expect(py.status, py.stderr).toBe(0);
  return { predicted: jsonLines(p.stdout).map((l) => l.probabilities as number[]), torch: JSON.parse(py.stdout) as { flat: number[][]; shaped?: number[][]; classes: string[] | null } };
}

/** The largest |difference| between two lists of probability rows of the same shape. */
function maxDiff(a: number[][], b: number[][]): number {
  expect(b.length).toBe(a.length);
  let worst = 0;
  a.forEach((row, i) => {
    expect(b[i].length).toBe(row.length);
    row.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b[i][j])); });
  });
  return worst;
}

describe.skipIf(!PYTHON)('python/hogwild_torch.py: a hogwild model in torch.nn.Sequential', () => {
  it('gives the probabilities of trainer predict (to 1e-6) for a tabular softmax model with standardised features', async () => {
    const data = join(dir, 'iris.arrow'), model = join(dir, 'iris.safetensors');
    const csv = join(ROOT, 'test/fixtures/tabular/iris.csv');
    expect((await cli('data', ['convert', '--csv', csv, '--label', 'species', '--out', data])).code).toBe(0);
    const run = await cli('trainer', ['run', '--data', data, '--workers', '1', '--epochs', '20', '--save', model, '--json']);
    expect(run.code, run.stderr).toBe(0);
    // Every row of the table's four feature columns, as a user would send them.
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 4).map(Number));
    const { predicted, torch } = await both(model, rows);
    expect(maxDiff(predicted, torch.flat)).toBeLessThanOrEqual(1e-6);
    expect(torch.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    // Not a trivial agreement: the model separates the classes.
    expect(predicted.filter((p) => Math.max(...p) > 0.9).length).toBeGreaterThan(50);
  });

  it('gives the probabilities of trainer predict (to 1e-6) for an image model with sigmoid outputs, on flat or 28×28 pixels', async () => {
    const idx = mnistIdxFiles();
    const data = join(dir, 'digits.arrow'), model = join(dir, 'digits.safetensors');
    expect((await cli('data', ['convert', '--images', idx.trainImages, '--labels', idx.trainLabels, '--limit', '3000', '--out', data])).code).toBe(0);
    const run = await cli('trainer', ['run', '--data', data, '--workers', '1', '--layers', '784,32,10', '--activation', 'tanh', '--loss', 'cross-entropy', '--lr', '0.05', '--epochs', '2', '--save', model, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const test = await loadMnist('test');
    const rows = Array.from({ length: 40 }, (_, i) => Array.from(test.features.subarray(784 * i, 784 * (i + 1))));
    const { predicted, torch } = await both(model, rows);
    expect(maxDiff(predicted, torch.flat)).toBeLessThanOrEqual(1e-6);
    expect(maxDiff(torch.flat, torch.shaped!)).toBe(0);
    const argmax = (p: number[]) => p.indexOf(Math.max(...p));
    expect(rows.filter((_, i) => argmax(torch.flat[i]) === test.labels[i]).length).toBeGreaterThan(30);
  });
});
