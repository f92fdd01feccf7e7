import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compactModel, decodeModel, encodeModel, type Model } from '../src/safetensors.ts';
import { loadModel, saveModel } from '../src/model-io.ts';
import { formatReferenceText, parseReferenceText } from '../src/reference-text.ts';
import { allocateParams, getWeight, initParams, paramLayout } from '../src/params.ts';
import { createRng } from '../src/rng.ts';

function model(): Model {
  const spec = { layers: [6, 4, 3], activation: 'relu', loss: 'softmax' } as const;
  const layout = paramLayout(spec.layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(1), 'he');
  for (const l of layout.layers) for (let o = 0; o < l.outSize; o++) params[l.biasOffset + o] = o - 1.5;
  return { spec, params, inputShape: [2, 3], inputScale: 1 / 255, extra: { epochs: '3' } };
}

/** Rewrites the JSON header of a safetensors file, keeping the data. */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + n), 8 + json.length);
  return out;
}

describe('safetensors model files', () => {
  it('save then load is bit-exact, with the architecture and metadata', () => {
    const m = model();
    const dir = mkdtempSync(join(tmpdir(), 'hogwild-'));
    const file = join(dir, 'm.safetensors');
    saveModel(file, m);
    const back = loadModel(file);
    expect(back.spec).toEqual(m.spec);
    expect(back.inputShape).toEqual([2, 3]);
    expect(back.inputScale).toBe(1 / 255);
    expect(back.extra).toEqual({ epochs: '3' });
    expect(new Uint32Array(back.params.buffer)).toEqual(new Uint32Array(m.params.buffer));
    expect(back.params.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('stores weights as [out, in] like torch.nn.Linear, data 8-byte aligned', () => {
    const m = model();
    const bytes = encodeModel(m);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString());
    expect(header['layers.0.weight']).toEqual({ dtype: 'F32', shape: [4, 6], data_offsets: [0, 96] });
    expect(header['layers.1.bias'].shape).toEqual([3]);
    expect(header.__metadata__).toMatchObject({ layers: '6,4,3', activation: 'relu', output: 'softmax', loss: 'softmax', input_shape: '[2,3]' });
    // Element [o=1][i=2] of layer 0 sits at row-major position 1*6+2 in the data.
    const data = new DataView(bytes.buffer, 8 + n);
    const layout = paramLayout([6, 4, 3]);
    expect(data.getFloat32((1 * 6 + 2) * 4, true)).toBe(getWeight(m.params, layout.layers[0], 1, 2));
  });

  it('rejects a file too short for a header', () => {
    expect(() => decodeModel(new Uint8Array(3), 'x.safetensors')).toThrow('x.safetensors: not a safetensors file: 3 bytes, expected at least an 8-byte header length');
  });
  it('rejects a header length beyond the file', () => {
    const bytes = encodeModel(model());
    expect(() => decodeModel(bytes.subarray(0, 40), 'x.safetensors')).toThrow(/^x.safetensors: header length \d+ does not fit in a 40-byte file/);
  });
  it('rejects a header that is not JSON', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 8n, true);
    bytes.set(Buffer.from('{{{{{{{{'), 8);
    expect(() => decodeModel(bytes, 'x.safetensors')).toThrow('x.safetensors: header is not valid JSON (not a safetensors file)');
  });
  it('rejects truncated tensor data', () => {
    const bytes = encodeModel(model());
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 4), 'x.safetensors')).toThrow(/^x.safetensors: the tensors cover \d+ bytes of data, the file has \d+ \(truncated\)$/);
  });
  it('rejects trailing bytes after the last tensor', () => {
    const bytes = encodeModel(model());
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect(() => decodeModel(longer, 'x.safetensors')).toThrow(/^x.safetensors: the tensors cover (\d+) bytes of data, the file has \d+ \(trailing bytes\)$/);
  });
  it('rejects data_offsets that leave a gap, overlap or are negative', () => {
    const shifted = withHeader(encodeModel(model()), (h) => { h['layers.0.weight'].data_offsets = [4, 4 + 96]; });
    expect(() => decodeModel(shifted, 'x.safetensors')).toThrow('x.safetensors: tensor layers.0.weight starts at data byte 4, expected 0: the tensors must tile the data without gaps or overlaps');
    const negative = withHeader(encodeModel(model()), (h) => { h['layers.0.bias'].data_offsets = [-16, 0]; });
    expect(() => decodeModel(negative, 'x.safetensors')).toThrow('x.safetensors: tensor layers.0.bias: data_offsets [-16,0] are not two offsets 0 ≤ begin ≤ end');
  });
  it('rejects a header length off by one (the data read shifted)', () => {
    const bytes = encodeModel(model());
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setBigUint64(0, view.getBigUint64(0, true) + 1n, true);
    expect(() => decodeModel(bytes, 'x.safetensors')).toThrow(/^x.safetensors: (header is not valid JSON|the tensors cover)/);
  });
  it('refuses to write or read non-finite weights, naming the first one', () => {
    const m = model();
    m.params[paramLayout(m.spec.layers).layers[1].biasOffset + 2] = NaN;
    expect(() => encodeModel(m)).toThrow("the model's layers.1.bias[2] is NaN: a model with non-finite weights is not written (training diverged?)");
    const bytes = encodeModel(model());
    const data = new DataView(bytes.buffer, bytes.byteOffset + 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)));
    data.setFloat32(4 * 7, Infinity, true); // layers.0.weight, row 1, column 1 of [4, 6]
    expect(() => decodeModel(bytes, 'x.safetensors')).toThrow('x.safetensors: layers.0.weight[1,1] is Infinity: the weights must be finite numbers (a diverged model?)');
  });
  it('rejects input_scale and input_shape values that are not what they claim', () => {
    const scale = withHeader(encodeModel(model()), (h) => { h.__metadata__.input_scale = 'abc'; });
    expect(() => decodeModel(scale, 'x.safetensors')).toThrow('x.safetensors: __metadata__.input_scale "abc" is not a positive number');
    const shape = withHeader(encodeModel(model()), (h) => { h.__metadata__.input_shape = '[4,4]'; });
    expect(() => decodeModel(shape, 'x.safetensors')).toThrow('x.safetensors: __metadata__.input_shape [4,4] is not a list of positive integers whose product is the 6 inputs');
  });
  it('keeps standardisation statistics, class names and feature names in the metadata, read back exactly', () => {
    const m: Model = {
      ...model(), inputScale: 1,
      standardization: { mean: Float32Array.from([0.1, -2, 3, 4.5, 5, 6]), std: Float32Array.from([1, 0.3, 2, 1, 1, 7]) },
      classes: ['cat', 'dog', 'ünïcode'], featureNames: ['a', 'b', 'c', 'd', 'e', 'f'],
    };
    const back = decodeModel(encodeModel(m));
    expect(back.standardization!.mean).toEqual(m.standardization!.mean);
    expect(back.standardization!.std).toEqual(m.standardization!.std);
    expect(back.classes).toEqual(m.classes);
    expect(back.featureNames).toEqual(m.featureNames);
    expect(back.extra).toEqual({ epochs: '3' });
  });

  it('rejects standardisation, class and feature metadata that do not fit the network, naming the key', () => {
    const bytes = encodeModel({ ...model(), standardization: { mean: new Float32Array(6), std: new Float32Array(6).fill(1) }, classes: ['a', 'b', 'c'] });
    const bad: [string, (h: Record<string, any>) => void, RegExp][] = [
      ['mean too short', (h) => { h.__metadata__.input_mean = '[1,2]'; }, /__metadata__\.input_mean "\[1,2\]" is not a JSON list of 6 finite numbers/],
      ['a zero std', (h) => { h.__metadata__.input_std = '[1,1,1,0,1,1]'; }, /__metadata__\.input_std .* is not a JSON list of 6 positive numbers/],
      ['std without mean', (h) => { delete h.__metadata__.input_mean; }, /__metadata__\.input_mean undefined is not a JSON list/],
      ['more classes than outputs', (h) => { h.__metadata__.classes = '["a","b","c","d"]'; }, /__metadata__\.classes .* is not a JSON list of at most 3 class names/],
      ['features not JSON', (h) => { h.__metadata__.features = 'a,b'; }, /__metadata__\.features "a,b" is not a JSON list of 6 feature names/],
    ];
    for (const [what, edit, message] of bad) expect(() => decodeModel(withHeader(bytes, edit), 'm.safetensors'), what).toThrow(message);
  });

  it('rejects an unknown dtype', () => {
    const bytes = withHeader(encodeModel(model()), (h) => (h['layers.0.weight'].dtype = 'BF16'));
    expect(() => decodeModel(bytes, 'x.safetensors')).toThrow('x.safetensors: tensor layers.0.weight: dtype "BF16" is not supported, expected F32');
  });
  it('rejects shapes that disagree with the metadata', () => {
    const bytes = withHeader(encodeModel(model()), (h) => (h['layers.0.weight'].shape = [6, 4]));
    expect(() => decodeModel(bytes, 'x.safetensors')).toThrow('x.safetensors: tensor layers.0.weight: shape [6,4] disagrees with __metadata__ layers 6,4,3, expected [4,6]');
  });
  it('rejects metadata with an invalid architecture, naming the field', () => {
    const bytes = withHeader(encodeModel(model()), (h) => (h.__metadata__.activation = 'swish'));
    expect(() => decodeModel(bytes, 'x.safetensors')).toThrow('x.safetensors: __metadata__ activation: expected one of sigmoid, relu, tanh, linear, found "swish"');
  });
  it('rejects metadata layers too large to hold, before allocating them', () => {
    const bytes = withHeader(encodeModel(model()), (h) => (h.__metadata__.layers = '784,1000000000,10'));
    expect(() => decodeModel(bytes, 'x.safetensors')).toThrow('x.safetensors: __metadata__ layers: 784,1000000000,10 has 795,000,000,010 parameters, more than the 67,108,864 a model may have (256 MiB of float32 per copy, and each worker keeps copies)');
  });
  it('rejects a file without hogwild metadata', () => {
    const bytes = withHeader(encodeModel(model()), (h) => delete h.__metadata__);
    expect(() => decodeModel(bytes, 'x.safetensors')).toThrow('x.safetensors: __metadata__.layers is missing: not a hogwild model');
  });
  it('names a missing file', () => {
    expect(() => loadModel('/nonexistent/m.safetensors')).toThrow('/nonexistent/m.safetensors: no such file');
  });
});

