/**
 * pnpm bench:text: text classifiers side by side in one run, on the corpora of bench/text-corpus.ts, with the machine.
 *
 *   pnpm bench:text [--repeat 3] [--docs 500000] [--only spam|sotu|generated|libsvm] [--json FILE]
 *
 * - SpamAssassin (80/20, seed 1): Debian's `fasttext supervised` with its defaults, then `-wordNgrams 2`, each with
 *   `-thread 1` and `-thread 2`; hogwild's defaults with `--workers 1` and `2`.
 * - SOTU sentences (a real corpus of short texts in tens of classes: 62,530 sentences of State of the Union addresses,
 *   labelled by president, 80/20, seed 1): hogwild with the README's three commands as they are, `data convert
 *   --csv sotu-train.csv --label label`, `trainer run --data … --save …` (`--workers 1` and `2`), `trainer eval
 *   --model … --csv sotu-test.csv` (`--json` added to read the figures); fastText `-wordNgrams 2`, 1 and 2 threads;
 *   scikit-learn's TfidfVectorizer(ngram_range=(1,2)) and (1,1) + LinearSVC() (bench/text-sklearn.py). A last line
 *   gives hogwild's gap to the better of fastText (bigrams) and LinearSVC.
 * - LIBSVM (scikit-learn TF-IDF of the same split): LIBLINEAR's `liblinear-train` (its default solver, -s 1) and
 *   `liblinear-predict`; hogwild.
 * - Generated (--docs documents, 20 classes): fastText and hogwild with 1 and 2 threads/workers.
 *
 * Figures: accuracy on the test split (fastText: P@1 of `fasttext test`, which is accuracy with one label per line);
 * train s: fastText's training phase, from its "Number of labels" line (dictionary read) to its "Progress: 100.0%"
 * line, as timed on its stderr; wall s: the whole command (reading, dictionary, training, saving the model).
 * Medians over --repeat runs (accuracy too). tokens/s/thread: the training file's whitespace-separated words
 * (labels included; fastText also counts one end-of-line token per line) × epochs ÷ train s ÷ threads; fastText's
 * own words/sec/thread is beside it. samples/s: documents × epochs ÷ train s. hogwild: `pnpm data convert` then
 * `pnpm trainer run --json`, whose "done" line gives train_seconds and test_accuracy; while it cannot read text,
 * its row says "not available" with the command's one-line error.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineLine, median } from '../packages/trainer/src/machine.ts';
import { corpusDir, prepareGenerated, prepareLibsvm, prepareSotu, prepareSpam, PYTHON } from './text-corpus.ts';

const ROOT = resolve(import.meta.dirname, '..');

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function fail(message: string): never {
  console.error(`bench:text: ${message}`);
  process.exit(2);
}

function wholeFlag(name: string, fallback: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${name}: ${raw} is not a positive whole number`);
  return n;
}

const repeat = wholeFlag('--repeat', 3);
const docs = wholeFlag('--docs', 500_000);
const only = flag('--only');
if (only !== undefined && !['spam', 'sotu', 'generated', 'libsvm'].includes(only)) fail(`--only: ${only} is not one of spam, sotu, generated, libsvm`);
const jsonPath = flag('--json');
const work = mkdtempSync(join(tmpdir(), 'hogwild-bench-text-'));

/** One line of the table; null where the figure does not apply. */
interface Row {
  corpus: string;
  tool: string;
  config: string;
  threads: number;
  accuracy: number | null;
  train_seconds: number | null;
  wall_seconds: number | null;
  tokens_per_second_per_thread: number | null;
  own_words_per_second_per_thread: number | null;
  samples_per_second: number | null;
  /** Why there is no figure (hogwild before text support). */
  note: string | null;
  /** hogwild: the last repeat's test accuracy after each epoch, with the training seconds so far (for a time to a target). */
  trace?: { epoch: number; seconds: number; test_accuracy: number }[];
  command: string;
}

