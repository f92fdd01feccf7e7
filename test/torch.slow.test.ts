import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '@hogwild/data';
import { mnistIdxFiles } from './internal.ts';
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

/**
 * A table model on raw rows, as the loader's docstring shows: csv.reader rows with the header's names, csv.DictReader
 * dicts, and JSON-line objects (None, strings, numbers, booleans), through model.encode; float64 (model.double(), the
 * arithmetic of trainer predict) and the float32 default.
 */
const RAW_SNIPPET = `
import csv, json, sys, torch
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'python'))})
from hogwild_torch import load

model = load(sys.argv[1]).double()
rows = list(csv.reader(open(sys.argv[2], newline='')))
with torch.no_grad():
    out = {
        'names': model(model.encode(rows[1:], names=rows[0])).tolist(),
        'dicts': model(model.encode(csv.DictReader(open(sys.argv[2], newline='')))).tolist(),
        'jsonl': model(model.encode([json.loads(l) for l in open(sys.argv[3])])).tolist(),
        'float32': load(sys.argv[1])(model.encode(rows[1:], names=rows[0])).tolist(),
        'task': model.task,
    }
print(json.dumps(out))
`;

let dir: string;
beforeAll(() => { dir = tempDir(); });

/** A model trained on a table as the README does it (data convert, trainer run; one worker, seeded). */
async function tableModel(csv: string, label: string): Promise<string> {
  const data = join(dir, csv.replace(/\.csv$/, '.arrow')), model = join(dir, csv.replace(/\.csv$/, '.safetensors'));
  const convert = await cli('data', ['convert', '--csv', join(ROOT, 'test/fixtures/tabular', csv), '--label', label, '--out', data]);
  expect(convert.code, convert.stderr).toBe(0);
  const run = await cli('trainer', ['run', '--data', data, '--workers', '1', '--seed', '1', '--save', model, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return model;
}

/** trainer predict --csv and --jsonl (--json) on raw rows, and RAW_SNIPPET on the same files. */
async function bothRaw(model: string, csv: string, objects: readonly Record<string, unknown>[]) {
  const file = join(dir, `objects-${objects.length}.jsonl`);
  writeFileSync(file, objects.map((o) => JSON.stringify(o)).join('\n') + '\n');
  const byCsv = await cli('trainer', ['predict', '--model', model, '--csv', csv, '--json']);
  expect(byCsv.code, byCsv.stderr).toBe(0);
  const byJsonl = await cli('trainer', ['predict', '--model', model, '--jsonl', file, '--json']);
  expect(byJsonl.code, byJsonl.stderr).toBe(0);
  const py = spawnSync(PYTHON!, ['-c', RAW_SNIPPET, model, csv, file], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  expect(py.status, py.stderr).toBe(0);
  return { csv: jsonLines(byCsv.stdout), jsonl: jsonLines(byJsonl.stdout), torch: JSON.parse(py.stdout) as Record<'names' | 'dicts' | 'jsonl' | 'float32', number[][]> & { task: string } };
}

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

  it('reads a table\'s raw rows through model.encode (a missing number filled, categories one-hot, the missing one, an unseen one all zeros) to trainer predict --csv and --jsonl\'s probabilities (to 1e-6)', async () => {
    const model = await tableModel('fruit-train.csv', 'kind');
    const csv = join(ROOT, 'test/fixtures/tabular/fruit-test.csv');
    const text = readFileSync(csv, 'utf8');
    // Not a trivial agreement: the rows hold missing numbers (empty, NA), missing categories and an unseen one.
    expect(text).toMatch(/\n\w+,,/);
    expect(text).toMatch(/\n\w+,NA,/);
    expect(text).toMatch(/\n\w+,[\d.]+,,/);
    expect(text).toContain(',purple,');
    const objects = [{ weight: null, color: null, ripe: 'False' }, { weight: 'NA', color: 'purple', ripe: 'True' }, { weight: 130, color: 'red', ripe: true }, { weight: '96.8', color: 'green', ripe: 'False' }];
    const { csv: predicted, jsonl, torch } = await bothRaw(model, csv, objects);
    const p = predicted.map((l) => l.probabilities as number[]);
    expect(p).toHaveLength(60);
    expect(maxDiff(p, torch.names)).toBeLessThanOrEqual(1e-6);
    expect(torch.dicts).toEqual(torch.names);
    expect(maxDiff(p, torch.float32)).toBeLessThanOrEqual(1e-6);
    expect(maxDiff(jsonl.map((l) => l.probabilities), torch.jsonl)).toBeLessThanOrEqual(1e-6);
    expect(torch.task).toBe('classification');
    expect(p.filter((q) => Math.max(...q) > 0.9).length).toBeGreaterThan(20);
  });

  it('gives a regression\'s value in the target\'s units from raw rows, trainer predict --csv\'s value to 1e-6 (model.double(); float32 to 1e-6 relative)', async () => {
    const model = await tableModel('diabetes-train.csv', 'target');
    const csv = join(ROOT, 'test/fixtures/tabular/diabetes-test.csv');
    const objects = [{ age: 0.02, sex: -0.04, bmi: null, bp: 0.01, s1: 0, s2: 0, s3: 0, s4: 0, s5: 0.03, s6: 'NA' }];
    const { csv: predicted, jsonl, torch } = await bothRaw(model, csv, objects);
    const values = predicted.map((l) => [l.value as number]);
    expect(values).toHaveLength(89);
    expect(maxDiff(values, torch.names)).toBeLessThanOrEqual(1e-6);
    expect(maxDiff(jsonl.map((l) => [l.value]), torch.jsonl)).toBeLessThanOrEqual(1e-6);
    values.forEach(([v], i) => expect(Math.abs(torch.float32[i][0] - v)).toBeLessThanOrEqual(1e-6 * Math.abs(v)));
    expect(torch.task).toBe('regression');
    // In the target's units (about 25 to 346), not standardised.
    expect(Math.min(...values.flat())).toBeGreaterThan(20);
    expect(Math.max(...values.flat()) - Math.min(...values.flat())).toBeGreaterThan(50);
  });
});
