import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { createRng, encodeModel, encodeRow, initParams, loadModel, paramLayout, saveModel, type Model } from '@hogwild/core';
import { allocateParams, createPreprocessor, type Cell, type Preprocessor } from './internal.ts';
import { predict } from '@hogwild/trainer';
import { readDigitImage } from './internal.ts';
import { bundleWebScripts } from './internal.ts';
import { createTrainerProgram as createProgram } from './internal.ts';
import { runProgram } from '../packages/data/test/helpers.ts';
import { cli, ROOT, tempDir } from './helpers.ts';

/** A table's model as `trainer run` writes one (feature names, standardisation, class names), with seeded random weights. */
function tableModel(): Model {
  const spec = { layers: [4, 6, 3], activation: 'relu', loss: 'softmax' } as const;
  const layout = paramLayout(spec.layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(7), 'he');
  return {
    spec, params, inputShape: [4], inputScale: 1,
    standardization: { mean: Float32Array.of(5.8, 3.1, 3.8, 1.2), std: Float32Array.of(0.8, 0.4, 1.8, 0.8) },
    featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], classes: ['setosa', 'versicolor', 'virginica'],
  };
}

/** A digit model's shape (784 inputs, [28, 28], 1/255), with seeded random weights. */
function digitModel(): Model {
  const spec = { layers: [784, 16, 10], activation: 'sigmoid', loss: 'softmax' } as const;
  const layout = paramLayout(spec.layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(3), 'xavier');
  return { spec, params, inputShape: [28, 28], inputScale: 1 / 255 };
}

let bundle: Awaited<ReturnType<typeof bundleWebScripts>>;
beforeAll(async () => {
  bundle = await bundleWebScripts();
});