/** Runs a command the hogwild rows need first; when it fails, they say why (one line) and it gives false. */
async function prepared(what: string, args: string[], missing: (threads: number, why: string) => Row): Promise<boolean> {
  progress(what);
  const run = await pnpm(args);
  if (run.code === 0) return true;
  const why = lastLine(run.stderr || run.stdout);
  rows.push(missing(1, why), missing(2, why));
  return false;
}

/** A hogwild row whose command failed: its one-line error instead of figures. */
function unavailable(corpus: string, config: string, threads: number, why: string, command: string): Row {
  return { corpus, tool: 'hogwild', config, threads, accuracy: null, train_seconds: null, wall_seconds: null, tokens_per_second_per_thread: null, own_words_per_second_per_thread: null, samples_per_second: null, note: `not available (${why})`, command };
}

const rows: Row[] = [];
const commands: string[] = [];

interface Timed {
  code: number | null;
  stdout: string;
  stderr: string;
  wall: number;
  /** Seconds from the start to the first chunk of stderr holding each marker. */
  marks: Map<string, number>;
}

/** Runs a command, timing when its stderr first shows each marker (fastText's progress goes to stderr). */
function timed(cmd: string, args: string[], markers: string[], cwd = work): Promise<Timed> {
  return new Promise((done, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const marks = new Map<string, number>();
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      const now = (performance.now() - t0) / 1000;
      // The tail of the last chunk too: a marker may straddle two chunks.
      const seen = stderr.slice(-64) + s;
      for (const m of markers) if (!marks.has(m) && seen.includes(m)) marks.set(m, now);
      stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr, wall: (performance.now() - t0) / 1000, marks }));
  });
}

/** The corpus folder as <cache>/text-bench, so commands and errors read the same on every machine. */
function short(s: string): string {
  return s.replaceAll(corpusDir(), '<cache>/text-bench');
}

function lastLine(s: string): string {
  return short(s.trim().split(/\r?\n|\r/).filter(Boolean).pop() ?? '');
}

/** Whitespace-separated words of a file (labels included), as `wc -w` counts them. */
function wordCount(path: string): number {
  const r = spawnSync('wc', ['-w', path], { encoding: 'utf8' });
  return Number(r.stdout.trim().split(/\s+/)[0]);
}

