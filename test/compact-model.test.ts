/**
 * Compact model files (docs/model-format.md): the first layer's unused input rows left out, weights as f32, f16 or
 * i8, read back by decodeModel into the full layout so that eval, predict and the page read them as full models.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compactModel, createRng, decodeModel, encodeModel, initParams, loadModel, paramLayout, textFeaturizer, type Model, type WeightPrecision } from '@hogwild/core';
import { createPredictor } from '@hogwild/core/infer';
import { allocateParams, textRowFeaturizer } from './internal.ts';
import { readArrowDataset, type SparseDataset } from '@hogwild/data';
import { cli, ROOT, tempDir } from './helpers.ts';

const SPEC = { layers: [40, 6, 3], activation: 'relu', loss: 'softmax' } as const;
/** Inputs whose first-layer rows are zero in the model below, as a linear model's unseen inputs are from zero init. */
const ZERO_ROWS = [0, 7, 8, 39];

/** A small model with random weights, a few first-layer rows all zero, and biases. */
function model(): Model {
  const layout = paramLayout(SPEC.layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(5), 'he');
  const l = layout.layers[0];
  for (const i of ZERO_ROWS) params.fill(0, l.weightOffset + i * l.stride, l.weightOffset + i * l.stride + l.outSize);
  for (const m of layout.layers) for (let o = 0; o < m.outSize; o++) params[m.biasOffset + o] = (o - 1) / 7;
  return { spec: SPEC, params, inputShape: [40], inputScale: 1 };
}

/** Each weight of `a` and `b`, as [layer, o, i, a, b]. */
function* weights(a: Float32Array, b: Float32Array): Generator<[number, number, number, number, number]> {
  for (const [li, l] of paramLayout(SPEC.layers).layers.entries()) {
    for (let i = 0; i < l.inSize; i++) for (let o = 0; o < l.outSize; o++) yield [li, o, i, a[l.weightOffset + i * l.stride + o], b[l.weightOffset + i * l.stride + o]];
  }
}

/** Largest |weight| of output o of layer li. */
function absMax(p: Float32Array, li: number, o: number): number {
  const l = paramLayout(SPEC.layers).layers[li];
  let m = 0;
  for (let i = 0; i < l.inSize; i++) m = Math.max(m, Math.abs(p[l.weightOffset + i * l.stride + o]));
  return m;
}

const tensorNames = (bytes: Uint8Array): Record<string, { dtype: string; shape: number[] }> => {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  delete header.__metadata__;
  return header;
};

