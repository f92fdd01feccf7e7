/**
 * The checks of one build of the WebAssembly kernel, run as a child process by test/kernels.test.ts (so that the
 * relaxed build runs on Node 20 too, under node --experimental-wasm-relaxed-simd): `tsx test/kernel-build-checks.ts
 * simd|relaxed` prints one JSON object, {build, gradients, determinism}, which the test asserts on.
 *
 * - gradients: gradCheck's central differences against the build's own gradient, read from one training step:
 *   with learning rate 2²⁰ the step w − lr·g leaves lr·g far above w, so (w − w′)/lr is the float32 gradient the
 *   kernel applied, to a relative 1e-7.
 * - determinism: two trainings of R from the same seed give the same bytes; a third with another seed does not.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRng, gradCheck, initParams, paramLayout, type NetworkSpec } from '@hogwild/core';
import { REFERENCE_SPEC, compileKernel, createArena, createWasmView, instantiateKernel, writeDataDescriptor, type WasmKernelName } from './internal.ts';
import { mnistIdxFiles } from './internal.ts';

const build = process.argv[2] as WasmKernelName;
const module = compileKernel(build);

/** gradCheck's `analytic`: the gradient one step of this build applies. */
function kernelGradients(spec: NetworkSpec): NonNullable<Parameters<typeof gradCheck>[1]>['analytic'] {
  const layout = paramLayout(spec.layers);
  const inSize = spec.layers[0];
  const arena = createArena();
  const p = arena.reserve(4 * layout.length), xo = arena.reserve(4 * inSize), yo = arena.reserve(4), oo = arena.reserve(4);
  const params = new Float32Array(arena.buffer, p, layout.length);
  const targets = spec.loss === 'mse';
  const data = writeDataDescriptor(arena, { rows: 1, features: inSize, scale: 1, input: { kind: 'float32', values: xo }, labels: targets ? { kind: 'targets', values: yo, predictions: arena.reserve(4) } : { kind: 'classes', values: yo }, order: oo });
  // A view per label smoothing (the view holds it).
  const views = new Map<number, number>();
  const viewFor = (smoothing: number) => views.get(smoothing) ?? views.set(smoothing, createWasmView(arena, spec, p, { smoothing }).descriptor).get(smoothing)!;
  const kernel = instantiateKernel(module, arena.memory);
  const lr = 2 ** 20;
  return (net, x, offset, scale, label, grad, smoothing = 0) => {
    params.set(net.params);
    const xs = new Float32Array(arena.buffer, xo, inSize);
    for (let i = 0; i < inSize; i++) xs[i] = x[offset + i] * scale;
    if (targets) new Float32Array(arena.buffer, yo, 1)[0] = label;
    else new Uint8Array(arena.buffer, yo, 1)[0] = label;
    const cost = kernel.train(viewFor(smoothing), data, 0, 1, lr);
    for (let j = 0; j < layout.length; j++) grad[j] = (net.params[j] - params[j]) / lr;
    return cost;
  };
}

const specs: [NetworkSpec, number][] = [
  [{ layers: [7, 6, 5, 3], activation: 'sigmoid', loss: 'cross-entropy' }, 0],
  [{ layers: [7, 6, 5, 4], activation: 'tanh', loss: 'square' }, 0],
  [{ layers: [7, 9, 5, 4], activation: 'relu', loss: 'softmax' }, 0],
  [{ layers: [7, 6, 5, 4], activation: 'sigmoid', loss: 'softmax' }, 0.2],
  [{ layers: [7, 6, 5, 1], activation: 'tanh', loss: 'mse' }, 0],
  [{ layers: [7, 5, 3], activation: 'linear', loss: 'softmax' }, 0],
  // A first layer of two outputs or one: rows not padded to 4 floats (paramLayout).
  [{ layers: [7, 2, 3], activation: 'tanh', loss: 'softmax' }, 0],
  [{ layers: [7, 1], activation: 'linear', loss: 'mse' }, 0],
];
const gradients = specs.map(([spec, smoothing]) => {
  const r = gradCheck(spec, { seed: 3, labelSmoothing: smoothing, analytic: kernelGradients(spec) });
  return { spec: `${spec.layers.join('-')} ${spec.activation}/${spec.loss}${smoothing ? ` smoothing ${smoothing}` : ''}`, maxRelativeError: r.maxRelativeError, passed: r.passed, checked: r.checked };
});

/** SHA-256 of R's parameters after one pass over 1,000 MNIST images, from the weights of `seed`. */
function trainedHash(seed: number): string {
  const files = mnistIdxFiles();
  const n = 1000;
  const layout = paramLayout(REFERENCE_SPEC.layers);
  const arena = createArena();
  const x = arena.reserve(784 * n), y = arena.reserve(n), order = arena.reserve(4 * n), p = arena.reserve(4 * layout.length);
  new Uint8Array(arena.buffer, x, 784 * n).set(readFileSync(files.trainImages).subarray(16, 16 + 784 * n));
  new Uint8Array(arena.buffer, y, n).set(readFileSync(files.trainLabels).subarray(8, 8 + n));
  new Uint32Array(arena.buffer, order, n).set(Uint32Array.from({ length: n }, (_, i) => i));
  initParams(new Float32Array(arena.buffer, p, layout.length), layout, createRng(seed));
  const kernel = instantiateKernel(module, arena.memory);
  const data = writeDataDescriptor(arena, { rows: n, features: 784, scale: 1 / 255, input: { kind: 'uint8', values: x }, labels: { kind: 'classes', values: y }, order });
  kernel.train(createWasmView(arena, REFERENCE_SPEC, p).descriptor, data, 0, n, 0.033);
  return createHash('sha256').update(new Uint8Array(arena.buffer, p, 4 * layout.length)).digest('hex');
}

process.stdout.write(`${JSON.stringify({ build, gradients, determinism: [trainedHash(1), trainedHash(1), trainedHash(2)] })}\n`);
