/**
 * `bench(options)`: training runs across worker counts, with the repeats taking turns between the counts, each run
 * evaluated `evals` times an epoch; returns per worker count the throughput, speedup, epochs, samples and time to
 * `target`, accuracy and merged bytes per sample, with every run's curve. `trainer bench` prints and charts it.
 */
import type { Schedule } from '../schedule.ts';
import type { InitName, NetworkSpec } from '@hogwild/core';
import type { MergePeriods } from '@hogwild/core/internal';
import { createSession, type Session } from '../pool/session.ts';
import { mergeProtocol, type MergeProtocol } from '../merge-plan.ts';
import { coreRoundTripNs, describeMachine, median, type MachineInfo } from '../machine.ts';
import { measureRun, type CurvePoint, type MeasuredRun } from './curve.ts';
import type { KernelName } from '../protocol.ts';
import { TrainerError } from '../errors.ts';
import { labelContext, loadData, summarize, type DataInput } from '../data-input.ts';
import { checkRunOptions, resolveRun, sessionOptions } from '../resolve-run.ts';
import {
  BENCH, BENCH_DEFAULTS, SPARSE_DEFAULTS, MERGE, NETWORK, SCHEDULE, TABLES, WORKERS, checkGroup, checkStandardize, checkWorkerCount, pickGroup, refuseUnknown,
  type BenchGroupOptions, type MergeOptions, type NetworkOptions, type ScheduleOptions, type StandardizeMode,
} from '../options.ts';

/** What {@link bench} measures: the network, the schedule and the worker counts, on the data given. */
export interface BenchOptions extends NetworkOptions, ScheduleOptions, BenchGroupOptions {
  /** Training data (the CLI resolves the bundled MNIST to its two files); read once for every worker count. */
  readonly data: DataInput;
  /** Data evaluated `evals` times an epoch (default: the training data). */
  readonly test?: DataInput;
  /** Worker counts, ascending; speedups are against the first. */
  readonly workers: readonly number[];
  /** The compute kernel (default wasm). */
  readonly kernel?: KernelName;
  /** Run the workers as logical workers in one thread (deterministic). */
  readonly simulate?: boolean;
  /** How several workers merge (options.ts MERGE). */
  readonly merge?: MergeOptions;
  /** Standardise float features as train() does (its `standardize`; default 'auto'). */
  readonly standardize?: boolean | StandardizeMode;
  /** Before the runs: what is measured, on what. */
  readonly onStart?: (info: BenchStart) => void;
  /** After each evaluation of each run. */
  readonly onEval?: (e: { repeat: number; workers: number; epoch: number; point: CurvePoint; lr: number; loss: number }) => void;
  /** After each run, with the weights it trained (a copy, in the layout of a Model's params). */
  readonly onRun?: (e: { repeat: number; workers: number; params: Float32Array }) => void;
}

const BENCH_FIELDS = [...Object.keys(NETWORK), ...Object.keys(SCHEDULE), ...Object.keys(TABLES), ...Object.keys(BENCH), 'data', 'test', 'workers', 'kernel', 'simulate', 'merge', 'onStart', 'onEval', 'onRun'];

/** What {@link bench} measures, on what, told before the runs. */
export interface BenchStart {
  /** CPU, cores and memory of this machine. */
  readonly machine: MachineInfo;
  /**
   * Nanoseconds of a cache line's round trip between two threads before the runs (coreRoundTripNs: on a virtual
   * machine it moves with the host's placement of the CPUs, and with it the cost of every merge); null when simulated.
   */
  readonly roundTripNs: number | null;
  /** The network trained. */
  readonly spec: NetworkSpec;
  /** What `test_accuracy` and the target measure: the accuracy of classes, or the R² of a regression target. */
  readonly score: 'accuracy' | 'r2';
  /** The set scored: the test set, or the training set when none was given. */
  readonly split: 'test' | 'train';
  /** Its initial weights. */
  readonly init: InitName;
  /** The schedule and epochs each run trains (the resolved run's: the options', or the data's defaults). */
  readonly schedule: Required<Schedule>;
  readonly epochs: number;
  /** Evaluations an epoch (the option's, or the data's default). */
  readonly evals: number;
  /** How each worker count merges. */
  readonly merges: ReadonlyMap<number, MergeProtocol>;
  /**
   * Millions of floating-point operations a sample: dense, executed (the first layer skips zero inputs), and the
   * fraction of nonzero inputs.
   */
  readonly work: { readonly mflop_per_sample_dense: number; readonly mflop_per_sample_executed: number; readonly input_density: number };
}