/** What runs now, on stderr (the table goes to stdout at the end). */
function progress(line: string): void {
  console.error(`… ${line}`);
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

async function fastText(corpus: string, trainTxt: string, testTxt: string, extra: string[], threads: number, docsTrained: number): Promise<void> {
  const config = extra.length ? extra.join(' ') : 'defaults';
  const epochs = Number(extra[extra.indexOf('-epoch') + 1]) || 5;
  const args = ['supervised', '-input', trainTxt, '-output', join(work, 'ft'), '-thread', String(threads), ...extra];
  const command = short(`fasttext ${args.join(' ').replace(join(work, 'ft'), 'model')}`);
  commands.push(command);
  const base: Omit<Row, 'accuracy' | 'train_seconds' | 'wall_seconds' | 'tokens_per_second_per_thread' | 'own_words_per_second_per_thread' | 'samples_per_second' | 'note'> = { corpus, tool: 'fastText', config, threads, command };
  if (!have('fasttext')) {
    rows.push({ ...base, accuracy: null, train_seconds: null, wall_seconds: null, tokens_per_second_per_thread: null, own_words_per_second_per_thread: null, samples_per_second: null, note: 'not available (no fasttext: apt-get install fasttext)' });
    return;
  }
  const acc: number[] = [], train: number[] = [], wall: number[] = [], own: number[] = [];
  for (let r = 0; r < repeat; r++) {
    progress(`${corpus}: ${command} (${r + 1}/${repeat})`);
    const run = await timed('fasttext', args, ['Number of labels', 'Progress: 100.0%']);
    if (run.code !== 0) fail(`${command} exited ${run.code}: ${lastLine(run.stderr)}`);
    const start = run.marks.get('Number of labels');
    const end = run.marks.get('Progress: 100.0%');
    if (start === undefined || end === undefined) fail(`${command}: no "Number of labels" or "Progress: 100.0%" line on its stderr`);
    train.push(end - start);
    wall.push(run.wall);
    const words = [...run.stderr.matchAll(/words\/sec\/thread:\s*(\d+)/g)].pop();
    if (words) own.push(Number(words[1]));
    const test = spawnSync('fasttext', ['test', join(work, 'ft.bin'), testTxt], { encoding: 'utf8' });
    const p1 = /P@1\s+([\d.]+)/.exec(test.stdout);
    if (test.status !== 0 || !p1) fail(`fasttext test exited ${test.status}: ${lastLine(test.stderr || test.stdout)}`);
    acc.push(Number(p1[1]));
    rmSync(join(work, 'ft.bin'), { force: true });
    rmSync(join(work, 'ft.vec'), { force: true });
  }
  const t = median(train);
  rows.push({
    ...base,
    accuracy: median(acc),
    train_seconds: t,
    wall_seconds: median(wall),
    tokens_per_second_per_thread: (wordCount(trainTxt) * epochs) / t / threads,
    own_words_per_second_per_thread: own.length ? median(own) : null,
    samples_per_second: (docsTrained * epochs) / t,
    note: null,
  });
}

async function liblinear(corpus: string, trainSvm: string, testSvm: string): Promise<void> {
  const command = 'liblinear-train -q train.svm model && liblinear-predict test.svm model out';
  commands.push(command);
  const base = { corpus, tool: 'LIBLINEAR', config: 'defaults (-s 1, C 1)', threads: 1, command, tokens_per_second_per_thread: null, own_words_per_second_per_thread: null };
  if (!have('liblinear-train')) {
    rows.push({ ...base, accuracy: null, train_seconds: null, wall_seconds: null, samples_per_second: null, note: 'not available (no liblinear-train: apt-get install liblinear-tools)' });
    return;
  }
  const model = join(work, 'liblinear.model');
  const wall: number[] = [], acc: number[] = [];
  for (let r = 0; r < repeat; r++) {
    progress(`${corpus}: ${command} (${r + 1}/${repeat})`);
    const run = await timed('liblinear-train', ['-q', trainSvm, model], []);
    if (run.code !== 0) fail(`liblinear-train exited ${run.code}: ${lastLine(run.stderr || run.stdout)}`);
    wall.push(run.wall);
    const p = spawnSync('liblinear-predict', [testSvm, model, join(work, 'liblinear.out')], { encoding: 'utf8' });
    const a = /Accuracy = ([\d.]+)%/.exec(p.stdout);
    if (p.status !== 0 || !a) fail(`liblinear-predict exited ${p.status}: ${lastLine(p.stderr || p.stdout)}`);
    acc.push(Number(a[1]) / 100);
  }
  const samples = readFileSync(trainSvm, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).length;
  const w = median(wall);
  rows.push({ ...base, accuracy: median(acc), train_seconds: w, wall_seconds: w, samples_per_second: samples / w, note: null });
}

/** `pnpm <args>` from the repository root, where the CLI's scripts are. */
function pnpm(args: string[]): Promise<Timed> {
  return timed('pnpm', ['--silent', ...args], [], ROOT);
}

interface Done {
  event: 'done';
  train_seconds: number;
  test_accuracy: number;
  epochs: number;
}

/**
 * hogwild: convert the training and test files, then `trainer run` with its defaults. `convert` is how each input
 * becomes a dataset: ['--csv', file, '--label', 'label'] or ['--libsvm', file].
 */
async function hogwild(corpus: string, slug: string, convert: (file: string) => string[], trainFile: string, testFile: string, samples: number): Promise<void> {
  const trainArrow = join(work, `${slug}-train.arrow`);
  const testArrow = join(work, `${slug}-test.arrow`);
  const convertTrain = ['data', 'convert', ...convert(trainFile), '--out', trainArrow];
  const convertTest = ['data', 'convert', ...convert(testFile), '--like', trainArrow, '--out', testArrow];
  const show = (args: string[]) => short(`pnpm ${args.join(' ').replaceAll(work + '/', '')}`);
  const runArgs = (workers: number) => ['trainer', 'run', '--data', trainArrow, '--test', testArrow, '--workers', String(workers), '--seed', '1', '--json'];
  commands.push(show(convertTrain), show(convertTest), show(runArgs(1)).replace('--workers 1', '--workers N'));
  const missing = (threads: number, why: string): Row => unavailable(corpus, 'defaults', threads, why, show(runArgs(threads)));
  for (const step of [convertTrain, convertTest]) if (!(await prepared(`${corpus}: ${show(step)}`, step, missing))) return;
  for (const workers of [1, 2]) {
    const train: number[] = [], acc: number[] = [], wall: number[] = [];
    let epochs = 0;
    let refused = '';
    let trace: Row['trace'] = [];
    for (let r = 0; r < repeat && !refused; r++) {
      progress(`${corpus}: ${show(runArgs(workers))} (${r + 1}/${repeat})`);
      const run = await pnpm(runArgs(workers));
      const events = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string; epoch?: number; seconds?: number; test_accuracy?: number });
      const done = events.find((e): e is Done => e.event === 'done');
      if (run.code !== 0 || !done) {
        refused = lastLine(run.stderr || run.stdout) || `exit ${run.code}`;
        break;
      }
      train.push(done.train_seconds);
      acc.push(done.test_accuracy);
      wall.push(run.wall);
      epochs = done.epochs;
      let sum = 0;
      trace = events.filter((e) => e.event === 'epoch').map((e) => ({ epoch: e.epoch ?? 0, seconds: (sum += e.seconds ?? 0), test_accuracy: e.test_accuracy ?? NaN }));
    }
    if (refused) {
      rows.push(missing(workers, refused));
      continue;
    }
    const t = median(train);
    const trainTxt = slug === 'spam' ? spamFiles?.trainTxt : slug === 'generated' ? genFiles?.trainTxt : undefined;
    rows.push({
      corpus,
      tool: 'hogwild',
      config: 'defaults',
      threads: workers,
      accuracy: median(acc),
      train_seconds: t,
      wall_seconds: median(wall),
      tokens_per_second_per_thread: trainTxt ? (wordCount(trainTxt) * epochs) / t / workers : null,
      own_words_per_second_per_thread: null,
      samples_per_second: (samples * epochs) / t,
      note: null,
      command: show(runArgs(workers)),
      trace,
    });
  }
}

