/** Options shared by several trainer commands, parsed and checked at the CLI entry. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { compileKernel, HogwildError, HIDDEN_ACTIVATIONS, INIT_NAMES, LOSS_NAMES, parseLayers, validateSpec, type NetworkSpec, type HiddenActivation, type LossName } from '@hogwild/core';
import { ensureMnist } from '@hogwild/data';
import { numberIn, positiveInt } from '@hogwild/core/cli';
import { defaultWorkers, maxWorkers } from '../pool/session.ts';
import { KERNELS, type KernelName } from '../protocol.ts';
import { TrainerError } from '../errors.ts';
import type { SyncFlag } from '../pool/sync.ts';

export const workersOption = () =>
  new Option('--workers <n>', `worker threads (default: one per physical core; at most ${maxWorkers()} here, 4 per logical CPU); more than the logical CPUs works, with a warning`)
    .argParser(workerCount);
function workerCount(value: string): number {
  const n = positive(value);
  if (n > maxWorkers()) throw new InvalidArgumentError(`expected at most ${maxWorkers()} (4 per logical CPU of this machine)`);
  return n;
}
export const kernelOption = () =>
  new Option('--kernel <name>', 'compute kernel: wasm (SIMD, fast; the default when it is built) or ts (the readable reference, and the fallback)').choices(KERNELS as string[]).default('wasm');

/**
 * The TypeScript kernel is the fallback: when the WebAssembly kernel was not built (an install that skipped
 * scripts) and --kernel was not given, warn and use it; an explicit --kernel wasm fails with the error.
 */
export function chooseKernel(kernel: KernelName, cmd: Command): KernelName {
  if (kernel !== 'wasm' || cmd.getOptionValueSource('kernel') !== 'default') return kernel;
  try {
    compileKernel();
    return 'wasm';
  } catch (e) {
    if (!(e instanceof HogwildError)) throw e;
    process.stderr.write(`warning: ${e.message}; using the TypeScript kernel\n`);
    return 'ts';
  }
}
export const jsonOption = () => new Option('--json', 'print JSON lines instead of text (and no progress bars)');

/** Option parsers (commander reports their errors as usage errors, exit 2, naming the option). */
export const positive = positiveInt(1);
export const positiveNumber = numberIn(0);

export interface NetworkFlags { layers?: string; activation?: string; loss?: string; init?: string }

/** Builds the spec from flags; the input and output sizes default to the data's. */
export function specFromFlags(f: NetworkFlags, defaults: { layers: number[]; activation: HiddenActivation; loss: LossName }): NetworkSpec {
  let layers = defaults.layers;
  if (f.layers !== undefined) {
    try {
      layers = parseLayers(f.layers, '--layers');
    } catch (e) {
      throw new TrainerError('E_USAGE', (e as Error).message);
    }
  }
  try {
    return validateSpec({ layers, activation: (f.activation ?? defaults.activation) as HiddenActivation, loss: (f.loss ?? defaults.loss) as LossName });
  } catch (e) {
    throw new TrainerError('E_USAGE', `--${(e as Error).message}`);
  }
}

export const activationOption = () => new Option('--activation <name>', 'hidden activation').choices(HIDDEN_ACTIVATIONS as string[]);
export const lossOption = () => new Option('--loss <name>', 'loss: cross-entropy (sigmoid outputs, summed), square (sigmoid outputs) or softmax (categorical cross-entropy)').choices(LOSS_NAMES as string[]);
export const initOption = () => new Option('--init <name>', 'initial weights: uniform U(-0.1,0.1) (the reference), xavier or he; biases start at 0').choices(INIT_NAMES as string[]);

/** --data/--test, or the bundled MNIST (converted to Arrow in the cache on first use). */
export async function resolveData(data: string | undefined, test: string | undefined, log: (s: string) => void): Promise<{ train: string; test?: string; mnist: boolean }> {
  if (data === undefined) {
    if (test !== undefined) throw new TrainerError('E_USAGE', '--test needs --data: give the training set too, or neither for the bundled MNIST');
    const files = await ensureMnist((e) => { if (e.action === 'converted') log(`converted bundled MNIST ${e.split} set to ${e.file} (${e.seconds.toFixed(2)} s)`); });
    return { train: files.train, test: files.test, mnist: true };
  }
  return { train: data, test, mnist: false };
}

/** Warns (once, on stderr) when more workers than cores are asked for. */
export function checkWorkers(workers: number, warn: (s: string) => void): void {
  const cores = defaultWorkers();
  if (workers > cores) warn(`warning: --workers ${workers} is more than the ${cores} available cores; threads will share cores`);
}

export type { KernelName };

/** --sync: the merge period of replicated workers; 'auto' is resolved per worker count by syncPeriods (pool/sync.ts). */
export const syncOption = () =>
  new Option('--sync <n>', `several workers: each trains on its own copy of the weights and merges its changes into the shared ones (lock-free for training, a lock per 8 rows for the merge, so no change is lost). auto: a first-layer row is merged once the worker has changed it 64 ÷ (workers − 1) times (32 with 3 workers; checked every quarter of that, in samples), the small dense layers every 16 ÷ (workers − 1) samples, chosen by measurement (see README); n: every changed first-layer row every n samples (the dense layers every 16 ÷ (workers − 1), or every n if smaller); 0: plain per-sample Hogwild on the shared weights`)
    .argParser((v) => (v === 'auto' ? 'auto' : positiveInt(0)(v))).default('auto');
/** An integer from 1 to 255 (what a byte counter holds: touches, and the stretch that multiplies them). */
function oneTo255(v: string): number {
  const t = positiveInt(1)(v);
  if (t > 255) throw new InvalidArgumentError(`expected an integer from 1 to 255, found ${JSON.stringify(v)}`);
  return t;
}
export const syncTouchesOption = () =>
  new Option('--sync-touches <t>', 'with replication: merge a first-layer row once the worker has changed it t times, 1 to 255 (default with --sync auto: 64 ÷ (workers − 1); with --sync n: 1, every changed row)')
    .argParser(oneTo255);
export const syncTailOption = () =>
  new Option('--sync-tail <n>', 'with replication: each worker\'s last n samples of every epoch are each followed by a merge of everything it changed, so that the model an epoch ends with holds no bulk of unmerged changes (default: 32; 0: off)')
    .argParser(positiveInt(0));
export const syncStretchOption = () =>
  new Option('--sync-stretch <n>', 'with replication: as the learning rate falls below its largest so far (a step or cosine schedule), the merge periods grow with it, up to n times (1 to 255; default: 8; 1: fixed periods)')
    .argParser(oneTo255);
export const syncDenseOption = () =>
  new Option('--sync-dense <n>', 'with replication: merge the dense layers (the first layer\'s bias and every later layer) every n samples (default: 16 ÷ (workers − 1); never less often than the row checks)')
    .argParser(positiveInt(1));
export type { SyncFlag };
