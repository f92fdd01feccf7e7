/** Live progress bars (cli-progress) on stderr, driven by polling the workers' shared counter. */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Starts polling `read()` (samples done in this epoch) for epoch `epoch` (1-based). */
  startEpoch(epoch: number, read: () => number): void;
  endEpoch(): void;
  stop(): void;
  /** Prints a line above the bars. */
  log(line: string): void;
}

export function createProgress(enabled: boolean, epochs: number, perEpoch: number, out: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled) {
    return { startEpoch() {}, endEpoch() {}, stop() {}, log: (line) => process.stdout.write(line + '\n') };
  }
  const bars = new cliProgress.MultiBar({
    stream: out,
    clearOnComplete: true,
    hideCursor: true,
    format: ' {name} |{bar}| {percentage}% | {value}/{total} | {rate} samples/s | ETA {eta_formatted}',
    barsize: 30,
    etaBuffer: 50,
    fps: 10,
  }, cliProgress.Presets.shades_classic);
  const total = epochs * perEpoch;
  const run = bars.create(total, 0, { name: 'run    ', rate: '-' });
  let epochBar: cliProgress.SingleBar | null = null;
  let timer: NodeJS.Timeout | null = null;
  let base = 0;
  let t0 = 0;
  return {
    startEpoch(epoch, read) {
      epochBar = bars.create(perEpoch, 0, { name: `epoch ${String(epoch).padStart(2)}`, rate: '-' });
      t0 = performance.now();
      timer = setInterval(() => {
        const done = read();
        const rate = Math.round(done / ((performance.now() - t0) / 1000)).toLocaleString('en-US');
        epochBar!.update(done, { rate });
        run.update(base + done, { rate });
      }, 100);
    },
    endEpoch() {
      if (timer) clearInterval(timer);
      base += perEpoch;
      run.update(base);
      if (epochBar) bars.remove(epochBar);
      epochBar = null;
    },
    stop() {
      if (timer) clearInterval(timer);
      // log() lines are written at the next redraw: draw once more so the last epoch's line is not lost.
      bars.update();
      bars.stop();
    },
    log(line) {
      // Lines go to stdout; only when stdout shares the terminal with the bars must they be drawn above them.
      if (process.stdout.isTTY) bars.log(line + '\n');
      else process.stdout.write(line + '\n');
    },
  };
}
