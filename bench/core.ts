/**
 * pnpm bench:core: single-thread training throughput of both kernels on real MNIST images, for
 * R = 784-100-10 sigmoid + summed cross-entropy, lr 0.033, and for 784-300-10. Prints the median of several
 * repeats of one pass over `--samples` images (min–max beside it), with the machine; the kernels take turns
 * each repeat, so a slow spell of a shared machine falls on both. `--json`: one line per kernel and configuration.
 * A script, not a test.
 */
import {
  allocateParams, compileKernel, createArena, createNetwork, createRng, createWasmView, initParams, instantiateKernel, paramLayout, trainSample,
  type NetworkSpec,
} from '@hogwild/core';
import { loadMnist } from '@hogwild/data';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const json = process.argv.includes('--json');
const repeats = arg('--repeat', 7);
const samples = arg('--samples', 20000);
const train = await loadMnist('train');
const configs: NetworkSpec[] = [
  { layers: [784, 100, 10], activation: 'sigmoid', loss: 'cross-entropy' },
  { layers: [784, 300, 10], activation: 'sigmoid', loss: 'cross-entropy' },
];
const module = compileKernel();
if (!json) console.log(`machine: ${machineLine()}\n1 thread, lr 0.033, ${samples} samples a repeat, ${repeats} repeats: median samples/s (min–max)`);
for (const spec of configs) {
  const layout = paramLayout(spec.layers);
  // TypeScript kernel: parameters in a SharedArrayBuffer, features as the Arrow reader returns them.
  const tsParams = allocateParams(layout);
  initParams(tsParams, layout, createRng(1));
  const net = createNetwork(spec, tsParams);
  const x = train.features as Uint8Array;
  // WebAssembly kernel: parameters, images, labels and the order in one shared WebAssembly.Memory.
  const arena = createArena();
  const xo = arena.reserve(samples * 784), yo = arena.reserve(samples), oo = arena.reserve(4 * samples), po = arena.reserve(4 * layout.length);
  new Uint8Array(arena.buffer, xo, samples * 784).set(x.subarray(0, samples * 784));
  new Uint8Array(arena.buffer, yo, samples).set(train.labels.subarray(0, samples));
  new Uint32Array(arena.buffer, oo, samples).set(Uint32Array.from({ length: samples }, (_, i) => i));
  initParams(new Float32Array(arena.buffer, po, layout.length), layout, createRng(1));
  const view = createWasmView(arena, spec, po);
  const kernel = instantiateKernel(module, arena.memory);
  const run = {
    ts: () => { for (let s = 0; s < samples; s++) trainSample(net, x, s * 784, 1 / 255, train.labels[s], 0.033); },
    wasm: () => { for (let s = 0; s < samples; s += 256) kernel.train(view.descriptor, xo, 784, 1, 1 / 255, yo, oo, s, Math.min(samples, s + 256), 0.033); },
  };
  const rates: Record<string, number[]> = { ts: [], wasm: [] };
  for (let r = -1; r < repeats; r++) {
    for (const name of ['ts', 'wasm'] as const) {
      const t0 = performance.now();
      run[name]();
      if (r >= 0) rates[name].push(samples / ((performance.now() - t0) / 1000)); // repeat -1 warms up the JIT
    }
  }
  for (const name of ['ts', 'wasm'] as const) {
    const xs = rates[name];
    const med = median(xs);
    if (json) {
      console.log(JSON.stringify({ bench: 'core', kernel: name, layers: spec.layers.join('-'), samples_per_second: Math.round(med), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)), repeats, machine: machineLine() }));
    } else {
      const n = (v: number) => Math.round(v).toLocaleString('en-US');
      console.log(`  ${name.padEnd(5)} ${spec.layers.join('-').padEnd(12)} ${n(med).padStart(9)} samples/s  (${n(Math.min(...xs))}–${n(Math.max(...xs))})`);
    }
  }
}
