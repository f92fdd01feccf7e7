import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { wasmKernelName } from './internal.ts';
import { cli, jsonLines, tempDir } from './helpers.ts';
import { smallMnist, trainerInProcess } from './trainer-cli-fixture.ts';

// The trainer CLI: trainer gradcheck and trainer bench.
// test/trainer-cli-*.test.ts are one file a topic, so that they run side by side; each makes its own small dataset.
let train: string, test: string;
beforeAll(async () => {
  ({ train, test } = await smallMnist());
});

const small = () => ['--data', train, '--test', test];
const trainer = trainerInProcess;

describe('trainer gradcheck and bench', () => {
  it('gradcheck passes every combination and reports the worst error', async () => {
    const r = await trainer(['gradcheck', '--all', '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(16); // 4 hidden activations × 4 losses (mse with one output)
    for (const l of lines) {
      expect(l.passed).toBe(true);
      expect(l.max_relative_error).toBeLessThanOrEqual(1e-4);
    }
  });

  it('gradcheck --label-smoothing checks the smoothed softmax networks, and names the flag it refuses for another loss', async () => {
    const r = await trainer(['gradcheck', '--all', '--label-smoothing', '0.1', '--json']);
    expect(r.code).toBe(0);
    const smoothed = jsonLines(r.stdout).filter((l) => l.label_smoothing === 0.1);
    expect(smoothed.map((l) => [l.activation, l.loss, l.passed])).toEqual([['sigmoid', 'softmax', true], ['relu', 'softmax', true], ['tanh', 'softmax', true], ['linear', 'softmax', true]]);
    const bad = await trainer(['gradcheck', '--label-smoothing', '0.1']);
    expect([bad.code, bad.stderr]).toEqual([2, 'trainer: --label-smoothing: 0.1 needs the softmax loss, found loss cross-entropy\n']);
  });

  it('gradcheck exits 1 when the worst error is above the tolerance', async () => {
    const r = await trainer(['gradcheck', '--layers', '5,4,3', '--activation', 'tanh', '--loss', 'square', '--tolerance', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL 5-4-3 tanh\/square: 117 gradients \(3 samples\), worst relative error \d\.\d+e-\d+ \(layer \d (weight|bias)\[[\d,]+\]: backprop .+, numeric .+\), tolerance 0\n$/);
  });

  it('bench writes a table, bench.json and a chart, with speedup against 1 worker', async () => {
    const out = join(tempDir(), 'bench');
    const r = await cli('trainer', ['bench', ...small(), '--workers', '1,2', '--repeat', '2', '--epochs', '1', '--target', '0.5', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^machine: .+, \d+ cores, .+ GiB, Node v\d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/MFLOP\/sample dense-equivalent/);
    expect(r.stdout).toMatch(/\n1\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+1\.00x\s+100\.00%/);
    expect(readdirSync(out).sort()).toEqual(['bench.json', 'bench.svg']);
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    expect(report.machine).toMatchObject({ cores: expect.any(Number), node: process.version });
    // The build of the WebAssembly kernel that ran, in the config line and in bench.json.
    expect(r.stdout).toContain(`, kernel wasm (${wasmKernelName()}), `);
    expect(report.config).toMatchObject({ kernel: 'wasm', wasm_build: wasmKernelName() });
    // The cache-line round trip between two threads, before and after the runs (this machine has 2 CPUs).
    expect(r.stdout).toMatch(/\n {9}a cache line's round trip between two threads: \d+ ns/);
    expect(r.stdout).toMatch(/\nround trip between two threads before each round of turns: \d+, \d+ ns; after the runs: \d+ ns\n/);
    for (const when of ['before', 'after']) expect(report.core_round_trip_ns[when]).toBeGreaterThan(0);
    // One before each of the 2 rounds (the first is the header's), and each run carries its round's.
    expect(report.core_round_trip_ns.rounds).toHaveLength(2);
    expect(report.core_round_trip_ns.rounds[0]).toBe(report.core_round_trip_ns.before);
    for (const row of report.results) expect(row.runs.map((x: { round_trip_ns: number }) => x.round_trip_ns)).toEqual(report.core_round_trip_ns.rounds);
    // Each run's merge periods by epoch: none for one worker, 2 workers' own for a constant rate.
    expect(report.results.map((x: any) => x.runs[0].merge_periods)).toEqual([[null], [{ rows: 16, touches: 64, dense: 16 }]]);
    expect(report.config).toMatchObject({ layers: [784, 100, 10], repeat: 2 });
    expect(report.results.map((x: any) => x.workers)).toEqual([1, 2]);
    for (const row of report.results) {
      expect(row.runs).toHaveLength(2);
      expect(row.min).toBeLessThanOrEqual(row.samples_per_second);
      expect(row.max).toBeGreaterThanOrEqual(row.samples_per_second);
      expect(row.time_to_target).toBeGreaterThan(0);
    }
    expect(report.results[1].speedup).toBeCloseTo(report.results[1].samples_per_second / report.results[0].samples_per_second, 10);
    // Time to the target is the product of the two efficiencies: samples to the target over samples per second, give or take the chunk.
    for (const row of report.results) {
      expect(row.samples_to_target).toBeGreaterThan(0);
      expect(row.epochs_to_target).toBeCloseTo(row.samples_to_target / 3000, 10);
      // Up to 16 points an epoch (a point that falls after the last chunk of such a short epoch is not taken), the last at its end.
      const curve = row.runs[0].curve;
      expect(curve.length).toBeGreaterThanOrEqual(1);
      expect(curve.length).toBeLessThanOrEqual(16);
      expect(curve.at(-1).samples).toBe(3000);
      expect(curve.map((p: { seconds: number }) => p.seconds)).toEqual(curve.map((p: { seconds: number }) => p.seconds).sort((a: number, b: number) => a - b));
      expect(row.eval_seconds).toBeGreaterThan(0);
    }
    expect(report.results[1].merged_bytes_per_sample).toBeGreaterThan(0);
    expect(report.results[0].merged_bytes_per_sample).toBe(0);
    const svg = readFileSync(join(out, 'bench.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('Test accuracy against training time');
    expect(svg).toContain('Training time to 50.0% test accuracy');
    expect(svg).not.toContain('sharing nothing'); // no --ceiling, no share-nothing tick
  });

  it('bench --json prints an evaluation line per evaluation point and a bench line per worker count', async () => {
    const out = join(tempDir(), 'bench');
    const r = await cli('trainer', ['bench', ...small(), '--workers', '1,3', '--repeat', '1', '--evals', '4', '--target', '0.6', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    const bench = lines.filter((l) => l.event === 'bench');
    expect(bench.map((l) => l.workers)).toEqual([1, 3]);
    expect(lines.at(-1).event).toBe('done');
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    // One repeat: each bench line's figures are its one run's, read from its own evaluation lines, and bench.json's.
    for (const [k, b] of bench.entries()) {
      const evals = lines.filter((l) => l.event === 'eval' && l.workers === b.workers);
      // Up to 4 points (3 copies during the epoch and its end; a copy point past the last grain is not taken), in order.
      expect(evals.length, `${b.workers} workers`).toBeGreaterThanOrEqual(1);
      expect(evals.length, `${b.workers} workers`).toBeLessThanOrEqual(4);
      expect(evals.map((l) => l.samples)).toEqual(evals.map((l) => l.samples).sort((x, y) => x - y));
      expect(evals.at(-1).samples).toBe(3000);
      expect(b.test_accuracy).toBe(evals.at(-1).test_accuracy);
      const reached = evals.find((l) => l.test_accuracy >= 0.6);
      expect(reached, `${b.workers} workers: ${evals.map((l) => l.test_accuracy)}`).toBeDefined();
      expect([b.samples_to_target, b.time_to_target]).toEqual([reached.samples, reached.seconds]);
      const row = report.results[k];
      expect(row.workers).toBe(b.workers);
      for (const key of ['samples_per_second', 'test_accuracy', 'samples_to_target', 'time_to_target', 'merged_bytes_per_sample']) expect(b[key], key).toBe(row[key]);
    }
    expect(lines.filter((l) => l.event === 'eval' && l.workers === 1)).toHaveLength(4); // one worker passes every point
    expect(bench[0].speedup).toBe(1);
    expect(bench[0].merged_bytes_per_sample).toBe(0); // one worker has nothing to merge
    expect(bench[1].merged_bytes_per_sample).toBeGreaterThan(0);
  });

  it('bench --ceiling runs each count above the first again without merges, in its round, and reports the part of that speed kept', async () => {
    const out = join(tempDir(), 'bench');
    const r = await cli('trainer', ['bench', ...small(), '--workers', '1,2', '--repeat', '3', '--evals', '2', '--ceiling', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const bench = jsonLines(r.stdout).filter((l) => l.event === 'bench');
    expect(bench[0]).toMatchObject({ workers: 1, ceiling_samples_per_second: null, ceiling_speedup: null, ceiling_kept: null });
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
    const [one, two] = report.results;
    expect(one.ceiling).toBeNull();
    const rates = two.runs.map((x: { ceiling_samples_per_second: number }) => x.ceiling_samples_per_second);
    expect(rates).toHaveLength(3);
    for (const x of rates) expect(x).toBeGreaterThan(0);
    const sorted = [...rates].sort((a, b) => a - b);
    expect(two.ceiling.samples_per_second).toBe(sorted[1]);
    expect(two.ceiling.speedup).toBeCloseTo(sorted[1] / one.samples_per_second, 10);
    // kept pairs each merging run with the share-nothing run of its own round.
    const kept = two.runs.map((x: { samples_per_second: number; ceiling_samples_per_second: number }) => x.samples_per_second / x.ceiling_samples_per_second).sort((a: number, b: number) => a - b);
    expect(two.ceiling.kept).toBe(kept[1]);
    expect(bench[1]).toMatchObject({ workers: 2, ceiling_samples_per_second: sorted[1], ceiling_kept: kept[1] });
    // Sharing nothing while they train: the only merge is each worker's closing one, a few times less than the protocol's.
    expect(two.ceiling.merged_bytes_per_sample).toBeGreaterThan(0);
    expect(two.ceiling.merged_bytes_per_sample * 3).toBeLessThan(two.merged_bytes_per_sample);
    // The merging runs themselves are measured and evaluated as without --ceiling.
    expect(two.runs[0].curve.length).toBeGreaterThan(0);
    expect(two.test_accuracy).toBeGreaterThan(0.5);
    // The chart draws the share-nothing speed as a dashed tick over the 2-worker bar.
    const svg = readFileSync(join(out, 'bench.svg'), 'utf8');
    expect(svg).toContain('dashed: the same workers sharing nothing');
    expect(svg).toMatch(/stroke-dasharray="6,3"/);
  });

  it('bench --ceiling refuses --simulate, whose workers have no speed to compare', async () => {
    const r = await trainer(['bench', ...small(), '--workers', '1,2', '--ceiling', '--simulate', '--out', join(tempDir(), 'bench')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trainer: --ceiling: measures the speed of real workers, which a simulation does not have (leave out simulate or ceiling)\n');
  });

  it('bench --simulate runs any number of workers in one thread, the same way twice', async () => {
    let done: { core_round_trip_ns?: unknown } | undefined;
    const run = async () => {
      const r = await cli('trainer', ['bench', ...small(), '--simulate', '--workers', '1,8', '--repeat', '1', '--evals', '2', '--out', join(tempDir(), 'bench'), '--json']);
      expect(r.code).toBe(0);
      done = jsonLines(r.stdout).at(-1);
      return jsonLines(r.stdout).filter((l) => l.event === 'eval').map((l) => [l.workers, l.samples, l.test_accuracy]);
    };
    const a = await run();
    expect(a.map((x) => x[0])).toEqual([1, 1, 8, 8]);
    expect(done?.core_round_trip_ns).toEqual({ before: null, rounds: [null], after: null }); // nothing shared between threads to price
    expect(await run()).toEqual(a);
  });
});
