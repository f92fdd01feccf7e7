/**
 * `pnpm bench:cores [--out DIR] [--workers 1,2,4,8,16] [--repeat N]`: the scaling check for a many-core machine.
 * Runs `trainer bench` twice across the worker counts (default: 1, 2, 4, … up to the logical CPUs):
 *   - R, the reference network (784-100-10 sigmoid, 1 epoch): samples/s, speedup and accuracy, and beside them the
 *     speed of the same workers sharing nothing (`--ceiling`), the machine's own limit;
 *   - the default network of `trainer run` (784-128-10 ReLU/softmax, 5 epochs): training time to 98%.
 * Each writes bench.json, bench.svg and its log into DIR/r and DIR/default, and DIR/SUMMARY.md gets both tables.
 * Runs from the sources (tsx) or from the bundle of `node bench/bundle-cores.mjs`, where only `node` exists.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchCommand, defaultWorkerCounts, type BenchFlags } from '../packages/trainer/src/cli/bench.ts';
import { machineLine } from '../packages/trainer/src/machine.ts';
import { shortMerges } from '../packages/trainer/src/merge-plan.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'bench-out/cores' }, workers: { type: 'string' }, repeat: { type: 'string', default: '3' } } });
const out = values.out!;
const workers = values.workers ?? defaultWorkerCounts(availableParallelism()).join(',');
const repeat = Number(values.repeat);
mkdirSync(out, { recursive: true });

// force: this script's folders are its own, rewritten on each run with SUMMARY.md.
const base: Omit<BenchFlags, 'out' | 'epochs' | 'lr' | 'schedule'> = { workers, repeat, seed: 1, kernel: 'wasm', merge: 'auto', evals: 16, force: true };
const runs: { name: string; title: string; flags: BenchFlags }[] = [
  { name: 'r', title: 'R (784-100-10 sigmoid, cross-entropy, lr 0.033, 1 epoch)', flags: { ...base, out: join(out, 'r'), epochs: 1, lr: 0.033, schedule: 'constant', ceiling: true } },
  {
    name: 'default', title: 'The default network (784-128-10 ReLU, softmax, He init, lr 0.02 cosine, 5 epochs), target 98%',
    flags: { ...base, out: join(out, 'default'), epochs: 5, lr: 0.02, schedule: 'cosine', layers: [784, 128, 10], activation: 'relu', loss: 'softmax', init: 'he', target: 0.98 },
  },
];

const t0 = performance.now();
let summary = `# bench:cores\n\nmachine: ${machineLine()}\n\ncommand: pnpm bench:cores --workers ${workers} --repeat ${repeat}\n`;
for (const r of runs) {
  process.stdout.write(`\n== ${r.title}\n`);
  // The table goes to the terminal and to a log beside the JSON.
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    await benchCommand(r.flags);
  } finally {
    process.stdout.write = write;
  }
  writeFileSync(join(r.flags.out, 'bench.log'), lines.join(''));
  const report = JSON.parse(readFileSync(join(r.flags.out, 'bench.json'), 'utf8'));
  const trip = report.core_round_trip_ns as { rounds: (number | null)[]; after: number | null };
  const ns = (x: number | null) => (x === null ? '—' : x.toFixed(0));
  const ceiling = r.flags.ceiling === true;
  summary += `\n## ${r.title}\n\na cache line's round trip between two threads: ${trip.rounds.map(ns).join(', ')} ns before each round of turns, ${ns(trip.after)} ns after\n\nmerges: first-layer rows after T changes, checked every c samples (T×/c; a plain c: every changed row), dense layers every d samples (…, d), each up to s times longer as the learning rate falls (↑s). Medians over the repeats; a repeat that never reached the target counts as the slowest ("6/7 reached").${ceiling ? ' Share-nothing: the same workers with no merges, right after each run (the speed this machine gives workers that share nothing); kept: the merging run against it, per round, median.' : ''}\n\n| workers | merges (rows, dense) | samples/s (median) | speedup | test accuracy | epochs to target | time to target | time speedup | merged B/sample |${ceiling ? ' share-nothing speedup | kept |' : ''}\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |${ceiling ? ' ---: | ---: |' : ''}\n`;
  for (const x of report.results) {
    summary += `| ${x.workers} | ${shortMerges(x.merges)} | ${Math.round(x.samples_per_second).toLocaleString('en-US')} | ${x.speedup.toFixed(2)}× | ${(100 * x.test_accuracy).toFixed(2)}% | ${x.epochs_to_target === null ? (x.reached_target ? `— (${x.reached_target} reached)` : '—') : `${x.epochs_to_target.toFixed(2)}${x.reached_target && x.reached_target !== `${x.runs.length}/${x.runs.length}` ? ` (${x.reached_target} reached)` : ''}`} | ${x.time_to_target === null ? '—' : `${x.time_to_target.toFixed(2)} s`} | ${x.time_speedup === null ? '—' : `${x.time_speedup.toFixed(2)}×`} | ${Math.round(x.merged_bytes_per_sample).toLocaleString('en-US')} |${ceiling ? (x.ceiling ? ` ${x.ceiling.speedup.toFixed(2)}× | ${(100 * x.ceiling.kept).toFixed(1)}% |` : ' — | — |') : ''}\n`;
  }
}
summary += `\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s\n`;
writeFileSync(join(out, 'SUMMARY.md'), summary);
process.stdout.write(`\nwrote ${join(out, 'SUMMARY.md')}\n`);
