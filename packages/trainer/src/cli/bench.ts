/**
 * `trainer bench`: time to a target accuracy across worker counts. For each count it reports hardware efficiency
 * (samples/s), statistical efficiency (samples and epochs to the target) and their product, the training time to
 * the target, with the model evaluated several times an epoch; as a table, bench.json and a chart.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { networkName, wasmKernelName } from '@hogwild/core/internal';
import { describeMerges } from '../merge-plan.ts';
import { BENCH, BENCH_DEFAULTS, NETWORK, SCHEDULE, checkWorkerCount, defaultWorkers, pickGroup, type NetworkOptions } from '../options.ts';
import type { KernelName } from '../protocol.ts';
import type { ScheduleName } from '../schedule.ts';
import { machineLine } from '../machine.ts';
import { scalingChart } from '../bench/chart.ts';
import { bench } from '../bench/bench.ts';
import { TrainerError } from '../errors.ts';
import { count } from './report.ts';
import { warnOversubscribed, mergeFromFlags, resolveFiles, checkNetworkFlags } from './options.ts';

/** What a bench writes into --out. */
const REPORT_FILES = ['bench.json', 'bench.svg'];

/** The network flags' defaults, for checking --layers before any data is read. */
const networkDefaults = { layers: [], activation: BENCH_DEFAULTS.activation, loss: BENCH_DEFAULTS.loss };

