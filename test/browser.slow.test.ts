import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser, type BoundingBox, type Page } from 'puppeteer-core';
import { cli, jsonLines, ROOT, tempDir, type CliResult } from './helpers.ts';

/** Debian's Chromium (`apt-get install -y chromium`, in .ci/run); puppeteer-core never downloads one. */
const CHROMIUM = '/usr/bin/chromium';

let dir: string, digits: string, iris: string, fruit: string, diabetes: string, spam: string, browser: Browser;

/** `trainer serve --port 0` until stop(): the URL it prints, and its result once stopped with Ctrl-C. */
function serve(model: string): Promise<{ url: string; stop: () => Promise<CliResult> }> {
  return new Promise((resolve, reject) => {
    let started = false;
    const done = cli('trainer', ['serve', '--model', model, '--port', '0'], {
      timeoutMs: 600_000,
      onStdout: (text, child) => {
        const url = /at (http:\/\/127\.0\.0\.1:\d+\/) /.exec(text)?.[1];
        if (!url || started) return;
        started = true;
        resolve({ url, stop: () => { child.kill('SIGINT'); return done; } });
      },
    });
    done.then((r) => { if (!started) reject(new Error(`trainer serve exited ${r.code} before serving:\n${r.stderr}`)); }, reject);
  });
}

async function openPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-ready]', { timeout: 20_000 }).catch(async () => {
    throw new Error(`the page did not get ready: ${errors.join('; ')} ${await page.$eval('#status', (e) => e.textContent)}`);
  });
  return page;
}

/** Serves `model` with `trainer serve`, opens its page for `use`, and stops the server (exit 0) either way. */
async function onPage(model: string, use: (page: Page) => Promise<void>): Promise<void> {
  const server = await serve(model);
  try {
    const page = await openPage(server.url);
    await use(page);
    await page.close();
  } finally {
    expect((await server.stop()).code).toBe(0);
  }
}

/** One stroke of the mouse through the points (pad pixels), in small moves as a hand makes them. */
async function stroke(page: Page, pad: BoundingBox, points: readonly (readonly [number, number])[], beforeUp?: () => Promise<void>): Promise<void> {
  await page.mouse.move(pad.x + points[0][0], pad.y + points[0][1]);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(pad.x + x, pad.y + y, { steps: 6 });
  await beforeUp?.();
  await page.mouse.up();
}

/** After two animation frames every queued update of the page has run. */
const settle = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

interface Shown { prediction: string; probabilities: number[]; input?: number[]; value?: number }

async function shown(page: Page): Promise<Shown> {
  await settle(page);
  return page.evaluate(() => {
    const input = document.querySelector<HTMLCanvasElement>('#pad')?.dataset.input;
    const value = document.querySelector<HTMLElement>('#prediction')!.dataset.value;
    return {
      prediction: document.querySelector('#prediction')!.textContent ?? '',
      probabilities: [...document.querySelectorAll<HTMLElement>('#probabilities li')].map((li) => Number(li.dataset.probability)),
      ...(input !== undefined && { input: input.split(',').map(Number) }),
      ...(value !== undefined && { value: Number(value) }),
    };
  });
}

/** Types each value into the form's number input of that name; null empties it (a missing value). */
async function typeInto(page: Page, values: Record<string, number | null>): Promise<void> {
  for (const [name, v] of Object.entries(values)) {
    const input = (await page.$(`#features input[name="${name}"]`))!;
    await input.click({ count: 3 });
    if (v === null) await input.press('Backspace');
    else await input.type(String(v));
  }
}

