import { describe, expect, it, vi } from 'vitest';
import { coreRoundTripNs, median, nextClockLook, simdLevel } from '../src/machine.ts';

// The logical CPUs machine.ts sees: this machine's, unless a test sets another count.
const cpus = vi.hoisted(() => ({ available: null as number | null }));
vi.mock('node:os', async (importOriginal) => {
  const os = await importOriginal<typeof import('node:os')>();
  return { ...os, availableParallelism: () => cpus.available ?? os.availableParallelism() };
});

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
  it('times a cache line passed between two threads, per round trip, spinning for its budget (this machine has 2 CPUs)', async () => {
    const t0 = performance.now();
    const ns = await coreRoundTripNs(30);
    const ms = performance.now() - t0;
    // Two transfers between cores take tens to hundreds of nanoseconds, even between the two threads of one core
    // more than 5; a figure below that is not per round trip (or not in ns). No upper bound of its own: on a loaded
    // machine the two spinning threads take turns on one CPU, and a round trip takes a time slice (0.7 ms seen).
    expect(ns).toBeGreaterThan(5);
    // It looks at the clock after its first round trip at the earliest, so it made at least one in the time it took.
    expect(ns!).toBeLessThanOrEqual(ms * 1e6);
    expect(ms).toBeGreaterThanOrEqual(30); // it spins for its budget
    expect(ms).toBeLessThan(5_000); // and then stops: 30 ms of spinning and two threads' start
  });

  it('looks at the clock after 1, 2, 4 … 1,024 round trips, then every 1,024: a slow trip ends the spinning after at most as many again as it made', () => {
    const looks = [nextClockLook(0)];
    while (looks.length < 14) looks.push(nextClockLook(looks.at(-1)!));
    expect(looks).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3072, 4096]);
  });

  it('gives null with fewer than 2 logical CPUs, where the threads would take turns on one', async () => {
    cpus.available = 1;
    try {
      expect(await coreRoundTripNs(30)).toBeNull();
    } finally {
      cpus.available = null;
    }
  });
});
