import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '@hogwild/core';
import { ROOT, tempDir, type CliResult } from './helpers.ts';

const TABULAR = join(ROOT, 'test/fixtures/tabular');

/** `pnpm ARGS…` typed in the folder `cwd`, as a user would (pnpm runs the script in the workspace's root). */
function pnpm(cwd: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    // INIT_CWD is pnpm's to set; the one of the pnpm that runs vitest must not leak into this one.
    const env = { ...process.env };
    delete env.INIT_CWD;
    const child = spawn('pnpm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// Concurrent: each test is mostly pnpm and node starting.
describe.concurrent('pnpm trainer and pnpm data read and write files relative to the folder the command is typed in', () => {
  it('in a folder of the workspace: `pnpm data inspect fruit.parquet` in test/fixtures/tabular reads that folder\'s file', async () => {
    const r = await pnpm(TABULAR, ['data', 'inspect', 'fruit.parquet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fruit\.parquet: Parquet table, 300 rows, 5 columns/);
  });

  it('outside it, with `pnpm -C <workspace>`: convert writes its --out there, run reads --data and writes --save there', async () => {
    const here = tempDir();
    copyFileSync(join(TABULAR, 'fruit.csv'), join(here, 'fruit.csv'));
    const convert = await pnpm(here, ['-C', ROOT, 'data', 'convert', '--csv', 'fruit.csv', '--label', 'ripe', '--out', 'fruit.arrow']);
    expect(convert.code, convert.stderr).toBe(0);
    expect(convert.stdout).toContain('wrote fruit.arrow: 300 rows');
    expect(existsSync(join(here, 'fruit.arrow'))).toBe(true);
    const run = await pnpm(here, ['-C', ROOT, 'trainer', 'run', '--data', 'fruit.arrow', '--epochs', '1', '--workers', '1', '--save', 'm.safetensors', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(loadModel(join(here, 'm.safetensors')).spec.layers[0]).toBe(6);
  });

  it('outside it, the MNIST cache stays the workspace\'s (node_modules/.cache/hogwild)', async () => {
    const r = await pnpm(tempDir(), ['-C', ROOT, 'data', 'mnist', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cache).toBe(join(ROOT, 'node_modules/.cache/hogwild'));
  });

  // Each package has both scripts; one command in each, paths taken from the package's folder.
  for (const [pkg, args, first] of [
    ['trainer', ['trainer', '--help'], /^Usage: trainer \[options\] \[command\]/],
    ['data', ['data', 'inspect', '../../test/fixtures/tabular/fruit.csv'], /^\.\.\/\.\.\/test\/fixtures\/tabular\/fruit\.csv: CSV table, 300 rows/],
    ['core', ['data', 'inspect', '../../test/fixtures/tabular/fruit.parquet'], /^\.\.\/\.\.\/test\/fixtures\/tabular\/fruit\.parquet: Parquet table, 300 rows/],
  ] as const) {
    it(`in packages/${pkg}: \`pnpm ${args.join(' ')}\` runs there`, async () => {
      const r = await pnpm(join(ROOT, 'packages', pkg), [...args]);
      expect(r.stdout).toMatch(first);
    });
  }
});

describe('the CLI\'s bundles (scripts/cli.mjs)', () => {
  it('are made on first use, used as they are while their inputs are unchanged, and made again when one changes', async () => {
    const cache = tempDir();
    const launch = () => new Promise<CliResult>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, HOGWILD_CLI_CACHE: cache };
      delete env.INIT_CWD;
      const child = spawn(process.execPath, [join(ROOT, 'scripts/cli.mjs'), 'data', 'inspect', 'test/fixtures/tabular/fruit.csv'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    const bundling = `data: bundling the sources (new or changed) into ${cache}\n`;
    const first = await launch();
    expect([first.code, first.stderr]).toEqual([0, bundling]);
    expect(first.stdout).toMatch(/^test\/fixtures\/tabular\/fruit\.csv: CSV table/);
    const second = await launch();
    expect([second.code, second.stderr]).toEqual([0, '']);
    // An edit or a branch switch changes a source file's time (and often its size) from the one the stamp recorded;
    // the stamp is changed here rather than the file, which other tests' commands are running from.
    const stampFile = join(cache, 'stamp.json');
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    const source = 'packages/data/src/inspect.ts';
    const { size, mtimeMs } = statSync(join(ROOT, source));
    expect(stamp.inputs[source]).toBe(`${size}:${Math.trunc(mtimeMs)}`);
    writeFileSync(stampFile, JSON.stringify({ ...stamp, inputs: { ...stamp.inputs, [source]: `${size}:${Math.trunc(mtimeMs) - 1000}` } }));
    const third = await launch();
    expect([third.code, third.stderr]).toEqual([0, bundling]);
  });
});
