/**
 * Text models read raw text (issue 27, point 3): a model trained on a fastText file keeps its row featurizer, and
 * `trainer predict --text/--csv/--jsonl`, `trainer eval --csv`, predict() and evaluate() from code make each raw text
 * into features with core encodeRow, agreeing with the converted dataset's rows. Fixtures: test/fixtures/sparse/spam.ft
 * and test/fixtures/text/texts.csv (make_csv.py, Python's csv module) with texts.ft, the same rows in fastText's format.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPredictor } from '@hogwild/core/infer';
import { readArrowDataset, type SparseDataset } from '@hogwild/data';
import { evaluate, loadModel, predict, saveModel, train, type Model } from '@hogwild/trainer';
import { cli, jsonLines, tempDir } from './helpers.ts';

const fx = (area: string, name: string) => join(import.meta.dirname, 'fixtures', area, name);
const dir = tempDir();
const modelFile = join(dir, 'spam.safetensors');
const convertedFile = join(dir, 'texts.arrow');
let model: Model;
const texts = ['Free money now, FREE prize!', 'meeting tomorrow: draft report', 'winner winner "free" money', 'lunch at the café?\nreport after lunch', 'Über meeting, draft; café', 'prize now, money now', 'unseenword tomorrow report', 'free lunch'];
const labels = ['spam', 'ham', 'spam', 'ham', 'ham', 'spam', 'ham', 'spam'];

beforeAll(async () => {
  const trainFile = join(dir, 'spam.arrow');
  expect((await cli('data', ['convert', '--fasttext', fx('sparse', 'spam.ft'), '--hash-bits', '14', '--out', trainFile])).code).toBe(0);
  expect((await cli('data', ['convert', '--fasttext', fx('text', 'texts.ft'), '--like', trainFile, '--out', convertedFile])).code).toBe(0);
  const r = await train({ data: trainFile, layers: [2 ** 14, 2], lr: 0.5, schedule: 'constant', epochs: 5, workers: 1, seed: 1 });
  model = r.model;
  saveModel(modelFile, model);
}, 120_000);

describe('a text model reads raw text', () => {
  it('keeps the featurizer and IDF weights of its training data, and loads with them', () => {
    expect(model.featurizer).toMatchObject({ kind: 'rows', columns: [{ name: 'text', role: 'text', offset: 0 }], features: 2 ** 14 });
    expect(loadModel(modelFile).featurizer).toEqual(model.featurizer);
    // With the IDF weights its training data was weighed with, kept in the file.
    expect(model.idf).toEqual((readArrowDataset(join(dir, 'spam.arrow')) as SparseDataset).idf);
    expect(loadModel(modelFile).idf).toEqual(model.idf);
  });

  it('predict() on plain texts, on records and on the converted rows gives the same classes and probabilities', () => {
    const fromTexts = predict(model, texts);
    const fromRecords = predict(model, texts.map((text) => ({ text })));
    const ds = readArrowDataset(convertedFile) as SparseDataset;
    const predictor = createPredictor(model);
    const fromRows = texts.map((_, r) => predictor.predictSparse(ds.indices, ds.values, ds.indptr[r], ds.indptr[r + 1]));
    expect(fromRecords).toEqual(fromTexts);
    expect(fromRows).toEqual(fromTexts);
    expect(fromTexts.map((p) => p.name)).toEqual(fromTexts.map((p) => (p.probabilities[1] > p.probabilities[0] ? 'spam' : 'ham')));
  });

  it('trainer predict --csv, --jsonl and --text print the classes and probabilities of predict()', async () => {
    const expected = predict(model, texts).map((p, i) => ({ row: i + 1, class: p.label, name: p.name, probability: p.probabilities[p.label], probabilities: p.probabilities }));
    const csv = await cli('trainer', ['predict', '--model', modelFile, '--csv', fx('text', 'texts.csv'), '--json']);
    expect([csv.code, csv.stderr]).toEqual([0, '']);
    expect(jsonLines(csv.stdout)).toEqual(expected);
    const lines = join(dir, 'texts.jsonl');
    writeFileSync(lines, texts.map((text, i) => JSON.stringify(i % 2 ? text : { text })).join('\n') + '\n');
    const jsonl = await cli('trainer', ['predict', '--model', modelFile, '--jsonl', lines, '--json']);
    expect(jsonLines(jsonl.stdout)).toEqual(expected);
    const plain = await cli('trainer', ['predict', '--model', modelFile, '--text', texts[0], '--text', texts[1]]);
    const label = (p: (typeof expected)[number]) => `${p.name}  ${(100 * p.probability).toFixed(1)}%`;
    expect(plain.stdout).toBe(`row 1: ${label(expected[0])}  (${expected[0].name === 'spam' ? 'ham' : 'spam'} ${(100 * (1 - expected[0].probability)).toFixed(1)}%)\nrow 2: ${label(expected[1])}  (${expected[1].name === 'spam' ? 'ham' : 'spam'} ${(100 * (1 - expected[1].probability)).toFixed(1)}%)\n`);
    const stdin = await cli('trainer', ['predict', '--model', modelFile, '--text', '--json'], { input: texts.filter((t) => !t.includes('\n')).join('\n') + '\n' });
    expect(jsonLines(stdin.stdout).map((p) => p.probabilities)).toEqual(expected.filter((_, i) => !texts[i].includes('\n')).map((p) => p.probabilities));
  });

  it('trainer eval --csv of raw texts, evaluate() of records and evaluate() of the converted file agree', async () => {
    const fromCsv = jsonLines((await cli('trainer', ['eval', '--model', modelFile, '--csv', fx('text', 'texts.csv'), '--label', 'label', '--workers', '1', '--json'])).stdout)[0];
    // The session's evaluation of the converted file (what trainer eval --data runs).
    const converted = await evaluate(model, convertedFile, { workers: 1 });
    const fromData = { samples: converted.samples, correct: converted.correct, confusion: [Array.from(converted.confusion.subarray(0, 2)), Array.from(converted.confusion.subarray(2, 4))] };
    const fromCode = await evaluate(model, { records: texts, labels }, { workers: 1 });
    const predicted = predict(model, texts).map((p) => p.name);
    const correct = predicted.filter((c, i) => c === labels[i]).length;
    expect([fromCsv.samples, fromCsv.correct, fromCsv.confusion]).toEqual([8, correct, fromData.confusion]);
    expect([fromData.samples, fromData.correct]).toEqual([8, correct]);
    expect([fromCode.samples, fromCode.correct, Array.from(fromCode.confusion)]).toEqual([8, correct, fromData.confusion.flat()]);
  });

  it('says in one line what is wrong: a model without a featurizer, a missing column, a plain text for several columns', async () => {
    const digits = { ...model, featurizer: undefined };
    expect(() => predict(digits, ['free money'])).toThrow(/^samples: the model has no row featurizer/);
    await expect(evaluate(digits, { records: ['free money'], labels: ['spam'] })).rejects.toThrow(/^data\.records: the model has no row featurizer/);
    const twoColumns = { ...model, featurizer: { ...model.featurizer!, columns: [{ name: 'subject', role: 'text' as const, offset: 0 }, { name: 'size', role: 'numeric' as const, index: 2 ** 14, center: 0, scale: 1, fill: 0 }], features: 2 ** 14 + 1 } };
    expect(() => predict(twoColumns, ['free money'])).toThrow(/a plain text, but the model reads 2 columns \(subject: text, size: numeric\): give a record naming them/);
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'body,label\nfree money,spam\n');
    const r = await cli('trainer', ['eval', '--model', modelFile, '--csv', other, '--label', 'label']);
    expect([r.code, r.stderr.trim().split('\n').length]).toEqual([1, 1]);
    expect(r.stderr).toContain(`${other}: the header has no column "text", which the model reads (its columns: text (text))`);
    const p = await cli('trainer', ['predict', '--model', modelFile, '--csv', other]);
    expect([p.code, p.stderr]).toEqual([1, `trainer: ${other}: the header has no column "text", which the model reads (its columns: text (text))\n`]);
  });

  it('refuses in one line a text dataset converted on its own (its IDF weights fitted on itself), in eval and as a test set', async () => {
    const own = join(dir, 'own.arrow');
    expect((await cli('data', ['convert', '--fasttext', fx('text', 'texts.ft'), '--hash-bits', '14', '--out', own])).code).toBe(0);
    const why = `${own}: its rows were made with other IDF weights than ${modelFile}'s: convert its raw file with data convert --like (the training set)`;
    const e = await cli('trainer', ['eval', '--model', modelFile, '--data', own]);
    expect([e.code, e.stderr]).toEqual([1, `trainer: ${why}\n`]);
    await expect(evaluate(model, own)).rejects.toThrow(`${own}: its rows were made with other IDF weights than the model's`);
    const trainFile = join(dir, 'spam.arrow');
    await expect(train({ data: trainFile, test: own, layers: [2 ** 14, 2], epochs: 1, workers: 1 })).rejects.toThrow(`${own}: its rows were made with other IDF weights than ${trainFile}'s`);
    // Converted --like the training set, the same texts pass (the beforeAll's file).
    expect((await cli('trainer', ['eval', '--model', modelFile, '--data', convertedFile])).code).toBe(0);
  });
});
