/**
 * `trainer bench`: time to a target accuracy across worker counts. For each count it reports hardware efficiency
 * (samples/s), statistical efficiency (samples and epochs to the target) and their product, the training time to
 * the target, with the model evaluated several times an epoch; as a table, bench.json and a chart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InitName } from '@hogwild/core';
import { readInput, summarizeArrowDataset } from '@hogwild/data';
import { createSession, defaultWorkers, type Session } from '../pool/session.ts';
import { describeSync, syncPeriods } from '../pool/sync.ts';
import type { Schedule, ScheduleName } from '../schedule.ts';
import { describeMachine, machineLine, median } from '../machine.ts';
import { scalingChart } from '../bench/chart.ts';
import { measureRun, type MeasuredRun } from '../bench/curve.ts';
import { TrainerError } from '../errors.ts';
import { checkWorkers, resolveData, specFromFlags, type KernelName, type SyncFlag } from './options.ts';

export interface BenchFlags {
  workers?: string; epochs: number; repeat: number; target?: number; data?: string; test?: string; layers?: string; activation?: string;
  loss?: string; init?: InitName; lr: number; schedule: ScheduleName; seed: number; kernel: KernelName; out: string; json?: boolean; sync: SyncFlag;
  evals: number; simulate?: boolean; syncDense?: number;
}

export function defaultWorkerCounts(cores: number): number[] {
  const list: number[] = [];
  for (let w = 1; w < cores; w *= 2) list.push(w);
  list.push(cores);
  return list;
}

function parseWorkerList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new TrainerError('E_USAGE', `--workers: expected a list of positive integers such as 1,2,4, found ${JSON.stringify(text)}`);
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

/** The median of the repeats, or null unless every repeat has a value (a target reached in some repeats only has no time). */
function medianOfAll(xs: readonly (number | null)[]): number | null {
  return xs.every((x): x is number => x !== null) ? median(xs) : null;
}

