/**
 * The view descriptor of the WebAssembly kernel: the one source of its word numbers and codes. The host
 * (wasm-kernel.ts) writes a view's words by these names and the kernel (assembly/) reads them by the same names,
 * so this file is written in the subset of TypeScript that both tsc and AssemblyScript compile (numeric enums,
 * const enums and integer constants, nothing else). test/kernels.test.ts writes a view through the host and checks that the kernel
 * reads every named word at the place the host wrote it.
 *
 * A descriptor is i32 words: the view's words (`Word`), then from word LAYER0 a block of LAYER_WORDS words per
 * weight layer (`LayerWord`). Pointers are byte offsets in the shared memory.
 */

/**
 * The view's words. MERGE says which merge protocol the view runs (`MergeCode`): the kernel dispatches on it once per
 * training call. Words 4 to 18 are the replicas protocol's (read only under MergeCode.REPLICAS).
 */
export enum Word {
  /** Weight layers. */
  LAYERS = 0,
  /** Hidden activation (`HiddenCode`). */
  HIDDEN = 1,
  /** Loss with its output activation (`LossCode`). */
  LOSS = 2,
  /** Nonzero inputs of the current sample (the kernel keeps it from the forward pass to the update). */
  NONZERO = 3,
  /** Samples between checks of the first-layer rows (0: the view has no replica and never merges). */
  ROWS_EVERY = 4,
  /** The view's replica of the parameters, which it trains on. */
  REPLICA = 5,
  /** The parameters as of the replica's last merge. */
  SNAPSHOT = 6,
  /** The shared parameters. */
  SHARED = 7,
  /** Bytes of the parameters (and so of the replica and the snapshot). */
  PARAMS_BYTES = 8,
  /** Samples since the last row check. */
  SINCE_ROWS = 9,
  /** Touch counters: a byte per first-layer row, padded to a multiple of 16 bytes, the row's changes since its last merge (up to 255). */
  TOUCH_COUNTS = 10,
  /** First row of this view's merge scan (a multiple of 16; views start apart so that merges at once meet seldom). */
  ROWS_FROM = 11,
  /** Changes that make a row due: a check merges the rows changed at least this often (1: every changed row; docs/merge-protocol.md#touch-counting). */
  DUE_TOUCHES = 12,
  /** The merge locks, shared by every view of the parameters (see LOCK_SPACING, ROW_GROUP, DENSE_BLOCK). */
  LOCKS = 13,
  /** Floats merged so far: an f64 over this word and the next, read and reset by the host. */
  MERGED = 14,
  /** Byte offset in the parameters of the dense region (the first layer's bias and every later layer). */
  DENSE_AT = 16,
  /** Samples between merges of the dense region (0: with the rows; docs/merge-protocol.md#staleness-budgets). */
  DENSE_EVERY = 17,
  /** Samples since the last dense merge. */
  SINCE_DENSE = 18,
  /** The merge protocol (`MergeCode`). */
  MERGE = 19,
  /** Label smoothing ε of a softmax network (float32 bits; 0: the one-hot target). */
  SMOOTHING = 20,
}

/** The words of one weight layer, from word LAYER0 + LAYER_WORDS·l. */
export enum LayerWord {
  /** Inputs. */
  IN = 0,
  /** Outputs. */
  OUT = 1,
  /** Floats per weight row: OUT rounded up to 4, or OUT for a first layer of 1 or 2 (W is input-major, as in params.ts). */
  STRIDE = 2,
  /** The weights W. */
  W = 3,
  /** The bias b. */
  B = 4,
  /** z, then a = g(z) in place. */
  A = 5,
  /** The error terms δ. */
  DELTA = 6,
  /** Byte offsets in W of the weight rows of the current sample's nonzero inputs. */
  ROWS = 7,
  /** The values of those inputs. */
  VALS = 8,
  /** lr·δ. */
  SCALED = 9,
}

/** The first layer's words. */
export const LAYER0 = 24;
/** Words per layer. */
export const LAYER_WORDS = 12;

/**
 * The data descriptor: how the kernel reads a dataset in the shared memory, DATA_WORDS i32 words written by the host
 * (data-layout.ts) and read by the kernel (assembly/data.ts). Pointers are byte offsets in the shared memory.
 */
export enum DataWord {
  /** How a sample's inputs are stored (`InputCode`). */
  INPUT = 0,
  /** Samples. */
  ROWS = 1,
  /** Inputs per sample: the network's input size (dense: the row length; sparse: the feature count). */
  FEATURES = 2,
  /** What every input value is multiplied by (float32 bits): 1/255 for pixels, else 1 or a model's input scale. */
  SCALE = 3,
  /** Dense: the rows (ROWS × FEATURES, uint8 or float32). Sparse: the non-zero values (float32). */
  VALUES = 4,
  /** Sparse: row s's non-zeros are entries OFFSETS[s] … OFFSETS[s + 1] (int32, ROWS + 1 of them). */
  OFFSETS = 5,
  /** Sparse: the feature index of each non-zero (int32, ascending and distinct within a row). */
  INDICES = 6,
  /** What LABELS holds (`LabelCode`). */
  LABEL = 7,
  /** A uint8 class per sample, or a float32 regression target per sample. */
  LABELS = 8,
  /** The training order: uint32 sample indices that `train` visits (0 for a set that is only evaluated). */
  ORDER = 9,
  /** Regression: a float32 per sample where `predictValues` writes its predictions (0 otherwise). */
  PREDICTIONS = 10,
}

/** Words of a data descriptor. */
export const DATA_WORDS = 12;

/** Merge protocol codes (word MERGE): plain Hogwild on the shared parameters, or replicas merged on periods (merge.ts). */
export const enum MergeCode {
  PLAIN = 0,
  REPLICAS = 1,
}

/** Input codes (DataWord.INPUT): dense uint8 pixels, dense float32 values, or sparse (index, value) lists. */
export const enum InputCode {
  U8 = 0,
  F32 = 1,
  SPARSE = 2,
}

/** Label codes (DataWord.LABEL): uint8 classes, or float32 regression targets. */
export const enum LabelCode {
  CLASSES = 0,
  TARGETS = 1,
}

// The codes are const enums: AssemblyScript folds them into the kernel's comparisons as literals, where a plain
// enum's value is a global read that changes how Binaryen optimises the hot loops around it.

/** Hidden activation codes (word HIDDEN). */
export const enum HiddenCode {
  SIGMOID = 0,
  RELU = 1,
  TANH = 2,
  LINEAR = 3,
}

/** Loss codes (word LOSS): cross-entropy and square on sigmoid outputs, softmax with its cross-entropy, mse on one linear output. */
export const enum LossCode {
  CROSS_ENTROPY = 0,
  SQUARE = 1,
  SOFTMAX = 2,
  MSE = 3,
}

// The merge locks (docs/merge-protocol.md#locks): one i32 every LOCK_SPACING bytes, a lock per ROW_GROUP first-layer rows,
// then a lock per DENSE_BLOCK floats of the dense region.

/** Bytes between two merge locks (a cache line each, so that merges of neighbouring rows do not contend on one line). */
export const LOCK_SPACING = 64;
/** First-layer rows under one lock (consecutive rows: a merge takes a lock once for all of its due rows in a group). */
export const ROW_GROUP = 8;
/** Floats of the dense region under one lock. */
export const DENSE_BLOCK = 256;
