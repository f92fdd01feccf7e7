// Bundles `pnpm bench:cores` into plain JavaScript for a machine that has only `node` (no pnpm, no tsx):
//   node bench/bundle-cores.mjs [DIR]     (default out/cores)
// DIR gets cores.mjs, worker.mjs, kernel.wasm and the MNIST Arrow cache (gzip), and run.sh, which runs it there:
//   sh DIR/run.sh OUTDIR [bench:cores flags]   (with NODE=/path/to/node if node is not on the PATH)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? join(root, 'out/cores');
mkdirSync(dir, { recursive: true });
// Bundled ESM still meets CommonJS `require` inside some dependencies: give it one.
// piscina starts its threads from its own worker.js beside itself (__dirname), which loads ours (HOGWILD_WORKER).
const banner = {
  js: "import { createRequire as __hogwildRequire } from 'node:module'; import { dirname as __hogwildDirname } from 'node:path'; import { fileURLToPath as __hogwildPath } from 'node:url'; " +
    'const require = __hogwildRequire(import.meta.url); const __dirname = __hogwildDirname(__hogwildPath(import.meta.url));',
};
const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', banner, logLevel: 'warning', external: ['@napi-rs/nice'] };
await build({ ...common, entryPoints: [join(root, 'bench/cores.ts')], outfile: join(dir, 'cores.mjs') });
await build({ ...common, entryPoints: [join(root, 'packages/trainer/src/worker/worker.ts')], outfile: join(dir, 'worker.mjs') });
// The trainer CLI too, for other benches on the same machine (sh run.sh --trainer bench …).
await build({ ...common, entryPoints: [join(root, 'packages/trainer/src/cli/main.ts')], outfile: join(dir, 'trainer.mjs') });
const piscinaWorker = createRequire(join(root, 'packages/trainer/package.json')).resolve('piscina').replace(/main\.js$/, 'worker.js');
await build({ bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', external: ['@napi-rs/nice'], entryPoints: [piscinaWorker], outfile: join(dir, 'worker.js') });
// piscina's worker.js is CommonJS; the .mjs files are modules whatever this says.
writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
copyFileSync(join(root, 'packages/core/build/kernel.wasm'), join(dir, 'kernel.wasm'));
const { ensureMnist } = await import(join(root, 'packages/data/src/index.ts'));
const files = await ensureMnist();
for (const f of [files.train, files.test]) writeFileSync(join(dir, f.split('/').pop() + '.gz'), gzipSync(readFileSync(f), { level: 6 }));
writeFileSync(join(dir, 'run.sh'), `#!/bin/sh
# Runs bench:cores from this folder: sh run.sh OUTDIR [flags]; or the trainer CLI: sh run.sh --trainer ARGS…
set -e
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/cache"
for f in "$here"/*.arrow.gz; do b=$(basename "$f" .gz); [ -f "$here/cache/$b" ] || gunzip -c "$f" > "$here/cache/$b"; done
export HOGWILD_WORKER="$here/worker.mjs" HOGWILD_KERNEL_WASM="$here/kernel.wasm" HOGWILD_CACHE="$here/cache"
if [ "$1" = --trainer ]; then shift; exec "\${NODE:-node}" "$here/trainer.mjs" "$@"; fi
out=$1; shift
exec "\${NODE:-node}" "$here/cores.mjs" --out "$out" "$@"
`);
console.log(`bundled bench:cores into ${dir}`);