describe('the browser bundle of @hogwild/core/infer', () => {
  it('has no Node API in its import graph: esbuild bundles it for the browser from core\'s sources alone', () => {
    const meta = bundle.metafiles['infer.js'];
    const inputs = Object.keys(meta.inputs);
    expect(inputs).toContain('../core/src/infer.ts');
    expect(inputs.filter((f) => !f.startsWith('../core/src/'))).toEqual([]);
    const imports = Object.values(meta.inputs).flatMap((i) => i.imports);
    expect(imports.filter((i) => i.external || i.path.startsWith('node:'))).toEqual([]);
    // The page's own script leans on infer.js for everything of the model's, and on nothing else.
    const page = Object.values(bundle.metafiles['page.js'].inputs).flatMap((i) => i.imports).filter((i) => i.external);
    expect(page.map((i) => i.path)).toEqual(['./infer.js']);
  });

  it('is at most 30 KB gzipped (the model apart)', () => {
    expect(gzipSync(bundle['infer.js']).length).toBeLessThanOrEqual(30_000);
    expect(gzipSync(bundle['infer.js']).length + gzipSync(bundle['page.js']).length).toBeLessThanOrEqual(30_000);
  });

  it('imported as it is, reads a model file and predicts exactly what trainer\'s predict() does', async () => {
    const file = join(tempDir(), 'infer.mjs');
    writeFileSync(file, bundle['infer.js']);
    const infer = await import(pathToFileURL(file).href);
    const model = tableModel();
    const rows = Float32Array.of(5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3, 5.9, 2.8, 4.3, 1.3);
    const predictor = infer.createPredictor(infer.decodeModel(encodeModel(model)));
    expect([0, 4, 8].map((o) => predictor.predict(rows, o))).toEqual(predict(model, rows));
    expect(() => predictor.predict(rows, 10)).toThrow('features: 12 values from offset 10 do not hold the model\'s 4 inputs');
    // The model file's errors are decodeModel's, in the bundle as in Node.
    expect(() => infer.decodeModel(new Uint8Array(4), 'm.safetensors')).toThrow('m.safetensors: not a safetensors file: 4 bytes, expected at least an 8-byte header length');
  });

  it('preprocesses a table\'s raw cells (a fill, one-hot categories, the missing one, scaling) as trainer does: core\'s createPreprocessor', async () => {
    const file = join(tempDir(), 'infer.mjs');
    writeFileSync(file, bundle['infer.js']);
    const infer = await import(pathToFileURL(file).href);
    const columns = [
      { name: 'weight', role: 'numeric', fill: 150 },
      { name: 'color', role: 'categorical', categories: ['green', 'red', null] },
    ] as const;
    const p = { columns, standardization: { mean: Float32Array.of(150, 0, 0, 0), std: Float32Array.of(20, 1, 1, 1) } };
    const rows: Cell[][] = [[130, 'red'], [null, null], [170, 'blue']];
    const encode = (pre: Preprocessor) => rows.map((cells) => {
      const out = new Float32Array(4);
      pre.encodeRow((j) => cells[j], out, 0);
      return Array.from(out);
    });
    expect(encode(infer.createPreprocessor(p, 4))).toEqual([[-1, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]]);
    expect(encode(infer.createPreprocessor(p, 4))).toEqual(encode(createPreprocessor(p, 4)));
  });

  it('makes a text model\'s raw records and texts into features with core\'s encodeRow, predicting exactly what trainer\'s predict() does', async () => {
    const file = join(tempDir(), 'infer.mjs');
    writeFileSync(file, bundle['infer.js']);
    const infer = await import(pathToFileURL(file).href);
    const text = { kind: 'hashed-text', version: 1, hashBits: 8, ngrams: 2, lowercase: true, weighting: 'log', normalize: 'l2' } as const;
    const spec = { layers: [256 + 1 + 2, 5, 2], activation: 'relu', loss: 'softmax' } as const;
    const layout = paramLayout(spec.layers);
    const params = allocateParams(layout);
    initParams(params, layout, createRng(5), 'he');
    const featurizer = {
      kind: 'rows', version: 1, text, features: 259,
      columns: [{ name: 'body', role: 'text', offset: 0 }, { name: 'size', role: 'numeric', index: 256, center: 10, scale: 4, fill: 0 }, { name: 'tone', role: 'categorical', offset: 257, categories: ['calm', 'loud'] }],
    } as const;
    const model: Model = { spec, params, inputShape: [259], inputScale: 1, classes: ['ham', 'spam'], featurizer };
    const records = [{ body: 'Free money NOW!!! café', size: 30, tone: 'loud' }, { body: 'see you at lunch', size: null, tone: 'calm' }, { body: '東京 ❤️', size: '7', tone: 'other' }];
    const predictor = infer.createPredictor(infer.decodeModel(encodeModel(model)));
    expect(records.map((r) => predictor.predictRecord(r))).toEqual(predict(model, records));
    expect(infer.encodeRow(featurizer, records[0])).toEqual(encodeRow(featurizer, records[0]));
    const oneSpec = { ...spec, layers: [256, 5, 2] };
    const oneParams = allocateParams(paramLayout(oneSpec.layers));
    initParams(oneParams, paramLayout(oneSpec.layers), createRng(6), 'he');
    const oneText: Model = { ...model, spec: oneSpec, params: oneParams, inputShape: [256], featurizer: { ...featurizer, columns: [featurizer.columns[0]], features: 256 } };
    const one = infer.createPredictor(infer.decodeModel(encodeModel(oneText)));
    expect(one.predictRecord('Free money NOW!!!')).toEqual(predict(oneText, ['Free money NOW!!!'])[0]);
    expect(() => predictor.predictRecord('Free money')).toThrow('record: a plain text, but the model reads 3 columns (body: text, size: numeric, tone: categorical): give a record naming them');
  });

  it('prepares a digit image\'s pixels exactly as trainer predict does (the same digitSample)', async () => {
    const file = join(tempDir(), 'infer.mjs');
    writeFileSync(file, bundle['infer.js']);
    const infer = await import(pathToFileURL(file).href);
    for (const name of ['pen-4.png', 'chalk-7.jpg']) {
      const path = join(ROOT, 'test/fixtures/digits', name);
      const { width, height, data } = (await Jimp.read(path)).bitmap;
      const sample: Uint8Array = infer.digitSample(new Uint8ClampedArray(data), width, height);
      expect(Array.from(sample), name).toEqual(Array.from(await readDigitImage(path)));
    }
    const blank = new Uint8ClampedArray(40 * 30 * 4).fill(255);
    expect(infer.digitSample(blank, 40, 30)).toBeNull();
  });
});

