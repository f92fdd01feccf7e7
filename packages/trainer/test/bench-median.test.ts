import { describe, expect, it } from 'vitest';
import { medianReached } from '../src/bench/bench.ts';

describe('medianReached (time and samples to the target over the repeats)', () => {
  it('counts a repeat that never reached the target as slower than every other', () => {
    expect(medianReached([3, 1, 2])).toBe(2);
    expect(medianReached([1.2, null, 1.0])).toBe(1.2);
    expect(medianReached([5, 1, 2, 3, 4, 6, null])).toBe(4);
  });

  it('is null once the median falls on a repeat that never reached it (half of them or more)', () => {
    expect(medianReached([1, null, null])).toBeNull();
    expect(medianReached([1, 2, null, null])).toBeNull();
    expect(medianReached([null])).toBeNull();
    expect(medianReached([])).toBeNull();
    expect(medianReached([1, 2, 3, null])).toBe(2.5);
  });
});
