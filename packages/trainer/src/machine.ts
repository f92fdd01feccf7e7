import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

/** What a benchmark figure was measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** The widest vector instructions the CPU offers (x86 Linux: from /proc/cpuinfo), as the same model name can hide different generations under a hypervisor. */
  readonly simd: string;
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpu: (list[0]?.model ?? 'unknown').trim(),
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    simd: simdFeatures(),
  };
}

/** The SIMD level of this CPU on x86 Linux (see simdLevel); "" where /proc/cpuinfo says nothing (other systems). */
function simdFeatures(): string {
  try {
    return simdLevel(readFileSync('/proc/cpuinfo', 'latin1'));
  } catch {
    return '';
  }
}

/** "avx512f", "avx2+fma", "avx2", "avx" or "sse2", from the first `flags` line of /proc/cpuinfo text; "" without one. */
export function simdLevel(cpuinfo: string): string {
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1].trim().split(/\s+/) ?? []);
  if (flags.has('avx512f')) return 'avx512f';
  if (flags.has('avx2')) return flags.has('fma') ? 'avx2+fma' : 'avx2';
  if (flags.has('avx')) return 'avx';
  return flags.has('sse2') ? 'sse2' : '';
}

export function machineLine(m: MachineInfo = describeMachine()): string {
  return `${m.cpu}${m.simd ? ` (${m.simd})` : ''}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
