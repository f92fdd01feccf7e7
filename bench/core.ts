/**
 * pnpm bench:core: single-thread training throughput of the kernels on real MNIST images, for
 * R = 784-100-10 sigmoid + summed cross-entropy, lr 0.033, and for 784-300-10: the TypeScript kernel and both
 * builds of the WebAssembly kernel, `simd` and `relaxed` (where this runtime validates relaxed SIMD: Node 22 and
 * later, Node 20 with node --experimental-wasm-relaxed-simd). Prints the median of several repeats of one pass over
 * `--samples` images (min–max beside it), with the machine and Node; the kernels take turns each repeat, so a slow
 * spell of a shared machine falls on all of them. `--json`: one line per kernel and configuration. `--native`: also
 * builds bench/native-kernel.c with the system's C compiler ($CC, else cc) and runs it in the same turns, as this
 * CPU's reference for the same work, and prints each kernel's share of it. `--no-ts`: leaves the TypeScript kernel
 * out (the slowest by far). A script, not a test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  allocateParams, compileKernel, createArena, relaxedSimdValidates, WASM_KERNELS, createNetwork, createRng, createWasmView, initParams, instantiateKernel, paramLayout, trainSample, writeDataDescriptor,
  type NetworkSpec,
} from '@hogwild/core/internal';
import { cacheDir, loadMnist } from '@hogwild/data/internal';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const json = process.argv.includes('--json');
const repeats = arg('--repeat', 7);
const samples = arg('--samples', 20000);
const withTs = !process.argv.includes('--no-ts');
const train = await loadMnist('train');
const configs: NetworkSpec[] = [
  { layers: [784, 100, 10], activation: 'sigmoid', loss: 'cross-entropy' },
  { layers: [784, 300, 10], activation: 'sigmoid', loss: 'cross-entropy' },
];
const x = train.features as Uint8Array;

/** The C reference, compiled once into the cache folder; null (with the reason printed) when there is no compiler. */
function buildNative(): string | null {
  const dir = join(cacheDir(), 'native');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'native-kernel');
  const cc = process.env.CC ?? 'cc';
  const flags = ['-O3', '-march=native', '-ffast-math', '-o', exe, fileURLToPath(new URL('native-kernel.c', import.meta.url)), '-lm'];
  const built = spawnSync(cc, flags, { encoding: 'utf8' });
  if (built.status !== 0) {
    console.error(`bench:core: --native needs a C compiler: ${cc} ${flags.join(' ')} failed: ${built.error?.message ?? built.stderr.trim()}`);
    return null;
  }
  if (!json) {
    const probe = spawnSync(exe, ['100', '1', '1'], { input: Buffer.alloc(785), encoding: 'utf8' });
    const width = /^vector (\d+)$/m.exec(probe.stdout)?.[1] ?? '?';
    console.log(`native: ${cc} ${flags.slice(0, 3).join(' ')} (${width}-float vectors, FMA where the CPU has it), same samples, its own weights`);
  }
  return exe;
}
const nativeExe = process.argv.includes('--native') ? buildNative() : null;
// The native program reads the pixels then the labels of the benchmark's samples on stdin.
const nativeInput = nativeExe ? Buffer.concat([x.subarray(0, samples * 784), train.labels.subarray(0, samples)]) : null;

/** One timed pass of the C reference (it warms up with a pass of its own first, untimed). */
function runNative(hidden: number): number {
  const r = spawnSync(nativeExe!, [String(hidden), String(samples), '1'], { input: nativeInput!, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`native-kernel exited with ${r.status}: ${r.stderr.trim()}`);
  return Number(r.stdout.split('\n')[0]);
}

// Both builds of the WebAssembly kernel where the runtime validates the relaxed one, else the SIMD one alone.
const builds = WASM_KERNELS.filter((k) => k !== 'relaxed' || relaxedSimdValidates());
const modules = builds.map((k) => [k, compileKernel(k)] as const);
const machine = machineLine();
if (!json) {
  console.log(`machine: ${machine}`);
  if (!builds.includes('relaxed')) console.log(`relaxed: Node ${process.version} does not validate relaxed SIMD (Node 22 and later do; Node 20 with node --experimental-wasm-relaxed-simd): the SIMD build alone`);
  console.log(`1 thread, lr 0.033, ${samples} samples a repeat, ${repeats} repeats: median samples/s (min–max)`);
}
for (const spec of configs) {
  const layout = paramLayout(spec.layers);
  // TypeScript kernel: parameters in a SharedArrayBuffer, features as the Arrow reader returns them.
  const tsParams = allocateParams(layout);
  initParams(tsParams, layout, createRng(1));
  const net = createNetwork(spec, tsParams);
  // WebAssembly kernel: parameters, images, labels and the order in one shared WebAssembly.Memory, a view and
  // parameters of its own for each build.
  const arena = createArena();
  const xo = arena.reserve(samples * 784), yo = arena.reserve(samples), oo = arena.reserve(4 * samples);
  new Uint8Array(arena.buffer, xo, samples * 784).set(x.subarray(0, samples * 784));
  new Uint8Array(arena.buffer, yo, samples).set(train.labels.subarray(0, samples));
  new Uint32Array(arena.buffer, oo, samples).set(Uint32Array.from({ length: samples }, (_, i) => i));
  const timed = (pass: () => void) => () => {
    const t0 = performance.now();
    pass();
    return samples / ((performance.now() - t0) / 1000);
  };
  const run: Record<string, () => number> = {};
  if (withTs) run.ts = timed(() => { for (let s = 0; s < samples; s++) trainSample(net, x, s * 784, 1 / 255, train.labels[s], 0.033); });
  for (const [name, module] of modules) {
    const po = arena.reserve(4 * layout.length);
    initParams(new Float32Array(arena.buffer, po, layout.length), layout, createRng(1));
    const view = createWasmView(arena, spec, po);
    const kernel = instantiateKernel(module, arena.memory);
    const data = writeDataDescriptor(arena, { rows: samples, features: 784, scale: 1 / 255, input: { kind: 'uint8', values: xo }, labels: { kind: 'classes', values: yo }, order: oo });
    run[name] = timed(() => { for (let s = 0; s < samples; s += 256) kernel.train(view.descriptor, data, s, Math.min(samples, s + 256), 0.033); });
  }
  if (nativeExe) run.native = () => runNative(spec.layers[1]);
  const rates: Record<string, number[]> = Object.fromEntries(Object.keys(run).map((k) => [k, []]));
  for (let r = -1; r < repeats; r++) {
    for (const name of Object.keys(run)) {
      const rate = run[name]();
      if (r >= 0) rates[name].push(rate); // repeat -1 warms up the JIT
    }
  }
  for (const [name, xs] of Object.entries(rates)) {
    const med = median(xs);
    // The share of native: the median of each turn's ratio, as a turn's runs share the machine's state.
    const share = name !== 'native' && rates.native ? median(xs.map((v, i) => v / rates.native[i])) : null;
    if (json) {
      console.log(JSON.stringify({ bench: 'core', kernel: name, layers: spec.layers.join('-'), samples_per_second: Math.round(med), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)), share_of_native: share === null ? null : Math.round(share * 1000) / 1000, repeats, machine }));
    } else {
      const n = (v: number) => Math.round(v).toLocaleString('en-US');
      const ofNative = share === null ? '' : `  ${(100 * share).toFixed(1)}% of native`;
      console.log(`  ${name.padEnd(8)} ${spec.layers.join('-').padEnd(12)} ${n(med).padStart(9)} samples/s  (${n(Math.min(...xs))}–${n(Math.max(...xs))})${ofNative}`);
    }
  }
}