interface SklearnResult {
  accuracy: number;
  fit_seconds: number;
  seconds: number;
  features: number;
  sklearn: string;
}

/** scikit-learn's TfidfVectorizer(ngram_range=(1, n)) + LinearSVC() with their defaults (bench/text-sklearn.py). */
async function sklearnSvc(corpus: string, trainCsv: string, testCsv: string, n: number, samples: number): Promise<void> {
  const command = short(`python3 bench/text-sklearn.py ${trainCsv} ${testCsv} ${n}`);
  commands.push(command);
  const base = { corpus, tool: 'scikit-learn', config: `TF-IDF (1,${n}) + LinearSVC`, threads: 1, command, tokens_per_second_per_thread: null, own_words_per_second_per_thread: null };
  const fit: number[] = [], wall: number[] = [], acc: number[] = [];
  for (let r = 0; r < repeat; r++) {
    progress(`${corpus}: ${command} (${r + 1}/${repeat})`);
    const run = await timed(PYTHON, [join(import.meta.dirname, 'text-sklearn.py'), trainCsv, testCsv, String(n)], []);
    if (run.code !== 0) {
      rows.push({ ...base, accuracy: null, train_seconds: null, wall_seconds: null, samples_per_second: null, note: `not available (${lastLine(run.stderr || run.stdout) || `exit ${run.code}`}; python3-sklearn installed? $PYTHON picks the python)` });
      return;
    }
    const out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as SklearnResult;
    fit.push(out.fit_seconds);
    wall.push(run.wall);
    acc.push(out.accuracy);
  }
  const t = median(fit);
  rows.push({ ...base, accuracy: median(acc), train_seconds: t, wall_seconds: median(wall), samples_per_second: samples / t, note: null });
}

/**
 * hogwild as the README's text example runs it, defaults untouched: `data convert --csv TRAIN --label label --out`,
 * `trainer run --data … --save …` (with --workers N, and --json to read train_seconds), `trainer eval --model …
 * --csv TEST --json` on the raw test texts (the label column the model was trained on).
 */
