import { readFileSync } from 'node:fs';
import { predict, train } from '@hogwild/trainer';

// Rows of numbers and a string label a row, the way brain.js and tfjs users hold their data.
const [, ...lines] = readFileSync('test/fixtures/tabular/iris.csv', 'utf8').trim().split(/\r?\n/);
const features = lines.map((line) => line.split(',').slice(0, 4).map(Number));
const labels = lines.map((line) => line.split(',')[4]);

const { model, evaluation } = await train({ data: { features, labels }, epochs: 30, workers: 1 });
console.log(model.classes, `training accuracy ${(100 * evaluation!.accuracy).toFixed(1)}%`);
console.log(predict(model, [[6.1, 2.8, 4.7, 1.2]])[0].name); // versicolor
