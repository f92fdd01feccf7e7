/**
 * The text featurizer that `data convert --fasttext` encodes text with: the one place it plugs in. A new conversion
 * takes core's default settings (or --hash-bits, --ngrams); a test set converted `--like` a training set takes the
 * training set's featurizer, so that both have the same features. Tables with text columns take the same settings
 * (textSettings), fitted into a row featurizer by tabular.ts.
 */
import { DEFAULT_TEXT_FEATURIZER, encodeRowInto, isRowFeaturizer, SparseRowBuilder, TEXT_MAX_HASH_BITS, TEXT_MAX_NGRAMS, textFeaturizer, textRowFeaturizer, validateRowFeaturizer, type RowFeaturizer, type TextFeaturizer } from '@hogwild/core/internal';
import type { TextFeatureEncoder } from '../fasttext.ts';
import { InputError, UsageError } from '../errors.ts';
import type { TextSettings } from '../tabular.ts';

/** The text settings of `--hash-bits` and `--ngrams`, checked (undefined when neither is given); refused with --like, whose featurizer is kept. */
export function textSettings(o: { hashBits?: number; ngrams?: number; like?: string }): TextSettings | undefined {
  if (o.hashBits === undefined && o.ngrams === undefined) return undefined;
  if (o.like !== undefined) throw new UsageError(`--like takes the text featurizer of ${o.like}: drop ${o.hashBits !== undefined ? '--hash-bits' : '--ngrams'}`);
  if (o.hashBits !== undefined && !(Number.isInteger(o.hashBits) && o.hashBits >= 1 && o.hashBits <= TEXT_MAX_HASH_BITS)) throw new UsageError(`--hash-bits: expected an integer from 1 to ${TEXT_MAX_HASH_BITS} (2^bits features a text column), found ${o.hashBits}`);
  if (o.ngrams !== undefined && !(Number.isInteger(o.ngrams) && o.ngrams >= 1 && o.ngrams <= TEXT_MAX_NGRAMS)) throw new UsageError(`--ngrams: expected an integer from 1 to ${TEXT_MAX_NGRAMS} (1: words only, 2: words and pairs), found ${o.ngrams}`);
  return { ...(o.hashBits !== undefined && { hashBits: o.hashBits }), ...(o.ngrams !== undefined && { ngrams: o.ngrams }) };
}

/** The encoder for a conversion: `like`, a dataset's stored featurizer JSON, to encode as it was; `settings`, a new one's. */
export function textEncoder(like?: unknown, settings: Partial<Pick<TextFeaturizer, 'hashBits' | 'ngrams'>> = {}, likeFile = 'the --like dataset'): TextFeatureEncoder {
  if (like !== undefined && !isRowFeaturizer(like)) throw new InputError(likeFile, 'was not made from text (its features have no text featurizer): convert the test set --like a text dataset');
  const featurizer: RowFeaturizer = like !== undefined ? validateRowFeaturizer(like) : textRowFeaturizer(textFeaturizer({ ...DEFAULT_TEXT_FEATURIZER, ...settings }));
  const builder = new SparseRowBuilder();
  const column = featurizer.columns[0].name;
  return {
    featurizer, featureLength: featurizer.features,
    encode(text) {
      builder.reset();
      encodeRowInto(featurizer, { [column]: text }, builder);
      return builder.toRow();
    },
  };
}
