/**
 * The PyTorch loader (python/hogwild_torch.py) reads a compact model file (docs/model-format.md) into the full
 * nn.Linear weights: its outputs are the full model's, to the rounding of f16 and i8.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compactModel, loadModel, saveModel, type WeightPrecision } from '@hogwild/core';
import { readArrowDataset, type SparseDataset } from '@hogwild/data';
import { cli, ROOT, tempDir } from './helpers.ts';

// Debian's python3-torch installs into the system Python, which a pyenv or venv python3 on the PATH may hide.
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!PYTHON) console.warn('test/compact-model-torch.slow.test.ts: skipped: no python3 here imports torch (apt-get install -y python3-torch)');

/** Each model file's outputs on the rows (JSON: [[index, value], …] a row), as dense float32 inputs. */
const SNIPPET = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'python'))})
from hogwild_torch import load
rows = json.load(open(sys.argv[1]))
out = {}
for path in sys.argv[2:]:
    model = load(path)
    x = torch.zeros(len(rows), model[1].in_features)
    for r, row in enumerate(rows):
        for i, v in row:
            x[r, i] = v
    with torch.no_grad():
        out[path] = model(x).tolist()
print(json.dumps(out))
`;

describe.skipIf(!PYTHON)('PyTorch and compact model files', () => {
  let dir: string, full: string, rows: [number, number][][], keep: Uint8Array;
  beforeAll(async () => {
    dir = tempDir();
    const data = join(dir, 'spam.arrow');
    full = join(dir, 'full.safetensors');
    expect((await cli('data', ['convert', '--fasttext', join(ROOT, 'test/fixtures/sparse/spam.ft'), '--out', data])).code).toBe(0);
    const r = await cli('trainer', ['run', '--data', data, '--layers', `${2 ** 20},2`, '--lr', '0.5', '--schedule', 'constant', '--epochs', '5', '--workers', '1', '--save', full]);
    expect(r.code, r.stderr).toBe(0);
    const ds = readArrowDataset(data) as SparseDataset;
    keep = new Uint8Array(ds.featureLength);
    for (const i of ds.indices) keep[i] = 1;
    rows = Array.from({ length: 6 }, (_, s) => Array.from(ds.indices.subarray(ds.indptr[s], ds.indptr[s + 1]), (i, k) => [i, ds.values[ds.indptr[s] + k]]));
  });

  it('load() expands f32, f16 and i8 compact files to the full model\'s outputs, to their rounding', () => {
    // The loader's text featurizer is not what this checks: the weights are, so the models go without it.
    const { featurizer: _, ...model } = loadModel(full);
    const plain = join(dir, 'plain.safetensors');
    saveModel(plain, model);
    const files: Record<WeightPrecision, string> = { f32: '', f16: '', i8: '' };
    for (const precision of ['f32', 'f16', 'i8'] as const) {
      files[precision] = join(dir, `${precision}.safetensors`);
      saveModel(files[precision], compactModel(model, { keep, precision }));
    }
    const rowsFile = join(dir, 'rows.json');
    writeFileSync(rowsFile, JSON.stringify(rows));
    const r = spawnSync(PYTHON!, ['-c', SNIPPET, rowsFile, plain, files.f32, files.f16, files.i8], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, number[][]>;
    const tolerance = { f32: 1e-6, f16: 2e-3, i8: 2e-2 };
    for (const precision of ['f32', 'f16', 'i8'] as const) {
      out[plain].forEach((p, s) => p.forEach((v, c) => expect(Math.abs(out[files[precision]][s][c] - v), `${precision} row ${s} class ${c}`).toBeLessThanOrEqual(tolerance[precision])));
    }
  });
});
