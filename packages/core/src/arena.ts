/**
 * One shared WebAssembly.Memory holding everything the kernels touch: parameters, datasets, the shuffle
 * order and each worker's scratch. Its buffer is a SharedArrayBuffer, so typed-array views on it are shared by
 * every worker thread without copies, and the WebAssembly kernel reads the same bytes by address.
 *
 * Regions are handed out by a bump allocator, each on a 64-byte (cache-line) boundary, and the memory grows as
 * needed. Growing a shared memory never detaches earlier views: they stay valid over their own range, and
 * `arena.buffer` is the SharedArrayBuffer over the whole, current memory. The first 64 KiB are left to the
 * kernel module's static data (its math tables).
 */
import { HogwildError } from './errors.ts';

/** Bytes of a WebAssembly memory page. */
export const PAGE = 65536;
/** Bytes at the start of the memory left to the kernel (its stack and statics). */
export const RESERVED = PAGE;
/** Every region starts on a 64-byte cache line. */
export const REGION_ALIGN = 64;
/** The kernel module declares this maximum (pages); an imported shared memory must declare the same. */
export const MAX_PAGES = 65536;

/** One shared WebAssembly memory holding the parameters, the replicas and the data, handed out in aligned regions. */
export interface Arena {
  /** The shared memory itself (what the kernel imports). */
  readonly memory: WebAssembly.Memory;
  /** Reserves `bytes` (zeroed) and returns the region's byte offset. */
  reserve(bytes: number): number;
  /** The SharedArrayBuffer over the whole memory as it is now. */
  readonly buffer: SharedArrayBuffer;
  /** Bytes in use. */
  readonly used: number;
}

/** A growable shared memory of `initialBytes` to start with; regions are reserved, never freed. */
export function createArena(initialBytes = 4 * PAGE): Arena {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(initialBytes / PAGE), maximum: MAX_PAGES, shared: true });
  let used = RESERVED;
  return {
    memory,
    reserve(bytes: number): number {
      const at = Math.ceil(used / REGION_ALIGN) * REGION_ALIGN;
      const end = at + bytes;
      const have = memory.buffer.byteLength;
      if (end > have) {
        const pages = Math.ceil((end - have) / PAGE);
        const gib = (end / 2 ** 30).toFixed(2);
        if (have / PAGE + pages > MAX_PAGES) {
          throw new HogwildError('E_MEMORY', `the shared memory would need ${gib} GiB, more than the 4 GiB one WebAssembly memory holds: use fewer workers, a smaller network or less data`);
        }
        try {
          memory.grow(pages);
        } catch {
          throw new HogwildError('E_MEMORY', `could not grow the shared memory to ${gib} GiB (out of memory?): use fewer workers, a smaller network or less data`);
        }
      }
      used = end;
      return at;
    },
    get buffer() {
      return memory.buffer as unknown as SharedArrayBuffer;
    },
    get used() {
      return used;
    },
  };
}
