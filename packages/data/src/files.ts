import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeChunksAtomic } from '@hogwild/core/internal';
import { dirname, join } from 'node:path';
import { constants as zlibConstants, type ZlibOptions } from 'node:zlib';
import { InputError, UsageError } from './errors.ts';

/**
 * Checks that an input is a regular file, not empty, and returns its size; file-system failures become one-line
 * errors that name the file. A device or a pipe (/dev/zero, /dev/stdin) could be read for ever: only regular files are read.
 */
export function checkInputFile(file: string): number {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new InputError(file, describeFsError(e));
  }
  if (st.isDirectory()) throw new InputError(file, 'is a directory, expected a file');
  if (!st.isFile()) throw new InputError(file, 'is not a regular file (a device, pipe or socket)');
  if (st.size === 0) throw new InputError(file, 'is empty');
  return st.size;
}

/** Reads a whole file, turning file-system failures into one-line errors that name the file. */
export function readInput(file: string): Uint8Array {
  checkInputFile(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new InputError(file, describeFsError(e));
  }
  if (bytes.length === 0) throw new InputError(file, 'is empty');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory, expected a file';
    default: return `cannot read (${code ?? String(e)})`;
  }
}

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** zlib's gunzipSync or inflateSync. */
type Inflate = (b: Uint8Array, o: ZlibOptions) => Buffer;

/**
 * The first bytes of a compressed stream, for its header: the first 4 KiB inflated on their own (a partial stream is
 * fine with a sync flush; 4 KiB of deflate inflate to 4 MiB at most).
 */
export function inflateHead(bytes: Uint8Array, fail: (problem: string) => never, inflate: Inflate, what: string): Uint8Array {
  let head: Buffer;
  try {
    head = inflate(bytes.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    fail(`corrupted ${what} (${(e as Error).message})`);
  }
  return new Uint8Array(head.buffer, head.byteOffset, head.byteLength);
}

/**
 * Inflates a whole stream into one buffer of `limit` bytes, the size its header declares, so that a small file cannot
 * inflate to gigabytes (a decompression bomb): a limit above what one buffer holds, or above what the compressed bytes
 * can inflate to at all, is refused before anything is allocated, and a stream that gives more stops at the first
 * byte beyond the limit. The buffer's pages are taken as zlib writes them, so the memory follows what the stream
 * really gives, up to the limit, once (zlib's default 16 KiB chunks would be joined into a second copy).
 */
export function inflateCapped(bytes: Uint8Array, limit: number, fail: (problem: string) => never, inflate: Inflate, what: string): Uint8Array {
  if (limit > MAX_INFLATED) fail(`its header claims ${limit} bytes of data, more than the ${MAX_INFLATED} this reader takes`);
  if (limit > bytes.length * MAX_DEFLATE_RATIO) fail(`its header claims ${limit} bytes of data, more than its ${bytes.length} compressed bytes can hold (deflate gives at most ${MAX_DEFLATE_RATIO} bytes a byte)`);
  try {
    // One output chunk a byte larger than the limit: the whole output in place, and one byte to see a stream that overruns it.
    const out = inflate(bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: Math.max(1, limit), chunkSize: Math.max(zlibConstants.Z_MIN_CHUNK, limit + 1) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') fail(`${what} inflates to more than the ${limit} bytes its header says (corrupted, or a decompression bomb)`);
    fail(`corrupted ${what} (${(e as Error).message})`);
  }
}

/**
 * Inflates no more than the content's own header allows: `expected` reads the size the header implies from the
 * stream's first bytes (inflateHead), and may refuse it there, before anything else is inflated; then inflateCapped.
 */
export function inflateBounded(bytes: Uint8Array, fail: (problem: string) => never, inflate: Inflate, expected: (head: Uint8Array) => number, what: string): Uint8Array {
  return inflateCapped(bytes, expected(inflateHead(bytes, fail, inflate, what)), fail, inflate, what);
}
/** Deflate's greatest expansion: one 258-byte match in a code of 2 bits, 1032 bytes out of one byte in (RFC 1951). */
const MAX_DEFLATE_RATIO = 1032;
/** The most bytes a compressed element or file may inflate to (what one Buffer can hold). */
export const MAX_INFLATED = 2 ** 32 - 1;

/** Whether two paths name the same existing file (same device and inode: links and other spellings included). */
export function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a), y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * Writes a file through core's one atomic writer (writeChunksAtomic), with the CLI's rules around it: an existing
 * target needs `force`, and a failure names the file.
 */
export async function writeAtomic(file: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, force: boolean): Promise<number> {
  if (!force && existsSync(file)) throw new UsageError(`--out: ${file} exists; pass --force to overwrite it`);
  try {
    return await writeChunksAtomic(file, chunks);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new InputError(file, `cannot write (${code}${code === 'ENOSPC' ? ': the disk is full' : ''}); nothing was left under this name`);
    throw e;
  }
}

/**
 * Checks an output name before any work (a conversion may take minutes): a folder is not a file name, an existing
 * file needs `force`, and the folder it goes in must exist.
 */
export function checkOutputFile(flag: string, file: string, force: boolean): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    st = null;
  }
  if (st?.isDirectory()) throw new UsageError(`${flag} ${file} is a folder; give a file name such as ${join(file, 'dataset.arrow')}`);
  if (st && !force) throw new UsageError(`${flag}: ${file} exists; pass --force to overwrite it`);
  const dir = dirname(file);
  let parent;
  try {
    parent = statSync(dir);
  } catch {
    throw new UsageError(`${flag} ${file}: folder ${dir} does not exist`);
  }
  if (!parent.isDirectory()) throw new UsageError(`${flag} ${file}: ${dir} is not a folder`);
}
