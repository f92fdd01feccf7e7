/**
 * The inputs a training set ever gives a value: what a compact model keeps of its first layer (core compactModel's
 * `keep`). An input that is zero in every training sample has a zero gradient in every step, so its row of weights
 * is never trained and stays as it was initialised: dropping it loses nothing the data taught.
 */
import { loadData, type DataInput } from './data-input.ts';

/**
 * One byte an input, 1 where some row of a sparse training set has a non-zero value there. Undefined for dense data,
 * and for data of another feature count than `features`: a dense table's stored zeros may be standardised into
 * non-zeros, so only the model's own all-zero rows are known unused there (compactModel's default).
 */
export function seenInputs(data: DataInput, features: number): Uint8Array | undefined {
  const columns = loadData(data, 'data');
  if (columns.layout !== 'sparse' || columns.featureLength !== features) return undefined;
  const seen = new Uint8Array(features);
  // A part at a time: the run's shared memory (the model's weights, the data) is still held here.
  columns.scan((indices, values) => {
    for (let k = 0; k < indices.length; k++) if (values[k] !== 0) seen[indices[k]] = 1;
  });
  return seen;
}
