/** The threads driver: a piscina pool of workers (worker/worker.ts), one task per worker for each range or evaluation. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { TrainerError } from '../errors.ts';
import type { RangeResult, Task, TaskResult, WorkerInit } from '../protocol.ts';
import type { Driver } from './session.ts';

/**
 * The worker module: the TypeScript source, run through tsx, or in the built package (dist/) worker.js. A bundled
 * build (one JavaScript file for the CLI and one for the worker, to run where only `node` exists) names its worker in
 * HOGWILD_WORKER.
 */
const WORKER_URL = process.env.HOGWILD_WORKER ? pathToFileURL(process.env.HOGWILD_WORKER)
  : new URL(import.meta.url.endsWith('.ts') ? '../worker/worker.ts' : '../worker/worker.js', import.meta.url);

/**
 * Worker threads inherit the tsx loader from a CLI run through tsx; elsewhere (tests, the CLI's bundle given a .ts
 * worker in HOGWILD_WORKER) it is added so that a .ts worker loads.
 */
function workerExecArgv(): string[] | undefined {
  // The tsx CLI passes --import …/tsx/dist/loader.mjs (a bare path check would also match vitest's tsx@… folder).
  if (!WORKER_URL.pathname.endsWith('.ts') || process.execArgv.some((a) => a === 'tsx' || /[\\/]tsx[\\/]dist[\\/]loader\.mjs$/.test(a))) return undefined;
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}

export async function createPoolDriver(init: WorkerInit, workers: number): Promise<Driver> {
  // piscina is loaded by the first pool, not with the CLI (whose commands mostly train no network).
  const { Piscina } = await import('piscina');
  const pool = new Piscina<Task, TaskResult>({
    filename: WORKER_URL.href, minThreads: workers, maxThreads: workers, idleTimeout: 60_000, concurrentTasksPerWorker: 1, workerData: init, execArgv: workerExecArgv(),
  });
  let failure: Error | null = null;
  pool.on('error', (e: Error) => { failure ??= e; });
  const runAll = async <R extends TaskResult>(tasks: readonly Task[]): Promise<R[]> => {
    try {
      return (await Promise.all(tasks.map((t) => pool.run(t)))) as R[];
    } catch (e) {
      throw workerFailure(failure ?? (e as Error));
    }
  };
  // Start every thread before anything is timed: one blocking 'ready' task per worker.
  try {
    await runAll(Array.from({ length: workers }, () => ({ kind: 'ready', workers }) as const));
  } catch (e) {
    await pool.destroy();
    throw e;
  }

  return {
    train: (lr, plan, copies) => runAll<RangeResult>(Array.from({ length: workers }, () => ({ kind: 'train', lr, plan, copies }) as const)),
    evaluate: (tasks) => runAll(tasks),
    close: () => pool.destroy(),
  };
}

function workerFailure(e: Error): TrainerError {
  const msg = (e?.message ?? String(e)).split('\n')[0];
  const err = new TrainerError('E_WORKER', `a worker failed: ${msg}`);
  err.stack = e?.stack;
  return err;
}
