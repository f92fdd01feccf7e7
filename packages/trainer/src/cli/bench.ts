/** `trainer bench`: throughput, speedup, efficiency and accuracy across worker counts, as a table, bench.json and a chart. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InitName } from '@hogwild/core';
import { peekArrowDataset } from '@hogwild/data';
import { createSession, defaultWorkers, syncPeriod } from '../pool/session.ts';
import { learningRate, type Schedule, type ScheduleName } from '../schedule.ts';
import { describeMachine, machineLine, median } from '../machine.ts';
import { scalingChart } from '../bench/chart.ts';
import { TrainerError } from '../errors.ts';
import { checkWorkers, resolveData, specFromFlags, type KernelName, type SyncFlag } from './options.ts';

export interface BenchFlags {
  workers?: string; epochs: number; repeat: number; target?: number; data?: string; test?: string; layers?: string; activation?: string;
  loss?: string; init?: InitName; lr: number; schedule: ScheduleName; seed: number; kernel: KernelName; out: string; json?: boolean; sync: SyncFlag;
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

interface Run { samplesPerSecond: number; seconds: number; accuracy: number; timeToTarget: number | null }

export async function benchCommand(f: BenchFlags): Promise<void> {
  const counts = f.workers ? parseWorkerList(f.workers) : defaultWorkerCounts(defaultWorkers());
  const say = (s: string) => { if (!f.json) process.stdout.write(s + '\n'); };
  const emit = (o: object) => { if (f.json) process.stdout.write(JSON.stringify(o) + '\n'); };
  checkWorkers(Math.max(...counts), (s) => process.stderr.write(s + '\n'));
  // Made first, so a bad --out fails before the measurements rather than after them.
  try {
    mkdirSync(f.out, { recursive: true });
  } catch (e) {
    throw new TrainerError('E_USAGE', `--out ${f.out}: cannot create the folder (${(e as NodeJS.ErrnoException).code})`);
  }
  const files = await resolveData(f.data, f.test, (s) => process.stderr.write(s + '\n'));
  const probe = peekArrowDataset(files.train);
  const spec = specFromFlags(f, { layers: [probe.featureLength, 100, Math.max(2, probe.maxLabel + 1)], activation: 'sigmoid', loss: 'cross-entropy' });
  const init: InitName = f.init ?? 'uniform';
  const schedule: Schedule = { name: f.schedule, lr: f.lr };
  const machine = describeMachine();

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
  const config = { layers: spec.layers, activation: spec.activation, loss: spec.loss, init, lr: f.lr, schedule: f.schedule, epochs: f.epochs, repeat: f.repeat, seed: f.seed, kernel: f.kernel, sync: f.sync, data: files.mnist ? 'mnist (bundled)' : files.train, target: f.target ?? null };
  say(`machine: ${machineLine(machine)}`);
  say(`config:  ${spec.layers.join('-')} ${spec.activation}/${spec.loss}, ${init} init, lr ${f.lr} ${f.schedule}, ${f.epochs} epoch(s) × ${f.repeat} repeat(s), kernel ${f.kernel}, --sync ${f.sync}${f.sync === 'auto' ? ` (${counts.map((w) => `${w}: ${syncPeriod('auto', w)}`).join(', ')})` : ''}, seed ${f.seed} (every run starts from the same weights)`);
  say(`work:    ${(dense / 1e6).toFixed(3)} MFLOP/sample dense-equivalent, ${(executed / 1e6).toFixed(3)} MFLOP/sample executed (${(100 * density).toFixed(1)}% of inputs nonzero)`);
  say('');

  // One pool per worker count, all started up front; the repeats then go round the counts (1, 2, 4, 1, 2, 4, …)
  // so that a slow spell of a shared machine falls on every count alike instead of on one.
  const sessions = [];
  try {
    for (const workers of counts) {
      sessions.push(await createSession({ spec, kernel: f.kernel, workers, trainFile: files.train, testFile: files.test, init, seed: f.seed, syncEvery: f.sync }));
    }
    const start = Float32Array.from(sessions[0].params);
    const results: { workers: number; runs: Run[] }[] = counts.map((workers) => ({ workers, runs: [] }));
    for (let r = 0; r < f.repeat; r++) {
      for (const [i, session] of sessions.entries()) {
        const workers = counts[i];
        session.params.set(start);
        let seconds = 0, samples = 0, timeToTarget: number | null = null, accuracy = NaN;
        for (let e = 0; e < f.epochs; e++) {
          const res = await session.trainEpoch(learningRate(schedule, e, f.epochs));
          seconds += res.seconds;
          samples += res.samples;
          const needEval = f.target !== undefined || e === f.epochs - 1;
          if (needEval) {
            const ev = await session.evaluate(session.test ? 'test' : 'train');
            accuracy = ev.accuracy;
            if (f.target !== undefined && timeToTarget === null && accuracy >= f.target) timeToTarget = seconds;
          }
          emit({ event: 'epoch', epoch: e + 1, repeat: r + 1, workers, seconds: res.seconds, samples_per_second: res.samples / res.seconds, train_loss: res.loss, test_accuracy: needEval ? accuracy : null });
        }
        results[i].runs.push({ samplesPerSecond: samples / seconds, seconds, accuracy, timeToTarget });
      }
    }
    await report(results);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }

  async function report(results: { workers: number; runs: Run[] }[]): Promise<void> {
    // Speedup is against the smallest worker count (1 by default): speedup = w₀ · median(w) / median(w₀).
    const w0 = results[0].workers;
    const s0 = median(results[0].runs.map((r) => r.samplesPerSecond));
    const rows = results.map(({ workers, runs }) => {
      const sps = runs.map((r) => r.samplesPerSecond);
      const med = median(sps);
      const speedup = (med / s0) * w0;
      const reached = runs.map((r) => r.timeToTarget).filter((t): t is number => t !== null);
      return {
        workers,
        samples_per_second: med, min: Math.min(...sps), max: Math.max(...sps),
        speedup, efficiency: speedup / workers,
        test_accuracy: median(runs.map((r) => r.accuracy)),
        accuracy_min: Math.min(...runs.map((r) => r.accuracy)), accuracy_max: Math.max(...runs.map((r) => r.accuracy)),
        gflops_executed: (med * executed) / 1e9,
        time_to_target: f.target === undefined ? null : reached.length === runs.length ? median(reached) : null,
        reached_target: f.target === undefined ? null : `${reached.length}/${runs.length}`,
        runs,
      };
    });
    for (const row of rows) {
      emit({ event: 'bench', workers: row.workers, samples_per_second: row.samples_per_second, min: row.min, max: row.max, speedup: row.speedup, efficiency: row.efficiency, test_accuracy: row.test_accuracy, time_to_target: row.time_to_target });
    }
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    const num = (x: number) => Math.round(x).toLocaleString('en-US');
    say(['workers', 'samples/s (median)', 'min', 'max', 'speedup', 'efficiency', 'test acc', ...(f.target !== undefined ? [`time to ${pct(f.target)}`] : []), 'GFLOP/s'].map((h, i) => (i === 0 ? h.padEnd(8) : h.padStart(i === 1 ? 19 : h.startsWith('time') ? 16 : 11))).join(''));
    for (const r of rows) {
      const cells = [String(r.workers).padEnd(8), num(r.samples_per_second).padStart(19), num(r.min).padStart(11), num(r.max).padStart(11), `${r.speedup.toFixed(2)}x`.padStart(11), pct(r.efficiency).padStart(11), pct(r.test_accuracy).padStart(11)];
      if (f.target !== undefined) cells.push((r.time_to_target === null ? `not ${r.reached_target}` : `${r.time_to_target.toFixed(2)} s`).padStart(16));
      cells.push(r.gflops_executed.toFixed(2).padStart(11));
      say(cells.join(''));
    }
    const report = { machine, config, work: { mflop_per_sample_dense: dense / 1e6, mflop_per_sample_executed: executed / 1e6, input_density: density }, results: rows, date: new Date().toISOString() };
    writeFileSync(join(f.out, 'bench.json'), JSON.stringify(report, null, 2) + '\n');
    const svg = await scalingChart(rows.map((r) => ({ workers: r.workers, samplesPerSecond: r.samples_per_second, min: r.min, max: r.max, efficiency: r.efficiency, accuracy: r.test_accuracy })),
      `hogwild bench: ${spec.layers.join('-')} ${spec.activation}, kernel ${f.kernel}, ${f.epochs} epoch(s) × ${f.repeat} — ${machine.cpu}${machine.simd ? ` (${machine.simd})` : ''}, ${machine.cores} cores, Node ${machine.node}`);
    writeFileSync(join(f.out, 'bench.svg'), svg);
    say(`\nwrote ${join(f.out, 'bench.json')} and ${join(f.out, 'bench.svg')}`);
    emit({ event: 'done', out: f.out, machine: machineLine(machine) });
  }
}
