import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TEXT_FEATURIZER, encodeText, HogwildError, textFeatureCount, textFeaturizer, textTokens, validateTextFeaturizer, type TextFeaturizer,
} from '@hogwild/core';
import { encodeTextInto, hashToken, murmur3, SparseRowBuilder } from './internal.ts';
import { ROOT } from './helpers.ts';

interface Vectors {
  settings: Record<string, TextFeaturizer>;
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

  it('computes the same indices, and values to 1e-6, as the Python featurizer for both settings', () => {
    for (const [name, spec] of Object.entries(VECTORS.settings)) {
      const f = validateTextFeaturizer(spec);
      for (const c of VECTORS.cases) {
        const row = encodeText(c.text, f), want = c[name]!;
        const where = `${name}: ${JSON.stringify(c.text.slice(0, 40))}`;
        expect(Array.from(row.indices), where).toEqual(want.indices);
        expect(row.values.length, where).toBe(want.values.length);
        for (let i = 0; i < want.values.length; i++) expect(Math.abs(row.values[i]! - want.values[i]!), where).toBeLessThanOrEqual(1e-6);
      }
    }
  });

  it('gives sorted unique indices below 2^hashBits, unit length under l2, and nothing for a text of spaces', () => {
    const f = textFeaturizer({ hashBits: 4, ngrams: 3 });
    const row = encodeText('the quick brown fox jumps over the lazy dog and the quick cat', f);
    for (let i = 1; i < row.indices.length; i++) expect(row.indices[i]!).toBeGreaterThan(row.indices[i - 1]!);
    expect(row.indices[row.indices.length - 1]!).toBeLessThan(textFeatureCount(f));
    expect(Math.hypot(...row.values)).toBeCloseTo(1, 6);
    expect(encodeText('', f).indices.length).toBe(0);
    expect(encodeText(' \t\u200b\n', DEFAULT_TEXT_FEATURIZER).values.length).toBe(0);
    // Punctuation is a token of its own: '!!!' is three '!' in one bucket.
    expect(Array.from(encodeText('!!!', textFeaturizer({ ngrams: 1, weighting: 'count', normalize: 'none' })).values)).toEqual([3]);
  });

  it('puts several text columns in one row at their offsets, each column normalised on its own', () => {
    const f = textFeaturizer({ hashBits: 8 });
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
    expect(() => encodeTextInto('x', textFeaturizer({ hashBits: 30 }), 2 ** 30 + 1, builder)).toThrow(expect.objectContaining({ code: 'E_USAGE', field: 'offset' }));
  });

  it('rejects a featurizer spec with the setting and the value that are wrong', () => {
    expect(validateTextFeaturizer(JSON.stringify(DEFAULT_TEXT_FEATURIZER))).toEqual(DEFAULT_TEXT_FEATURIZER);
    const bad: [unknown, string, RegExp][] = [
      [null, 'featurizer', /expected an object, found null/],
      ['{', 'featurizer', /expected a JSON object/],
      [{ ...DEFAULT_TEXT_FEATURIZER, kind: 'bag' }, 'featurizer.kind', /expected "hashed-text", found "bag"/],
      [{ ...DEFAULT_TEXT_FEATURIZER, version: 2 }, 'featurizer.version', /found 2/],
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
});
