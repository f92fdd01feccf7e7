import { describe, expect, it } from 'vitest';
import { fuzz, READERS } from './fuzz/readers.ts';

describe('readers against mutated files', () => {
  it(`${READERS.length} readers × 150 seeded mutants (15 for images) end in a one-line error of ours or a valid result, and none hangs`, async () => {
    const { escaped, total } = await fuzz(150, 1);
    expect(total).toBe(8 * 150 + 2 * 15);
    expect(escaped).toEqual([]);
  });
});
