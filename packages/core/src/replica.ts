/**
 * Replication for the TypeScript kernel, the same scheme as `sync`/`pull` in assembly/kernel.ts: a worker trains
 * on its own copy of the parameters and, every few samples, adds its change since the last merge into the shared
 * parameters (no locks), then takes the shared values, which hold the other workers' merged changes too.
 */
export interface Replica {
  /** The worker's working copy: give it to createNetwork. */
  readonly params: Float32Array;
  /** The shared values as of the last merge. */
  readonly snapshot: Float32Array;
}

export function createReplica(shared: Float32Array): Replica {
  return { params: Float32Array.from(shared), snapshot: Float32Array.from(shared) };
}

/** shared += replica − snapshot; replica = snapshot = shared. */
export function mergeReplica(shared: Float32Array, r: Replica): void {
  const p = r.params, s = r.snapshot;
  for (let i = 0; i < p.length; i++) {
    const merged = shared[i] + (p[i] - s[i]);
    shared[i] = merged;
    p[i] = shared[i];
    s[i] = p[i];
  }
}

/** replica = snapshot = shared (before an evaluation, or when the shared parameters were reset). */
export function pullReplica(shared: Float32Array, r: Replica): void {
  r.params.set(shared);
  r.snapshot.set(shared);
}
