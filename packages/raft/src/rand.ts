// The core's only randomness (election jitter) comes from an injected source so that a
// simulation replays exactly from its seed.

/** Returns an integer in [0, n). */
export type RandomSource = (n: number) => number;

/** mulberry32: a small, fast, seedable PRNG (good enough for jitter and fault injection). */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const x = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return Math.floor(x * n);
  };
}
