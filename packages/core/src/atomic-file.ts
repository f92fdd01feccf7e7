/**
 * The one atomic writer of every package (datasets in @hogwild/data, models in saveModel): chunks go to NAME.PID.tmp
 * beside the target, are flushed to the disk, and the temporary file is renamed over the target only when complete.
 * No half-written file ever stays under the target name, and no temporary file stays behind: a failed write removes
 * its own, a process.exit while one is open removes it on the way out, so does a Ctrl-C (SIGINT, SIGTERM) during a
 * chunked write (a dataset), and the temporaries of writers that were killed outright (SIGKILL, or a signal during a
 * one-shot write of a model, which takes milliseconds) go at the next write of the same name.
 *
 * Errors are the file system's own (ENOENT, ENOSPC …): each caller names the file in its own terms (a dataset's
 * `--out`, a model's fallback to the temporary folder).
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** A file being written atomically (see openAtomic). */
export interface AtomicFile {
  /** The temporary file the chunks go to (NAME.PID.tmp). */
  readonly temp: string;
  /** Appends a chunk to the temporary file (all of it, however many writes that takes). */
  write(chunk: Uint8Array): void;
  /** Flushes to the disk and renames the temporary file over the target; returns the bytes written. */
  commit(): number;
  /** Removes the temporary file (after a failure). */
  abort(): void;
}

/** The temporary file of a writer of `file`: NAME.PID.tmp beside it, PID this process's unless given. */
export const tempFileName = (file: string, pid = process.pid): string => `${file}.${pid}.tmp`;

/**
 * Opens NAME.PID.tmp for writing, after removing the stale temporaries of dead writers of the same name. `signals`:
 * whether a SIGINT or SIGTERM while it is open removes it (for writers that give the event loop turns; a synchronous
 * writer could not handle one before it is done, and would swallow it).
 */
export function openAtomic(file: string, o: { signals?: boolean } = {}): AtomicFile {
  removeStaleTemps(file);
  const temp = tempFileName(file);
  const fd = openSync(temp, 'w');
  track(temp, o.signals ?? true);
  let bytes = 0, open = true;
  const close = () => { if (open) { open = false; closeSync(fd); } };
  return {
    temp,
    write(chunk) {
      for (let off = 0; off < chunk.byteLength;) off += writeSync(fd, chunk, off, chunk.byteLength - off);
      bytes += chunk.byteLength;
    },
    commit() {
      fsyncSync(fd);
      close();
      renameSync(temp, file);
      untrack(temp);
      return bytes;
    },
    abort() {
      try { close(); } catch { /* already closed */ }
      rmSync(temp, { force: true });
      untrack(temp);
    },
  };
}

/** Writes one buffer, or buffers one after another (each written before the next is asked for), atomically; returns the bytes written. */
export function writeFileAtomic(file: string, bytes: Uint8Array | Iterable<Uint8Array>): number {
  const out = openAtomic(file, { signals: false });
  try {
    if (bytes instanceof Uint8Array) out.write(bytes);
    else for (const chunk of bytes) out.write(chunk);
    return out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

/**
 * Writes chunks atomically as they come; returns the bytes written. Between chunks it gives the event loop a turn,
 * so that a Ctrl-C during a long write is handled (and the temporary file removed) then, not after the last chunk.
 */
export async function writeChunksAtomic(file: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number> {
  const out = openAtomic(file);
  try {
    let since = 0;
    for await (const chunk of chunks) {
      out.write(chunk);
      since += chunk.byteLength;
      if (since >= YIELD_BYTES) {
        since = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}
/** A turn for signals every 16 MiB written (a few milliseconds of disk time). */
const YIELD_BYTES = 16 * 2 ** 20;

/**
 * Temporary files of this name (NAME.PID.tmp) left by writers that were killed are removed, when their process is
 * gone; those of live processes (another conversion writing the same name) are left alone.
 */
export function removeStaleTemps(file: string): void {
  const dir = dirname(file), base = basename(file);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(base + '.') ? /^\.(\d+)\.tmp$/.exec(name.slice(base.length)) : null;
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------- cleanup on the way out

/** Temporary files open now, in this thread; those whose writers handle signals. */
const open = new Set<string>();
const onSignals = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function removeOpen(): void {
  for (const temp of open) rmSync(temp, { force: true });
  open.clear();
  onSignals.clear();
}

/**
 * Marks the signal listeners that act only when no command handles the signal itself: this file's, and the CLIs'
 * (core's runCli, the workspace's launcher scripts/cli.mjs), which end the program with one line. A listener without
 * the mark (trainer run's checkpoint on Ctrl-C, serve's stop) is the command's own, and these yield to it.
 */
export const SIGNAL_FALLBACK = Symbol.for('hogwild.signalFallback');

/**
 * A signal while a temporary file is open: remove it, then let the signal do what it would have done (end the
 * process, exit status 128 + n: 130 for Ctrl-C). Only when no one else listens: a program with its own handler
 * (trainer run's checkpoint on Ctrl-C, a CLI's one line) keeps it, and the exit hook cleans up when that program exits.
 */
const onSignal = Object.assign((signal: NodeJS.Signals): void => {
  if (process.listenerCount(signal) > 1) return;
  removeOpen();
  for (const s of SIGNALS) process.off(s, onSignal);
  process.kill(process.pid, signal);
}, { [SIGNAL_FALLBACK]: true });

function track(temp: string, signals: boolean): void {
  if (open.size === 0) process.on('exit', removeOpen);
  // Signals reach the main thread only; a worker's temporaries go with the exit hook of its process.
  if (signals && isMainThread) {
    if (onSignals.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
    onSignals.add(temp);
  }
  open.add(temp);
}

function untrack(temp: string): void {
  if (onSignals.delete(temp) && onSignals.size === 0) for (const s of SIGNALS) process.off(s, onSignal);
  if (open.delete(temp) && open.size === 0) process.off('exit', removeOpen);
}
