// Seeded inputs, so every contestant and every run sees the same numbers.

// The same seeded generator as the demo API (the bench server serves demo/ too).
import { seededRandom as random } from "/demo/random.mjs";

function fill(n, seed, draw) {
  const next = random(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw(next);
  return out;
}

/** Latencies in ms, lognormal around `medianMs` (typical API calls). */
export function lognormal(n, seed, medianMs = 50, sigma = 1) {
  return fill(n, seed, (next) => {
    // Box-Muller; 1 - u keeps the log argument away from 0.
    const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    return medianMs * Math.exp(sigma * z);
  });
}

/** Latencies in ms with a heavy Pareto tail (the slow requests sketches exist for). */
export function pareto(n, seed, minMs = 5, alpha = 1.2) {
  return fill(n, seed, (next) => minMs / Math.pow(1 - next(), 1 / alpha));
}

/** Latencies spread evenly on a log scale over [loMs, hiMs]: every bucket of the range in use. */
export function logUniform(n, seed, loMs, hiMs) {
  const span = Math.log(hiMs / loMs);
  return fill(n, seed, (next) => loMs * Math.exp(span * next()));
}

/** `requests` key indices in [0, keys) drawn from Zipf(s) by inverse CDF. */
export function zipfTrace(requests, keys, s, seed) {
  const cdf = new Float64Array(keys);
  let total = 0;
  for (let k = 0; k < keys; k++) cdf[k] = total += 1 / Math.pow(k + 1, s);
  const next = random(seed);
  const trace = new Uint32Array(requests);
  for (let i = 0; i < requests; i++) {
    const u = next() * total;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    trace[i] = lo;
  }
  return trace;
}

/** The exact `q` quantile (nearest rank) of ascending `sorted`. */
export function exactQuantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
