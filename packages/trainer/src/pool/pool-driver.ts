/** The threads driver: a piscina pool of workers (worker/worker.ts), one task per worker for each range or evaluation. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { TrainerError } from '../errors.ts';
import { CONTROL, copyPlanBytes, copySlot, type CopyPlan, type RangeResult, type Task, type TaskResult, type WorkerInit } from '../protocol.ts';
import type { Driver, ParamsCopy } from './session.ts';

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
  const ctl = new Int32Array(init.control);
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

  // The buffer the workers copy the parameters into at evaluation points, kept from range to range and written through
  // once when made, so that the training workers do not fault its pages in.
  let copySpace: SharedArrayBuffer | null = null;
  const copyBuffer = (n: number): SharedArrayBuffer => {
    const bytes = copyPlanBytes(n, init.paramsLength);
    if (copySpace === null || copySpace.byteLength < bytes) {
      copySpace = new SharedArrayBuffer(bytes);
      new Uint8Array(copySpace).fill(1).fill(0);
    }
    return copySpace;
  };

  return {
    async train(lr, plan, copyAt) {
      // The workers copy the shared parameters as they pass each point: the main thread waits, without waking.
      const progress0 = Atomics.load(ctl, CONTROL.PROGRESS);
      const copies: CopyPlan | null = copyAt.length > 0 ? { buffer: copyBuffer(copyAt.length), at: copyAt.map((c) => progress0 + c) } : null;
      Atomics.store(ctl, CONTROL.COPY, 0);
      const t0 = performance.now();
      const results = await runAll<RangeResult>(Array.from({ length: workers }, () => ({ kind: 'train', lr, plan, copies }) as const));
      const seconds = (performance.now() - t0) / 1000;
      const taken: ParamsCopy[] = [];
      for (let k = 0; copies && k < Atomics.load(ctl, CONTROL.COPY); k++) {
        const { header, params } = copySlot(copies, k, init.paramsLength);
        // Out of the buffer, which the next range reuses.
        taken.push({ samples: header[0] - progress0, seconds: Math.max(0, header[1] - performance.timeOrigin - t0) / 1000, params: params.slice() });
      }
      return { results, seconds, copies: taken };
    },
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
