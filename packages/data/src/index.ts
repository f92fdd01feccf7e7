/**
 * Datasets for hogwild: IDX, MATLAB .mat, CSV, Parquet and Arrow readers into Arrow datasets (uint8 or float32
 * features, a uint8 class a row), the bundled MNIST, and the `data` CLI's library calls. Errors are
 * {@link HogwildError}s (DataError: InputError for bad files, UsageError for bad options).
 *
 * @module @hogwild/data
 */
export { DataError, InputError, UsageError } from './errors.ts';
export { HogwildError, printable, type ErrorCode, type ErrorKind } from '@hogwild/core';
export { readIdx, decodeIdx, parseIdxHeader, type IdxArray, type IdxHeader, type IdxType, type IdxValues } from './idx.ts';
export {
  inspectMat, readMatVariable, readMatVariableFrom, readMatVariablesFrom, parseMat, columnToRowMajor, looksLikeMat,
  type MatArray, type MatClass, type MatFileInfo, type MatVariableInfo, type MatVersion,
} from './mat.ts';
export {
  readArrowDataset, decodeArrowDataset, datasetFromTable, peekArrowDataset, summarizeArrowDataset, type DatasetSummary, writeArrowDataset, encodeArrowDataset, datasetBatches, labelHistogram,
  featureType, featureScale, plainAllocator, sharedAllocator, isArrowFile, SHAPE_KEY, SOURCE_KEY, CLASSES_KEY, FEATURES_KEY,
  type Dataset, type ChunkedDataset, type DatasetAllocator, type FeatureType,
} from './arrow-dataset.ts';
export { datasetFromIdx, datasetFromMat, parseLabelMap, parseShape, type MatConvertOptions } from './convert.ts';
export { datasetFromTableFile, readTableFile, contiguous, stratifiedSplit, csvRecords, MAX_CLASSES, type TableFormat, type TableOptions, type TableConvertOptions, type TableConversion, type TableFileConversion, type LabelMapping } from './tabular.ts';
export { registerArrowCodecs } from './codecs.ts';
export { inspectFile, sampleImage, asciiArt, type FileInfo, type IdxInfo, type ArrowInfo } from './inspect.ts';
export { ensureMnist, loadMnist, mnistIdxFiles, mnistArrowPath, cacheDir, cacheLocation, MNIST_ROWS, type Split, type MnistCacheEvent, type CacheLocation } from './mnist.ts';
export { writeAtomic, readInput, checkInputFile, sameFile } from './files.ts';
export type { Table } from 'apache-arrow';
