#!/usr/bin/env node
// `pnpm trainer …` and `pnpm data …` in the workspace (the scripts of the root package.json, and of each package's, so
// that they work from a package's folder too): runs the CLI from a bundle of its TypeScript sources, rebuilt when they
// change, so that a command starts as fast as node does, rather than compiling the sources through tsx at each start.
//
//   node scripts/cli.mjs trainer|data ARGS…   the CLI, in the folder the user typed the command in (pnpm's INIT_CWD)
//   node scripts/cli.mjs --build              makes the bundles if they are stale (`pnpm install` runs it: prepare)
//
// The scripts run it as `trap '' INT TERM; node scripts/cli.mjs …`: pnpm starts a script through sh, and on a Ctrl-C
// (which the terminal sends to pnpm, sh and node alike) it signals sh again, with SIGINT the first time and SIGTERM
// the second. An sh that ignores both waits for node, which gets each Ctrl-C once, and exits with node's status
// (trainer run's checkpoint, then 130); otherwise sh dies at once, pnpm ends by the signal (143 after a second Ctrl-C),
// and node goes on writing after the shell's prompt is back. Node resets the signals sh ignores to their defaults.
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the bundles go: beside the MNIST cache, in the workspace's node_modules (HOGWILD_CLI_CACHE elsewhere). */
export const CLI_DIR = process.env.HOGWILD_CLI_CACHE ? resolve(process.env.HOGWILD_CLI_CACHE) : join(ROOT, 'node_modules/.cache/hogwild/cli');
/** Each bundle and its entry point; the trainer's worker threads run trainer-worker.mjs. */
const ENTRIES = {
  trainer: 'packages/trainer/src/cli/main.ts',
  'trainer-worker': 'packages/trainer/src/worker/worker.ts',
  data: 'packages/data/src/cli/main.ts',
};
export const TOOLS = ['trainer', 'data'];
/**
 * Dependencies bundled with the sources rather than imported: plain JavaScript in many small modules, which node
 * would find and load one by one at each start (Arrow's 160 took a third of a second of `data inspect`).
 */
const INLINE = ['apache-arrow', 'hyparquet', 'hyparquet-compressors', 'csv-parse', 'commander', 'flatbuffers', 'tslib'];
const STAMP = 'stamp.json';
/** SIGINT listeners that end the program only when no command handles the signal itself (core's atomic-file.ts). */
const SIGNAL_FALLBACK = Symbol.for('hogwild.signalFallback');

/** The bundle of `tool` (trainer or data), made or remade first if any of its inputs changed. */
export async function bundleOf(tool, onBuild = () => {}) {
  let dir = fresh();
  if (dir === null) {
    onBuild();
    dir = await build();
  }
  return join(dir, `${tool}.mjs`);
}

/**
 * The folder of the bundles if they are those of the files now on disk, else null: each input (every source file bundled, this script, and
 * pnpm's record of the install, for the dependencies) has the size and the time of change (to the millisecond)
 * recorded when they were made. An edit, a branch switch (git rewrites the files it changes), a deleted file or a new
 * install changes one of them. A stat of each of about 100 files: a few milliseconds.
 */
function fresh() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(CLI_DIR, STAMP), 'utf8'));
  } catch {
    return null;
  }
  const ok = stamp.root === ROOT && Object.entries(stamp.inputs).every(([file, mark]) => mark === markOf(join(ROOT, file)));
  return ok ? join(CLI_DIR, stamp.dir) : null;
}

function markOf(file) {
  try {
    const s = statSync(file);
    return `${s.size}:${Math.trunc(s.mtimeMs)}`;
  } catch {
    return 'missing';
  }
}

/**
 * Bundles the workspace's sources into one module per entry. Dependencies stay outside, imported by the path node
 * would resolve from the source file (so a dependency's own files, such as piscina's worker or lz4-napi's binary, are
 * where it expects them), and `import.meta.url` in each source file keeps the source file's address, so that what a
 * module finds beside itself (core's build/kernel.wasm, data's parquet-worker.mjs, createRequire) is found from the
 * bundle as from the sources; the program is named `trainer` (`data`) as from the sources too. The stamp, renamed
 * into place last, names the new folder: a command starting meanwhile runs the old build or the new one, never half.
 */
