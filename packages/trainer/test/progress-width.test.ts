import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { describe, expect, it } from 'vitest';
import { fittedFormat } from '@hogwild/core/cli';
import { createProgress } from '../src/cli/progress.ts';

const RUN_LINE = ' {name} |{bar}| {percentage}% | {value}/{total} | {rate} samples/s | ETA {eta_formatted}';

/** A terminal of `columns` columns, as cli-progress sees one, that keeps what is written. */
function terminal(columns: number): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  const s = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(s, { isTTY: true, columns, rows: 30, text: () => text });
  return s;
}

/** The lines drawn, without the cursor moves and erasures between them. */
const drawn = (text: string): string[] =>
  text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '\n').split(/[\r\n]+/).filter((l) => l.includes('|'));

describe('progress lines at the terminal\'s width', () => {
  it('shrink the bar, not the figures, to fit 80 columns (the issue\'s 91488/180000 at 154,380 samples/s)', () => {
    const format = fittedFormat(RUN_LINE, cliProgress.Format.Formatter);
    const options = { barsize: 30, barCompleteString: '█'.repeat(31), barIncompleteString: '░'.repeat(31), barGlue: '', autopaddingChar: '   ', formatValue: undefined };
    const params = { progress: 0.508, eta: 40, startTime: Date.now(), stopTime: null, total: 180000, value: 91488, maxWidth: 80 };
    const line = format(options as never, params as never, { name: 'epoch  1', rate: '154,380' });
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line).toContain('| 50% | 91488/180000 | 154,380 samples/s | ETA 40s');
    expect(line).toMatch(/\|█+░+\|/);
    // On a wide terminal the bar keeps its size.
    const wide = format(options as never, { ...params, maxWidth: 200 } as never, { name: 'epoch  1', rate: '154,380' });
    expect(wide).toContain(`|${'█'.repeat(15)}${'░'.repeat(15)}|`);
  });

  it('keep samples/s and the ETA of trainer run\'s bars within 80 columns', async () => {
    const tty = terminal(80);
    const p = createProgress(true, 3, 180000, 0, tty);
    let done = 0;
    p.startEpoch(1, () => done);
    done = 91488;
    await new Promise((r) => setTimeout(r, 350));
    p.stop();
    const lines = drawn(tty.text()).filter((l) => l.includes('91488'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.length, line).toBeLessThanOrEqual(80);
      expect(line, line).toMatch(/\| [\d,]+ samples\/s \| ETA \S+$/);
    }
  });
});