export async function benchCommand(f: BenchFlags): Promise<void> {
  const counts = f.workers ? parseWorkerList(f.workers) : defaultWorkerCounts(defaultWorkers());
  const say = (s: string) => { if (!f.json) process.stdout.write(s + '\n'); };
  const emit = (o: object) => { if (f.json) process.stdout.write(JSON.stringify(o) + '\n'); };
  if (!f.simulate) checkWorkers(Math.max(...counts), (s) => process.stderr.write(s + '\n'));
  // Made first, so a bad --out fails before the measurements rather than after them.
  try {
    mkdirSync(f.out, { recursive: true });
  } catch (e) {
    throw new TrainerError('E_USAGE', `--out ${f.out}: cannot create the folder (${(e as NodeJS.ErrnoException).code})`);
  }
  const files = await resolveData(f.data, f.test, (s) => process.stderr.write(s + '\n'));
  const trainBytes = readInput(files.train);
  const testBytes = files.test !== undefined ? readInput(files.test) : undefined;
  const probe = summarizeArrowDataset(trainBytes, files.train, { density: true });
  const spec = specFromFlags(f, { layers: [probe.featureLength, 100, Math.max(2, probe.maxLabel + 1)], activation: 'sigmoid', loss: 'cross-entropy' });
  const init: InitName = f.init ?? 'uniform';
  const schedule: Schedule = { name: f.schedule, lr: f.lr };
  const machine = describeMachine();
  const target = f.target ?? null;

  // Work per sample, to read samples/s against the machine: multiply-adds of the forward pass, the error terms
  // and the update, dense (every input) and as executed (only the nonzero inputs of the first layer).
  const density = probe.density;
  let dense = 0, executed = 0;
  spec.layers.slice(1).forEach((out, l) => {
    const inSize = spec.layers[l];
    const fwd = 2 * inSize * out, upd = 2 * inSize * out, back = l > 0 ? 2 * inSize * out : 0;
    dense += fwd + upd + back;
    executed += l === 0 ? (fwd + upd) * density : fwd + upd + back;
  });
  const config = {
    layers: spec.layers, activation: spec.activation, loss: spec.loss, init, lr: f.lr, schedule: f.schedule, epochs: f.epochs, repeat: f.repeat, seed: f.seed,
    kernel: f.kernel, sync: f.sync, sync_dense: f.syncDense ?? null, evals_per_epoch: f.evals, simulate: f.simulate ?? false, data: files.mnist ? 'mnist (bundled)' : files.train, target,
  };
  say(`machine: ${machineLine(machine)}`);
  say(`config:  ${spec.layers.join('-')} ${spec.activation}/${spec.loss}, ${init} init, lr ${f.lr} ${f.schedule}, ${f.epochs} epoch(s) × ${f.repeat} repeat(s), kernel ${f.kernel}, seed ${f.seed} (every run starts from the same weights), ${f.evals} evaluations an epoch`);
  for (const w of counts) if (w > 1) say(`         ${w} workers: ${describeSync(syncPeriods(f.sync, w, f.syncDense))}`);
  if (f.simulate) say('         SIMULATED: the workers take turns in one thread; samples/s and seconds are of the simulation, only samples and accuracy count');
  say(`work:    ${(dense / 1e6).toFixed(3)} MFLOP/sample dense-equivalent, ${(executed / 1e6).toFixed(3)} MFLOP/sample executed (${(100 * density).toFixed(1)}% of inputs nonzero)`);
  say('');

  // One pool per worker count, all started up front; the repeats then go round the counts (1, 2, 4, 1, 2, 4, …)
  // so that a slow spell of a shared machine falls on every count alike instead of on one.
  const sessions: Session[] = [];
  try {
    for (const workers of counts) {
      sessions.push(await createSession({ spec, kernel: f.kernel, workers, trainFile: files.train, testFile: files.test, init, seed: f.seed, sync: f.sync, syncDense: f.syncDense, simulate: f.simulate, trainBytes, testBytes }));
    }
    const start = Float32Array.from(sessions[0].params);
    const results: { workers: number; runs: MeasuredRun[] }[] = counts.map((workers) => ({ workers, runs: [] }));
    for (let r = 0; r < f.repeat; r++) {
      for (const [i, session] of sessions.entries()) {
        const workers = counts[i];
        session.params.set(start);
        const run = await measureRun(session, {
          epochs: f.epochs, schedule, evalsPerEpoch: f.evals, target: target ?? undefined,
          onSegment: (epoch, p, lr, loss) => emit({ event: 'eval', repeat: r + 1, workers, epoch, samples: p.samples, seconds: p.seconds, test_accuracy: p.accuracy, lr, train_loss: loss }),
        });
        results[i].runs.push(run);
      }
    }
    await report(results);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }

  async function report(results: { workers: number; runs: MeasuredRun[] }[]): Promise<void> {
    // Speedups are against the smallest worker count (1 by default): speedup = w₀ · median(w) / median(w₀).
    const rows0 = results[0];
    const w0 = rows0.workers;
    const epochRows = probe.rows;
    const sps = (r: MeasuredRun) => r.samples / r.trainSeconds;
    const s0 = median(rows0.runs.map(sps));
    const t0 = medianOfAll(rows0.runs.map((r) => r.reached?.seconds ?? null));
    const rows = results.map(({ workers, runs }) => {
      const rates = runs.map(sps);
      const med = median(rates);
      const speedup = (med / s0) * w0;
      const toTarget = medianOfAll(runs.map((r) => r.reached?.seconds ?? null));
      const samplesToTarget = medianOfAll(runs.map((r) => r.reached?.samples ?? null));
      return {
        workers,
        samples_per_second: med, min: Math.min(...rates), max: Math.max(...rates),
        speedup, efficiency: speedup / workers,
        test_accuracy: median(runs.map((r) => r.accuracy)),
        accuracy_min: Math.min(...runs.map((r) => r.accuracy)), accuracy_max: Math.max(...runs.map((r) => r.accuracy)),
        samples_to_target: samplesToTarget,
        epochs_to_target: samplesToTarget === null ? null : samplesToTarget / epochRows,
        time_to_target: toTarget,
        time_speedup: toTarget !== null && t0 !== null ? t0 / toTarget : null,
        reached_target: target === null ? null : `${runs.filter((r) => r.reached).length}/${runs.length}`,
        merged_bytes_per_sample: median(runs.map((r) => (4 * r.mergedFloats) / r.samples)),
        train_seconds: median(runs.map((r) => r.trainSeconds)),
        eval_seconds: median(runs.map((r) => r.evalSeconds)),
        gflops_executed: (med * executed) / 1e9,
        sync: syncPeriods(f.sync, workers, f.syncDense),
        runs: runs.map((r) => ({ samples_per_second: sps(r), train_seconds: r.trainSeconds, eval_seconds: r.evalSeconds, test_accuracy: r.accuracy, merged_floats: r.mergedFloats, reached: r.reached, curve: r.curve })),
      };
    });
    for (const row of rows) {
      emit({
        event: 'bench', workers: row.workers, samples_per_second: row.samples_per_second, min: row.min, max: row.max, speedup: row.speedup, efficiency: row.efficiency,
        test_accuracy: row.test_accuracy, samples_to_target: row.samples_to_target, epochs_to_target: row.epochs_to_target, time_to_target: row.time_to_target,
        time_speedup: row.time_speedup, merged_bytes_per_sample: row.merged_bytes_per_sample, eval_seconds: row.eval_seconds,
      });
    }
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    const num = (x: number) => Math.round(x).toLocaleString('en-US');
    const head = ['workers', 'samples/s (median)', 'min', 'max', 'speedup', 'efficiency', 'test acc'];
    if (target !== null) head.push(`epochs to ${pct(target)}`, `time to ${pct(target)}`, 'time speedup');
    head.push('merged B/sample', 'eval s', 'GFLOP/s');
    const widths = head.map((h, i) => (i === 0 ? 8 : Math.max(h.length + 2, 11)));
    say(head.map((h, i) => (i === 0 ? h.padEnd(widths[i]) : h.padStart(widths[i]))).join(''));
    for (const r of rows) {
      const cells = [String(r.workers), num(r.samples_per_second), num(r.min), num(r.max), `${r.speedup.toFixed(2)}x`, pct(r.efficiency), pct(r.test_accuracy)];
      if (target !== null) {
        cells.push(r.epochs_to_target === null ? `not ${r.reached_target}` : r.epochs_to_target.toFixed(2));
        cells.push(r.time_to_target === null ? '—' : `${r.time_to_target.toFixed(2)} s`);
        cells.push(r.time_speedup === null ? '—' : `${r.time_speedup.toFixed(2)}x`);
      }
      cells.push(num(r.merged_bytes_per_sample), r.eval_seconds.toFixed(2), r.gflops_executed.toFixed(2));
      say(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(''));
    }
    const reportJson = { machine, config, work: { mflop_per_sample_dense: dense / 1e6, mflop_per_sample_executed: executed / 1e6, input_density: density }, results: rows, date: new Date().toISOString() };
    writeFileSync(join(f.out, 'bench.json'), JSON.stringify(reportJson, null, 2) + '\n');
    // The chart draws the first repeat's curve of each worker count.
    const curves = results.flatMap(({ workers, runs }) => [{ workers, seconds: 0, accuracy: NaN }, ...runs[0].curve.map((p) => ({ workers, seconds: p.seconds, accuracy: p.accuracy }))].filter((p) => !Number.isNaN(p.accuracy)));
    const svg = await scalingChart(
      rows.map((r) => ({ workers: r.workers, samplesPerSecond: r.samples_per_second, min: r.min, max: r.max, efficiency: r.efficiency, accuracy: r.test_accuracy, timeToTarget: r.time_to_target })),
      curves,
      `hogwild bench${f.simulate ? ' (simulated)' : ''}: ${spec.layers.join('-')} ${spec.activation}, kernel ${f.kernel}, ${f.epochs} epoch(s) × ${f.repeat} — ${machine.cpu}${machine.simd ? ` (${machine.simd})` : ''}, ${machineLine(machine).split(', ')[1]}, Node ${machine.node}`,
      target,
    );
    writeFileSync(join(f.out, 'bench.svg'), svg);
    say(`\nwrote ${join(f.out, 'bench.json')} and ${join(f.out, 'bench.svg')}`);
    emit({ event: 'done', out: f.out, machine: machineLine(machine) });
  }
}
