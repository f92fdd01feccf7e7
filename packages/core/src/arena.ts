/**
 * One shared WebAssembly.Memory holding everything the kernels touch: parameters, datasets, the shuffle
 * order and each worker's scratch. Its buffer is a SharedArrayBuffer, so typed-array views on it are shared by
 * every worker thread without copies, and the WebAssembly kernel reads the same bytes by address.
 * Regions are handed out by a bump allocator, each on a 64-byte (cache-line) boundary; the first 64 KiB are
 * left to the kernel module's own static data.
 */
export const PAGE = 65536;
export const RESERVED = PAGE;
export const REGION_ALIGN = 64;
/** The kernel module declares this maximum (pages); an imported shared memory must declare the same. */
export const MAX_PAGES = 65536;

export interface ArenaPlan {
  /** Reserves `bytes` and returns the region's byte offset. */
  reserve(bytes: number): number;
  readonly size: number;
}

export function planArena(): ArenaPlan {
  let size = RESERVED;
  return {
    reserve(bytes: number): number {
      const at = Math.ceil(size / REGION_ALIGN) * REGION_ALIGN;
      size = at + bytes;
      return at;
    },
    get size() {
      return size;
    },
  };
}

/** A shared memory large enough for the plan. */
export function createArenaMemory(plan: ArenaPlan): WebAssembly.Memory {
  const pages = Math.ceil(plan.size / PAGE);
  if (pages > MAX_PAGES) throw new RangeError(`arena: ${plan.size} bytes needed, WebAssembly memory holds at most ${MAX_PAGES * PAGE}`);
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
}
