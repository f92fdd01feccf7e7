/**
 * The fuzz harness of `pnpm test` (test/fuzz.test.ts) and `pnpm fuzz --cases N` (bench/fuzz.ts): seeded mutations of
 * one small valid file per reader, each required to end in the project's own error (a HogwildError, from which every
 * package derives its errors, and which the CLIs print as one line; not one of kind internal, a bug) or in a valid result. A hang fails by the caller's
 * timeout. Valid files come from real writers: apache-arrow, scipy (the .mat fixtures), numpy/gzip (IDX), Python's csv
 * and polars (the tables), our own safetensors writer.
 */
import { join } from 'node:path';
import { compactModel, createRng, decodeModel, encodeModel, initParams, paramLayout, parseReferenceText, formatReferenceText, HogwildError, textFeaturizer, type NetworkSpec } from '@hogwild/core';
import { allocateParams, textRowFeaturizer } from '../internal.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { readImage } from '../internal.ts';
import { decodeIdx } from '../internal.ts';
import { decodeArrowDataset, encodeArrowDataset, type DenseDataset } from '../../packages/data/src/arrow-dataset.ts';
import { encodeSparseDataset } from '../../packages/data/src/sparse-dataset.ts';
import { readLibsvm } from '../../packages/data/src/libsvm.ts';
import { datasetFromFasttext, type TextFeatureEncoder } from '../../packages/data/src/fasttext.ts';
import { parseMat } from '../internal.ts';
import type { TableFormat } from '@hogwild/data';
import { tableDatasets } from '../../packages/data/src/tabular.ts';

const FIXTURES = join(import.meta.dirname, '../../packages/data/test/fixtures');

/** Seeded mutations of a valid file: bit flips, truncations, and 32-bit fields set to 0, 1, -1 or a huge value. */
export function* mutants(valid: Uint8Array, cases: number, seed: number): Generator<{ bytes: Uint8Array; what: string }> {
  const rng = createRng(seed);
  const pick = (n: number) => Math.floor(rng.nextFloat() * n);
  for (let c = 0; c < cases; c++) {
    const bytes = Uint8Array.from(valid);
    const kind = c % 3;
    if (kind === 0) {
      const at: number[] = [];
      for (let f = 1 + pick(4); f > 0; f--) { const p = pick(bytes.length); at.push(p); bytes[p] ^= 1 << pick(8); }
      yield { bytes, what: `case ${c}: bits flipped at ${at.join(',')}` };
    } else if (kind === 1) {
      const cut = pick(bytes.length);
      yield { bytes: bytes.subarray(0, cut), what: `case ${c}: truncated to ${cut} bytes` };
    } else {
      const p = 4 * pick(bytes.length >> 2);
      const value = [0, 1, -1, 0x7fffffff, 0x40000000][pick(5)];
      new DataView(bytes.buffer).setInt32(p, value, true);
      yield { bytes, what: `case ${c}: int32 at ${p} set to ${value}` };
    }
  }
}

export interface Reader { readonly name: string; readonly valid: () => Promise<Uint8Array>; readonly read: (bytes: Uint8Array) => unknown; /** decodes slowly (images; Parquet starts a thread a file): fewer mutants */ readonly slow?: boolean }

export async function arrowFile(): Promise<Uint8Array> {
  const rng = createRng(5);
  const rows = 40, d = 12;
  const ds: DenseDataset = {
    rows, featureLength: d, shape: [3, 4], source: 'fuzz',
    features: Uint8Array.from({ length: rows * d }, () => Math.floor(rng.nextFloat() * 256)),
    labels: Uint8Array.from({ length: rows }, (_, i) => i % 10),
  };
  return encodeArrowDataset(ds, 16);
}

/** A sparse dataset file (the LIBSVM fixture, converted), its record batches 8 rows each. */
async function sparseArrowFile(): Promise<Uint8Array> {
  return encodeSparseDataset((await readLibsvm(join(SPARSE, 'classes-1based.svm'))).dataset, 8);
}

