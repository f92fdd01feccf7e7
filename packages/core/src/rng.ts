/**
 * Seeded random numbers: xoshiro128** (Blackman & Vigna, 2018), 32-bit state words,
 * seeded through splitmix32 so that nearby seeds give unrelated streams.
 * No hidden global state: every consumer owns its generator.
 */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform float in [0, 1) with 24 random bits (exact in float32). */
  nextFloat(): number;
  /** Uniform integer in [0, n), n ≤ 2^32 (Lemire's multiply-shift, rejection for exactness). */
  nextInt(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded xoshiro128** generator (state from splitmix32 of `seed`): the same seed gives the same draws everywhere. */
export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  if ((a | b | c | d) === 0) a = 1;
  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  return {
    nextU32,
    nextFloat: () => (nextU32() >>> 8) / 16777216,
    nextInt: (n: number): number => {
      // Rejection keeps the distribution exact: drop draws from the incomplete last block.
      const limit = 4294967296 - (4294967296 % n);
      let x = nextU32();
      while (x >= limit) x = nextU32();
      return x % n;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fisher–Yates shuffle of `out` in place with the given generator. */
export function shuffleInPlace(out: Uint32Array | Int32Array, rng: Rng): void {
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
}