describe('compact model files', () => {
  it('f32 compact leaves out the all-zero first-layer rows and reads back bit for bit', () => {
    const m = model();
    const bytes = encodeModel(compactModel(m, { precision: 'f32' }));
    const tensors = tensorNames(bytes);
    expect(tensors['layers.0.inputs']).toMatchObject({ dtype: 'I32', shape: [40 - ZERO_ROWS.length] });
    expect(tensors['layers.0.weight']).toMatchObject({ dtype: 'F32', shape: [6, 40 - ZERO_ROWS.length] });
    expect(tensors['layers.1.weight']).toMatchObject({ dtype: 'F32', shape: [3, 6] });
    const back = decodeModel(bytes);
    expect(back.compact).toBe('f32');
    expect(Buffer.from(back.params.buffer, back.params.byteOffset, back.params.byteLength).equals(Buffer.from(m.params.buffer, m.params.byteOffset, m.params.byteLength))).toBe(true);
    // Read and written again, a compact model stays compact, byte for byte.
    expect(Buffer.from(encodeModel(back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('f16 and i8 read back within their rounding: half an f16 step, and half an int8 step (absmax / 254) of each output', () => {
    const m = model();
    for (const precision of ['f16', 'i8'] as WeightPrecision[]) {
      const compact = compactModel(m, { precision });
      const bytes = encodeModel(compact);
      const back = decodeModel(bytes);
      expect(back.compact).toBe(precision);
      // What compactModel gives is what the file reads back as, and writing it again changes nothing.
      expect([...back.params]).toEqual([...compact.params]);
      expect(Buffer.from(encodeModel(back)).equals(Buffer.from(bytes))).toBe(true);
      for (const [li, o, , w, r] of weights(m.params, back.params)) {
        const bound = precision === 'f16' ? Math.max(Math.abs(w) * 2 ** -11, 2 ** -25) : absMax(m.params, li, o) / 254 * (1 + 1e-6);
        expect(Math.abs(r - w)).toBeLessThanOrEqual(bound);
      }
      const tensors = tensorNames(bytes);
      if (precision === 'f16') expect(tensors['layers.1.weight']).toMatchObject({ dtype: 'F16', shape: [3, 6] });
      else expect([tensors['layers.0.weight_i8'], tensors['layers.0.weight_scale'], tensors['layers.0.weight']]).toMatchObject([{ dtype: 'I8', shape: [6, 36] }, { dtype: 'F32', shape: [6] }, undefined]);
      // Biases stay float32, exact.
      const l = paramLayout(SPEC.layers).layers[1];
      expect([...back.params.subarray(l.biasOffset, l.biasOffset + 3)]).toEqual([...m.params.subarray(l.biasOffset, l.biasOffset + 3)]);
    }
  });

  it('rows that keep leaves out read as 0, and the others as they were', () => {
    const m = model();
    const keep = new Uint8Array(40).fill(1);
    keep[3] = keep[20] = 0;
    const back = decodeModel(encodeModel(compactModel(m, { keep })));
    for (const [li, , i, w, r] of weights(m.params, back.params)) expect(r).toBe(li === 0 && (i === 3 || i === 20) ? 0 : w);
    expect(tensorNames(encodeModel(compactModel(m, { keep })))['layers.0.inputs'].shape).toEqual([40 - ZERO_ROWS.length - 2]);
    expect(() => compactModel(m, { keep: new Uint8Array(39) })).toThrow('keep: expected a Uint8Array of 40 bytes (one an input of the first layer), found 39 bytes');
    expect(() => compactModel(m, { precision: 'f8' as WeightPrecision })).toThrow('precision: expected one of f32, f16, i8, found "f8"');
  });

  it('a weight beyond float16\'s range is refused in f16, with the way out', () => {
    const m = model();
    const params = new Float32Array(m.params);
    params[paramLayout(SPEC.layers).layers[1].weightOffset] = 70000;
    expect(() => encodeModel({ ...m, params, compact: 'f16' })).toThrow("the model's layers.1.weight[0,0] is 70000, beyond float16's ±65504: write it compact as i8 or f32");
  });

  it('a damaged compact file is refused in one line naming the tensor', () => {
    const bytes = encodeModel(compactModel(model(), { precision: 'i8' }));
    const header = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + header));
    const at = 8 + header + JSON.parse(text)['layers.0.inputs'].data_offsets[0];
    const swapped = new Uint8Array(bytes);
    swapped.set(bytes.subarray(at + 4, at + 8), at);
    swapped.set(bytes.subarray(at, at + 4), at + 4);
    expect(() => decodeModel(swapped, 'm.safetensors')).toThrow('m.safetensors: tensor layers.0.inputs: entry 1 is 1, expected an input index above 2 and below 40 (ascending, each once)');
    const reshaped = new Uint8Array(bytes);
    reshaped.set(new TextEncoder().encode(text.replace('"shape":[6,36]', '"shape":[36,6]')), 8);
    expect(() => decodeModel(reshaped, 'm.safetensors')).toThrow('m.safetensors: tensor layers.0.weight_i8: shape [36,6] disagrees with __metadata__ layers 40,6,3 and the 36 layers.0.inputs, expected [6,36]');
  });
});

describe('a text model\'s IDF weights in its file', () => {
  /** A linear model over 2^5 hashed buckets whose featurizer weighs by IDF; rows 3 and 9 all zero, bucket 9 unseen (IDF 0). */
  function idfModel(): Model {
    const spec = { layers: [32, 3], activation: 'relu', loss: 'softmax' } as const;
    const layout = paramLayout(spec.layers);
    const params = allocateParams(layout);
    initParams(params, layout, createRng(3), 'he');
    const l = layout.layers[0];
    for (const i of [3, 9]) params.fill(0, l.weightOffset + i * l.stride, l.weightOffset + i * l.stride + l.outSize);
    const idf = Float32Array.from({ length: 32 }, (_, j) => (j === 9 ? 0 : Math.fround(1 + j / 8)));
    return { spec, params, inputShape: [32], inputScale: 1, featurizer: textRowFeaturizer(textFeaturizer({ hashBits: 5 })), idf };
  }

  it('a full and a compact file keep every input\'s weight, so both encode a text alike', () => {
    const m = idfModel();
    const full = encodeModel(m);
    expect(tensorNames(full)['featurizer.idf']).toMatchObject({ dtype: 'F32', shape: [32] });
    expect(decodeModel(full).idf).toEqual(m.idf);
    const small = compactModel(m, { precision: 'i8' });
    const bytes = encodeModel(small);
    // Rows 3 and 9 are left out of the first layer; bucket 3's IDF weight stays (it still counts in a text's norm).
    expect(tensorNames(bytes)['layers.0.inputs']).toMatchObject({ shape: [30] });
    expect(tensorNames(bytes)['featurizer.idf']).toMatchObject({ dtype: 'F32', shape: [32] });
    const back = decodeModel(bytes);
    expect(back.idf).toEqual(m.idf);
    expect(createPredictor(back).predictRecord('free money free')).toEqual(createPredictor(small).predictRecord('free money free'));
  });

  it('a file whose featurizer weighs by IDF without the weights, or with weights it does not use, is refused in one line', () => {
    const m = idfModel();
    expect(() => encodeModel({ ...m, idf: undefined })).toThrow('model.idf: its text featurizer weighs by IDF, but the IDF weights are missing');
    // The file again with its header's text changed (the data as it was).
    const withIdf = encodeModel(m);
    const n = Number(new DataView(withIdf.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(withIdf.subarray(8, 8 + n)).trimEnd();
    const rewrite = (edit: (t: string) => string): Uint8Array => {
      const head = new TextEncoder().encode(edit(text));
      const out = new Uint8Array(8 + head.length + withIdf.length - 8 - n);
      new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
      out.set(head, 8);
      out.set(withIdf.subarray(8 + n), 8 + head.length);
      return out;
    };
    expect(decodeModel(rewrite((t) => t)).idf).toEqual(m.idf);
    expect(() => decodeModel(rewrite((t) => t.replace('"featurizer.idf"', '"featurizer.idx"')), 'm.safetensors')).toThrow('m.safetensors: tensor featurizer.idf is missing');
    expect(() => decodeModel(rewrite((t) => t.replace('\\"idf\\":true', '\\"idf\\":false')), 'm.safetensors')).toThrow('m.safetensors: tensor featurizer.idf is present, but __metadata__.featurizer does not weigh by IDF');
    const short = rewrite((t) => t.replace('"featurizer.idf":{"dtype":"F32","shape":[32]', '"featurizer.idf":{"dtype":"F32","shape":[31]'));
    expect(() => decodeModel(short, 'm.safetensors')).toThrow("m.safetensors: tensor featurizer.idf: shape [31] disagrees with the featurizer's 32 features, expected [32]");
  });
});

describe('trainer --compact', () => {
  let dir: string, data: string, seen: number;
  beforeAll(async () => {
    dir = tempDir();
    data = join(dir, 'spam.arrow');
    const r = await cli('data', ['convert', '--fasttext', join(ROOT, 'test/fixtures/sparse/spam.ft'), '--hash-bits', '14', '--out', data]);
    expect(r.code, r.stderr).toBe(0);
    // The buckets the fixture's words hash into: the rows a compact model keeps.
    seen = new Set((readArrowDataset(data) as SparseDataset).indices).size;
  });

  const train = async (name: string, ...flags: string[]) => {
    const r = await cli('trainer', ['run', '--data', data, '--layers', `${2 ** 14},2`, '--lr', '0.5', '--schedule', 'constant', '--epochs', '5', '--workers', '1', '--save', join(dir, name), ...flags]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const accuracy = async (name: string) => {
    const r = await cli('trainer', ['eval', '--model', join(dir, name), '--data', data, '--workers', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!).accuracy as number;
  };

  it('run --save --compact keeps the rows of the inputs the training set has, and eval scores the small file within 0.5 points of the full one', async () => {
    const full = (await train('full.safetensors'), await accuracy('full.safetensors'));
    const stdout = await train('i8.safetensors', '--compact', 'i8');
    expect(stdout).toMatch(new RegExp(`model saved to .*i8\\.safetensors, compact i8, ${seen} of 16,384 inputs kept`));
    expect(Math.abs(await accuracy('i8.safetensors') - full)).toBeLessThanOrEqual(0.005);
    await train('f32.safetensors', '--compact');
    const small = loadModel(join(dir, 'f32.safetensors'));
    const big = loadModel(join(dir, 'full.safetensors'));
    expect(small.compact).toBe('f32');
    const l = paramLayout(big.spec.layers).layers[0];
    let kept = 0;
    for (let i = 0; i < l.inSize; i++) {
      const w = small.params[l.weightOffset + i * l.stride];
      if (w !== 0) { kept++; expect(w).toBe(big.params[l.weightOffset + i * l.stride]); }
    }
    expect(kept).toBe(seen);
    // Beside the IDF weights, whole in both files (4 bytes an input), the i8 file is under a twentieth of the full one.
    const idfBytes = 4 * 2 ** 14;
    expect(readFileSync(join(dir, 'i8.safetensors')).length - idfBytes).toBeLessThan((readFileSync(join(dir, 'full.safetensors')).length - idfBytes) / 20);
  });

  it('export-web and convert-model write the compact form of a compact model file, and --compact needs --save', async () => {
    const web = join(dir, 'web');
    const r = await cli('trainer', ['export-web', '--model', join(dir, 'i8.safetensors'), '--out', web]);
    expect(r.code, r.stderr).toBe(0);
    expect(decodeModel(readFileSync(join(web, 'model.safetensors'))).compact).toBe('i8');
    const out = join(dir, 'f16.safetensors');
    const c = await cli('trainer', ['convert-model', '--model', join(dir, 'f32.safetensors'), '--compact', 'f16', '--out', out]);
    expect([c.code, c.stdout]).toEqual([0, `wrote ${out}: 16384-2 relu/softmax, input scale 1, compact f16, ${seen} of 16,384 inputs kept, ${readFileSync(out).length.toLocaleString('en-US')} bytes\n`]);
    const u = await cli('trainer', ['run', '--data', data, '--compact', 'i8']);
    expect([u.code, u.stderr]).toEqual([2, 'trainer: --compact: it is how --save writes the model; give --save FILE too\n']);
    const damaged = join(dir, 'damaged.safetensors');
    const bytes = readFileSync(join(dir, 'i8.safetensors'));
    writeFileSync(damaged, bytes.subarray(0, bytes.length - 3));
    const e = await cli('trainer', ['eval', '--model', damaged, '--data', data]);
    expect(e.code).toBe(1);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
    expect(e.stderr).toMatch(/damaged\.safetensors: .*(truncated|cover)/);
  });
});
