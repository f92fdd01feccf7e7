/**
 * pnpm bench:core: single-thread training throughput of the TypeScript kernel on real MNIST images,
 * for R = 784-100-10 sigmoid + summed cross-entropy, lr 0.033, and for 784-300-10.
 * Prints the median of several repeats of one pass over `--samples` images, with the machine.
 * `--json`: one JSON line per configuration. A script, not a test.
 */
import { createNetwork, trainSample, paramLayout, allocateParams, initParams, createRng, type NetworkSpec } from '@hogwild/core';
import { loadMnist } from '@hogwild/data';
import { machineLine, median } from '../packages/trainer/src/machine.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const json = process.argv.includes('--json');
const repeats = arg('--repeat', 5);
const samples = arg('--samples', 20000);
const train = await loadMnist('train');
const configs: NetworkSpec[] = [
  { layers: [784, 100, 10], activation: 'sigmoid', loss: 'cross-entropy' },
  { layers: [784, 300, 10], activation: 'sigmoid', loss: 'cross-entropy' },
];
if (!json) console.log(`machine: ${machineLine()}\nkernel: ts, 1 thread, lr 0.033, ${samples} samples a repeat, ${repeats} repeats (median, min–max)`);
for (const spec of configs) {
  const layout = paramLayout(spec.layers);
  const params = allocateParams(layout);
  initParams(params, layout, createRng(1));
  const net = createNetwork(spec, params);
  const x = train.features as Uint8Array;
  const rates: number[] = [];
  for (let r = -1; r < repeats; r++) {
    const t0 = performance.now();
    for (let s = 0; s < samples; s++) trainSample(net, x, s * 784, 1 / 255, train.labels[s], 0.033);
    const rate = samples / ((performance.now() - t0) / 1000);
    if (r >= 0) rates.push(rate); // repeat -1 warms up the JIT
  }
  const med = median(rates);
  if (json) {
    console.log(JSON.stringify({ bench: 'core', kernel: 'ts', layers: spec.layers.join('-'), samples_per_second: Math.round(med), min: Math.round(Math.min(...rates)), max: Math.round(Math.max(...rates)), repeats, machine: machineLine() }));
  } else {
    console.log(`  ${spec.layers.join('-').padEnd(12)} ${Math.round(med).toLocaleString('en-US').padStart(8)} samples/s  (${Math.round(Math.min(...rates)).toLocaleString('en-US')}–${Math.round(Math.max(...rates)).toLocaleString('en-US')})`);
  }
}