describe('trainer export-web', () => {
  it('writes index.html, infer.js, page.js and the model, which reads back as the same model', async () => {
    const dir = tempDir();
    const model = join(dir, 'digits.safetensors');
    saveModel(model, digitModel());
    const out = join(dir, 'site');
    const r = await runProgram(createProgram(), ['export-web', '--model', model, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*site: index\.html [\d.]+ KiB, infer\.js [\d.]+ KiB, page\.js [\d.]+ KiB, model\.safetensors [\d.]+ KiB\na drawing pad; serve the folder/);
    expect(readdirSync(out).sort()).toEqual(['index.html', 'infer.js', 'model.safetensors', 'page.js']);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<script type="module" src="page.js"></script>');
    for (const id of ['prediction', 'probabilities', 'input']) expect(html).toContain(`id="${id}"`);
    expect(readFileSync(join(out, 'page.js'), 'utf8')).toMatch(/^import\{[^}]+\}from"\.\/infer\.js"/);
    const back = loadModel(join(out, 'model.safetensors'));
    expect(back.spec).toEqual(loadModel(model).spec);
    expect(back.params).toEqual(loadModel(model).params);
  });

  it('refuses a folder that is not empty unless --force, and a file', async () => {
    const dir = tempDir();
    const model = join(dir, 'table.safetensors');
    saveModel(model, tableModel());
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await runProgram(createProgram(), ['export-web', '--model', model, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`trainer: --out ${dir}: the folder is not empty; pass --force to write the page's files into it\n`);
    const f = await runProgram(createProgram(), ['export-web', '--model', model, '--out', dir, '--force']);
    expect(f.code).toBe(0);
    expect(f.stdout).toContain('a form of the features');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
    const file = await runProgram(createProgram(), ['export-web', '--model', model, '--out', model]);
    expect(file.stderr).toBe(`trainer: --out ${model}: exists and is not a folder\n`);
  });
});

describe('trainer serve', () => {
  it('serves the page on 127.0.0.1 (port 0: a free one, printed), the same bytes export-web writes, and stops on Ctrl-C', async () => {
    const dir = tempDir();
    const model = join(dir, 'table.safetensors');
    saveModel(model, tableModel());
    const site = join(dir, 'site');
    expect((await runProgram(createProgram(), ['export-web', '--model', model, '--out', site])).code).toBe(0);
    let checked: Promise<void> | undefined;
    const r = await cli('trainer', ['serve', '--model', model, '--port', '0'], {
      onStdout: (text, child) => {
        const url = /at (http:\/\/127\.0\.0\.1:\d+\/) /.exec(text)?.[1];
        if (!url || checked) return;
        checked = (async () => {
          for (const name of readdirSync(site)) {
            const res = await fetch(url + name);
            expect(res.status, name).toBe(200);
            expect(new Uint8Array(await res.arrayBuffer()), name).toEqual(new Uint8Array(readFileSync(join(site, name))));
          }
          const index = await fetch(url);
          expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
          expect(await index.text()).toBe(readFileSync(join(site, 'index.html'), 'utf8'));
          expect((await fetch(url + 'infer.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
          expect((await fetch(url + 'nope.js')).status).toBe(404);
          expect((await fetch(url, { method: 'POST' })).status).toBe(405);
        })().finally(() => child.kill('SIGINT'));
      },
    });
    await checked;
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^serving .*table\.safetensors at http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C stops\)\n$/);
    expect(r.code).toBe(0);
  });

  it('says when the port is taken, naming the flag and the way out', async () => {
    const dir = tempDir();
    const model = join(dir, 'table.safetensors');
    saveModel(model, tableModel());
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const r = await runProgram(createProgram(), ['serve', '--model', model, '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`trainer: --port ${port}: the port is in use on 127.0.0.1; choose another, or --port 0 for any free one\n`);
    } finally {
      taken.close();
    }
  });

  it('refuses a port out of range, naming the flag', async () => {
    const r = await runProgram(createProgram(), ['serve', '--model', 'm.safetensors', '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--port <n>' argument '70000' is invalid: expected a port number from 0 to 65535");
  });
});
