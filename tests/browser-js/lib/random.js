// A seeded generator for property tests, so that a failure names a seed that reproduces it.

/** Floats in [0, 1) from a 32-bit xorshift seeded with `seed`. */
export function random(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
