// Runs contestants `{ name, setup?, run, teardown? }` in alternating rounds (A B A B ...) after
// warm-up rounds, so drift in machine load hits every contestant alike. Only `run` is timed;
// `setup` returns the state `run` and `teardown` get.

/** Main-thread CPU time so far (ms), from the runner's CDP binding; NaN when opened by hand. */
async function mainThreadMs() {
  return typeof window.mainThreadMs === "function" ? window.mainThreadMs() : NaN;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Returns `{ wall, main, added }`: `wall` and `main` map each contestant's name to its median
 * ms per round, `wall` by the page clock and `main` by the page's main-thread CPU time; `added`
 * holds the same two tables for what each contestant adds to the first one, the median of
 * their differences round by round (a round's contestants run back to back, so a slow spell
 * of the machine cancels out in each difference instead of shifting one contestant's median).
 */
export async function compare(contestants, { rounds, warmup }) {
  const wall = Object.fromEntries(contestants.map((c) => [c.name, []]));
  const main = Object.fromEntries(contestants.map((c) => [c.name, []]));
  for (let round = -warmup; round < rounds; round++) {
    for (const c of contestants) {
      const state = await c.setup?.();
      const main0 = await mainThreadMs();
      const t0 = performance.now();
      await c.run(state);
      const t1 = performance.now();
      const main1 = await mainThreadMs();
      await c.teardown?.(state);
      if (round < 0) continue;
      wall[c.name].push(t1 - t0);
      main[c.name].push(main1 - main0);
    }
  }
  const medians = (table) => Object.fromEntries(Object.entries(table).map(([k, v]) => [k, median(v)]));
  const base = contestants[0].name;
  const differences = (table) => mapValues(table, (v) => v.map((ms, round) => ms - table[base][round]));
  return {
    wall: medians(wall),
    main: medians(main),
    added: { wall: medians(differences(wall)), main: medians(differences(main)) },
  };
}

/** Maps each value of `table` through `f`. */
export function mapValues(table, f) {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [k, f(v, k)]));
}

/**
 * One table row. `values` maps contestant names to figures; `apiscope` names the one every
 * peer is divided by, and `peers` the others shown (default: every name not starting with
 * "apiscope").
 */
export function row({ metric, unit, better, values, apiscope = "apiscope", peers, note }) {
  const names = peers || Object.keys(values).filter((n) => !n.startsWith("apiscope"));
  return {
    metric,
    unit,
    better,
    apiscope: values[apiscope],
    peers: Object.fromEntries(names.map((n) => [n, values[n]])),
    ...(note ? { note } : {}),
  };
}

/**
 * A separately compiled copy of `fn`, which must not close over anything: each copy keeps its
 * own type feedback, so one loop shared by several contestants stays monomorphic in each.
 */
export const freshCopy = (fn) => new Function(`return (${fn})`)();
