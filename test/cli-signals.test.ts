import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir } from './helpers.ts';

/**
 * `pnpm ARGS…` as a terminal runs it: pnpm, the shell of its script and node in one process group of their own, which
 * a Ctrl-C signals all at once. `onOutput` sees stdout and stderr so far and may press Ctrl-C (`ctrlC`). Resolves when
 * pnpm exits (not when its pipes close), with whether `then` held at that moment.
 */
function pnpmInTerminal(args: string[], o: { env?: Record<string, string>; onOutput: (stdout: string, stderr: string, ctrlC: () => void) => void; then?: () => boolean }) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; then: boolean }>((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
    delete env.INIT_CWD;
    const child = spawn('pnpm', args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    const ctrlC = () => process.kill(-child.pid!, 'SIGINT');
    child.stdout.on('data', (d) => { stdout += d; o.onOutput(stdout, stderr, ctrlC); });
    child.stderr.on('data', (d) => { stderr += d; o.onOutput(stdout, stderr, ctrlC); });
    child.on('exit', (code, signal) => {
      const then = o.then?.() ?? true;
      // The rest of stderr, which node may still be writing when pnpm is gone (as it did before).
      child.on('close', () => resolve({ code, signal, stderr, then }));
    });
  });
}

let fruit: string;
beforeAll(async () => {
  fruit = join(tempDir(), 'fruit.arrow');
  const r = await cli('data', ['convert', '--csv', join(ROOT, 'test/fixtures/tabular/fruit.csv'), '--label', 'ripe', '--out', fruit]);
  expect(r.code, r.stderr).toBe(0);
});

describe('Ctrl-C in a terminal running `pnpm trainer …`', () => {
  it('while it starts (here bundling its sources, after a change) ends it with one line and exit 130', async () => {
    let pressed = false;
    const r = await pnpmInTerminal(['trainer', '--help'], {
      // A cache of its own: the bundles are made again, and the launcher says so before it starts.
      env: { HOGWILD_CLI_CACHE: tempDir() },
      onOutput: (_, stderr, ctrlC) => { if (!pressed && stderr.includes('bundling the sources')) { pressed = true; ctrlC(); } },
    });
    expect(pressed).toBe(true);
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.stderr.split('\n').slice(1)).toEqual(['trainer: interrupted', '']);
  });

  it('during a run: pnpm waits for the checkpoint, then exits 130 itself', async () => {
    const save = join(tempDir(), 'once.safetensors');
    const checkpoint = save.replace(/\.safetensors$/, '.checkpoint.safetensors');
    let pressed = false;
    const r = await pnpmInTerminal(['trainer', 'run', '--data', fruit, '--epochs', '100000', '--workers', '2', '--save', save, '--json'], {
      onOutput: (stdout, _, ctrlC) => { if (!pressed && stdout.includes('"event":"epoch"')) { pressed = true; ctrlC(); } },
      then: () => existsSync(checkpoint),
    });
    expect(pressed).toBe(true);
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.then, 'the checkpoint was there when pnpm exited').toBe(true);
    expect(r.stderr).toContain(`checkpoint saved to ${checkpoint}`);
    expect(r.stderr).not.toContain('interrupted again');
  });

  it('twice during a run: exits 130 (pnpm no longer ends by SIGTERM, 143)', async () => {
    let presses = 0;
    const save = join(tempDir(), 'twice.safetensors');
    const r = await pnpmInTerminal(['trainer', 'run', '--data', fruit, '--epochs', '100000', '--workers', '2', '--save', save, '--json'], {
      onOutput: (stdout, stderr, ctrlC) => {
        if (presses === 0 && stdout.includes('"event":"epoch"')) { presses++; ctrlC(); }
        if (presses === 1 && stderr.includes('interrupt: stopping the workers')) { presses++; ctrlC(); }
      },
    });
    expect(presses).toBe(2);
    // A tiny table stops within a chunk: the second Ctrl-C can reach pnpm after node has printed its last line (the
    // checkpoint saved, or "interrupted again") and exited 130, and pnpm, with no child left to wait for, then ends by
    // the signal itself. That is pnpm's doing, not a 143: the node side's status is in what it printed.
    const late = r.signal === 'SIGINT' && /(checkpoint saved to .+|interrupted again: exiting without a checkpoint)(\ntrainer: interrupted)?\n$/.test(r.stderr);
    expect(late ? [130, null] : [r.code, r.signal]).toEqual([130, null]);
    // The second Ctrl-C came while the workers stopped (no checkpoint), or as the checkpoint was saved (and then
    // perhaps as the program ended: the CLI's own line). The first may land at an epoch's end or inside one.
    expect(r.stderr).toMatch(/interrupt: stopping the workers at the next chunk \(Ctrl-C again to quit at once\)\n(\ninterrupted again: exiting without a checkpoint|interrupted after \d+ full epochs?( and \d+ samples?)?; checkpoint saved to .+(\ntrainer: interrupted)?)\n$/);
  });
});
