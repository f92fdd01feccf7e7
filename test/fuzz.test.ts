import { describe, expect, it } from 'vitest';
import { fuzz, READERS } from './fuzz/readers.ts';

describe('readers against mutated files', () => {
  it(`${READERS.length} readers × 150 seeded mutants (15 for images and Parquet) end in a one-line error of ours or a valid result, and none hangs`, async () => {
    const { escaped, total } = await fuzz(150, 1);
    const slow = READERS.filter((r) => r.slow).length;
    expect(total).toBe((READERS.length - slow) * 150 + slow * 15);
    expect(escaped).toEqual([]);
  });
});
