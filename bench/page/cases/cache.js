// In-memory caches: get/set speed with short string keys, and hit ratios of a read-through
// cache on several traces, apiscope's Cache (apiscope/cache: S3-FIFO by default, and its exact
// LRU) beside lru-cache at the same capacity.
import { Cache, initialize } from "/js/cache/index.js";
import { seededRandom } from "/demo/random.mjs";
import { compare, freshCopy, mapValues, row } from "../harness.js";
import { zipfTrace } from "../data.js";

const PEERS = ["lru-cache", "apiscope (lru)"];

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

/** The contestants; `ttlMs` gives every entry a deadline (then each get reads the clock). */
function adapters(peers, ttlMs) {
  const ttl = ttlMs === undefined ? {} : { ttlMs };
  return [
    adapter("apiscope", (max) => new Cache({ maxEntries: max, ...ttl }), (c) => c.free()),
    adapter("apiscope (lru)", (max) => new Cache({ maxEntries: max, policy: "lru", ...ttl }), (c) => c.free()),
    adapter("lru-cache", (max) => new peers.LRUCache({ max, ...(ttlMs === undefined ? {} : { ttl: ttlMs }) }), () => {}),
  ];
}

const keyNames = (n) => Array.from({ length: n }, (_, i) => `k${i}`);

async function speed(caches, { keys: n, passes }, schedule, label = "") {
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
  // Sets into a full cache of half the keys: every set a miss that evicts.
  const evicting = caches.map((a) => ({
    name: a.name,
    setup: () => a.create(n >> 1),
    run: (c) => a.setAll(c, keys, passes),
    teardown: (c) => a.free(c),
  }));
  const perSecond = (result) => mapValues(result.wall, (ms) => ops / (ms / 1000));
  const common = { unit: "ops/s", better: "higher", peers: PEERS };
  const held = { ...common, note: `${n} distinct keys, all held` };
  if (label) {
    return [
      row({ metric: `get (hit)${label}`, values: perSecond(await compare(gets, schedule)), ...held }),
      row({ metric: `set${label}`, values: perSecond(await compare(sets, schedule)), ...held }),
    ];
  }
  return [
    row({ metric: "get (hit)", values: perSecond(await compare(gets, schedule)), ...held }),
    row({ metric: "set", values: perSecond(await compare(sets, schedule)), ...held }),
    row({
      metric: "set, evicting",
      values: perSecond(await compare(evicting, schedule)),
      ...common,
      note: `${n} keys round robin through ${n >> 1} entries`,
    }),
  ];
}

/**
 * The traces, each `requests` key indices: Zipf; Zipf with scans (a fifth of the requests are
 * runs of keys never seen again: a crawler, a one-off report); uniform; a loop slightly larger
 * than the cache (LRU's worst case); and a working set that drifts (recency matters most).
 */
function traces({ requests, universe, capacity, s }) {
  const zipf = zipfTrace(requests, universe, s, 42);
  const scan = new Uint32Array(requests);
  const zipfForScan = zipfTrace(requests, universe, s, 7);
  let fresh = universe;
  for (let i = 0, j = 0; i < requests; i++) scan[i] = i % 50_000 < 10_000 ? fresh++ : zipfForScan[j++];
  const next = seededRandom(3);
  const uniform = Uint32Array.from({ length: requests }, () => Math.floor(next() * universe));
  const loop = Uint32Array.from({ length: requests }, (_, i) => i % Math.round(capacity * 1.1));
  const drift = seededRandom(5);
  const window = capacity >> 1;
  const drifting = Uint32Array.from({ length: requests }, (_, i) => Math.floor(i / 1000) * (window / 50) + Math.floor(drift() * window));
  return [
    [`Zipf s=${s}`, zipf, `${requests} requests over ${universe} keys`],
    [`Zipf s=${s} with scans`, scan, `a fifth of the requests in runs of one-time keys`],
    ["uniform", uniform, `${requests} requests over ${universe} keys`],
    ["loop", loop, `keys 0..${Math.round(capacity * 1.1) - 1} in turn`],
    ["drifting working set", drifting, `${window} keys at a time, moving ${window / 50} every 1000 requests`],
  ];
}

/** Read-through on each trace: get, and set on a miss. Deterministic, so run once each. */
function hitRatios(caches, config) {
  const keys = keyNames(Math.max(config.universe * 2, config.requests / 5 + config.universe));
  return traces(config).map(([name, trace, about]) => {
    const values = Object.fromEntries(
      caches.map((a) => {
        const c = a.create(config.capacity);
        let hits = 0;
        for (let i = 0; i < trace.length; i++) {
          const key = keys[trace[i]] ?? `k${trace[i]}`;
          if (c.get(key) !== undefined) hits++;
          else c.set(key, 1);
        }
        a.free(c);
        return [a.name, hits / trace.length];
      }),
    );
    return row({
      metric: `hit ratio, ${name}`,
      unit: "ratio",
      better: "higher",
      values,
      peers: PEERS,
      note: `${about}, capacity ${config.capacity}`,
    });
  });
}

export default async function cacheCase({ cache, schedule }, { peers }) {
  await initialize();
  const caches = adapters(peers);
  const withTtl = await speed(adapters(peers, 60_000), cache, schedule, ", every entry with a TTL");
  return [...(await speed(caches, cache, schedule)), ...withTtl, ...hitRatios(caches, cache.zipf)];
}
