import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXT_FEATURIZER, encodeRow, encodeText, validateTextFeaturizer, type TextFeaturizer } from '@hogwild/core';
import { validateRowFeaturizer } from '@hogwild/core/internal';
import { cli, jsonLines, ROOT, tempDir } from './helpers.ts';

// As test/torch.slow.test.ts: Debian's python3-torch is in the system Python, which a pyenv python3 may hide.
const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
if (!PYTHON) console.warn('test/text-features-python.slow.test.ts: skipped: no python3 here imports torch (apt-get install -y python3-torch)');

const VECTORS = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/text/vectors.json'), 'utf8')) as { settings: Record<string, TextFeaturizer>; idf: Record<string, number[]>; cases: { text: string }[] };

/**
 * Python that writes a two-output model file of `width` zero-weight inputs at sys.argv[1], whose metadata carries the
 * featurizer JSON of sys.argv[2] (as `spec`), and loads it as `model`; sys.argv[3] is a JSON file read as `inputs`;
 * sys.argv[4], when given, a JSON list of IDF weights written as the featurizer.idf tensor.
 */
const zeroModel = (width: string) => `
import json, struct, sys, torch
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'python'))})
from hogwild_torch import load
spec, inputs = json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
idf = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
width = ${width}
header = {'__metadata__': {'format': 'hogwild', 'layers': f'{width},2', 'activation': 'relu', 'output': 'softmax', 'featurizer': json.dumps(spec)},
          'layers.0.weight': {'dtype': 'F32', 'shape': [2, width], 'data_offsets': [0, 8 * width]},
          'layers.0.bias': {'dtype': 'F32', 'shape': [2], 'data_offsets': [8 * width, 8 * width + 8]}}
body = bytes(8 * width + 8)
if idf is not None:
    header['featurizer.idf'] = {'dtype': 'F32', 'shape': [len(idf)], 'data_offsets': [len(body), len(body) + 4 * len(idf)]}
    body += struct.pack(f'<{len(idf)}f', *idf)
h = json.dumps(header).encode()
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(h)) + h + body)
model = load(sys.argv[1])
`;

const SNIPPET = `${zeroModel("2 ** spec['hashBits']")}texts = inputs
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

  it('gives from model.encode(texts) the indices and values (to 1e-6) that encodeText gives, for every setting, IDF weights from the file included', () => {
    const dir = tempDir(), texts = join(dir, 'texts.json');
    const all = VECTORS.cases.map((c) => c.text);
    writeFileSync(texts, JSON.stringify(all));
    for (const [name, spec] of Object.entries(VECTORS.settings)) {
      const weights = VECTORS.idf[name];
      const r = spawnSync(PYTHON!, ['-c', SNIPPET, join(dir, `${name}.safetensors`), JSON.stringify(spec), texts, ...(weights ? [JSON.stringify(weights)] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { shape: number[]; rows: [number, number][][]; featurizer: TextFeaturizer; probabilities: number[] };
      const f = validateTextFeaturizer(spec);
      expect(out.featurizer).toEqual(f);
      expect(out.shape).toEqual([all.length, 2 ** f.hashBits]);
      expect(out.probabilities).toEqual([0.5, 0.5]);
      all.forEach((text, k) => {
        const row = encodeText(text, f, weights ? Float32Array.from(weights) : null), where = `${name}: ${JSON.stringify(text.slice(0, 40))}`;
        expect(out.rows[k]!.map(([i]) => i), where).toEqual(Array.from(row.indices));
        out.rows[k]!.forEach(([, v], j) => expect(Math.abs(v - row.values[j]!), where).toBeLessThanOrEqual(1e-6));
      });
    }
  });
});

/** Records through model.encode (encode_records) on a zero-weight model whose metadata carries a row featurizer. */
const RECORDS_SNIPPET = `${zeroModel("spec['features']")}records = inputs
x = model.encode(records)
rows = [[] for _ in records]
for (r, i), v in zip(x.indices().t().tolist(), x.values().tolist()):
    rows[r].append([i, v])
print(json.dumps({'shape': list(x.shape), 'rows': rows}))
`;

/** A model trained here, loaded in torch: its probabilities for raw texts. */
const TRAINED_SNIPPET = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'python'))})
from hogwild_torch import load
model = load(sys.argv[1])
texts = json.load(open(sys.argv[2]))
with torch.no_grad():
    p = model(model.encode(texts).to_dense())
print(json.dumps({'probabilities': p.tolist(), 'classes': model.classes, 'kind': model.featurizer['kind']}))
`;

