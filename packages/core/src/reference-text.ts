import { ModelFileError } from './errors.ts';
import { allocateParams, paramLayout } from './params.ts';

/**
 * Reads the reference project's text model: for each layer, the rows of W ([out, in], one row a line),
 * then the rows of b (one value a line), numbers tab-separated in %.6e. Line breaks are not trusted
 * (a bias written as one row reads the same); the number count must match the layer sizes exactly.
 */
export function parseReferenceText(text: string, layers: readonly number[], file = '<text>'): Float32Array {
  const layout = paramLayout(layers);
  const params = allocateParams(layout);
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  let t = 0;
  const next = (what: string): number => {
    if (t >= tokens.length) throw new ModelFileError(file, `ended early: ${tokens.length} numbers, expected ${expected(layers)} for layers ${layers.join(',')} (while reading ${what})`);
    const v = Number(tokens[t]);
    if (!Number.isFinite(v)) throw new ModelFileError(file, `number ${t + 1} is ${JSON.stringify(tokens[t])}, expected a finite number`);
    // Weights are float32, as in a safetensors model, and refused as there when not finite: 1e39 is a finite float64
    // but Infinity in float32, and a network with an infinite weight answers one class for everything.
    if (!Number.isFinite(Math.fround(v))) {
      throw new ModelFileError(file, `number ${t + 1} (${what}) is ${tokens[t]}, beyond float32's range (±3.4e38): it would be ${Math.fround(v)}, and the weights must be finite numbers`);
    }
    t++;
    return v;
  };
  layout.layers.forEach((l, li) => {
    for (let o = 0; o < l.outSize; o++) {
      for (let i = 0; i < l.inSize; i++) params[l.weightOffset + i * l.stride + o] = next(`layer ${li} W[${o}][${i}]`);
    }
    for (let o = 0; o < l.outSize; o++) params[l.biasOffset + o] = next(`layer ${li} b[${o}]`);
  });
  if (t !== tokens.length) throw new ModelFileError(file, `${tokens.length} numbers, expected ${expected(layers)} for layers ${layers.join(',')}`);
  return params;
}

function expected(layers: readonly number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < layers.length; l++) n += layers[l] * layers[l + 1] + layers[l + 1];
  return n;
}

/** Writes the reference text format (for interchange with the numpy code). */
export function formatReferenceText(params: Float32Array, layers: readonly number[]): string {
  const layout = paramLayout(layers);
  const lines: string[] = [];
  for (const l of layout.layers) {
    for (let o = 0; o < l.outSize; o++) {
      const row: string[] = [];
      for (let i = 0; i < l.inSize; i++) row.push(formatE6(params[l.weightOffset + i * l.stride + o]));
      lines.push(row.join('\t'));
    }
    for (let o = 0; o < l.outSize; o++) lines.push(formatE6(params[l.biasOffset + o]));
  }
  return lines.join('\n') + '\n';
}

/** C's %.6e: JavaScript writes e-1 where C writes e-01. */
function formatE6(v: number): string {
  return v.toExponential(6).replace(/e([+-])(\d)$/, 'e$10$2');
}
