// In-memory caches: get/set speed with short string keys and the hit ratio on a Zipf trace,
// apiscope's Cache beside lru-cache at the same capacity.
import { compare, freshCopy, mapValues, row } from "../harness.js";
import { zipfTrace } from "../data.js";

function getAll(c, keys, passes) {
  let hits = 0;
  for (let p = 0; p < passes; p++) for (let i = 0; i < keys.length; i++) if (c.get(keys[i]) !== undefined) hits++;
  return hits;
}

function setAll(c, keys, passes) {
  for (let p = 0; p < passes; p++) for (let i = 0; i < keys.length; i++) c.set(keys[i], i);
}

// Each adapter gets its own compiled loops, so no call site sees both classes.
function adapter(name, create, free) {
  return { name, create, free, getAll: freshCopy(getAll), setAll: freshCopy(setAll) };
}

function adapters(wasm, peers) {
  return [
    adapter("apiscope", (max) => new wasm.Cache({ maxEntries: max }), (c) => c.free()),
    adapter("lru-cache", (max) => new peers.LRUCache({ max }), () => {}),
  ];
}

const keyNames = (n) => Array.from({ length: n }, (_, i) => `k${i}`);

async function speed(caches, { keys: n, passes }, schedule) {
  const keys = keyNames(n);
  const ops = n * passes;
  const filled = (a) => {
    const c = a.create(n);
    a.setAll(c, keys, 1);
    return c;
  };
  const gets = caches.map((a) => ({
    name: a.name,
    setup: () => filled(a),
    run: (c) => {
      if (a.getAll(c, keys, passes) !== ops) throw new Error(`${a.name}: a get missed`);
    },
    teardown: (c) => a.free(c),
  }));
  const sets = caches.map((a) => ({
    name: a.name,
    setup: () => a.create(n),
    run: (c) => a.setAll(c, keys, passes),
    teardown: (c) => a.free(c),
  }));
  const perSecond = (result) => mapValues(result.wall, (ms) => ops / (ms / 1000));
  const common = { unit: "ops/s", better: "higher", note: `${n} distinct keys, all held` };
  return [
    row({ metric: "get (hit)", values: perSecond(await compare(gets, schedule)), ...common }),
    row({ metric: "set", values: perSecond(await compare(sets, schedule)), ...common }),
  ];
}

/** Read-through on a Zipf trace: get, and set on a miss. Deterministic, so run once each. */
function hitRatio(caches, { requests, universe, capacity, s }) {
  const trace = zipfTrace(requests, universe, s, 42);
  const keys = keyNames(universe);
  const values = Object.fromEntries(
    caches.map((a) => {
      const c = a.create(capacity);
      let hits = 0;
      for (let i = 0; i < trace.length; i++) {
        const key = keys[trace[i]];
        if (c.get(key) !== undefined) hits++;
        else c.set(key, 1);
      }
      a.free(c);
      return [a.name, hits / trace.length];
    }),
  );
  return row({
    metric: `hit ratio, Zipf s=${s}`,
    unit: "ratio",
    better: "higher",
    values,
    note: `${requests} requests over ${universe} keys, capacity ${capacity}`,
  });
}

export default async function cacheCase({ cache, schedule }, { wasm, peers }) {
  const caches = adapters(wasm, peers);
  return [...(await speed(caches, cache, schedule)), hitRatio(caches, cache.zipf)];
}
