/**
 * Rows of (index, value) pairs appended one at a time into compressed sparse rows, the arrays growing by doubling:
 * what a streamed conversion holds is its output (indices, values, one offset a row), never its input.
 */
import type { SparseRowBuilder } from '@hogwild/core/internal';
import { MAX_SPARSE_FEATURES } from './sparse-dataset.ts';

export class CsrBuilder {
  rows = 0;
  nonzeros = 0;
  indptr = new Int32Array(1025);
  indices = new Int32Array(4096);
  values = new Float32Array(4096);

  /** Appends a pair to the row being built (ended by endRow); false when the int32 offsets are full. */
  push(index: number, value: number): boolean {
    if (this.nonzeros === this.indices.length) {
      if (this.nonzeros >= MAX_SPARSE_FEATURES) return false;
      const n = Math.min(MAX_SPARSE_FEATURES, 2 * this.indices.length);
      this.indices = grow(this.indices, n, Int32Array);
      this.values = grow(this.values, n, Float32Array);
    }
    this.indices[this.nonzeros] = index;
    this.values[this.nonzeros++] = value;
    return true;
  }

  /** Ends the current row. */
  endRow(): void {
    if (this.rows + 2 > this.indptr.length) this.indptr = grow(this.indptr, 2 * this.indptr.length, Int32Array);
    this.indptr[++this.rows] = this.nonzeros;
  }

  /** The pairs of the row being built, from `start` (its first position): sorted by index, duplicates summed. */
  sortRow(start: number): void {
    let sorted = true;
    for (let k = start + 1; k < this.nonzeros; k++) if (this.indices[k] <= this.indices[k - 1]) { sorted = false; break; }
    if (sorted) return;
    const order = Array.from({ length: this.nonzeros - start }, (_, i) => start + i).sort((a, b) => this.indices[a] - this.indices[b]);
    const idx = order.map((k) => this.indices[k]), val = order.map((k) => this.values[k]);
    let at = start;
    for (let i = 0; i < idx.length; i++) {
      if (at > start && this.indices[at - 1] === idx[i]) this.values[at - 1] += val[i];
      else { this.indices[at] = idx[i]; this.values[at++] = val[i]; }
    }
    this.nonzeros = at;
  }

  /**
   * Appends the row a SparseRowBuilder holds (encodeRowInto's): its pairs pushed, sorted with duplicates summed, the row
   * ended. False when the int32 offsets are full.
   */
  addRow(row: SparseRowBuilder): boolean {
    const start = this.nonzeros;
    for (let k = 0; k < row.length; k++) if (!this.push(row.indices[k], row.values[k])) return false;
    this.sortRow(start);
    this.endRow();
    return true;
  }

  /** The arrays, trimmed to what was written (views, no copy). */
  arrays(): { indptr: Int32Array; indices: Int32Array; values: Float32Array } {
    return { indptr: this.indptr.subarray(0, this.rows + 1), indices: this.indices.subarray(0, this.nonzeros), values: this.values.subarray(0, this.nonzeros) };
  }
}

function grow<T extends Int32Array | Float32Array>(a: T, n: number, Type: new (n: number) => T): T {
  const b = new Type(n);
  b.set(a);
  return b;
}