/** The parsed flags of `trainer bench` (cli/program.ts makes them from the option definitions). */
export interface BenchFlags extends NetworkOptions {
  workers?: string; epochs?: number; repeat: number; target?: number; data?: string; test?: string;
  lr?: number; schedule?: ScheduleName; seed: number; labelSmoothing?: number; kernel: KernelName; out: string; force?: boolean; json?: boolean;
  evals?: number; simulate?: boolean; ceiling?: boolean;
  readonly [merge: `merge${string}`]: unknown;
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

export async function benchCommand(f: BenchFlags): Promise<void> {
  const counts = f.workers ? parseWorkerList(f.workers) : defaultWorkerCounts(defaultWorkers());
  for (const w of counts) checkWorkerCount(w, f.simulate);
  const say = (s: string) => { if (!f.json) process.stdout.write(s + '\n'); };
  const emit = (o: object) => { if (f.json) process.stdout.write(JSON.stringify(o) + '\n'); };
  if (!f.simulate) warnOversubscribed(Math.max(...counts), (s) => process.stderr.write(s + '\n'));
  // Checked and made first, so a bad --out fails before the measurements rather than after them. An earlier bench's
  // results are the record of a machine at a time and took minutes: they are replaced only when asked.
  const earlier = REPORT_FILES.filter((name) => existsSync(join(f.out, name)));
  if (earlier.length > 0 && !f.force) throw new TrainerError('E_USAGE', `--out ${f.out}: holds an earlier bench's ${earlier.join(' and ')}; pass --force to replace them, or name another --out folder`);
  try {
    mkdirSync(f.out, { recursive: true });
  } catch (e) {
    throw new TrainerError('E_USAGE', `--out ${f.out}: cannot create the folder (${(e as NodeJS.ErrnoException).code})`);
  }
  checkNetworkFlags(f, networkDefaults);
  const files = await resolveFiles(f.data, f.test, (s) => process.stderr.write(s + '\n'));
  const target = f.target ?? null;
  const merge = mergeFromFlags(f);
  // Which build of the WebAssembly kernel runs (the figures differ by build): "wasm (relaxed)" or "wasm (simd)".
  const wasmBuild = f.kernel === 'wasm' ? wasmKernelName() : null;
  const kernelName = wasmBuild ? `${f.kernel} (${wasmBuild})` : f.kernel;
  const config = {
    layers: f.layers ?? null, activation: f.activation ?? BENCH_DEFAULTS.activation, loss: f.loss ?? null, init: f.init ?? BENCH_DEFAULTS.init, lr: f.lr, schedule: f.schedule, label_smoothing: f.labelSmoothing ?? 0, epochs: f.epochs, repeat: f.repeat, seed: f.seed,
    kernel: f.kernel, wasm_build: wasmBuild, merge: { every: merge.every ?? 'auto', dense: merge.dense ?? null, touches: merge.touches ?? null, tail: merge.tail ?? null, stretch: merge.stretch ?? null }, evals_per_epoch: f.evals, simulate: f.simulate ?? false, ceiling: f.ceiling ?? false, data: files.mnist ? 'mnist (bundled)' : files.train, target,
  };
  let scoreKey = 'test_accuracy';
  const { start, rows, roundTripsNs, roundTripAfterNs } = await bench({
    ...pickGroup(NETWORK, f), ...pickGroup(SCHEDULE, f), ...pickGroup(BENCH, f), kernel: f.kernel, simulate: f.simulate, merge,
    data: files.train, test: files.test, workers: counts,
    onStart: ({ machine, roundTripNs, spec, init, schedule, epochs, evals, merges, work, score }) => {
      if (score === 'r2') scoreKey = 'test_r2';
      say(`machine: ${machineLine(machine)}`);
      if (roundTripNs !== null) say(`         a cache line's round trip between two threads: ${roundTripNs.toFixed(0)} ns (what every merge pays; on a virtual machine it moves with the host's placement)`);
      say(`config:  ${networkName(spec)}, ${init} init, lr ${schedule.lr} ${schedule.name}${f.labelSmoothing ? `, label smoothing ${f.labelSmoothing}` : ''}, ${count(epochs, 'epoch')} × ${count(f.repeat, 'repeat')}, kernel ${kernelName}, seed ${f.seed} (every run starts from the same weights), ${evals} evaluations an epoch`);
      for (const [w, rule] of merges) if (w > 1) say(`         ${w} workers: ${describeMerges(rule)}`);
      if (f.ceiling) say('         ceiling: each count above the first also runs with no merges (workers that share nothing), right after its own run');
      if (f.simulate) say('         SIMULATED: the workers take turns in one thread; only samples and accuracy count, and only they are shown');
      say(`work:    ${work.mflop_per_sample_dense.toFixed(3)} MFLOP/sample dense-equivalent, ${work.mflop_per_sample_executed.toFixed(3)} MFLOP/sample executed (${(100 * work.input_density).toFixed(1)}% of inputs nonzero)`);
      say('');
    },
    onEval: ({ repeat, workers, epoch, point, lr, loss }) => emit({ event: 'eval', repeat, workers, epoch, samples: point.samples, seconds: point.seconds, [scoreKey]: point.accuracy, lr, train_loss: loss }),
  });
  const { machine, spec, work } = start;
  const r2 = start.score === 'r2';
  for (const row of rows) {
    emit({
      event: 'bench', workers: row.workers, samples_per_second: row.samples_per_second, min: row.min, max: row.max, speedup: row.speedup, efficiency: row.efficiency,
      ...(r2 ? { test_r2: row.test_accuracy, test_rmse: row.test_rmse } : { test_accuracy: row.test_accuracy }), samples_to_target: row.samples_to_target, epochs_to_target: row.epochs_to_target, time_to_target: row.time_to_target,
      time_speedup: row.time_speedup, reached_target: row.reached_target, merged_bytes_per_sample: row.merged_bytes_per_sample, eval_seconds: row.eval_seconds,
      ...(f.ceiling ? { ceiling_samples_per_second: row.ceiling?.samples_per_second ?? null, ceiling_speedup: row.ceiling?.speedup ?? null, ceiling_kept: row.ceiling?.kept ?? null } : {}),
    });
  }
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const num = (x: number) => Math.round(x).toLocaleString('en-US');
  const ratio = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}x`);
  // A regression target is scored by R² (and its RMSE shown beside it): --target is then an R².
  const scoreText = (x: number) => (r2 ? x.toFixed(4) : pct(x));
  const targetText = target === null ? '' : r2 ? `R² ${target}` : pct(target);
  // Simulated, only what does not depend on speed: the workers' turns in one thread have none worth printing.
  const timed = !f.simulate;
  const head = ['workers', ...(timed ? ['samples/s (median)', 'min', 'max', 'speedup', 'efficiency'] : []), ...(r2 ? [`${start.split} R²`, `${start.split} RMSE`] : [`${start.split} acc`])];
  if (target !== null) head.push(`epochs to ${targetText}`, ...(timed ? [`time to ${targetText}`, 'time speedup'] : []));
  head.push('merged B/sample', ...(timed ? ['eval s', 'GFLOP/s'] : []));
  // The share-nothing columns, where a count above the first had them (--ceiling).
  const ceilingColumns = rows.some((r) => r.ceiling !== null);
  if (ceilingColumns) head.push('share-nothing speedup', 'kept');
  const widths = head.map((h, i) => (i === 0 ? 8 : Math.max(h.length + 2, 11)));
  say(head.map((h, i) => (i === 0 ? h.padEnd(widths[i]) : h.padStart(widths[i]))).join(''));
  for (const r of rows) {
    const cells = [String(r.workers), ...(timed ? [num(r.samples_per_second), num(r.min), num(r.max), ratio(r.speedup), r.efficiency === null ? '—' : pct(r.efficiency)] : []), scoreText(r.test_accuracy), ...(r2 ? [Number(r.test_rmse!.toPrecision(4)).toString()] : [])];
    if (target !== null) {
      // How many repeats reached the target, where some did not (the medians count those as the slowest).
      const some = r.reached_target !== `${r.runs.length}/${r.runs.length}` ? ` (${r.reached_target})` : '';
      cells.push(r.epochs_to_target === null ? `not ${r.reached_target}` : `${r.epochs_to_target.toFixed(2)}${some}`);
      if (timed) cells.push(r.time_to_target === null ? '—' : `${r.time_to_target.toFixed(2)} s`, ratio(r.time_speedup));
    }
    cells.push(num(r.merged_bytes_per_sample), ...(timed ? [r.eval_seconds.toFixed(2), r.gflops_executed.toFixed(2)] : []));
    if (ceilingColumns) cells.push(r.ceiling ? `${r.ceiling.speedup.toFixed(2)}x` : '—', r.ceiling ? pct(r.ceiling.kept) : '—');
    say(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(''));
  }
  if (ceilingColumns) say('\nshare-nothing speedup: the same count with no merges against the first count (the machine\'s own limit); kept: the merging run\'s samples/s against the share-nothing run of its round, median over the rounds');
  if (roundTripAfterNs !== null) {
    const ns = (x: number | null) => (x === null ? '—' : x.toFixed(0));
    say(`\nround trip between two threads before each round of turns: ${roundTripsNs.map(ns).join(', ')} ns; after the runs: ${ns(roundTripAfterNs)} ns`);
  }
  const reportJson = {
    machine, core_round_trip_ns: { before: start.roundTripNs, rounds: roundTripsNs, after: roundTripAfterNs }, config: { ...config, layers: spec.layers, activation: spec.activation, loss: spec.loss, init: start.init, lr: start.schedule.lr, schedule: start.schedule.name, epochs: start.epochs, evals_per_epoch: start.evals, score: start.score }, work, results: rows, date: new Date().toISOString(),
  };
  writeFileSync(join(f.out, 'bench.json'), JSON.stringify(reportJson, null, 2) + '\n');
  // The chart draws the first repeat's curve of each worker count.
  const curves = rows.flatMap(({ workers, runs }) => runs[0].curve.map((p) => ({ workers, seconds: p.seconds, samples: p.samples, accuracy: p.accuracy })));
  const svg = await scalingChart(
    rows.map((r) => ({ workers: r.workers, samplesPerSecond: r.samples_per_second, min: r.min, max: r.max, efficiency: r.efficiency, accuracy: r.test_accuracy, timeToTarget: r.time_to_target, epochsToTarget: r.epochs_to_target, ceiling: r.ceiling?.samples_per_second ?? null })),
    curves,
    `hogwild bench${f.simulate ? ' (simulated)' : ''}: ${networkName(spec)}, kernel ${kernelName}, ${count(start.epochs, 'epoch')} × ${f.repeat} — ${machine.cpu}${machine.simd ? ` (${machine.simd})` : ''}, ${machineLine(machine).split(', ')[1]}, Node ${machine.node}`,
    target,
    start.score,
    f.simulate ?? false,
  );
  writeFileSync(join(f.out, 'bench.svg'), svg);
  say(`\nwrote ${join(f.out, 'bench.json')} and ${join(f.out, 'bench.svg')}`);
  emit({ event: 'done', out: f.out, machine: machineLine(machine), core_round_trip_ns: { before: start.roundTripNs, rounds: roundTripsNs, after: roundTripAfterNs } });
}
