/**
 * The text featurizer that `data convert --fasttext` encodes text with: the one place it plugs in. A new conversion
 * takes core's default settings (or --hash-bits, --ngrams, --no-idf); a test set converted `--like` a training set takes the
 * training set's featurizer, so that both have the same features. Tables with text columns take the same settings
 * (textSettings), fitted into a row featurizer by tabular.ts.
 */
import { checkIdf, DEFAULT_TEXT_FEATURIZER, encodeRowInto, fitIdfOnRows, isRowFeaturizer, usesIdf, SparseRowBuilder, TEXT_MAX_HASH_BITS, TEXT_MAX_NGRAMS, textFeaturizer, textRowFeaturizer, validateRowFeaturizer, type RowFeaturizer } from '@hogwild/core/internal';
import type { TextFeatureEncoder } from '../fasttext.ts';
import { InputError, UsageError } from '../errors.ts';
import type { TextSettings } from '../tabular.ts';

/** The text settings of `--hash-bits`, `--ngrams` and `--no-idf`, checked (undefined when none is given); refused with --like, whose featurizer is kept. */
export function textSettings(o: { hashBits?: number; ngrams?: number; idf?: boolean; like?: string }): TextSettings | undefined {
  if (o.hashBits === undefined && o.ngrams === undefined && o.idf !== false) return undefined;
  if (o.like !== undefined) throw new UsageError(`--like takes the text featurizer of ${o.like}: drop ${o.hashBits !== undefined ? '--hash-bits' : o.ngrams !== undefined ? '--ngrams' : '--no-idf'}`);
  if (o.hashBits !== undefined && !(Number.isInteger(o.hashBits) && o.hashBits >= 1 && o.hashBits <= TEXT_MAX_HASH_BITS)) throw new UsageError(`--hash-bits: expected an integer from 1 to ${TEXT_MAX_HASH_BITS} (2^bits features a text column), found ${o.hashBits}`);
  if (o.ngrams !== undefined && !(Number.isInteger(o.ngrams) && o.ngrams >= 1 && o.ngrams <= TEXT_MAX_NGRAMS)) throw new UsageError(`--ngrams: expected an integer from 1 to ${TEXT_MAX_NGRAMS} (1: words only, 2: words and pairs), found ${o.ngrams}`);
  return { ...(o.hashBits !== undefined && { hashBits: o.hashBits }), ...(o.ngrams !== undefined && { ngrams: o.ngrams }), ...(o.idf === false && { idf: false }) };
}

/**
 * The encoder for a conversion: `like`, a dataset's stored featurizer JSON (with its IDF weights), to encode as it
 * was; `settings`, a new one's. A new featurizer that weighs by IDF encodes counts, then fits its weights on the rows
 * in `finish`.
 */
export function textEncoder(like?: { featurizer?: unknown; idf?: Float32Array }, settings: TextSettings = {}, likeFile = 'the --like dataset'): TextFeatureEncoder {
  if (like !== undefined && !isRowFeaturizer(like.featurizer)) throw new InputError(likeFile, 'was not made from text (its features have no text featurizer): convert the test set --like a text dataset');
  const featurizer: RowFeaturizer = like !== undefined ? validateRowFeaturizer(like.featurizer) : textRowFeaturizer(textFeaturizer({ ...DEFAULT_TEXT_FEATURIZER, ...settings }));
  const idf = like !== undefined ? checkIdf(featurizer, like.idf, likeFile) : null;
  const counts = usesIdf(featurizer) && idf === null;
  const builder = new SparseRowBuilder();
  const column = featurizer.columns[0].name;
  return {
    featurizer, featureLength: featurizer.features,
    encode(text) {
      builder.reset();
      encodeRowInto(featurizer, { [column]: text }, builder, idf, counts);
      return builder.toRow();
    },
    finish(indptr, indices, values) {
      if (!counts) return { nonzeros: indptr[indptr.length - 1], ...(idf && { idf }) };
      const { idf: fitted, nonzeros } = fitIdfOnRows(featurizer, [{ indptr, indices, values }]);
      return { nonzeros: nonzeros[0], idf: fitted };
    },
  };
}