/** trainer predict --jsonl --json on rows of raw cells, one answer a row. */
async function predicted(model: string, rows: readonly Record<string, unknown>[]): Promise<Record<string, any>[]> {
  const file = join(dir, `rows-${Date.now()}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const p = await cli('trainer', ['predict', '--model', model, '--jsonl', file, '--json']);
  expect(p.code, p.stderr).toBe(0);
  return jsonLines(p.stdout);
}

/** Largest difference between two probability vectors of the same length. */
function maxDiff(a: readonly number[], b: readonly number[]): number {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dir = tempDir();
  digits = join(dir, 'mnist.safetensors');
  iris = join(dir, 'iris.safetensors');
  fruit = join(dir, 'fruit.safetensors');
  diabetes = join(dir, 'diabetes.safetensors');
  spam = join(dir, 'spam.safetensors');
  /** A table's model as the README makes one: data convert, then trainer run (one worker, seeded). */
  const tableModel = async (csv: string, label: string, model: string, epochs: string[] = []): Promise<void> => {
    const arrow = model.replace(/safetensors$/, 'arrow');
    const convert = await cli('data', ['convert', '--csv', join(ROOT, 'test/fixtures/tabular', csv), '--label', label, '--out', arrow]);
    expect(convert.code, convert.stderr).toBe(0);
    const run = await cli('trainer', ['run', '--data', arrow, ...epochs, '--workers', '1', '--seed', '1', '--save', model, '--json']);
    expect(run.code, run.stderr).toBe(0);
  };
  // One worker and a seed: the same model every run, so a misread digit repeats.
  const [mnist] = await Promise.all([
    cli('trainer', ['run', '--epochs', '1', '--workers', '1', '--seed', '1', '--save', digits, '--json'], { timeoutMs: 240_000 }),
    (async () => {
      await tableModel('iris.csv', 'species', iris, ['--epochs', '30']);
      await tableModel('fruit-train.csv', 'kind', fruit);
      await tableModel('diabetes-train.csv', 'target', diabetes);
      // A text model: fastText's format hashed by the default featurizer (2^20 buckets, an 8 MB linear model).
      const arrow = spam.replace(/safetensors$/, 'arrow');
      const convert = await cli('data', ['convert', '--fasttext', join(ROOT, 'test/fixtures/sparse/spam.ft'), '--out', arrow]);
      expect(convert.code, convert.stderr).toBe(0);
      const run = await cli('trainer', ['run', '--data', arrow, '--layers', '1048576,2', '--lr', '0.5', '--schedule', 'constant', '--epochs', '5', '--workers', '1', '--seed', '1', '--save', spam, '--json']);
      expect(run.code, run.stderr).toBe(0);
    })(),
  ]);
  expect(mnist.code, mnist.stderr).toBe(0);
  expect(jsonLines(mnist.stdout).at(-1).test_accuracy).toBeGreaterThan(0.9);
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

describe('the exported page in headless Chromium', () => {
  it('reads a 1 and a 0 drawn with mouse strokes on canvas#pad, live while drawing, with the probabilities trainer predict gives for the same 28x28 input and for the pad as an image', async () => {
    const site = join(dir, 'digits-site');
    const exported = await cli('trainer', ['export-web', '--model', digits, '--out', site]);
    expect(exported.code, exported.stderr).toBe(0);
    await onPage(digits, async (page) => {
      const pad = (await (await page.$('#pad'))!.boundingBox())!;
      expect([pad.width, pad.height]).toEqual([282, 282]); // 280 pixels and the border

      // A 1: the flag, then the stem; the prediction is on the page before the mouse is up.
      let whileDrawing: Shown | undefined;
      await stroke(page, pad, [[115, 85], [145, 50]]);
      await stroke(page, pad, [[145, 50], [145, 120], [146, 235]], async () => { whileDrawing = await shown(page); });
      expect(whileDrawing!.prediction).toMatch(/^\d$/);
      expect(whileDrawing!.probabilities).toHaveLength(10);
      const one = await shown(page);
      const onePng = await page.$eval('#pad', (c) => (c as HTMLCanvasElement).toDataURL('image/png'));

      // A 0: two strokes, the left half of an ellipse and then the right.
      await page.click('#clear');
      expect(await shown(page)).toEqual({ prediction: '', probabilities: [] });
      const ring = (a: number, b: number) => Array.from({ length: 13 }, (_, k) => {
        const t = a + ((b - a) * k) / 12;
        return [140 - 62 * Math.sin(t), 140 - 92 * Math.cos(t)] as const;
      });
      await stroke(page, pad, ring(0, Math.PI));
      await stroke(page, pad, ring(Math.PI, 2 * Math.PI + 0.15));
      const zero = await shown(page);
      const zeroPng = await page.$eval('#pad', (c) => (c as HTMLCanvasElement).toDataURL('image/png'));

      expect([one.prediction, zero.prediction]).toEqual(['1', '0']);
      for (const s of [one, zero]) {
        expect(s.input).toHaveLength(784);
        expect(s.input!.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
        expect(s.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      }

      // trainer predict on the page's 28x28 inputs (--jsonl), and on the pad's pixels as PNG files (the image path).
      const rows = join(dir, 'drawn.jsonl');
      writeFileSync(rows, `${JSON.stringify(one.input)}\n${JSON.stringify(zero.input)}\n`);
      const byRows = await cli('trainer', ['predict', '--model', digits, '--jsonl', rows, '--json']);
      expect(byRows.code, byRows.stderr).toBe(0);
      const images = [join(dir, 'one.png'), join(dir, 'zero.png')];
      [onePng, zeroPng].forEach((url, i) => writeFileSync(images[i], Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64')));
      const byImages = await cli('trainer', ['predict', '--model', digits, ...images, '--json']);
      expect(byImages.code, byImages.stderr).toBe(0);
      const r = jsonLines(byRows.stdout), m = jsonLines(byImages.stdout);
      expect(r.map((x) => x.class)).toEqual([1, 0]);
      expect(m.map((x) => x.digit)).toEqual([1, 0]);
      [one, zero].forEach((s, i) => {
        expect(maxDiff(s.probabilities, r[i].probabilities)).toBeLessThanOrEqual(1e-6);
        expect(maxDiff(s.probabilities, m[i].probabilities)).toBeLessThanOrEqual(1e-6);
      });
    });
  });

  it('shows a table\'s model as a form of its named features, predicting what trainer predict --jsonl gives for the typed values', async () => {
    await onPage(iris, async (page) => {
      expect(await page.$('#pad')).toBeNull();
      const labels = await page.$$eval('#features label', (ls) => ls.map((l) => l.firstChild!.textContent));
      expect(labels).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
      const row = { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 };
      const inputs = await page.$$('#features input');
      for (const [i, v] of Object.values(row).entries()) {
        await inputs[i].click({ count: 3 });
        await inputs[i].type(String(v));
      }
      const s = await shown(page);
      const rows = join(dir, 'iris.jsonl');
      writeFileSync(rows, `${JSON.stringify(row)}\n`);
      const p = await cli('trainer', ['predict', '--model', iris, '--jsonl', rows, '--json']);
      expect(p.code, p.stderr).toBe(0);
      const [answer] = jsonLines(p.stdout);
      expect(s.prediction).toBe(answer.name);
      expect(answer.name).toBe('virginica');
      expect(maxDiff(s.probabilities, answer.probabilities)).toBeLessThanOrEqual(1e-6);

      // A value that is not a number (Chromium's number input takes the keys of "1e-", holding '' and badInput) clears
      // the prediction and says which field; an empty field is a missing value, the training mean, as in a CSV.
      await inputs[1].click({ count: 3 });
      await inputs[1].type('1e-');
      expect((await shown(page)).prediction).toBe('');
      expect(await page.$eval('#status', (e) => e.textContent)).toMatch(/^sepal_width: /);
      await inputs[1].press('Backspace');
      await inputs[1].press('Backspace');
      await inputs[1].press('Backspace');
      const [filled] = await predicted(iris, [{ ...row, sepal_width: null }]);
      expect(maxDiff((await shown(page)).probabilities, filled.probabilities)).toBeLessThanOrEqual(1e-6);
      expect(await page.$eval('#status', (e) => e.textContent)).toBe('');
    });
  });

  it('shows categorical columns as <select>s of the model\'s categories (the missing one too), an empty number as missing, with trainer predict --jsonl\'s probabilities', async () => {
    await onPage(fruit, async (page) => {
      const labels = await page.$$eval('#features label', (ls) => ls.map((l) => l.firstChild!.textContent));
      expect(labels).toEqual(['weight', 'color', 'ripe']);
      const choices = await page.$$eval('#features select', (ss) => ss.map((s) => [...(s as HTMLSelectElement).options].map((o) => [o.value, o.textContent])));
      expect(choices).toEqual([
        [['blue', 'blue'], ['green', 'green'], ['red', 'red'], ['', '(missing)']],
        [['false', 'false'], ['true', 'true']],
      ]);
      const rows = [{ weight: 130.4, color: 'red', ripe: 'True' }, { weight: null, color: null, ripe: 'False' }, { weight: 96.8, color: 'blue', ripe: 'False' }];
      const seen: Shown[] = [];
      for (const row of rows) {
        await typeInto(page, { weight: row.weight });
        await page.select('#features select[name="color"]', row.color ?? '');
        // pandas' True is the category "true" (trainer predict reads it so below).
        await page.select('#features select[name="ripe"]', row.ripe.toLowerCase());
        seen.push(await shown(page));
      }
      const answers = await predicted(fruit, rows);
      seen.forEach((s, i) => {
        expect(s.prediction).toBe(answers[i].name);
        expect(s.value).toBeUndefined();
        expect(maxDiff(s.probabilities, answers[i].probabilities)).toBeLessThanOrEqual(1e-6);
      });
      // The categories matter: the rows' probabilities differ.
      expect(maxDiff(seen[0].probabilities, seen[1].probabilities)).toBeGreaterThan(1e-3);
      expect(await page.$eval('#features input[name="weight"]', (e) => (e as HTMLInputElement).placeholder)).toMatch(/^missing: \d/);
    });
  });

  it('shows a regression model\'s value in the target\'s units in #prediction (no probabilities), trainer predict --jsonl\'s value to 1e-6', async () => {
    await onPage(diabetes, async (page) => {
      const [header, ...lines] = readFileSync(join(ROOT, 'test/fixtures/tabular/diabetes-test.csv'), 'utf8').trim().split(/\r?\n/);
      const names = header.split(',').filter((n) => n !== 'target');
      expect(await page.$$eval('#features label', (ls) => ls.map((l) => l.firstChild!.textContent))).toEqual(names);
      const rows = lines.slice(0, 2).map((l) => Object.fromEntries(l.split(',').slice(0, names.length).map((v, j) => [names[j], Number(v)])));
      const seen: Shown[] = [];
      for (const row of rows) {
        await typeInto(page, row);
        seen.push(await shown(page));
      }
      const answers = await predicted(diabetes, rows);
      seen.forEach((s, i) => {
        expect(s.probabilities).toEqual([]);
        expect(Math.abs(s.value! - answers[i].value)).toBeLessThanOrEqual(1e-6);
        expect(Number(s.prediction)).toBe(Number(answers[i].value.toPrecision(6)));
      });
      // In the target's units (diabetes progression, about 25 to 346), not standardised.
      expect(seen.every((s) => s.value! > 20 && s.value! < 400)).toBe(true);
      expect(Math.abs(seen[0].value! - seen[1].value!)).toBeGreaterThan(1);
    });
  });

  it('shows a text model as textarea#text, and typing a text shows the class and probability trainer predict --text gives', async () => {
    const texts = ['Free money now: click to win a FREE prize!', 'Draft report for the meeting tomorrow, café at lunch?'];
    await onPage(spam, async (page) => {
      expect(await page.$('#pad')).toBeNull();
      expect(await page.$('#features')).toBeNull();
      expect(await shown(page)).toEqual({ prediction: '', probabilities: [] });
      const seen: Shown[] = [];
      for (const text of texts) {
        await page.$eval('#text', (e) => { (e as HTMLTextAreaElement).value = ''; });
        await page.type('#text', text);
        seen.push(await shown(page));
      }
      const p = await cli('trainer', ['predict', '--model', spam, ...texts.flatMap((t) => ['--text', t]), '--json']);
      expect(p.code, p.stderr).toBe(0);
      const answers = jsonLines(p.stdout);
      expect(answers.map((a) => a.name)).toEqual(['spam', 'ham']);
      seen.forEach((s, i) => {
        expect(s.prediction).toBe(answers[i].name);
        expect(maxDiff(s.probabilities, answers[i].probabilities)).toBeLessThanOrEqual(1e-6);
      });
      // Its percentage as trainer predict prints it.
      const top = await page.$eval('#probabilities li.top', (li) => li.lastChild!.textContent);
      expect(top).toBe(`${(100 * answers[1].probability).toFixed(1)}%`);
    });
  });
});