/** IDF weights for 64 features (every seventh 0): a text model's and a text dataset's. */
const IDF = Float32Array.from({ length: 64 }, (_, j) => (j % 7 === 0 ? 0 : Math.fround(1 + j / 16)));

/** A sparse dataset whose rows a text featurizer weighed by IDF made: its hogwild.idf metadata is fuzzed too. */
async function textArrowFile(): Promise<Uint8Array> {
  const ds = (await readLibsvm(join(SPARSE, 'classes-1based.svm'))).dataset;
  return encodeSparseDataset({ ...ds, featureLength: 64, featurizer: textRowFeaturizer(textFeaturizer({ hashBits: 6 })), idf: IDF }, 8);
}

/** A compact i8 text model with IDF weights (its featurizer.idf tensor and featurizer JSON are fuzzed too). */
function textModelFile(): Uint8Array {
  const spec: NetworkSpec = { layers: [64, 3], activation: 'relu', loss: 'softmax' };
  const layout = paramLayout(spec.layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(4), 'he');
  const model = { spec, params, inputShape: [64], inputScale: 1, featurizer: textRowFeaturizer(textFeaturizer({ hashBits: 6 })), idf: IDF };
  return encodeModel(compactModel(model, { precision: 'i8', keep: Uint8Array.from(IDF, (w) => (w === 0 ? 0 : 1)) }));
}

function modelFile(compact?: 'f16' | 'i8'): Uint8Array {
  const spec: NetworkSpec = { layers: [6, 5, 3], activation: 'relu', loss: 'softmax' };
  const layout = paramLayout(spec.layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(2), 'he');
  const model = { spec, params, inputShape: [2, 3], inputScale: 1 / 255 };
  // A compact file (docs/model-format.md) leaves out inputs 1 and 4: its layers.0.inputs tensor is fuzzed too.
  return encodeModel(compact ? compactModel(model, { precision: compact, keep: Uint8Array.of(1, 0, 1, 1, 0, 1) }) : model);
}

const fixture = (name: string, dir = FIXTURES) => async () => new Uint8Array(readFileSync(join(dir, name)));
const DIGITS = join(import.meta.dirname, '../fixtures/digits');
const TABULAR = join(import.meta.dirname, '../fixtures/tabular');
const SPARSE = join(import.meta.dirname, '../fixtures/sparse');
const TEXT = join(import.meta.dirname, '../fixtures/text');

/** Tables are read from files (streamed): each mutant is written to a temporary file and converted. */
let tableDir: string | null = null;
const readTable = (format: TableFormat, ext: string, label = 'species') => async (bytes: Uint8Array): Promise<unknown> => {
  tableDir ??= mkdtempSync(join(tmpdir(), 'hogwild-fuzz-'));
  const file = join(tableDir, `m.${ext}`);
  writeFileSync(file, bytes);
  return tableDatasets(format, file, { label });
};

/** Text files (LIBSVM, fastText) are read as streams from files: each mutant is written to a temporary file. */
const readTextFile = (ext: string, read: (file: string) => Promise<unknown>) => async (bytes: Uint8Array): Promise<unknown> => {
  tableDir ??= mkdtempSync(join(tmpdir(), 'hogwild-fuzz-'));
  const file = join(tableDir, `m.${ext}`);
  writeFileSync(file, bytes);
  return read(file);
};

/** A stand-in text featurizer for the fastText reader: each word hashed into 64 buckets. */
const WORD_BUCKETS: TextFeatureEncoder = {
  featurizer: { kind: 'fuzz' }, featureLength: 64,
  encode(text) {
    const words = text.split(' ');
    const indices = new Int32Array(words.length);
    for (let i = 0; i < words.length; i++) for (let k = 0; k < words[i].length; k++) indices[i] = (indices[i] * 31 + words[i].charCodeAt(k)) & 63;
    return { indices, values: new Float32Array(words.length).fill(1) };
  },
};

