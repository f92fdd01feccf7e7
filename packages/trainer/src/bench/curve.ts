/**
 * One measured training run for `trainer bench`: the epochs cut into segments, the model evaluated after each on
 * the parallel evaluator, so that accuracy is known against training time and samples (DimmWitted's split of
 * hardware efficiency, samples/s, from statistical efficiency, samples to a target accuracy).
 */
import type { Evaluation, Session } from '../pool/session.ts';
import type { MergePeriods } from '@hogwild/core/internal';
import { learningRate, type Schedule } from '../schedule.ts';

export interface CurvePoint {
  /** Samples trained so far (all workers). */
  readonly samples: number;
  /** Training seconds so far (evaluations not included). */
  readonly seconds: number;
  readonly accuracy: number;
}

export interface MeasuredRun {
  readonly curve: readonly CurvePoint[];
  readonly samples: number;
  readonly trainSeconds: number;
  readonly evalSeconds: number;
  /** Floats merged into the shared parameters (replicated workers). */
  readonly mergedFloats: number;
  /** The last evaluation's score: accuracy, or R² for a regression target. */
  readonly accuracy: number;
  /** A regression target: the last evaluation's RMSE, in the target's units (NaN for classes). */
  readonly rmse: number;
  /** The first point at or above the target (null: not reached, or no target). */
  readonly reached: CurvePoint | null;
  /** Each epoch's merge periods (they grow as the learning rate falls: merge-plan.ts); null without replicas. */
  readonly periods: readonly (MergePeriods | null)[];
}

export interface RunPlan {
  readonly epochs: number;
  readonly schedule: Schedule;
  /** Evaluations per epoch (at least 1: the end of the epoch). */
  readonly evalsPerEpoch: number;
  readonly target?: number;
  /**
   * false: the copies are still taken at the evaluation points (the same work while training) but not evaluated,
   * and the run has no curve or accuracy (bench's share-nothing runs, whose model is not meant to be used).
   */
  readonly evaluate?: boolean;
  /** Called after each segment (the CLI's JSON lines). */
  readonly onSegment?: (epoch: number, p: CurvePoint, lr: number, loss: number) => void;
}

/**
 * Workers are not stopped to be evaluated (a barrier costs them speed, and stopping simulated workers changes what
 * they learn): the worker that takes training past each evaluation point copies the shared parameters
 * (trainRange's copyAt), and the copies are evaluated after the epoch, on the workers
 * (docs/performance.md#evaluation-copies).
 */
/** A point's score: the accuracy, or for a regression target the R² (so `--target 0.4` reads as R² ≥ 0.4). */
const score = (ev: Evaluation): number => ev.regression?.r2 ?? ev.accuracy;

export async function measureRun(session: Session, plan: RunPlan): Promise<MeasuredRun> {
  const rows = session.train!.rows;
  const split = session.test ? 'test' : 'train';
  const curve: CurvePoint[] = [];
  const periods: (MergePeriods | null)[] = [];
  let samples = 0, trainSeconds = 0, evalSeconds = 0, mergedFloats = 0, accuracy = NaN, rmse = NaN;
  let reached: CurvePoint | null = null;
  const points = Array.from({ length: Math.max(0, plan.evalsPerEpoch - 1) }, (_, g) => Math.floor(((g + 1) * rows) / plan.evalsPerEpoch));
  const keep = (epoch: number, p: CurvePoint, lr: number, loss: number) => {
    curve.push(p);
    accuracy = p.accuracy;
    if (plan.target !== undefined && reached === null && p.accuracy >= plan.target) reached = p;
    plan.onSegment?.(epoch, p, lr, loss);
  };
  for (let e = 0; e < plan.epochs; e++) {
    const lr = learningRate(plan.schedule, e, plan.epochs);
    session.shuffle();
    const r = await session.trainRange(lr, 0, rows, points);
    const before = { samples, seconds: trainSeconds };
    samples += r.samples;
    trainSeconds += r.seconds;
    mergedFloats += r.mergedFloats;
    periods.push(r.periods);
    if (plan.evaluate === false) continue;
    const end = Float32Array.from(session.params);
    for (const c of r.copies) {
      session.params.set(c.params);
      const ev = await session.evaluate(split);
      evalSeconds += ev.seconds;
      keep(e + 1, { samples: before.samples + c.samples, seconds: before.seconds + c.seconds, accuracy: score(ev) }, lr, r.loss);
    }
    session.params.set(end);
    const ev = await session.evaluate(split);
    evalSeconds += ev.seconds;
    rmse = ev.regression?.rmse ?? NaN;
    keep(e + 1, { samples, seconds: trainSeconds, accuracy: score(ev) }, lr, r.loss);
  }
  return { curve, samples, trainSeconds, evalSeconds, mergedFloats, accuracy, rmse, reached, periods };
}
