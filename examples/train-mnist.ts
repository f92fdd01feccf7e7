// Train on the bundled MNIST from code, save the model, and classify one test image.
// Run from the repository root: pnpm exec tsx examples/train-mnist.ts
import { loadMnist } from '@hogwild/data';
import { predict, saveModel, train } from '@hogwild/trainer';

const result = await train({
  epochs: 3,
  onEpoch: (e) => console.log(`epoch ${e.epoch}: test accuracy ${(100 * e.accuracy).toFixed(2)}%, ${Math.round(e.samplesPerSecond)} samples/s`),
});
saveModel('mnist.safetensors', result.model);

const test = await loadMnist('test');
const [first] = predict(result.model, test.features.subarray(0, 784));
console.log(`test image 0 is a ${test.labels[0]}; the model says ${first.label} (${(100 * first.probabilities[first.label]).toFixed(1)}%)`);