describe('reference text models', () => {
  it('reads rows of W then rows of b per layer, in %.6e', () => {
    // Layers 3-2-1, written as the numpy reference does (np.savetxt of W [out, in], then of b [out, 1]).
    const text = [
      '1.000000e-01\t2.000000e-01\t3.000000e-01',
      '-4.000000e-01\t5.000000e-01\t6.000000e-01',
      '7.000000e-01',
      '-8.000000e-01',
      '9.000000e-01\t1.000000e+00',
      '-1.100000e+00',
    ].join('\n');
    const p = parseReferenceText(text, [3, 2, 1]);
    const [l0, l1] = paramLayout([3, 2, 1]).layers;
    expect(getWeight(p, l0, 1, 0)).toBe(Math.fround(-0.4));
    expect(getWeight(p, l0, 0, 2)).toBe(Math.fround(0.3));
    expect(p[l0.biasOffset + 1]).toBe(Math.fround(-0.8));
    expect(getWeight(p, l1, 0, 1)).toBe(1);
    expect(p[l1.biasOffset]).toBe(Math.fround(-1.1));
    expect(formatReferenceText(p, [3, 2, 1])).toBe(text + '\n');
  });
  it('rejects a text with too few or too many numbers', () => {
    expect(() => parseReferenceText('1 2 3', [3, 2, 1], 'w.txt')).toThrow('w.txt: ended early: 3 numbers, expected 11 for layers 3,2,1 (while reading layer 0 W[1][0])');
    expect(() => parseReferenceText('1 '.repeat(12), [3, 2, 1], 'w.txt')).toThrow('w.txt: 12 numbers, expected 11 for layers 3,2,1');
    expect(() => parseReferenceText('1 2 x', [1, 1, 1], 'w.txt')).toThrow('w.txt: number 3 is "x", expected a finite number');
  });
  it('saveModel writes a big model a piece at a time, byte for byte what encodeModel gives, full and compact (f16, i8 with kept inputs)', () => {
    // 400,000 inputs × 3 outputs: float32 weights of 4.8 MB, i8 of 1.2 MB and the kept inputs' 1.4 MB, each over
    // several 1 MiB pieces, pieces ending mid-row.
    const spec = { layers: [400_000, 3], activation: 'linear', loss: 'softmax' } as const;
    const layout = paramLayout(spec.layers);
    const params = allocateParams(layout);
    initParams(params, layout, createRng(2), 'uniform');
    for (let i = 0; i < 400_000; i += 7) for (let o = 0; o < 3; o++) params[layout.layers[0].weightOffset + i * layout.layers[0].stride + o] = 0;
    const big: Model = { spec, params, inputShape: [400_000], inputScale: 1 };
    const dir = mkdtempSync(join(tmpdir(), 'hogwild-chunks-'));
    for (const m of [big, compactModel(big, { precision: 'f16' }), compactModel(big, { precision: 'i8' })]) {
      const f = join(dir, 'm.safetensors');
      saveModel(f, m);
      expect(Buffer.compare(readFileSync(f), Buffer.from(encodeModel(m)))).toBe(0);
    }
  });
});