async function build() {
  const { build: esbuild } = await import('esbuild');
  const skip = Symbol('resolving');
  const depsByPath = {
    name: 'dependencies-by-path',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === skip || args.path.startsWith('@hogwild/') || INLINE.some((d) => args.path === d || args.path.startsWith(`${d}/`))) return undefined;
        if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { external: true };
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: skip });
        if (r.errors.length > 0) return { errors: r.errors };
        return { path: pathToFileURL(r.path).href, external: true };
      });
    },
  };
  const sourceAddresses = {
    name: 'source-addresses',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        const url = JSON.stringify(pathToFileURL(args.path).href);
        const text = readFileSync(args.path, 'utf8')
          .replaceAll('import.meta.url', url)
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
        return { contents: text, loader: 'ts' };
      });
    },
  };
  // Each build goes to a folder of its own, named in the stamp: the chunks that commands load when they run (split
  // out, so that `--help` loads no Arrow, no vega) never mix with those of another build, and a command that started
  // from an earlier one still finds its chunks. The last three are kept, and any made in the last hour.
  const dir = join(CLI_DIR, `${Date.now().toString(36)}-${process.pid}`);
  const result = await esbuild({
    entryPoints: ENTRIES, absWorkingDir: ROOT, bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20',
    conditions: [], outExtension: { '.js': '.mjs' }, metafile: true, logLevel: 'silent', outdir: dir, plugins: [depsByPath, sourceAddresses],
    // The CommonJS among the bundled dependencies (commander) require node's modules: give it a `require`. The
    // trainer's threads run the bundled worker (pool-driver.ts reads HOGWILD_WORKER), not worker.ts through tsx.
    banner: {
      js: "import { createRequire as __hogwildRequire } from 'node:module'; import { fileURLToPath as __hogwildPath } from 'node:url'; const require = __hogwildRequire(import.meta.url); " +
        "process.env.HOGWILD_WORKER ||= __hogwildPath(new URL('./trainer-worker.mjs', import.meta.url));",
    },
  });
  const inputs = {};
  // The bundled dependencies' files change only with an install, which .modules.yaml stands for.
  const sources = Object.keys(result.metafile.inputs).filter((f) => !f.split('/').includes('node_modules'));
  for (const file of [...sources, relative(ROOT, fileURLToPath(import.meta.url)), 'node_modules/.modules.yaml']) {
    inputs[file] = markOf(join(ROOT, file));
  }
  const stamp = join(CLI_DIR, STAMP);
  writeFileSync(`${stamp}.${process.pid}.tmp`, JSON.stringify({ root: ROOT, dir: basename(dir), inputs }, null, 1));
  renameSync(`${stamp}.${process.pid}.tmp`, stamp);
  const builds = readdirSync(CLI_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const old of builds.slice(0, -3)) {
    if (Date.now() - statSync(join(CLI_DIR, old)).mtimeMs > 3600_000) rmSync(join(CLI_DIR, old), { recursive: true, force: true });
  }
  return dir;
}

async function main() {
  const tool = process.argv[2];
  if (tool === '--build') {
    await bundleOf('trainer');
    return;
  }
  // Until the program is loaded and its own handler is there (core's runCli), a Ctrl-C ends start-up with one line.
  const interrupted = Object.assign(() => {
    if (process.listeners('SIGINT').some((l) => !l[SIGNAL_FALLBACK])) return;
    process.stderr.write(`${tool}: interrupted\n`);
    process.exit(130);
  }, { [SIGNAL_FALLBACK]: true });
  process.on('SIGINT', interrupted);
  if (!TOOLS.includes(tool)) {
    process.stderr.write(`usage: node scripts/cli.mjs ${TOOLS.join('|')} ARGS… (or --build)\n`);
    process.exit(2);
  }
  // pnpm runs a script in the folder of its package.json; INIT_CWD is the folder the command was typed in (with or
  // without -C), where every file named on the command line is. The MNIST cache stays the workspace's.
  const here = process.env.INIT_CWD;
  if (here && resolve(here) !== process.cwd()) {
    process.env.HOGWILD_CACHE ||= join(ROOT, 'node_modules/.cache/hogwild');
    try {
      process.chdir(here);
    } catch (e) {
      process.stderr.write(`${tool}: cannot work in ${here} (${e.code ?? e.message})\n`);
      process.exit(1);
    }
  }
  let bundle;
  try {
    bundle = await bundleOf(tool, () => process.stderr.write(`${tool}: bundling the sources (new or changed) into ${CLI_DIR}\n`));
  } catch (e) {
    // A Ctrl-C also ends esbuild's process (the same process group): let the pending signal say so first.
    await new Promise((r) => setImmediate(r));
    process.stderr.write(`${tool}: cannot bundle the sources into ${CLI_DIR}: ${e.message.split('\n')[0]}\n`);
    process.exit(1);
  }
  process.argv.splice(1, 2, bundle);
  await import(pathToFileURL(bundle).href);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