function referenceText(): Uint8Array {
  const layers = [6, 5, 3];
  const layout = paramLayout(layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(3), 'uniform');
  return new TextEncoder().encode(formatReferenceText(params, layers));
}

/** predict reads image files: each mutant is written to a temporary file and read as a user's image would be. */
let imageDir: string | null = null;
async function readImageBytes(bytes: Uint8Array): Promise<unknown> {
  imageDir ??= mkdtempSync(join(tmpdir(), 'hogwild-fuzz-'));
  const file = join(imageDir, 'm.img');
  writeFileSync(file, bytes);
  return readImage(file);
}

export const READERS: readonly Reader[] = [
  { name: 'Arrow dataset', valid: arrowFile, read: (b) => decodeArrowDataset(b, 'm.arrow') },
  { name: 'IDX (raw)', valid: fixture('types-i16.idx'), read: (b) => decodeIdx(b, 'm.idx') },
  { name: 'IDX (gzip)', valid: fixture('small-images.idx.gz'), read: (b) => decodeIdx(b, 'm.idx.gz') },
  { name: 'MAT Level 4', valid: fixture('classes-v4-le.mat'), read: (b) => parseMat(b, 'm.mat').variables.filter((v) => v.supported).map((v) => v.read()) },
  { name: 'MAT Level 5 (v6)', valid: fixture('classes-v6-be.mat'), read: (b) => parseMat(b, 'm.mat').variables.filter((v) => v.supported).map((v) => v.read()) },
  { name: 'MAT Level 5 (v7, compressed)', valid: fixture('classes-v7-le.mat'), read: (b) => parseMat(b, 'm.mat').variables.filter((v) => v.supported).map((v) => v.read()) },
  { name: 'safetensors model', valid: async () => modelFile(), read: (b) => decodeModel(b, 'm.safetensors') },
  { name: 'safetensors model (compact f16)', valid: async () => modelFile('f16'), read: (b) => decodeModel(b, 'm.safetensors') },
  { name: 'safetensors model (compact i8)', valid: async () => modelFile('i8'), read: (b) => decodeModel(b, 'm.safetensors') },
  { name: 'safetensors text model (IDF weights, compact i8)', valid: async () => textModelFile(), read: (b) => decodeModel(b, 'm.safetensors') },
  { name: 'reference text model', valid: async () => referenceText(), read: (b) => parseReferenceText(new TextDecoder().decode(b), [6, 5, 3], 'm.txt') },
  { name: 'CSV table', valid: fixture('iris.csv', TABULAR), read: readTable('csv', 'csv') },
  { name: 'Parquet table (zstd)', valid: fixture('iris.parquet', TABULAR), read: readTable('parquet', 'parquet'), slow: true },
  { name: 'Arrow table (LZ4 file)', valid: fixture('iris-lz4.arrow', TABULAR), read: readTable('arrow', 'arrow') },
  { name: 'Arrow table (ZSTD stream)', valid: fixture('iris-zstd.arrows', TABULAR), read: readTable('arrow', 'arrows') },
  { name: 'CSV table (categories, missing values)', valid: fixture('fruit.csv', TABULAR), read: readTable('csv', 'csv', 'kind') },
  { name: 'CSV table (regression)', valid: fixture('diabetes-test.csv', TABULAR), read: readTable('csv', 'csv', 'target') },
  { name: 'Parquet table (nulls, strings, booleans)', valid: fixture('fruit.parquet', TABULAR), read: readTable('parquet', 'parquet', 'kind'), slow: true },
  { name: 'Arrow table (nulls, strings, booleans)', valid: fixture('fruit.arrow', TABULAR), read: readTable('arrow', 'arrow', 'kind') },
  { name: 'Arrow dataset (sparse)', valid: sparseArrowFile, read: (b) => decodeArrowDataset(b, 'm.arrow') },
  { name: 'Arrow dataset (sparse text, IDF weights)', valid: textArrowFile, read: (b) => decodeArrowDataset(b, 'm.arrow') },
  { name: 'LIBSVM file', valid: fixture('classes-1based.svm', SPARSE), read: readTextFile('svm', (f) => readLibsvm(f)) },
  { name: 'LIBSVM file (regression)', valid: fixture('regression.svm', SPARSE), read: readTextFile('svm', (f) => readLibsvm(f)) },
  { name: 'CSV table (text, numeric and categorical columns)', valid: fixture('mixed.csv', TEXT), read: readTable('csv', 'csv', 'label') },
  { name: 'JSON-lines table (text, numeric and categorical columns)', valid: fixture('mixed.jsonl', TEXT), read: readTable('jsonl', 'jsonl', 'label') },
  { name: 'fastText file', valid: fixture('spam.ft', SPARSE), read: readTextFile('ft', (f) => datasetFromFasttext(f, WORD_BUCKETS)) },
  { name: 'PNG image', valid: fixture('pen-3.png', DIGITS), read: readImageBytes, slow: true },
  { name: 'JPEG image', valid: fixture('chalk-7.jpg', DIGITS), read: readImageBytes, slow: true },
];

