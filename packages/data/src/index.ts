/**
 * Datasets for hogwild: IDX, MATLAB .mat, CSV, Parquet and Arrow readers into Arrow datasets (uint8 or float32
 * features, a uint8 class a row), LIBSVM and fastText readers into sparse datasets (each row's non-zero (index, value)
 * pairs), the bundled MNIST, and the `data` CLI's library calls. Errors are
 * {@link HogwildError}s (DataError: InputError for bad files, UsageError for bad options).
 *
 * @module @hogwild/data
 */
export { DataError, InputError, NotADatasetError, UsageError } from './errors.ts';
export { HogwildError, type ErrorCode, type ErrorKind } from '@hogwild/core';
export { readIdx, type IdxArray, type IdxType, type IdxValues } from './idx.ts';
export { inspectMat, readMatVariable, type MatArray, type MatClass, type MatFileInfo, type MatVariableInfo, type MatVersion } from './mat.ts';
export {
  readArrowDataset, openArrowDataset, writeArrowDataset, decodeArrowDataset, encodeArrowDataset,
  type Dataset, type DenseDataset, type ChunkedDataset, type DatasetAllocator, type DatasetInfo, type FeatureType,
} from './arrow-dataset.ts';
export type { SparseDataset } from './sparse-dataset.ts';
export { datasetFromIdx, datasetFromMat, type MatConvertOptions } from './convert.ts';
export {
  datasetFromTableFile, readTableFile,
  type TableFormat, type TableOptions, type TableConvertOptions, type TableConversion, type TableRead, type LabelMapping, type LikeEncoding, type MissingPolicy,
} from './tabular.ts';
export { inspectFile, type FileInfo, type IdxInfo, type ArrowInfo } from './inspect.ts';
export { ensureMnist, loadMnist, type Split, type MnistCacheEvent } from './mnist.ts';
export type { Table } from 'apache-arrow';
