/**
 * Compressed Arrow IPC (what polars and pyarrow often write): apache-arrow decodes record batch buffers through its
 * codec registry, and these are the codecs. LZ4 frames through lz4-napi (a maintained binding of the Rust lz4_flex,
 * prebuilt for each platform on npm; the only maintained LZ4 *frame* decoder on npm, lz4js being unmaintained since 2017),
 * ZSTD through fzstd (pure JavaScript, the decoder hyparquet-compressors uses too). Each is loaded on first use.
 */
import { createRequire } from 'node:module';
import { CompressionType, compressionRegistry } from 'apache-arrow';

const require = createRequire(import.meta.url);

/** A decoded buffer larger than this is refused (a few compressed bytes can claim gigabytes). */
export const MAX_DECODED_BUFFER = 2 ** 31 - 1;

function bounded(decode: (data: Uint8Array) => Uint8Array): (data: Uint8Array) => Uint8Array {
  return (data) => {
    const out = decode(data);
    if (out.length > MAX_DECODED_BUFFER) throw new Error(`a compressed buffer decodes to ${out.length} bytes, more than ${MAX_DECODED_BUFFER}`);
    return out;
  };
}

let registered = false;

/** Registers the LZ4 frame and ZSTD decoders with apache-arrow (once). */
export function registerArrowCodecs(): void {
  if (registered) return;
  registered = true;
  compressionRegistry.set(CompressionType.LZ4_FRAME, {
    decode: bounded((data) => {
      const lz4 = require('lz4-napi') as { decompressFrameSync(d: Buffer): Buffer };
      return new Uint8Array(lz4.decompressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
    }),
  });
  compressionRegistry.set(CompressionType.ZSTD, {
    decode: bounded((data) => (require('fzstd') as { decompress(d: Uint8Array): Uint8Array }).decompress(data)),
  });
}
