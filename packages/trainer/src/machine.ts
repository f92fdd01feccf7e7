import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';

/** What a benchmark figure was measured on. */
export interface MachineInfo {
  readonly cpu: string;
  /** Logical CPUs this process may use. */
  readonly cores: number;
  /** Physical cores among them (null where the topology is unknown). */
  readonly physicalCores: number | null;
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
    physicalCores: physicalCores(),
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
  const cores = m.physicalCores === null || m.physicalCores === m.cores ? `${m.cores} cores` : `${m.physicalCores} cores (${m.cores} logical CPUs)`;
  return `${m.cpu}${m.simd ? ` (${m.simd})` : ''}, ${cores}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`;
}

/**
 * Two threads passing a counter back and forth through one shared cache line (each waits, spinning, for the other's
 * store): nanoseconds per round trip, the price of the cache-line transfers that merges into shared weights pay.
 * On a virtual machine it changes as the host moves the virtual CPUs, and the merges' cost with it
 * (docs/performance.md#two-placements-on-a-2-vcpu-guest), so `trainer bench` prints it before each round of turns
 * and after its runs. Null with fewer than 2 logical CPUs (the threads would take turns on one), or if the
 * threads fail to start. At most about `budgetMs` of spinning.
 */
export async function coreRoundTripNs(budgetMs = 100): Promise<number | null> {
  if (availableParallelism() < 2) return null;
  const sab = new SharedArrayBuffer(2 * 128);
  // Slot 0: the counter (odd: the first thread's turn is done; -1: stop); slot 16: threads ready (its own cache line).
  // The first thread alone looks at the clock (nextClockLook) and stops the second through the counter.
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const a = new Int32Array(workerData.sab), budget = workerData.budgetMs;
    const nextClockLook = ${nextClockLook.toString()};
    Atomics.add(a, 16, 1);
    while (Atomics.load(a, 16) < 2);
    const t0 = performance.now();
    let i = 0;
    if (workerData.me === 0) {
      for (let look = nextClockLook(0); ; i++) {
        if (i === look) {
          if (performance.now() - t0 > budget) break;
          look = nextClockLook(i);
        }
        Atomics.store(a, 0, 2 * i + 1);
        while (Atomics.load(a, 0) !== 2 * i + 2);
      }
      Atomics.store(a, 0, -1);
    } else {
      for (let v = 0; v !== -1; i++) {
        while ((v = Atomics.load(a, 0)) !== 2 * i + 1 && v !== -1);
        if (v !== -1) Atomics.store(a, 0, 2 * i + 2);
      }
    }
    parentPort.postMessage({ trips: i, ms: performance.now() - t0 });`;
  const workers = [0, 1].map((me) => new Worker(code, { eval: true, workerData: { sab, me, budgetMs } }));
  try {
    const results = await Promise.all(workers.map((w) => new Promise<{ trips: number; ms: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    })));
    const r = results[0];
    return r.trips > 0 ? (r.ms * 1e6) / r.trips : null;
  } catch {
    return null;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * After how many round trips coreRoundTripNs's first thread next looks at the clock, having made `trips`: after 1, 2,
 * 4, … 1,024, then every 1,024. A clock read once in 1,024 trips barely weighs on the figure; and when a trip takes a
 * time slice (the two threads taking turns on one CPU of a loaded machine, 0.7 to 3 ms seen), the spinning still ends
 * within about twice its budget, where a look every 1,024 trips spun for 1,024 slices: seconds of both threads'
 * CPU a measurement, and bench makes one before each round and one after its runs.
 */
export function nextClockLook(trips: number): number {
  return trips + Math.min(Math.max(trips, 1), 1024);
}

/** The median (the mean of the middle two for an even count); NaN for none. */
export function median(xs: ArrayLike<number>): number {
  const s = Array.from(xs).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Physical cores this process may use: the distinct (package, core) pairs of its allowed logical CPUs, from
 * /sys/devices/system/cpu/cpuN/topology (Linux); null where the topology cannot be read.
 */
export function physicalCores(): number | null {
  try {
    const allowed = allowedCpus();
    const cores = new Set<string>();
    for (const cpu of allowed) {
      const dir = `/sys/devices/system/cpu/cpu${cpu}/topology`;
      cores.add(`${readFileSync(`${dir}/physical_package_id`, 'latin1').trim()}:${readFileSync(`${dir}/core_id`, 'latin1').trim()}`);
    }
    return cores.size > 0 ? Math.min(cores.size, availableParallelism()) : null;
  } catch {
    return null;
  }
}

/** The logical CPUs this process may run on: Cpus_allowed_list of /proc/self/status (affinity), else every online CPU. */
function allowedCpus(): number[] {
  let list: string;
  try {
    list = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'latin1'))?.[1] ?? '';
  } catch {
    list = '';
  }
  if (!list) list = readFileSync('/sys/devices/system/cpu/online', 'latin1').trim();
  return parseCpuList(list);
}

/** "0-3,8,10-11" → [0, 1, 2, 3, 8, 10, 11]. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}
