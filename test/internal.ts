/**
 * The one path by which the tests reach past the packages' public entries: the internals they check, named here
 * once. A test imports a user's names from `@hogwild/core`, `@hogwild/data` or `@hogwild/trainer`, and everything
 * else from this file (package tests import their own package's modules from `../src/`). What the packages share
 * with each other comes from their internal entries (`@hogwild/<name>/internal`); the rest from their sources.
 * docs/api-surface.md says why.
 */
export {
  DESCRIPTOR, KERNEL_ENV, REFERENCE_SPEC, WASM_KERNELS, allocateParams, compileKernel, createArena, createPreprocessor, createWasmView, dirtyRows,
  instantiateKernel, encodeRowInto, encodeTextInto, fitTextIdf, hashToken, idfWeight, textRowFeaturizer, weighCountRows, murmur3, SparseRowBuilder, mergeStart, parseCell, relaxedSimdValidates, reserveLocks, setMergePeriods, takeMergedFloats, wasmKernelName, writeDataDescriptor, DATA_CODES,
  type Arena, type Cell, type KernelExports, type Preprocessor, type WasmKernelName,
} from '@hogwild/core/internal';
export { asDense, datasetColumns, decodeIdx, encodeSparseDataset, labelClasses, mnistIdxFiles, plainAllocator, sparseColumns, tableColumns, writeSparseDataset } from '@hogwild/data/internal';
export { arrayDataset, encodeLabels, prepareTable, readDigitImage } from '@hogwild/trainer/internal';

export { createProgram as createDataProgram } from '../packages/data/src/cli/program.ts';
export { parseMat } from '../packages/data/src/mat.ts';
export { cacheLocation } from '../packages/data/src/mnist.ts';
export { measureRun, type MeasuredRun } from '../packages/trainer/src/bench/curve.ts';
export { runHeader, wrap } from '../packages/trainer/src/cli/header.ts';
export { flagNamed } from '../packages/trainer/src/cli/options.ts';
export { createProgram as createTrainerProgram } from '../packages/trainer/src/cli/program.ts';
export { createProgress } from '../packages/trainer/src/cli/progress.ts';
export { loadData } from '../packages/trainer/src/data-input.ts';
export { ExpectedError } from '../packages/trainer/src/errors.ts';
export { createPlanner, describeMerges, grainSize, mergeProtocol } from '../packages/trainer/src/merge-plan.ts';
export { chanceLoss, nearChanceWarning, type ChanceEpoch } from '../packages/trainer/src/near-chance.ts';
export { BENCH, MERGE, SCHEDULE, optionError } from '../packages/trainer/src/options.ts';
export { layoutMemory, type SessionMemory } from '../packages/trainer/src/pool/memory.ts';
export { DEFAULT_CHUNK, createSession } from '../packages/trainer/src/pool/session.ts';
export { readImage } from '../packages/trainer/src/predict/image.ts';
export { CONTROL_SLOTS, type WorkerInit } from '../packages/trainer/src/protocol.ts';
export { readRunRecord, runMetadata } from '../packages/trainer/src/resume.ts';
export type { Schedule } from '../packages/trainer/src/schedule.ts';
export { bundleWebScripts } from '../packages/trainer/src/web/bundle.ts';
export { createEngine } from '../packages/trainer/src/worker/engine.ts';
