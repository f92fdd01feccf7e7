/**
 * The text featurizer that `data convert --fasttext` encodes text with: the one place it plugs in. A new conversion
 * takes core's default settings (or --hash-bits, --ngrams); a test set converted `--like` a training set takes the
 * training set's featurizer, so that both have the same features.
 */
import { DEFAULT_TEXT_FEATURIZER, encodeRowInto, isRowFeaturizer, SparseRowBuilder, textFeaturizer, textRowFeaturizer, validateRowFeaturizer, type RowFeaturizer, type TextFeaturizer } from '@hogwild/core/internal';
import type { TextFeatureEncoder } from '../fasttext.ts';
import { InputError } from '../errors.ts';

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
