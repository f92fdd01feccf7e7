import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { runCli } from '@hogwild/core/cli';
import type { Command } from 'commander';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const fixture = (name: string): string => join(FIXTURES, name);
export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'hogwild-data-'));

/** Runs a CLI program in-process and captures what it prints. */
export async function runProgram(program: Command, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { stdout += String(s); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { stderr += String(s); return true; });
  const saved = process.exitCode;
  try {
    process.exitCode = undefined;
    const code = await runCli(program, argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = saved;
  }
}