/**
 * What a message of ours must not hold: a second line, or words of the JavaScript engine or of a library's internals
 * (a TypeError's "Cannot destructure property 'length' of '(intermediate value)…'", jimp's "Could not find MIME for
 * Buffer"), which say nothing to a user about the file. Returns what was found, or null.
 */
export function foreignText(message: string): string | null {
  if (message.includes('\n')) return 'a line break';
  const m = ENGINE_TEXT.exec(message);
  return m ? JSON.stringify(m[0]) : null;
}
const ENGINE_TEXT = new RegExp([
  'Cannot (?:read|set|destructure|convert|access|mix)\\b', 'intermediate value', 'is not (?:a function|iterable|a constructor|defined)',
  'Maximum call stack', 'Invalid (?:typed )?array length', 'Offset is outside', 'out of range index', 'is not safe to convert',
  '\\bundefined\\b', '\\b(?:TypeError|RangeError|ReferenceError)\\b', 'Could not find MIME', 'read requests', 'Unrecognized',
].join('|'));

/** Runs `cases` mutants of each reader's file; returns the ones that ended in anything but our errors or a result. */
export async function fuzz(cases: number, seed: number, onReader?: (name: string, n: number) => void): Promise<{ escaped: string[]; total: number; slowest: { ms: number; what: string }; peakRssMiB: number }> {
  const escaped: string[] = [];
  let total = 0;
  let slowest = { ms: 0, what: '' };
  let peakRss = process.memoryUsage().rss;
  for (const reader of READERS) {
    const valid = await reader.valid();
    await reader.read(valid); // the unmutated file reads
    let n = 0;
    for (const m of mutants(valid, reader.slow ? Math.ceil(cases / 10) : cases, seed)) {
      n++;
      const t0 = performance.now();
      try {
        await reader.read(m.bytes);
      } catch (e) {
        // An E_INTERNAL HogwildError is a bug the mutant reached, not an answer about the file: it escapes too.
        if (!(e instanceof HogwildError) || e.kind === 'internal') escaped.push(`${reader.name}, ${m.what}: ${(e as Error)?.name}: ${(e as Error)?.message?.slice(0, 200)}`);
        else if (foreignText(e.message)) escaped.push(`${reader.name}, ${m.what}: a message with ${foreignText(e.message)}: ${e.message.slice(0, 200)}`);
      } finally {
        const ms = performance.now() - t0;
        if (ms > slowest.ms) slowest = { ms, what: `${reader.name}, ${m.what}` };
        if (n % 64 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    }
    onReader?.(reader.name, n);
    total += n;
  }
  return { escaped, total, slowest, peakRssMiB: Math.round(peakRss / 2 ** 20) };
}
