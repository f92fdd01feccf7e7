import { describe, expect, it } from 'vitest';
import { coreRoundTripNs, median, simdLevel } from '../src/machine.ts';

describe('simdLevel', () => {
  const cpuinfo = (flags: string) => `processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: ${flags}\nbogomips\t: 4890.86\n`;

  it('names the widest vector instructions in the flags line', () => {
    expect(simdLevel(cpuinfo('fpu sse sse2 avx fma avx2 avx512f avx512bw'))).toBe('avx512f');
    expect(simdLevel(cpuinfo('fpu sse sse2 ssse3 fma sse4_1 avx f16c avx2 bmi2'))).toBe('avx2+fma');
    expect(simdLevel(cpuinfo('fpu sse sse2 avx avx2'))).toBe('avx2');
    expect(simdLevel(cpuinfo('fpu sse sse2 avx'))).toBe('avx');
    expect(simdLevel(cpuinfo('fpu sse sse2'))).toBe('sse2');
  });

  it('matches whole flag names, not parts of longer ones', () => {
    expect(simdLevel(cpuinfo('sse2 avx512_bf16 avx_vnni'))).toBe('sse2');
  });

  it('says nothing without a flags line (ARM cpuinfo, other systems)', () => {
    expect(simdLevel('processor\t: 0\nFeatures\t: fp asimd evtstrm\n')).toBe('');
    expect(simdLevel('')).toBe('');
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('coreRoundTripNs', () => {
  it('times a cache line passed between two threads, within its budget (this machine has 2 CPUs)', async () => {
    const t0 = performance.now();
    const ns = await coreRoundTripNs(30);
    expect(ns).toBeGreaterThan(1); // a round trip is two transfers between cores: tens to hundreds of nanoseconds
    expect(ns).toBeLessThan(100_000);
    expect(performance.now() - t0).toBeLessThan(5_000); // 30 ms of spinning and two threads' start
  });
});
