import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { wasmKernelName } from './internal.ts';
import { runHeader, wrap } from './internal.ts';
import { createProgress } from './internal.ts';
import { describeMerges, mergeProtocol } from './internal.ts';
import type { TrainStart } from '@hogwild/trainer';

const start = (o: Partial<TrainStart> = {}): TrainStart => ({
  spec: { layers: [784, 128, 10], activation: 'relu', loss: 'softmax' }, rows: 60_000, workers: 2, kernel: 'wasm',
  merges: mergeProtocol({}, 2, 'wasm'), simulated: false, init: 'he', split: 'test', standardized: false,
  schedule: { name: 'cosine', lr: 0.02, every: 1, gamma: 0.5 }, epochs: 5, seed: 1, labelSmoothing: 0, task: 'classification', resumed: null, ...o,
});
const data = { data: '/home/someone/projects/digits/mnist-train.arrow', test: '/home/someone/projects/digits/mnist-test.arrow', chunk: 256 };
/** The words of a text, in order: wrapping may move them to other lines, not lose or change one. */
const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('the header of trainer run', () => {
  it('says network, data, workers, kernel, lr, epochs and seed in one line, and no merge details without --verbose', () => {
    const [line, ...more] = runHeader(start(), { ...data, verbose: false });
    expect(more).toEqual([]);
    expect(line).toBe('training 784-128-10 relu/softmax on /home/someone/projects/digits/mnist-train.arrow (60,000 samples; test /home/someone/projects/digits/mnist-test.arrow), 2 workers, kernel wasm, lr 0.02 cosine, 5 epochs, seed 1');
  });

  it('with --verbose adds the parameters, init, standardisation, the merge rule and the kernel\'s build, a labelled line each', () => {
    const lines = runHeader(start({ standardized: true }), { ...data, verbose: true });
    expect(lines.slice(1)).toEqual([
      '  weights: 101,770 parameters, he init',
      '  data: float features standardised with the training set\'s mean and standard deviation; accuracy on the test set after every epoch; progress every 256 samples',
      `  merges: lock-free Hogwild!, ${describeMerges(mergeProtocol({}, 2, 'wasm'))}`,
      `  kernel: WebAssembly, the ${wasmKernelName()} build`,
    ]);
    expect(runHeader(start({ kernel: 'ts' }), { ...data, verbose: true })[4]).toBe('  kernel: TypeScript');
    expect(runHeader(start({ workers: 1, merges: mergeProtocol({}, 1, 'wasm') }), { ...data, verbose: true })[3]).toBe('  merges: none (one worker)');
  });

  it('names label smoothing beside the learning rate when it is on', () => {
    expect(runHeader(start({ labelSmoothing: 0.05 }), { ...data, verbose: false })[0]).toContain(', lr 0.02 cosine, label smoothing 0.05, 5 epochs, seed 1');
  });

  it('says where a resumed run starts', () => {
    const r = (epochs: number, epochSamples: number, total: number) => runHeader(start({ epochs: total, resumed: { source: 'm.checkpoint.safetensors', epochs, epochSamples } }), { ...data, verbose: false })[0];
    expect(r(2, 0, 5)).toContain(', epochs 3 to 5 of 5 (resumed from m.checkpoint.safetensors after epoch 2), seed 1');
    expect(r(4, 12_544, 5)).toContain(', epoch 5 of 5 (resumed from m.checkpoint.safetensors 12,544 samples into epoch 5), seed 1');
  });

  for (const width of [100, 80, 40]) {
    it(`wraps to ${width} columns at spaces, losing nothing (a 100-column terminal once cut it at "2 workers (Hogwil")`, () => {
      const lines = runHeader(start(), { ...data, verbose: true });
      const text = wrap(lines, width);
      // Only a word longer than the width (here the paths, at 40) may pass it, alone on its line.
      for (const l of text.split('\n')) if (l.length > width) expect(l.trim(), l).not.toContain(' ');
      if (width >= 60) for (const l of text.split('\n')) expect(l.length, l).toBeLessThanOrEqual(width);
      expect(text.split('\n').length).toBeGreaterThan(lines.length);
      expect(words(text)).toEqual(words(lines.join(' ')));
      // Each line of the header starts a line of the text; its continuations are indented two more spaces.
      for (const l of lines.slice(1)) expect(text).toContain(`\n${l.slice(0, l.indexOf(':') + 1)} `);
      for (const l of text.split('\n').slice(1)) expect(l).toMatch(/^ {2,4}\S/);
    });
  }

  it('does not wrap without a width (not a terminal), and keeps a word longer than the width whole', () => {
    const lines = runHeader(start(), { ...data, verbose: true });
    expect(wrap(lines, undefined)).toBe(lines.join('\n'));
    const long = 'x'.repeat(50);
    expect(wrap([`on ${long} then`], 30)).toBe(`on\n  ${long}\n  then`);
  });
});

/** A stream that says it is a terminal, as cli-progress checks, and keeps what is written. */
function fakeTerminal(): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  const s = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(s, { isTTY: true, columns: 100, rows: 30, text: () => text });
  return s;
}

describe('the progress bars of trainer run', () => {
  it('are cleared by stop() (Ctrl-C, errors, the end), and nothing is drawn after it', async () => {
    const tty = fakeTerminal();
    const p = createProgress(true, 2, 1000, 0, tty);
    let done = 0;
    p.startEpoch(1, () => done);
    done = 400;
    await new Promise((r) => setTimeout(r, 350));
    expect(tty.text()).toContain(' epoch  1 |');
    expect(tty.text()).toContain('400/1000');
    p.stop();
    const cleared = tty.text();
    // readline's clearScreenDown, after the cursor went back up to the first bar's line; the cursor shown again.
    expect(cleared.endsWith('\x1b[0J')).toBe(true);
    expect(cleared).toContain('\x1b[?25h');
    p.stop();
    p.endEpoch();
    p.startEpoch(2, () => 10);
    await new Promise((r) => setTimeout(r, 250));
    expect(tty.text()).toBe(cleared);
    p.log('interrupted', tty);
    expect(tty.text()).toBe(cleared + 'interrupted\n');
  });

  it('start a resumed run\'s bar where it stopped', async () => {
    const tty = fakeTerminal();
    const p = createProgress(true, 5, 1000, 2500, tty);
    p.startEpoch(3, () => 500);
    await new Promise((r) => setTimeout(r, 250));
    p.stop();
    expect(tty.text()).toContain('2500/5000');
    expect(tty.text()).toContain(' epoch  3 |');
  });
});
