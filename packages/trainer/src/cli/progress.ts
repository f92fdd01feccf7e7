/** Live progress bars (cli-progress) on stderr, driven by polling the workers' shared counter. */
import cliProgress from 'cli-progress';
import { fittedFormat } from '@hogwild/core/cli';
import { wrap } from './header.ts';

export interface Progress {
  /** Starts polling `read()` (samples done in this epoch) for epoch `epoch` (1-based). */
  startEpoch(epoch: number, read: () => number): void;
  endEpoch(): void;
  /** Clears the bars from the screen (at the end, on Ctrl-C, on an error); after it, lines are written plainly. */
  stop(): void;
  /** Prints a line above the bars, on stdout or on `to`. */
  log(line: string, to?: NodeJS.WriteStream): void;
}

/** Bars for `epochs` epochs of `perEpoch` samples, `done` of them trained before (a resumed run). */
export function createProgress(enabled: boolean, epochs: number, perEpoch: number, done = 0, out: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled) {
    return { startEpoch() {}, endEpoch() {}, stop() {}, log: (line, to = process.stdout) => { to.write(line + '\n'); } };
  }
  const bars = new cliProgress.MultiBar({
    stream: out,
    clearOnComplete: true,
    hideCursor: true,
    // The figures whole, the bar as wide as the terminal leaves (up to 30): at 80 columns samples/s and the ETA were cut.
    format: fittedFormat(' {name} |{bar}| {percentage}% | {value}/{total} | {rate} samples/s | ETA {eta_formatted}', cliProgress.Format.Formatter),
    barsize: 30,
    etaBuffer: 50,
    fps: 10,
  }, cliProgress.Presets.shades_classic);
  const run = bars.create(epochs * perEpoch, done, { name: 'run    ', rate: '-' });
  let epochBar: cliProgress.SingleBar | null = null;
  let timer: NodeJS.Timeout | null = null;
  let base = done - (done % perEpoch);
  let t0 = 0, from = 0;
  // Once stopped, nothing may draw again: cli-progress redraws (and starts its timer) on remove() and update().
  let stopped = false;
  const halt = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  return {
    startEpoch(epoch, read) {
      if (stopped) return;
      from = read();
      epochBar = bars.create(perEpoch, from, { name: `epoch ${String(epoch).padStart(2)}`, rate: '-' });
      t0 = performance.now();
      timer = setInterval(() => {
        const now = read();
        const rate = Math.round((now - from) / ((performance.now() - t0) / 1000)).toLocaleString('en-US');
        epochBar!.update(now, { rate });
        run.update(base + now, { rate });
      }, 100);
    },
    endEpoch() {
      halt();
      base += perEpoch;
      if (stopped) return;
      run.update(base);
      if (epochBar) bars.remove(epochBar);
      epochBar = null;
    },
    stop() {
      halt();
      if (stopped) return;
      stopped = true;
      // log() lines are written at the next redraw: draw once more so that none is lost, then clear the bars.
      bars.update();
      bars.stop();
    },
    log(line, to = process.stdout) {
      // A line for the terminal the bars are on goes above them (drawn with them); any other goes straight out.
      // While the bars are drawn the terminal does not wrap lines (it would break their redraw), so wrap them here,
      // each line erased to its end (ESC [K): they are drawn over the bars' old lines.
      if (!stopped && to.isTTY) bars.log(wrap([line], out.columns).replaceAll('\n', '\x1b[K\n') + '\x1b[K\n');
      else to.write(line + '\n');
    },
  };
}