/**
 * One worker count's medians over the repeats: samples/s (min, max), speedup and efficiency against the first count
 * (null when simulated), test accuracy (min, max), samples, epochs and seconds to the target (null when not reached),
 * merged bytes a sample, training and evaluation seconds, GFLOP/s executed, the merge rule, and every run.
 */
export interface BenchRow {
  readonly workers: number;
  readonly samples_per_second: number; readonly min: number; readonly max: number;
  /** Against the first count; null when simulated (one thread's turns have no parallel speed to compare). */
  readonly speedup: number | null; readonly efficiency: number | null;
  /** The score (BenchStart.score: accuracy, or R² for a regression target), median, min and max over the repeats. */
  readonly test_accuracy: number; readonly accuracy_min: number; readonly accuracy_max: number;
  /** A regression target: the median RMSE at the end, in the target's units (null for classes). */
  readonly test_rmse: number | null;
  readonly samples_to_target: number | null; readonly epochs_to_target: number | null;
  /** time_speedup: against the first count's time to the target; null when not reached, or when simulated. */
  readonly time_to_target: number | null; readonly time_speedup: number | null; readonly reached_target: string | null;
  readonly merged_bytes_per_sample: number; readonly train_seconds: number; readonly eval_seconds: number;
  readonly gflops_executed: number; readonly merges: MergeProtocol;
  /** With `ceiling`, for worker counts above the first: the share-nothing runs (null otherwise). */
  readonly ceiling: Ceiling | null;
  readonly runs: readonly {
    samples_per_second: number; train_seconds: number; eval_seconds: number; test_accuracy: number; merged_floats: number; reached: CurvePoint | null;
    /** The cache-line round trip measured before this run's round of turns (null when simulated). */
    round_trip_ns: number | null;
    /** Each epoch's merge periods (rows, touches, dense; null without replicas). */
    merge_periods: readonly (MergePeriods | null)[];
    curve: readonly CurvePoint[];
    /** With `ceiling`: samples/s of the share-nothing run that followed this one in its round (null otherwise). */
    ceiling_samples_per_second: number | null;
  }[];
}

/** What the machine gives W workers that share nothing (BenchOptions.ceiling). */
export interface Ceiling {
  /** Median samples/s of the share-nothing runs, and its speedup against the first worker count's median. */
  readonly samples_per_second: number;
  readonly speedup: number;
  /**
   * The merging workers' samples/s against the share-nothing run of the same round, median over the rounds: the part
   * of the machine's parallel speed the merge protocol keeps (placement changes between rounds cancel out).
   */
  readonly kept: number;
  /** Median bytes a sample the share-nothing runs merged: only each worker's closing merge at the end of a range. */
  readonly merged_bytes_per_sample: number;
}

/**
 * The merge settings of a share-nothing run: a replica per worker merged only when its range ends, so the workers
 * write nothing that another reads while they train. Its model is the sum of W independent trainings, not one to
 * use; only its speed counts.
 */
export const SHARE_NOTHING: MergeOptions = { every: 2 ** 30, dense: 2 ** 30, tail: 0, stretch: 1 };

/** What {@link bench} returns: what was measured, and a row a worker count. */
export interface BenchReport {
  /** What was measured, on what. */
  readonly start: BenchStart;
  /** One row a worker count, in the order given. */
  readonly rows: readonly BenchRow[];
  /** The round trip measured before each round of turns (the first is start.roundTripNs; null when simulated). */
  readonly roundTripsNs: readonly (number | null)[];
  /** The round trip measured again after the runs (null when simulated). */
  readonly roundTripAfterNs: number | null;
}

/**
 * The median of the repeats, a repeat without a value (the target not reached) counting as slower than all the
 * others (one repeat short of the target must not blank what the others reached); null when the median falls on
 * such a repeat (half of them or more).
 */
export function medianReached(xs: readonly (number | null)[]): number | null {
  const m = median(xs.map((x) => x ?? Infinity));
  return Number.isFinite(m) ? m : null;
}

