import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { ensureMnist, readArrowDataset, type DenseDataset } from '@hogwild/data';
import { asDense } from './internal.ts';
import { bundleOf } from '../scripts/cli.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
/** What `pnpm trainer` and `pnpm data` run: the bundles of the sources (scripts/cli.mjs), made again if they changed. */
const MAIN = { trainer: await bundleOf('trainer'), data: await bundleOf('data') };

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `pnpm <tool> …` as pnpm does, in the workspace's root (node on the CLI's bundle), without pnpm itself. */
export function cli(tool: 'trainer' | 'data', args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; input?: string; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN[tool], ...args], { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = '', stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${tool} ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 120_000} ms\n${stderr}`)); }, opts.timeoutMs ?? 120_000);
    child.stdout!.on('data', (d) => { stdout += d; opts.onStdout?.(stdout, child); });
    child.stderr!.on('data', (d) => { stderr += d; });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'hogwild-test-'));

/** JSON lines of a --json run. */
export const jsonLines = (text: string): any[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

let mnist: Promise<{ train: DenseDataset; test: DenseDataset }> | null = null;
/** The bundled MNIST's two splits as datasets, read once per test file (sessions copy them into their memory). */
export function mnistDatasets(): Promise<{ train: DenseDataset; test: DenseDataset }> {
  mnist ??= ensureMnist().then((f) => ({ train: asDense(readArrowDataset(f.train)), test: asDense(readArrowDataset(f.test)) }));
  return mnist;
}
