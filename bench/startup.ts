/**
 * `pnpm bench:startup [--rounds N]`: how long a command takes to start, as a user types it. The median wall time (and
 * min–max) of `pnpm trainer --help`, `pnpm data inspect` on a small Parquet file and `pnpm -s exec node -e 0` (pnpm
 * and node starting, nothing else: the floor), and each command's excess over that floor; beside them, the same two
 * commands the way the scripts ran them before (node --import tsx on the TypeScript sources, through pnpm exec). The
 * commands take turns each round, so that a slow spell of a shared machine falls on all of them. Run from the
 * workspace's root; the CLI's bundles are made first (scripts/cli.mjs), so that no round times a build.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { bundleOf } from '../scripts/cli.mjs';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const ROOT = join(import.meta.dirname, '..');
const i = process.argv.indexOf('--rounds');
const rounds = i > 0 ? Number(process.argv[i + 1]) : 10;
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`bench:startup: --rounds ${process.argv[i + 1]}: expected an integer ≥ 1\n`);
  process.exit(2);
}

const SMALL = 'test/fixtures/tabular/fruit.parquet';
const COMMANDS: readonly { name: string; args: string[] }[] = [
  { name: 'pnpm -s exec node -e 0', args: ['-s', 'exec', 'node', '-e', '0'] },
  { name: 'pnpm trainer --help', args: ['trainer', '--help'] },
  { name: `pnpm data inspect ${SMALL}`, args: ['data', 'inspect', SMALL] },
  { name: 'trainer --help from the sources (tsx)', args: ['-s', 'exec', 'node', '--import', 'tsx', 'packages/trainer/src/cli/main.ts', '--help'] },
  { name: 'data inspect from the sources (tsx)', args: ['-s', 'exec', 'node', '--import', 'tsx', 'packages/data/src/cli/main.ts', 'inspect', SMALL] },
];

await bundleOf('trainer');
console.log(`machine: ${machineLine()}`);
console.log(`${rounds} rounds, the commands taking turns: median wall time (min–max), and the median's excess over ${COMMANDS[0].name}`);
const times: number[][] = COMMANDS.map(() => []);
for (let r = 0; r < rounds; r++) {
  COMMANDS.forEach((c, k) => {
    const t = performance.now();
    const p = spawnSync('pnpm', c.args, { cwd: ROOT, stdio: 'ignore' });
    times[k].push((performance.now() - t) / 1000);
    if (p.status !== 0) throw new Error(`${c.name} exited ${p.status ?? p.signal}`);
  });
}
const floor = median(times[0]);
const width = Math.max(...COMMANDS.map((c) => c.name.length));
COMMANDS.forEach((c, k) => {
  const m = median(times[k]);
  const excess = k === 0 ? '' : `  ${m - floor >= 0 ? '+' : '−'}${Math.abs(m - floor).toFixed(2)} s`;
  console.log(`${c.name.padEnd(width)}  ${m.toFixed(2)} s (${Math.min(...times[k]).toFixed(2)}–${Math.max(...times[k]).toFixed(2)})${excess}`);
});
