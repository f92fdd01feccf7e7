/**
 * One measured training run for `trainer bench`: the epochs cut into segments, the model evaluated after each on
 * the parallel evaluator, so that accuracy is known against training time and samples (DimmWitted's split of
 * hardware efficiency, samples/s, from statistical efficiency, samples to a target accuracy).
 */
import type { Session } from '../pool/session.ts';
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
  readonly accuracy: number;
  /** The first point at or above the target (null: not reached, or no target). */
  readonly reached: CurvePoint | null;
}

export interface RunPlan {
  readonly epochs: number;
  readonly schedule: Schedule;
  /** Evaluations per epoch (at least 1: the end of the epoch). */
  readonly evalsPerEpoch: number;
  readonly target?: number;
  /** Called after each segment (the CLI's JSON lines). */
  readonly onSegment?: (epoch: number, p: CurvePoint, lr: number, loss: number) => void;
}

/**
 * Real workers are not stopped to be evaluated (a barrier every tenth of an epoch cost 2 workers a tenth of their
 * speed here): while an epoch trains, the main thread watches the shared progress counter and copies the shared
 * parameters as it passes each evaluation point (a copy of the merged parameters takes tens of microseconds),
 * then after the epoch evaluates the copies on the workers. Simulated workers train the segments in turn instead.
 */
export async function measureRun(session: Session, plan: RunPlan): Promise<MeasuredRun> {
  const rows = session.train!.rows;
  const split = session.test ? 'test' : 'train';
  const curve: CurvePoint[] = [];
  let samples = 0, trainSeconds = 0, evalSeconds = 0, mergedFloats = 0, accuracy = NaN;
  let reached: CurvePoint | null = null;
  const at = (g: number) => Math.floor((g * rows) / plan.evalsPerEpoch);
  const keep = (epoch: number, p: CurvePoint, lr: number, loss: number) => {
    curve.push(p);
    accuracy = p.accuracy;
    if (plan.target !== undefined && reached === null && p.accuracy >= plan.target) reached = p;
    plan.onSegment?.(epoch, p, lr, loss);
  };
  for (let e = 0; e < plan.epochs; e++) {
    const lr = learningRate(plan.schedule, e, plan.epochs);
    session.shuffle();
    if (session.simulated) {
      for (let g = 0; g < plan.evalsPerEpoch; g++) {
        const r = await session.trainRange(lr, at(g), at(g + 1));
        samples += r.samples;
        trainSeconds += r.seconds;
        mergedFloats += r.mergedFloats;
        const ev = await session.evaluate(split);
        evalSeconds += ev.seconds;
        keep(e + 1, { samples, seconds: trainSeconds, accuracy: ev.accuracy }, lr, r.loss);
      }
      continue;
    }
    // Copies of the parameters at the points inside the epoch (the last point is the epoch's end).
    const copies: { samples: number; seconds: number; params: Float32Array }[] = [];
    const t0 = performance.now();
    let done = false;
    const training = session.trainRange(lr, 0, rows).finally(() => { done = true; });
    for (let g = 1; g < plan.evalsPerEpoch && !done;) {
      const progress = session.progress();
      if (progress >= at(g)) {
        copies.push({ samples: samples + progress, seconds: trainSeconds + (performance.now() - t0) / 1000, params: Float32Array.from(session.params) });
        g++;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    const r = await training;
    samples += r.samples;
    trainSeconds += r.seconds;
    mergedFloats += r.mergedFloats;
    const end = Float32Array.from(session.params);
    for (const c of copies) {
      session.params.set(c.params);
      const ev = await session.evaluate(split);
      evalSeconds += ev.seconds;
      keep(e + 1, { samples: c.samples, seconds: c.seconds, accuracy: ev.accuracy }, lr, r.loss);
    }
    session.params.set(end);
    const ev = await session.evaluate(split);
    evalSeconds += ev.seconds;
    keep(e + 1, { samples, seconds: trainSeconds, accuracy: ev.accuracy }, lr, r.loss);
  }
  return { curve, samples, trainSeconds, evalSeconds, mergedFloats, accuracy, reached };
}
