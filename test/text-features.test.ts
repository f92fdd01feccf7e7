import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEXT_FEATURIZER, encodeRow, encodeText, HogwildError, textFeatureCount, textFeaturizer, textTokens, validateTextFeaturizer, type TextFeaturizer,
} from '@hogwild/core';
import { encodeRowInto, encodeTextInto, fitTextIdf, hashToken, idfWeight, murmur3, SparseRowBuilder, textRowFeaturizer, weighCountRows } from './internal.ts';
import { ROOT } from './helpers.ts';

interface Vectors {
  settings: Record<string, TextFeaturizer>;
  /** IDF weights, one a bucket, for the settings that weigh by IDF. */
  idf: Record<string, number[]>;
  murmur3: { bytes: string; seed: number; hash: number }[];
  cases: ({ text: string; tokens: string[] } & Record<string, { indices: number[]; values: number[] }>)[];
}
// Written by test/fixtures/text/make.py from python/hogwild_torch.py's featurizer (the Python side).
const VECTORS = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/text/vectors.json'), 'utf8')) as Vectors;

describe('text features (core text-features.ts)', () => {
  it('hashes bytes as MurmurHash3 x86 32-bit does, by its published vectors', () => {
    for (const v of VECTORS.murmur3) expect(murmur3(Buffer.from(v.bytes, 'hex'), v.seed), `${v.bytes} seed ${v.seed}`).toBe(v.hash);
    expect(hashToken('Hello, world!')).toBe(murmur3(new TextEncoder().encode('Hello, world!')));
    expect(hashToken('ππππ😀')).toBe(murmur3(new TextEncoder().encode('ππππ😀')));
  });

  it('tokenises every shared case as the Python featurizer does', () => {
    expect(VECTORS.cases.length).toBeGreaterThan(30);
    for (const c of VECTORS.cases) expect(textTokens(c.text), JSON.stringify(c.text.slice(0, 40))).toEqual(c.tokens);
  });

  it('computes the same indices, and values to 1e-6, as the Python featurizer for every setting, IDF weights included', () => {
    expect(Object.values(VECTORS.settings).some((f) => f.idf === true)).toBe(true);
    for (const [name, spec] of Object.entries(VECTORS.settings)) {
      const f = validateTextFeaturizer(spec);
      const idf = VECTORS.idf[name] ? Float32Array.from(VECTORS.idf[name]) : null;
      for (const c of VECTORS.cases) {
        const row = encodeText(c.text, f, idf), want = c[name]!;
        const where = `${name}: ${JSON.stringify(c.text.slice(0, 40))}`;
        expect(Array.from(row.indices), where).toEqual(want.indices);
        expect(row.values.length, where).toBe(want.values.length);
        for (let i = 0; i < want.values.length; i++) expect(Math.abs(row.values[i]! - want.values[i]!), where).toBeLessThanOrEqual(1e-6);
      }
    }
  });

  it('gives sorted unique indices below 2^hashBits, unit length under l2, and nothing for a text of spaces', () => {
    const f = textFeaturizer({ hashBits: 4, ngrams: 3, idf: false });
    const row = encodeText('the quick brown fox jumps over the lazy dog and the quick cat', f);
    for (let i = 1; i < row.indices.length; i++) expect(row.indices[i]!).toBeGreaterThan(row.indices[i - 1]!);
    expect(row.indices[row.indices.length - 1]!).toBeLessThan(textFeatureCount(f));
    expect(Math.hypot(...row.values)).toBeCloseTo(1, 6);
    expect(encodeText('', f).indices.length).toBe(0);
    expect(encodeText(' \t\u200b\n', DEFAULT_TEXT_FEATURIZER, new Float32Array(2 ** 20)).values.length).toBe(0);
    // Punctuation is a token of its own: '!!!' is three '!' in one bucket.
    expect(Array.from(encodeText('!!!', textFeaturizer({ ngrams: 1, weighting: 'count', normalize: 'none', idf: false })).values)).toEqual([3]);
  });

  it('puts several text columns in one row at their offsets, each column normalised on its own', () => {
    const f = textFeaturizer({ hashBits: 8, idf: false });
    const builder = new SparseRowBuilder(2);
    builder.reset();
    builder.push(0, 2.5);
    encodeTextInto('Free money now', f, 1, builder);
    encodeTextInto('Meeting at noon', f, 1 + 256, builder);
    const row = builder.toRow(), a = encodeText('Free money now', f), b = encodeText('Meeting at noon', f);
    expect(Array.from(row.indices)).toEqual([0, ...Array.from(a.indices, (i) => i + 1), ...Array.from(b.indices, (i) => i + 257)]);
    expect(Array.from(row.values)).toEqual([2.5, ...a.values, ...b.values]);
    // Columns given out of order still make one sorted row, duplicates summed.
    builder.reset();
    encodeTextInto('b', f, 300, builder);
    builder.push(3, 1);
    builder.push(3, 2);
    expect(Array.from(builder.toRow().indices)).toEqual([3, 300 + (hashToken('b') & 255)]);
    expect(builder.toRow().values[0]).toBe(3);
    expect(() => encodeTextInto('x', textFeaturizer({ hashBits: 30, idf: false }), 2 ** 30 + 1, builder)).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'offset' }));
  });

  it('rejects a featurizer spec with the setting and the value that are wrong', () => {
    expect(validateTextFeaturizer(JSON.stringify(DEFAULT_TEXT_FEATURIZER))).toEqual(DEFAULT_TEXT_FEATURIZER);
    const bad: [unknown, string, RegExp][] = [
      [null, 'featurizer', /expected an object, found null/],
      ['{', 'featurizer', /expected a JSON object/],
      [{ ...DEFAULT_TEXT_FEATURIZER, kind: 'bag' }, 'featurizer.kind', /expected "hashed-text", found "bag"/],
      [{ ...DEFAULT_TEXT_FEATURIZER, version: 3 }, 'featurizer.version', /expected 1 or 2 .*found 3/],
      [{ ...DEFAULT_TEXT_FEATURIZER, version: 1 }, 'featurizer.idf', /version 2's/],
      [{ ...DEFAULT_TEXT_FEATURIZER, idf: 'yes' }, 'featurizer.idf', /expected true or false, found "yes"/],
      [{ ...DEFAULT_TEXT_FEATURIZER, hashBits: 31 }, 'featurizer.hashBits', /expected an integer in \[1, 30\], found 31/],
      [{ ...DEFAULT_TEXT_FEATURIZER, ngrams: 1.5 }, 'featurizer.ngrams', /found 1.5/],
      [{ ...DEFAULT_TEXT_FEATURIZER, lowercase: false }, 'featurizer.lowercase', /expected true/],
      [{ ...DEFAULT_TEXT_FEATURIZER, weighting: 'tfidf' }, 'featurizer.weighting', /expected one of binary, count, log, found "tfidf"/],
      [{ ...DEFAULT_TEXT_FEATURIZER, normalize: undefined }, 'featurizer.normalize', /found nothing/],
    ];
    for (const [value, field, message] of bad) {
      const e = (() => { try { validateTextFeaturizer(value); } catch (err) { return err; } })();
      expect(e, field).toBeInstanceOf(HogwildError);
      expect((e as HogwildError).code).toBe('E_USAGE');
      expect((e as HogwildError).field).toBe(field);
      expect((e as HogwildError).message).toMatch(message);
    }
    expect(() => validateTextFeaturizer({}, 'model.safetensors: featurizer', 'E_MODEL_FILE')).toThrow(expect.objectContaining({ code: 'E_MODEL_FILE' }));
  });

  it('fits IDF weights on rows of counts, and finishes those rows to exactly what encodeRow gives with them; a word no training text has is left out', () => {
    const f = textRowFeaturizer(textFeaturizer({ hashBits: 12, ngrams: 1 }));
    const texts = ['free money now', 'money for the meeting', 'the meeting is now now', 'zebra money'];
    const bucket = (w: string) => hashToken(w) & 4095;
    // The first three are the training rows; 'zebra' is only in the fourth, held out (and in no training bucket).
    expect(['free', 'money', 'now', 'for', 'the', 'meeting', 'is'].map(bucket)).not.toContain(bucket('zebra'));
    const builder = new SparseRowBuilder();
    const rows = (list: string[]) => {
      const indices: number[] = [], values: number[] = [], indptr = [0];
      for (const text of list) {
        builder.reset();
        encodeRowInto(f, { text }, builder, null, true);
        for (let k = 0; k < builder.length; k++) { indices.push(builder.indices[k]); values.push(builder.values[k]); }
        indptr.push(indices.length);
      }
      return { indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), values: Float32Array.from(values) };
    };
    const train = rows(texts.slice(0, 3));
    // Counts before weighing: 'now' twice in the third text.
    expect(train.values[train.indptr[2] + [...train.indices.subarray(train.indptr[2])].indexOf(bucket('now'))]).toBe(2);
    const idf = fitTextIdf(f, train.indptr, train.indices);
    expect(idf[bucket('money')]).toBe(idfWeight(2, 3));
    expect(idf[bucket('free')]).toBe(Math.fround(Math.log(4 / 2) + 1));
    expect(idf[bucket('zebra')]).toBe(0);
    const held = rows(texts.slice(3));
    expect(weighCountRows(f, idf, train.indptr, train.indices, train.values)).toBe(train.indices.length);
    expect(weighCountRows(f, idf, held.indptr, held.indices, held.values)).toBe(1);
    for (const [r, text] of texts.slice(0, 3).entries()) {
      const want = encodeRow(f, { text }, idf);
      expect([...train.indices.subarray(train.indptr[r], train.indptr[r + 1])], text).toEqual([...want.indices]);
      expect([...train.values.subarray(train.indptr[r], train.indptr[r + 1])], text).toEqual([...want.values]);
    }
    // 'zebra money' keeps 'money' only, of unit length.
    expect([held.indices[0], held.values[0], held.indptr[1]]).toEqual([bucket('money'), 1, 1]);
    expect(encodeRow(f, { text: 'zebra money' }, idf)).toEqual({ indices: Int32Array.of(bucket('money')), values: Float32Array.of(1) });
    // A featurizer that weighs by IDF refuses to encode without its weights.
    expect(() => encodeRow(f, { text: 'money' })).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'idf' }));
  });
});
