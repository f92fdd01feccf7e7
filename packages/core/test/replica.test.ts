import { describe, expect, it } from 'vitest';
import { createReplica, mergeReplica, pullReplica } from '../src/replica.ts';

describe('parameter replicas', () => {
  it('a merge adds each worker\'s own change to the shared values and hands back the sum', () => {
    const shared = Float32Array.from([1, 2, 3, 4]);
    const a = createReplica(shared), b = createReplica(shared);
    a.params[0] += 0.5; a.params[2] -= 1;
    b.params[0] += 0.25; b.params[3] += 2;
    mergeReplica(shared, a);
    expect([...shared]).toEqual([1.5, 2, 2, 4]);
    expect([...a.params]).toEqual([...shared]);
    mergeReplica(shared, b);
    expect([...shared]).toEqual([1.75, 2, 2, 6]);
    expect([...b.params]).toEqual([1.75, 2, 2, 6]);
    // a has not merged since: its copy is stale until its next merge or pull.
    expect([...a.params]).toEqual([1.5, 2, 2, 4]);
    pullReplica(shared, a);
    expect([...a.params]).toEqual([1.75, 2, 2, 6]);
    expect([...a.snapshot]).toEqual([1.75, 2, 2, 6]);
  });
  it('a merge with no change leaves the shared values exactly as they are', () => {
    const shared = Float32Array.from([0.1, -3e-8, 7]);
    const r = createReplica(shared);
    const before = Float32Array.from(shared);
    mergeReplica(shared, r);
    expect(shared).toEqual(before);
  });
});
