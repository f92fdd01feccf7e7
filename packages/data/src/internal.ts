/**
 * @hogwild/data's internal entry (`@hogwild/data/internal`): its public names and the internals that the sibling
 * packages and the tests use. Not user API: no doc page, and it changes without notice. A user imports
 * `@hogwild/data`.
 */
export { DataError, InputError, NotADatasetError, UsageError } from './errors.ts';
export { HogwildError, printable, type ErrorCode, type ErrorKind } from '@hogwild/core/internal';
export { readIdx, decodeIdx, parseIdxHeader, type IdxArray, type IdxHeader, type IdxType, type IdxValues } from './idx.ts';
export {
  inspectMat, readMatVariable, readMatVariableFrom, readMatVariablesFrom, parseMat, columnToRowMajor, looksLikeMat,
  type MatArray, type MatClass, type MatFileInfo, type MatVariableInfo, type MatVersion,
} from './mat.ts';
export {
  readArrowDataset, decodeArrowDataset, datasetFromTable, openArrowDataset, tableColumns, datasetColumns, columnsOf, asDense, type DatasetColumns, type AnyColumns, type DatasetInfo, peekArrowDataset, summarizeArrowDataset, type DatasetSummary, writeArrowDataset, encodeArrowDataset, datasetBatches, labelHistogram,
  featureType, featureScale, plainAllocator, sharedAllocator, isArrowFile, SHAPE_KEY, SOURCE_KEY, CLASSES_KEY, FEATURES_KEY, COLUMNS_KEY, LABEL_KEY, TASK_KEY,
  type Dataset, type DenseDataset, type ChunkedDataset, type DatasetAllocator, type FeatureType,
} from './arrow-dataset.ts';
export {
  sparseColumns, sparseTableColumns, checkSparse, isSparseSchema, sparseBatches, encodeSparseDataset, writeSparseDataset,
  LAYOUT_KEY, FEATURE_COUNT_KEY, FEATURIZER_KEY, MAX_SPARSE_FEATURES, type SparseDataset, type SparseColumns,
} from './sparse-dataset.ts';
export { datasetFromIdx, datasetFromMat, parseLabelMap, parseShape, type MatConvertOptions } from './convert.ts';
export {
  datasetFromTableFile, tableDatasets, readTableFile, readColumns, contiguous, stratifiedSplit, randomSplit, csvRecords, MAX_CLASSES, MAX_FEATURES, MISSING_POLICIES,
  type TableFormat, type TableOptions, type TableConvertOptions, type TableConversion, type TableRead, type LabelMapping, type LikeEncoding, type MissingPolicy, type TextSettings,
} from './tabular.ts';
export { labelClasses } from './label-classes.ts';
export { selectFeatures, namedStrings, mostlyText, MAX_CATEGORIES, type ColumnRole, type RoleName } from './table-roles.ts';
export { ColumnStore, type ColumnStats } from './table-columns.ts';
export { readCsvColumns } from './table-csv.ts';
export { readArrowColumns } from './table-arrow.ts';
export { readParquetColumns } from './table-parquet.ts';
export { registerArrowCodecs } from './codecs.ts';
export { inspectFile, sampleImage, asciiArt, type FileInfo, type IdxInfo, type ArrowInfo, type SparseArrowInfo } from './inspect.ts';
export { readLibsvm, type LibsvmOptions, type LibsvmRead, type LibsvmLike, type LibsvmFeaturizer } from './libsvm.ts';
export { readFasttext, datasetFromFasttext, type FasttextRecord, type FasttextRead, type TextFeatureEncoder } from './fasttext.ts';
export { ensureMnist, loadMnist, mnistIdxFiles, mnistArrowPath, cacheDir, cacheLocation, MNIST_ROWS, type Split, type MnistCacheEvent, type CacheLocation } from './mnist.ts';
export { writeAtomic, readInput, checkInputFile, sameFile } from './files.ts';
export type { Table } from 'apache-arrow';
export { CsrBuilder } from './csr-builder.ts';
