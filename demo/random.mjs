// Seeded randomness for the demo API, so a run with the same seed and request order serves the
// same latencies and errors (tests can then assert figures against the configured table).

/** mulberry32: tiny, fast, good enough for simulated latency; returns floats in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box–Muller); `1 - rand()` keeps log() away from 0. */
function gaussian(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Draws one latency in ms from a distribution spec of the demo's route table:
 * - `{ kind: "normal", mean, sd }`
 * - `{ kind: "lognormal", median, sigma }`: long right tail (p99 ≈ median · e^(2.33σ))
 * - `{ kind: "pareto", min, alpha }`: heavier tail still; alpha ≤ 2 has infinite variance
 * - `{ kind: "mixture", parts: [{ weight, ...spec }] }`: e.g. cache hit vs miss
 * Any spec may set `max` (ms) to cut the tail so a demo request never hangs for minutes.
 * Never below 0.5 ms, so a "fast" route still takes a measurable time.
 */
export function drawLatency(spec, rand) {
  let ms;
  switch (spec.kind) {
    case "normal":
      ms = spec.mean + spec.sd * gaussian(rand);
      break;
    case "lognormal":
      ms = spec.median * Math.exp(spec.sigma * gaussian(rand));
      break;
    case "pareto":
      ms = spec.min / Math.pow(1 - rand(), 1 / spec.alpha);
      break;
    case "mixture": {
      let pick = rand();
      const part = spec.parts.find((p) => (pick -= p.weight) < 0) ?? spec.parts.at(-1);
      return drawLatency(part, rand);
    }
    default:
      throw new Error(`unknown latency kind ${spec.kind}`);
  }
  return Math.max(0.5, Math.min(spec.max ?? Infinity, ms));
}
