import { describe, expect, it } from 'vitest';
import { ColumnStore } from '../src/table-columns.ts';

describe('the column store of a table being read', () => {
  it('keeps full chunks of mostly zeros as their non-zeros: every cell reads back (missing ones as NaN, -0 as -0), at a fraction of the dense bytes', () => {
    const cols = 1000, rows = 5000;
    const store = new ColumnStore(Array.from({ length: cols }, (_, j) => `x${j}`), new Array(cols).fill(1), -1);
    // About 1% of the cells not 0, a few missing; a deterministic pattern, so the expectation is recomputed below.
    const cell = (r: number, j: number): number => ((r * 7919 + j * 104729) % 97 === 0 ? (r % 5) + 0.5 : (r * 31 + j) % 1999 === 0 ? NaN : (r + j) % 4001 === 0 ? -0 : 0);
    for (let r = 0; r < rows; r++) {
      store.beginRow();
      for (let j = 0; j < cols; j++) {
        const v = cell(r, j);
        if (v !== v) store.missing(j);
        else store.number(j, v);
      }
      store.endRow();
    }
    expect(store.chunkCount).toBeGreaterThan(3);
    let mismatches = 0;
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) if (!Object.is(store.value(j, r), cell(r, j))) mismatches++;
    expect(mismatches).toBe(0);
    // Dense: 4 bytes a cell. The last, unfinished chunk stays dense (at most 4 MiB); the others hold their non-zeros.
    expect(store.valueBytes).toBeLessThan(rows * cols * 4 / 4);
  });

  it('keeps a chunk dense where most cells are not 0 (stored pairs would take more)', () => {
    const cols = 100, rows = 30_000;
    const store = new ColumnStore(Array.from({ length: cols }, (_, j) => `x${j}`), new Array(cols).fill(1), -1);
    for (let r = 0; r < rows; r++) {
      store.beginRow();
      for (let j = 0; j < cols; j++) store.number(j, (r + j) % 3);
      store.endRow();
    }
    expect(store.valueBytes).toBe(store.chunkCount * store.chunkRows * cols * 4);
    expect(store.value(7, rows - 1)).toBe((rows - 1 + 7) % 3);
  });
});
