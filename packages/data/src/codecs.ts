/**
 * Compressed Arrow IPC (what polars and pyarrow often write): apache-arrow decodes record batch buffers through its
 * codec registry, and these are the codecs. LZ4 frames through lz4-napi (a maintained binding of the Rust lz4_flex,
 * prebuilt for each platform on npm; the only maintained LZ4 *frame* decoder on npm, lz4js being unmaintained since 2017),
 * ZSTD through fzstd (pure JavaScript, the decoder hyparquet-compressors uses too). Each is loaded on first use.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { CompressionType, compressionRegistry } from 'apache-arrow';
import { DataError } from './errors.ts';

const require = createRequire(import.meta.url);

/**
 * What one file's compressed buffers may decode to in all: 256 times its size plus 64 MiB. Real tables compress
 * numbers 2 to 20 times; a few bytes claiming gigabytes (a damaged or hostile file) are refused before decoding.
 */
export const decodeBudget = (fileBytes: number): number => 256 * fileBytes + 64 * 2 ** 20;
/**
 * The budget of the read in progress. apache-arrow's codec registry is global, so the budget travels with the read's
 * async context rather than in a module variable: two files read at once (a library user's Promise.all) each keep
 * their own, and one ending does not lift the other's.
 */
const budgets = new AsyncLocalStorage<{ left: number }>();

/** Runs `read` (to its end, awaited) with decoding bounded by decodeBudget(fileBytes). */
export function withDecodeBudget<T>(fileBytes: number, read: () => Promise<T>): Promise<T> {
  return budgets.run({ left: decodeBudget(fileBytes) }, read);
}

/**
 * apache-arrow hands the codec the bytes after each buffer's 8-byte uncompressed length, within the same body: the
 * claimed length is read from there, checked against what is left of the budget, and the output must have it. A
 * refusal names no file (the codec does not know it): the readers catch it and name the file.
 */
function bounded(codec: string, decode: (data: Uint8Array, length: number) => Uint8Array): (data: Uint8Array) => Uint8Array {
  return (data) => {
    if (data.byteOffset < 8) throw new DataError('E_INPUT', 'a compressed buffer without its length prefix');
    const claimed = Number(new DataView(data.buffer, data.byteOffset - 8, 8).getBigInt64(0, true));
    const budget = budgets.getStore() ?? { left: Infinity };
    if (!(claimed >= 0) || claimed > budget.left) throw new DataError('E_INPUT', `a compressed buffer claims ${claimed} bytes decoded, beyond what the file may hold (${Math.round(budget.left / 2 ** 20)} MiB left)`);
    budget.left -= claimed;
    let out: Uint8Array;
    try {
      out = decode(data, claimed);
    } catch (e) {
      // The decoder's own words (lz4's "BlockChecksumError", fzstd's) say nothing to a user that this does not.
      throw new DataError('E_INPUT', `a compressed buffer does not decode as ${codec} (damaged data)`, { cause: e });
    }
    if (out.length !== claimed) throw new DataError('E_INPUT', `a compressed buffer decodes to ${out.length} bytes, its header says ${claimed}`);
    return out;
  };
}

let registered = false;

/** Registers the LZ4 frame and ZSTD decoders with apache-arrow (once). */
export function registerArrowCodecs(): void {
  if (registered) return;
  registered = true;
  compressionRegistry.set(CompressionType.LZ4_FRAME, {
    decode: bounded('LZ4', (data) => {
      const lz4 = require('lz4-napi') as { decompressFrameSync(d: Buffer): Buffer };
      return new Uint8Array(lz4.decompressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
    }),
  });
  // fzstd writes into a buffer of the claimed length, and fails rather than grow it.
  compressionRegistry.set(CompressionType.ZSTD, {
    decode: bounded('ZSTD', (data, length) => (require('fzstd') as { decompress(d: Uint8Array, out?: Uint8Array): Uint8Array }).decompress(data, new Uint8Array(length))),
  });
}
