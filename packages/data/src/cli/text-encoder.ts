/**
 * The text featurizer that `data convert --fasttext` encodes text with: the one place it plugs in. None exists yet,
 * so convert refuses --fasttext with E_USAGE until this returns one.
 */
import type { TextFeatureEncoder } from '../fasttext.ts';

/** The encoder for a conversion (`like`: a dataset's stored featurizer JSON, to encode as it was), or undefined while there is none. */
export function textEncoder(_like?: unknown): TextFeatureEncoder | undefined {
  return undefined;
}
