import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeText, validateTextFeaturizer, type TextFeaturizer } from '@hogwild/core';
import { ROOT, tempDir } from './helpers.ts';

// As test/torch.slow.test.ts: Debian's python3-torch is in the system Python, which a pyenv python3 may hide.
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!PYTHON) console.warn('test/text-features-python.slow.test.ts: skipped: no python3 here imports torch (apt-get install -y python3-torch)');

const VECTORS = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/text/vectors.json'), 'utf8')) as { settings: Record<string, TextFeaturizer>; cases: { text: string }[] };

/** A model file (zero weights) whose metadata carries a featurizer, loaded; model.encode(texts) on the shared cases. */
const SNIPPET = `
import json, struct, sys, torch
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'python'))})
from hogwild_torch import load
spec, texts = json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
width = 2 ** spec['hashBits']
header = {'__metadata__': {'format': 'hogwild', 'layers': f'{width},2', 'activation': 'relu', 'output': 'softmax', 'featurizer': json.dumps(spec)},
          'layers.0.weight': {'dtype': 'F32', 'shape': [2, width], 'data_offsets': [0, 8 * width]},
          'layers.0.bias': {'dtype': 'F32', 'shape': [2], 'data_offsets': [8 * width, 8 * width + 8]}}
h = json.dumps(header).encode()
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(h)) + h + bytes(8 * width + 8))
model = load(sys.argv[1])
x = model.encode(texts)
rows = [[] for _ in texts]
for (r, i), v in zip(x.indices().t().tolist(), x.values().tolist()):
    rows[r].append([i, v])
with torch.no_grad():
    p = model(x.index_select(0, torch.tensor([3])).to_dense())  # one row: dense 2^20 floats a row
print(json.dumps({'shape': list(x.shape), 'rows': rows, 'featurizer': model.featurizer, 'probabilities': p.tolist()[0]}))
`;

describe.skipIf(!PYTHON)('python/hogwild_torch.py: the text featurizer, as core computes it', () => {
  it('rewrites the committed vectors exactly (make.py --check)', () => {
    const r = spawnSync(PYTHON!, [join(ROOT, 'test/fixtures/text/make.py'), '--check'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cases agree/);
  });

  it('gives from model.encode(texts) the indices and values (to 1e-6) that encodeText gives, for both settings', () => {
    const dir = tempDir(), texts = join(dir, 'texts.json');
    const all = VECTORS.cases.map((c) => c.text);
    writeFileSync(texts, JSON.stringify(all));
    for (const [name, spec] of Object.entries(VECTORS.settings)) {
      const r = spawnSync(PYTHON!, ['-c', SNIPPET, join(dir, `${name}.safetensors`), JSON.stringify(spec), texts], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { shape: number[]; rows: [number, number][][]; featurizer: TextFeaturizer; probabilities: number[] };
      const f = validateTextFeaturizer(spec);
      expect(out.featurizer).toEqual(f);
      expect(out.shape).toEqual([all.length, 2 ** f.hashBits]);
      expect(out.probabilities).toEqual([0.5, 0.5]);
      all.forEach((text, k) => {
        const row = encodeText(text, f), where = `${name}: ${JSON.stringify(text.slice(0, 40))}`;
        expect(out.rows[k]!.map(([i]) => i), where).toEqual(Array.from(row.indices));
        out.rows[k]!.forEach(([, v], j) => expect(Math.abs(v - row.values[j]!), where).toBeLessThanOrEqual(1e-6));
      });
    }
  });
});