/**
 * Training runs across worker counts, the repeats taking turns between the counts, each run evaluated `evals` times
 * an epoch. Refuses unknown fields with the nearest known name; errors are HogwildErrors with `field` set.
 */
export async function bench(o: BenchOptions): Promise<BenchReport> {
  refuseUnknown(o, BENCH_FIELDS);
  const net = checkGroup(NETWORK, pickGroup(NETWORK, o));
  const sched = checkGroup(SCHEDULE, pickGroup(SCHEDULE, o));
  const { kernel, simulate = false } = checkGroup(WORKERS, { kernel: o.kernel, simulate: o.simulate });
  const standardize = checkStandardize(o.standardize);
  const merge = checkGroup(MERGE, o.merge, 'merge.');
  const { repeat = BENCH_DEFAULTS.repeat, evals: evalsOption, target: targetOption, ceiling: withCeiling = false } = checkGroup(BENCH, pickGroup(BENCH, o));
  if (!Array.isArray(o.workers) || o.workers.length === 0) throw new TrainerError('E_USAGE', { field: 'workers', problem: 'expected at least one worker count' });
  for (const w of o.workers) checkWorkerCount(w, simulate);
  checkRunOptions({ ...net, ...sched }, 'bench');
  if (withCeiling && simulate) throw new TrainerError('E_USAGE', { field: 'ceiling', problem: 'measures the speed of real workers, which a simulation does not have (leave out simulate or ceiling)' });
  const counts = [...o.workers];
  // Each dataset is read once for the whole bench; every session copies it into its own memory.
  const trainData = loadData(o.data, 'data');
  const testData = o.test !== undefined ? loadData(o.test, 'test', labelContext(trainData)) : undefined;
  const probe = summarize(trainData);
  const evals = evalsOption ?? (probe.sparse ? SPARSE_DEFAULTS.evals : BENCH_DEFAULTS.evals);
  // Each worker count's run is the run `trainer run` resolves from the same options (bench's defaults aside).
  const runs = counts.map((workers) => resolveRun({ ...net, ...sched, workers, kernel, simulate, merge, standardize }, { ...probe, source: trainData.source }, { defaults: 'bench', defaultWorkers: workers }));
  const { spec, init, epochs, schedule } = runs[0];
  const target = targetOption ?? null;
  // Work per sample, to read samples/s against the machine: multiply-adds of the forward pass, the error terms
  // and the update, dense (every input) and as executed (only the nonzero inputs of the first layer).
  const density = trainData.density();
  let dense = 0, executed = 0;
  spec.layers.slice(1).forEach((out, l) => {
    const inSize = spec.layers[l];
    const fwd = 2 * inSize * out, upd = 2 * inSize * out, back = l > 0 ? 2 * inSize * out : 0;
    dense += fwd + upd + back;
    executed += l === 0 ? (fwd + upd) * density : fwd + upd + back;
  });
  const start: BenchStart = {
    machine: describeMachine(), roundTripNs: simulate ? null : await coreRoundTripNs(), spec, init, schedule, epochs, evals, score: probe.regression ? 'r2' : 'accuracy', split: testData ? 'test' : 'train',
    merges: new Map(runs.map((r) => [r.workers, mergeProtocol(merge, r.workers, r.kernel, probe.sparse ? 'sparse' : 'dense')])),
    work: { mflop_per_sample_dense: dense / 1e6, mflop_per_sample_executed: executed / 1e6, input_density: density },
  };
  o.onStart?.(start);

  // One pool per worker count, all started up front; the repeats then go round the counts (1, 2, 4, 1, 2, 4, …)
  // so that a slow spell of a shared machine falls on every count alike instead of on one.
  const sessions: Session[] = [];
  // With ceiling: a share-nothing session per worker count above the first, run right after that count's run.
  const ceilings: (Session | null)[] = [];
  const results: { workers: number; runs: MeasuredRun[]; ceiling: MeasuredRun[] }[] = counts.map((workers) => ({ workers, runs: [], ceiling: [] }));
  const roundTrips: (number | null)[] = [start.roundTripNs];
  try {
    for (const [i, run] of runs.entries()) {
      const common = { ...sessionOptions(run), train: trainData, test: testData };
      sessions.push(await createSession(common));
      ceilings.push(withCeiling && i > 0 && run.workers > 1 ? await createSession({ ...common, merge: SHARE_NOTHING }) : null);
    }
    const initial = Float32Array.from(sessions[0].params);
    for (let r = 0; r < repeat; r++) {
      // The placement can change between rounds (coreRoundTripNs): each round's runs carry the round trip before it.
      if (r > 0) roundTrips.push(simulate ? null : await coreRoundTripNs());
      for (const [i, session] of sessions.entries()) {
        const workers = counts[i];
        session.params.set(initial);
        const run = await measureRun(session, {
          epochs, schedule, evalsPerEpoch: evals, target: target ?? undefined,
          onSegment: (epoch, point, lr, loss) => o.onEval?.({ repeat: r + 1, workers, epoch, point, lr, loss }),
        });
        results[i].runs.push(run);
        o.onRun?.({ repeat: r + 1, workers, params: Float32Array.from(session.params) });
        const ceiling = ceilings[i];
        if (ceiling) {
          ceiling.params.set(initial);
          results[i].ceiling.push(await measureRun(ceiling, { epochs, schedule, evalsPerEpoch: evals, evaluate: false }));
        }
      }
    }
  } finally {
    await Promise.all([...sessions, ...ceilings].map((s) => s?.close()));
  }

  const roundTripAfterNs = simulate ? null : await coreRoundTripNs();

  // Speedups are against the smallest worker count (1 by default): speedup = w₀ · median(w) / median(w₀).
  const w0 = results[0].workers;
  const epochRows = probe.rows;
  const sps = (r: MeasuredRun) => r.samples / r.trainSeconds;
  const s0 = median(results[0].runs.map(sps));
  const t0 = medianReached(results[0].runs.map((r) => r.reached?.seconds ?? null));
  const rows: BenchRow[] = results.map(({ workers, runs, ceiling }) => {
    const rates = runs.map(sps);
    const med = median(rates);
    const speedup = (med / s0) * w0;
    const toTarget = medianReached(runs.map((r) => r.reached?.seconds ?? null));
    const ceilingRates = ceiling.map(sps);
    const ceilingMedian = ceilingRates.length > 0 ? median(ceilingRates) : null;
    const samplesToTarget = medianReached(runs.map((r) => r.reached?.samples ?? null));
    return {
      workers,
      samples_per_second: med, min: Math.min(...rates), max: Math.max(...rates),
      // A simulation's samples/s is of its workers' turns in one thread: a ratio of two of them would read as a
      // parallel speedup that was never measured.
      speedup: simulate ? null : speedup, efficiency: simulate ? null : speedup / workers,
      test_accuracy: median(runs.map((r) => r.accuracy)),
      accuracy_min: Math.min(...runs.map((r) => r.accuracy)), accuracy_max: Math.max(...runs.map((r) => r.accuracy)),
      test_rmse: start.score === 'r2' ? median(runs.map((r) => r.rmse)) : null,
      samples_to_target: samplesToTarget,
      epochs_to_target: samplesToTarget === null ? null : samplesToTarget / epochRows,
      time_to_target: toTarget,
      time_speedup: !simulate && toTarget !== null && t0 !== null ? t0 / toTarget : null,
      reached_target: target === null ? null : `${runs.filter((r) => r.reached).length}/${runs.length}`,
      merged_bytes_per_sample: median(runs.map((r) => (4 * r.mergedFloats) / r.samples)),
      train_seconds: median(runs.map((r) => r.trainSeconds)),
      eval_seconds: median(runs.map((r) => r.evalSeconds)),
      gflops_executed: (med * executed) / 1e9,
      merges: start.merges.get(workers)!,
      ceiling: ceilingMedian === null ? null : { samples_per_second: ceilingMedian, speedup: (ceilingMedian / s0) * w0, kept: median(rates.map((x, k) => x / ceilingRates[k])), merged_bytes_per_sample: median(ceiling.map((r) => (4 * r.mergedFloats) / r.samples)) },
      runs: runs.map((r, k) => ({
        samples_per_second: sps(r), train_seconds: r.trainSeconds, eval_seconds: r.evalSeconds, test_accuracy: r.accuracy, merged_floats: r.mergedFloats,
        reached: r.reached, round_trip_ns: roundTrips[k] ?? null, merge_periods: r.periods, curve: r.curve,
        ceiling_samples_per_second: ceilingRates[k] ?? null,
      })),
    };
  });
  return { start, rows, roundTripsNs: roundTrips, roundTripAfterNs };
}