async function hogwildReadme(corpus: string, slug: string, files: { trainCsv: string; testCsv: string; trainTxt: string; train: number }): Promise<void> {
  const trainArrow = join(work, `${slug}-train.arrow`);
  const model = join(work, `${slug}.safetensors`);
  const convert = ['data', 'convert', '--csv', files.trainCsv, '--label', 'label', '--out', trainArrow];
  const runArgs = (workers: number) => ['trainer', 'run', '--data', trainArrow, '--save', model, '--workers', String(workers), '--json'];
  const evalArgs = ['trainer', 'eval', '--model', model, '--csv', files.testCsv, '--json'];
  const show = (args: string[]) => short(`pnpm ${args.join(' ').replaceAll(work + '/', '')}`);
  commands.push(show(convert), show(runArgs(1)).replace('--workers 1', '--workers N'), show(evalArgs));
  const missing = (threads: number, why: string): Row => unavailable(corpus, 'README commands, defaults', threads, why, show(runArgs(threads)));
  if (!(await prepared(`${corpus}: ${show(convert)}`, convert, missing))) return;
  const words = wordCount(files.trainTxt);
  for (const workers of [1, 2]) {
    const train: number[] = [], acc: number[] = [], wall: number[] = [];
    let epochs = 0;
    let refused = '';
    for (let r = 0; r < repeat && !refused; r++) {
      rmSync(model, { force: true });
      progress(`${corpus}: ${show(runArgs(workers))} (${r + 1}/${repeat})`);
      const run = await pnpm(runArgs(workers));
      const done = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string }).find((e): e is Omit<Done, 'test_accuracy'> => e.event === 'done');
      if (run.code !== 0 || !done) {
        refused = lastLine(run.stderr || run.stdout) || `exit ${run.code}`;
        break;
      }
      progress(`${corpus}: ${show(evalArgs)}`);
      const scored = await pnpm(evalArgs);
      const result = scored.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string; accuracy?: number }).find((e) => e.event === 'eval');
      if (scored.code !== 0 || typeof result?.accuracy !== 'number') {
        refused = lastLine(scored.stderr || scored.stdout) || `eval exit ${scored.code}`;
        break;
      }
      train.push(done.train_seconds);
      acc.push(result.accuracy);
      wall.push(run.wall);
      epochs = done.epochs;
    }
    if (refused) {
      rows.push(missing(workers, refused));
      continue;
    }
    const t = median(train);
    rows.push({
      corpus,
      tool: 'hogwild',
      config: 'README commands, defaults',
      threads: workers,
      accuracy: median(acc),
      train_seconds: t,
      wall_seconds: median(wall),
      tokens_per_second_per_thread: (words * epochs) / t / workers,
      own_words_per_second_per_thread: null,
      samples_per_second: (files.train * epochs) / t,
      note: null,
      command: show(runArgs(workers)),
    });
  }
}

let spamFiles: Awaited<ReturnType<typeof prepareSpam>> | undefined;
let genFiles: Awaited<ReturnType<typeof prepareGenerated>> | undefined;
const t0 = performance.now();
const machine = machineLine();
console.log(`machine: ${machine}`);
const versions = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', 'fasttext', 'liblinear-tools'], { encoding: 'utf8' }).stdout.trim().split('\n').join(', ');
if (versions) console.log(`tools: ${versions}`);
console.log(`repeats: ${repeat} (medians); corpora in ${corpusDir()}`);
// A shared machine's other work slows every tool alike within a turn, but the figures between runs: say how busy it was.
const loadBefore = loadavg()[0];
console.log(`load average (1 min) before: ${loadBefore.toFixed(2)}`);

