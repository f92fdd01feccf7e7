import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { ModelFileError } from './errors.ts';
import { decodeModel, encodeModel, type Model } from './safetensors.ts';

/** Model files on the disk (Node only): the format itself, from and to bytes, is safetensors.ts. */

/** A file being written atomically (see openAtomic). */
export interface AtomicFile {
  write(chunk: Uint8Array): void;
  /** Flushes to the disk and renames the temporary file over the target; returns the bytes written. */
  commit(): number;
  /** Removes the temporary file (after a failure). */
  abort(): void;
}

/**
 * The one atomic writer of every package (data's dataset writer and saveModel): chunks go to NAME.PID.tmp beside the
 * target, are flushed to the disk, and the temporary file is renamed over the target only when complete; on
 * abort it is removed. So no half-written file ever stays under the target name.
 */
export function openAtomic(file: string): AtomicFile {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let bytes = 0, open = true;
  const close = () => { if (open) { open = false; closeSync(fd); } };
  return {
    write(chunk) {
      for (let off = 0; off < chunk.byteLength;) off += writeSync(fd, chunk, off, chunk.byteLength - off);
      bytes += chunk.byteLength;
    },
    commit() {
      fsyncSync(fd);
      close();
      renameSync(tmp, file);
      return bytes;
    },
    abort() {
      try { close(); } catch { /* already closed */ }
      rmSync(tmp, { force: true });
    },
  };
}

/** Writes atomically: a temporary file next to the target, then a rename, so no half-written model stays under the name. */
export function saveModel(file: string, model: Model): void {
  const bytes = encodeModel(model);
  const out = openAtomic(file);
  try {
    out.write(bytes);
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

export function loadModel(file: string): Model {
  let bytes: Uint8Array;
  try {
    const st = statSync(file);
    if (!st.isDirectory() && !st.isFile()) throw new ModelFileError(file, 'is not a regular file (a device, pipe or socket)');
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFileError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a .safetensors file' : `cannot read (${code})`);
  }
  return decodeModel(bytes, file);
}
