/** The header `trainer run` prints before its bars: what is trained, on what, how; wrapped to the terminal. */
import { countParameters } from '@hogwild/core';
import { networkName, wasmKernelName } from '@hogwild/core/internal';
import { describeMerges } from '../merge-plan.ts';
import type { TrainStart } from '../train.ts';
import { count } from './report.ts';

export interface HeaderInput {
  /** How the training and test data are named (a file, or the bundled MNIST). */
  readonly data: string;
  readonly test?: string;
  readonly chunk?: number;
  /** Also the merge details, the init, the standardisation and the evaluation split. */
  readonly verbose: boolean;
}

/**
 * The header's lines, unwrapped: one line of network, data, workers, kernel, schedule, epochs and seed (with where a
 * resumed run starts); with `verbose`, a line each for the weights, the data, the merges and the kernel's build.
 */
export function runHeader(s: TrainStart, o: HeaderInput): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const { schedule } = s;
  const rate = `lr ${schedule.lr} ${schedule.name}${schedule.name === 'step' ? ` (×${schedule.gamma} every ${count(schedule.every ?? 1, 'epoch')})` : ''}${s.labelSmoothing > 0 ? `, label smoothing ${s.labelSmoothing}` : ''}`;
  const r = s.resumed;
  const epochs = r
    ? `${r.epochs + 1 === s.epochs ? `epoch ${s.epochs}` : `epochs ${r.epochs + 1} to ${s.epochs}`} of ${s.epochs} (resumed from ${r.source} ${r.epochSamples > 0 ? `${n(r.epochSamples)} samples into epoch ${r.epochs + 1}` : `after epoch ${r.epochs}`})`
    : count(s.epochs, 'epoch');
  const task = s.task === 'regression' ? ', regression' : '';
  const workers = `${s.workers} ${s.simulated ? 'simulated ' : ''}worker${s.workers > 1 ? 's' : ''}`;
  const lines = [
    `training ${networkName(s.spec)} on ${o.data} (${n(s.rows)} samples${o.test ? `; test ${o.test}` : ''}), ${workers}, kernel ${s.kernel}, ${rate}, ${epochs}, seed ${s.seed}${task}`,
  ];
  if (o.verbose) {
    lines.push(`  weights: ${n(countParameters(s.spec.layers))} parameters, ${r ? `from ${r.source}` : `${s.init} init`}`);
    lines.push(`  data: ${s.standardized ? 'float features standardised with the training set\'s mean and standard deviation' : 'features not standardised'}; ${s.task === 'regression' ? 'RMSE, MAE and R²' : 'accuracy'} on the ${s.split === 'test' ? 'test' : 'training'} set after every epoch${o.chunk ? `; progress every ${n(o.chunk)} samples` : ''}`);
    lines.push(`  merges: ${s.workers > 1 ? `lock-free Hogwild!, ${describeMerges(s.merges)}` : 'none (one worker)'}`);
    // The build the session compiled (core's wasmKernelName: relaxed SIMD where the runtime validates it).
    lines.push(`  kernel: ${s.kernel === 'wasm' ? `WebAssembly, the ${wasmKernelName()} build` : 'TypeScript'}`);
  }
  return lines;
}

/**
 * Wraps each line at spaces to `width` columns, the continuation indented two spaces past the line's own indent;
 * a word longer than the width (a long path) stays whole on its own line. No width (not a terminal): no wrapping.
 */
export function wrap(lines: readonly string[], width?: number): string {
  if (!width || width < 20) return lines.join('\n');
  const out: string[] = [];
  for (const line of lines) {
    const indent = /^ */.exec(line)![0];
    const next = indent + '  ';
    let current = indent;
    for (const word of line.slice(indent.length).split(' ')) {
      if (current.trim() === '') current += word;
      else if (current.length + 1 + word.length <= width) current += ' ' + word;
      else {
        out.push(current);
        current = next + word;
      }
    }
    out.push(current);
  }
  return out.join('\n');
}
