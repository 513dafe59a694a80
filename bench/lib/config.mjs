// Input sizes and rounds per mode. Full mode fits well under 5 minutes on a 2-core machine;
// quick mode is a CI smoke run (under a minute) whose figures mean nothing.
export const MODES = {
  full: {
    schedule: { rounds: 7, warmup: 1 },
    sketch: { n: 1_000_000, queries: 5_000, mergeSources: 32, mergeN: 10_000, accuracyN: 200_000 },
    cache: {
      keys: 10_000,
      passes: 20,
      zipf: { requests: 1_000_000, universe: 100_000, capacity: 10_000, s: 0.9 },
    },
    store: { samples: 20_000 },
    // A round's figure scatters by ±1.5 ms (±3 µs per request) on a busy 2-core machine: more
    // rounds than the other cases, so that the medians hold to a fraction of a microsecond.
    instrumentation: { fetches: 500, rounds: 15 },
    startup: { loads: 5 },
  },
  quick: {
    schedule: { rounds: 2, warmup: 1 },
    sketch: { n: 10_000, queries: 100, mergeSources: 4, mergeN: 1_000, accuracyN: 10_000 },
    cache: {
      keys: 1_000,
      passes: 2,
      zipf: { requests: 20_000, universe: 5_000, capacity: 500, s: 0.9 },
    },
    store: { samples: 1_000 },
    instrumentation: { fetches: 20 },
    startup: { loads: 1 },
  },
};

/** The cases the page runs, in report order. */
export const PAGE_CASES = ["sketch", "cache", "store", "instrumentation"];
/** The cases node drives itself (bundles and fresh browser contexts), after the page's. */
export const NODE_CASES = ["size", "startup"];
