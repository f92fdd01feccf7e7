// `pnpm build`: compiles each package to dist/ (its own `build` script, from an empty dist/ so that nothing stale is
// packed), in dependency order, and says what it built. The workspace's reporter is silent (so that `pnpm trainer …
// --json` can be piped), which would otherwise leave this command mute.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const PACKAGES = ['core', 'data', 'trainer'];

const countFiles = (dir) => readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, f)).isFile()).length;

function run(args, cwd) {
  const r = spawnSync('pnpm', args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`pnpm ${args.join(' ')} failed in ${relative(ROOT, cwd)} (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

const t0 = performance.now();
for (const p of PACKAGES) {
  const dir = join(ROOT, 'packages', p);
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // The kernel's two builds are compiled by `pnpm install` (core's prepare script); a missing one is compiled here,
  // since the package ships them.
  if (p === 'core' && !['build/kernel.wasm', 'build/kernel-relaxed.wasm'].every((f) => existsSync(join(dir, f)))) run(['run', 'build:wasm'], dir);
  const t = performance.now();
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  run(['run', 'build'], dir);
  const extra = p === 'core' ? `, and the kernel ${relative(ROOT, join(dir, 'build/kernel.wasm'))} (${Math.round(statSync(join(dir, 'build/kernel.wasm')).size / 1024)} KiB)` : '';
  process.stdout.write(`built ${name} → ${relative(ROOT, join(dir, 'dist'))} (${countFiles(join(dir, 'dist'))} files)${extra} in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`${PACKAGES.length} packages built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