describe.skipIf(!PYTHON)('python/hogwild_torch.py: a row featurizer (text, numeric and categorical columns), as core encodeRow computes it', () => {
  it('gives from model.encode(records) the indices and values (to 1e-6) that encodeRow gives, missing and unknown cells included', () => {
    const text = { ...DEFAULT_TEXT_FEATURIZER, hashBits: 8, ngrams: 2 };
    const f = validateRowFeaturizer({
      kind: 'rows', version: 1, text, features: 256 + 1 + 3 + 256,
      columns: [
        { name: 'subject', role: 'text', offset: 0 },
        { name: 'size', role: 'numeric', index: 256, center: 120.5, scale: 42.25, fill: -0.5 },
        { name: 'color', role: 'categorical', offset: 257, categories: ['blue', 'red', '3'] },
        { name: 'body', role: 'text', offset: 260 },
      ],
    });
    const records = [
      { subject: 'Free money NOW', size: 300, color: 'red', body: 'Click here: café über prize!' },
      { subject: 'meeting', size: null, color: null, body: null },
      { subject: '', size: '  17.5 ', color: 'green', body: '東京 ❤️ x2' },
      { subject: 42, size: 'NA', color: 3, body: 'don\'t a.b@c.com' },
      { subject: 'only a subject' },
      { size: 'not a number', body: 'body only, body only' },
    ];
    // IDF weights for both text columns (the other features' 1), every seventh bucket 0: its text left out.
    const idf = Float32Array.from({ length: f.features }, (_, j) => (j >= 256 && j < 260 ? 1 : j % 7 === 0 ? 0 : Math.fround(1 + (j % 11) / 4)));
    const dir = tempDir(), file = join(dir, 'records.json');
    writeFileSync(file, JSON.stringify(records));
    const r = spawnSync(PYTHON!, ['-c', RECORDS_SNIPPET, join(dir, 'rows.safetensors'), JSON.stringify(f), file, JSON.stringify([...idf])], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { shape: number[]; rows: [number, number][][] };
    expect(out.shape).toEqual([records.length, f.features]);
    records.forEach((record, k) => {
      const row = encodeRow(f, record, idf), where = JSON.stringify(record);
      expect(out.rows[k]!.map(([i]) => i), where).toEqual(Array.from(row.indices));
      out.rows[k]!.forEach(([, v], j) => expect(Math.abs(v - row.values[j]!), where).toBeLessThanOrEqual(1e-6));
    });
  });

  it('loads a text model trained here (spam.ft) whose model(model.encode(texts).to_dense()) gives trainer predict --text\'s probabilities to 1e-5', async () => {
    const dir = tempDir(), arrow = join(dir, 'spam.arrow'), model = join(dir, 'spam.safetensors'), texts = join(dir, 'texts.json');
    expect((await cli('data', ['convert', '--fasttext', join(ROOT, 'test/fixtures/sparse/spam.ft'), '--out', arrow])).code).toBe(0);
    const run = await cli('trainer', ['run', '--data', arrow, '--layers', '1048576,2', '--lr', '0.5', '--schedule', 'constant', '--epochs', '5', '--workers', '1', '--seed', '1', '--save', model]);
    expect(run.code, run.stderr).toBe(0);
    // The same model compact (int8, the buckets never seen left out with their IDF weights).
    const compact = join(dir, 'spam-i8.safetensors');
    expect((await cli('trainer', ['run', '--data', arrow, '--layers', '1048576,2', '--lr', '0.5', '--schedule', 'constant', '--epochs', '5', '--workers', '1', '--seed', '1', '--save', compact, '--compact', 'i8'])).code).toBe(0);
    const all = ['Free money now, FREE prize!', 'meeting tomorrow: draft report', 'lunch at the café?\nreport after lunch', 'unseenword'];
    writeFileSync(texts, JSON.stringify(all));
    for (const file of [model, compact]) {
      const p = await cli('trainer', ['predict', '--model', file, '--jsonl', '--json'], { input: all.map((t) => JSON.stringify(t)).join('\n') + '\n' });
      expect(p.code, p.stderr).toBe(0);
      const py = spawnSync(PYTHON!, ['-c', TRAINED_SNIPPET, file, texts], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(py.status, py.stderr).toBe(0);
      const torch = JSON.parse(py.stdout) as { probabilities: number[][]; classes: string[]; kind: string };
      expect([torch.kind, torch.classes]).toEqual(['rows', ['ham', 'spam']]);
      jsonLines(p.stdout).forEach((a, k) => a.probabilities.forEach((q: number, c: number) => expect(Math.abs(q - torch.probabilities[k]![c]!), file).toBeLessThanOrEqual(1e-5)));
    }
  }, 120_000);
});