if (!only || only === 'spam') {
  spamFiles = await prepareSpam();
  const s = spamFiles;
  for (const extra of [[], ['-wordNgrams', '2']]) for (const threads of [1, 2]) await fastText('SpamAssassin', s.trainTxt, s.testTxt, extra, threads, s.train);
  await hogwild('SpamAssassin', 'spam', (f) => ['--fasttext', f], s.trainTxt, s.testTxt, s.train);
}
let sotuCorpus: string | undefined;
if (!only || only === 'sotu') {
  const s = await prepareSotu();
  sotuCorpus = `SOTU sentences (${Object.keys(s.classes).length} classes)`;
  await hogwildReadme(sotuCorpus, 'sotu', s);
  for (const threads of [1, 2]) await fastText(sotuCorpus, s.trainTxt, s.testTxt, ['-wordNgrams', '2'], threads, s.train);
  for (const n of [2, 1]) await sklearnSvc(sotuCorpus, s.trainCsv, s.testCsv, n, s.train);
}
if (!only || only === 'libsvm') {
  const l = await prepareLibsvm();
  spamFiles ??= await prepareSpam();
  await liblinear('LIBSVM (TF-IDF)', l.train, l.test);
  await hogwild('LIBSVM (TF-IDF)', 'libsvm', (f) => ['--libsvm', f], l.train, l.test, spamFiles.train);
}
if (!only || only === 'generated') {
  genFiles = await prepareGenerated(docs);
  const g = genFiles;
  const corpus = `generated ${docs.toLocaleString('en-US')}`;
  for (const threads of [1, 2]) await fastText(corpus, g.trainTxt, g.testTxt, [], threads, g.train);
  await hogwild(corpus, 'generated', (f) => ['--fasttext', f], g.trainTxt, g.testTxt, g.train);
}
rmSync(work, { recursive: true, force: true });

const num = (x: number | null, digits: number) => (x === null ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
console.log('');
console.log('| corpus | tool | config | threads | accuracy | train s | wall s | tokens/s/thread | (own words/s/thread) | samples/s |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  if (r.note) {
    console.log(`| ${r.corpus} | ${r.tool} | ${r.config} | ${r.threads} | ${r.note} | | | | | |`);
    continue;
  }
  const acc = r.accuracy === null ? '—' : `${(r.accuracy * 100).toFixed(2)}%`;
  console.log(`| ${r.corpus} | ${r.tool} | ${r.config} | ${r.threads} | ${acc} | ${num(r.train_seconds, 2)} | ${num(r.wall_seconds, 2)} | ${num(r.tokens_per_second_per_thread, 0)} | ${num(r.own_words_per_second_per_thread, 0)} | ${num(r.samples_per_second, 0)} |`);
}
if (sotuCorpus) {
  // The issue's target: hogwild's defaults within 1 point of the better of fastText (bigrams) and LinearSVC.
  const of = (tool: string) => rows.filter((r) => r.corpus === sotuCorpus && r.tool === tool && r.accuracy !== null);
  const best = [...of('fastText'), ...of('scikit-learn')].sort((a, b) => (b.accuracy ?? 0) - (a.accuracy ?? 0))[0];
  console.log('');
  for (const h of of('hogwild')) {
    if (!best?.accuracy || h.accuracy === null) break;
    const gap = (h.accuracy - best.accuracy) * 100;
    console.log(`${sotuCorpus}: hogwild (${h.threads} worker${h.threads > 1 ? 's' : ''}) ${(h.accuracy * 100).toFixed(2)}% against the better reference, ${best.tool} ${best.config} (${best.threads} thread${best.threads > 1 ? 's' : ''}) ${(best.accuracy * 100).toFixed(2)}%: ${gap >= 0 ? '+' : '−'}${Math.abs(gap).toFixed(2)} points (target: within 1 point, ${gap >= -1 ? 'met' : 'not met'})`);
  }
}
console.log('');
console.log('commands:');
for (const c of new Set(commands)) console.log(`  ${c}`);
const total = (performance.now() - t0) / 1000;
console.log(`load average (1 min) after: ${loadavg()[0].toFixed(2)}`);
console.log(`total ${total.toFixed(0)} s`);
if (jsonPath) writeFileSync(jsonPath, JSON.stringify({ bench: 'text', machine, tools: versions, repeats: repeat, docs, load_average_before: loadBefore, load_average_after: loadavg()[0], rows, commands: [...new Set(commands)], total_seconds: total }, null, 2) + '\n');
