// Random values of every JS type thrown at every public method of every npm entry ("." and its
// Profiler, "./sketch", "./cache", "./dashboard"): numbers of every kind, strings with lone
// surrogates, bigints, symbols, arrays with holes, typed arrays of the wrong kind or lying
// about their length, objects with throwing getters, proxies that throw on every trap,
// functions, instances of the wrong class, freed objects. Each call either works, throws a
// TypeError or RangeError naming its method, or throws the caller's own exception; never a
// wasm trap, and a call that throws leaves the object as it was. Afterwards every object still
// works. The method lists come from the prototypes (so a new method is fuzzed without a change
// here) and must equal the lists below (so a method that goes missing fails).
import { assert, note, origins, test } from "./lib/harness.js";
import { random } from "./lib/random.js";
import { start } from "/js/index.js";
import * as sketchEntry from "/js/sketch/index.js";
import * as cacheEntry from "/js/cache/index.js";

const { Sketch } = sketchEntry;
const { Cache, ResponseCache, LATENCY } = cacheEntry;
await sketchEntry.initialize();
await cacheEntry.initialize();
// The dashboard imports uPlot by its bare name; the test server serves it under /vendor/.
document.head.append(
  Object.assign(document.createElement("script"), {
    type: "importmap",
    textContent: JSON.stringify({ imports: { uplot: "/vendor/uplot/uPlot.esm.js" } }),
  }),
);
const dashboardEntry = await import("/js/dashboard.js");

const SEED = 20261202;

/** The public surface, as the type declarations give it: a method missing here or there fails. */
const EXPECTED = {
  Profiler: [
    "addAlert", "alerts", "breakdown", "clear", "exportOtlp", "flush", "free", "histogram", "measure", "on",
    "query", "record", "recordMany", "removeAlert", "rules", "samples", "slowCalls", "snapshot", "stats",
    "stop", "timeline", "watchCache", "[Symbol.dispose]",
  ],
  Sketch: [
    "buckets", "count", "free", "max", "mean", "merge", "min", "quantile", "quantiles", "record", "recordMany",
    "relativeError", "scale", "sum", "toBytes", "toOtlp", "[Symbol.dispose]",
  ],
  Cache: ["clear", "delete", "free", "get", "has", "invalidate", "peek", "set", "size", "stats", "[Symbol.dispose]"],
  ResponseCache: ["clear", "fetch", "free", "invalidate", "stats", "warm", "[Symbol.dispose]", "[Symbol(apiscope.cache.latency)]"],
};
/** Every option of `start()` (js/index.js KEYS). */
const START_OPTIONS = [
  "dbName", "batch", "retention", "windows", "alerts", "routes", "instrument", "sampleRate", "ignoreUrls", "graphql",
  "export", "persist", "load", "wasm", "historyWasm",
];
/** The Profiler's own machinery, on its prototype but not part of the API. */
const PROFILER_INTERNALS = [
  "applyRetention", "call", "contain", "fail", "flushDue", "guard", "ingest", "ingested", "live", "onPageExit", "report", "schedule",
  "scheduleNext", "startFlush", "stopTimers", "takeBatch", "takeBatches", "thrown", "tick", "write",
];
/** Keys of module-private symbols (internal protocols between the cache classes). */
const isPrivateSymbol = (key) => typeof key === "symbol" && key !== Symbol.dispose && key !== LATENCY;

/** How messages name a member: `ResponseCache.fetch`, `ResponseCache[LATENCY]`. */
const methodName = (name, member) => (member.startsWith("[Symbol(apiscope.cache.latency)") ? `${name}[LATENCY]` : `${name}.${member}`);

const label = (key) => (typeof key === "symbol" ? `[${key.description.startsWith("Symbol.") ? key.description : `Symbol(${key.description})`}]` : key);

/** Every public member of `Class.prototype` (methods and getters), by its label. */
function members(Class, internals = []) {
  const out = new Map();
  for (const key of Reflect.ownKeys(Class.prototype)) {
    if (key === "constructor" || isPrivateSymbol(key) || internals.includes(key)) continue;
    const d = Object.getOwnPropertyDescriptor(Class.prototype, key);
    out.set(label(key), { key, getter: typeof d.get === "function" });
  }
  return out;
}

/** The caller's own exception, thrown by its getters and traps. */
class Own extends Error {}
const own = () => {
  throw new Own("the caller's own");
};

/** Set when a value is a proxy: a trap may make the engine throw its own unnamed TypeError. */
let exotic = false;

/** Live and freed instances of every class, to pass where another class is expected. */
const pool = [];

/** A fresh random value of any kind per call; `pick` is the seeded generator. */
function valueMaker(pick, { huge = true } = {}) {
  const int = (n) => Math.floor(pick() * n);
  const one = (list) => list[int(list.length)];
  const NUMBERS = [
    0, -0, 1, -1, 0.5, 2, 3.5, 7, 10, 100, 200, 404, 999, 1000, 1e4, 65536, 2 ** 31, 2 ** 32, 2 ** 53, 1e300,
    Number.MAX_VALUE, 5e-324, -1e-9, NaN, Infinity, -Infinity, Date.now(), 1e15,
  ];
  const STRINGS = [
    "", "GET", "post", "FN", "/api/a", "/api/orders/:id", "/api/*", "**", "network", "cache", "worker", "unknown",
    "alert", "error", "flush", "resolved", "p50", "p95", "errorRate", "count", "mean", "s3-fifo", "lru", "abc",
    "x".repeat(300), "\ud800", "a\udc00b", "\udbff\udfff", "a\nb", "\0", "https://example.invalid/x", "relative/path",
    `${origins.test}/delay/0`, "1", "NaN", "__proto__", "constructor", "toString", "é中🙂",
  ];
  // Option names of every method, so that objects reach the checks past the first.
  const KEYS = [
    "windowMs", "stepMs", "delivery", "from", "to", "limit", "cursor", "route", "url", "method", "status",
    "durationMs", "startTime", "ok", "bytes", "routes", "routeIndex", "methods", "name", "metric", "above",
    "below", "minSamples", "cooldownMs", "maxEntries", "maxBytes", "ttlMs", "staleWhileRevalidateMs", "policy",
    "maxRelativeError", "maxBuckets", "persist", "onResult", "responseCache", "outcome", "savedMs", "signal",
    "body", "headers", "cache", "dbName", "batch", "retention", "windows", "alerts", "instrument", "sampleRate",
    "ignoreUrls", "graphql", "load", "maxSize", "maxAge", "slotMs", "retentionMs", "maxRoutes", "fetch", "xhr",
    "wasm", "historyWasm", "export", "resourceTiming", "intervalMs", "resource", "maxOutbox",
  ];
  const number = () => one(NUMBERS);
  const string = () => one(STRINGS);
  const proxy = (target) => {
    exotic = true;
    const trap = own;
    return new Proxy(target, {
      get: trap, set: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap,
      setPrototypeOf: trap, defineProperty: trap, deleteProperty: trap, apply: trap, construct: trap,
      isExtensible: trap, preventExtensions: trap,
    });
  };
  const lying = (Type, fill) => {
    // A subclass whose `length` (and an own `length`) lies: the glue must never trust it.
    class Liar extends Type {
      get length() {
        return 1;
      }
    }
    return pick() < 0.5 ? new Liar(64).fill(fill) : Object.defineProperty(new Type(64).fill(fill), "length", { get: () => 1 });
  };
  const shaped = () => {
    const o = {};
    for (let i = 0, n = 1 + int(3); i < n; i++) o[one(KEYS)] = value(0);
    return o;
  };
  // Valid arguments of each method with one or two fields made random (or dropped), to reach
  // the checks behind the first.
  const now = Date.now();
  const rule = { name: "r", metric: "p95", above: 100, windowMs: 60000, route: "/a", method: "GET", minSamples: 1, cooldownMs: 0 };
  const TEMPLATES = [
    () => ({ route: "/delay/:ms", durationMs: 5, method: "GET", status: 200, startTime: now, ok: true, bytes: 10 }),
    () => ({ url: `${origins.test}/delay/3`, durationMs: 5 }),
    () => ({ routes: ["/a", "/b"], durationMs: new Float64Array([1, 2]), routeIndex: new Uint32Array([0, 1]), status: new Uint16Array([200, 500]), startTime: new Float64Array([now, now]), methods: ["GET", "POST"] }),
    () => ({ ...rule }),
    () => ({ windowMs: 1000, stepMs: 100, delivery: "network" }),
    () => ({ from: 0, to: now, limit: 10, route: "/a" }),
    () => ({ maxEntries: 4, maxBytes: 1000, ttlMs: 100, staleWhileRevalidateMs: 10, policy: "lru" }),
    () => ({ ttlMs: 10, bytes: 5 }),
    () => ({ maxRelativeError: 0.01, maxBuckets: 160 }),
    () => ({ maxEntries: 4, routes: ["/delay/:ms"], persist: { maxBytes: 1e5, name: "fuzz" }, onResult: () => {} }),
    () => ({ instrument: false, batch: { maxSize: 10 }, windows: { slotMs: 1000, maxRoutes: 10 }, retention: { maxAgeMs: 1000 }, alerts: [{ ...rule }], routes: ["/a"], sampleRate: 0.5, dbName: `apiscope-fuzz-${Math.random()}` }),
    () => ({ url: `${origins.test}/delay/0`, method: "GET", outcome: "hit", durationMs: 3, status: 200, savedMs: 1 }),
  ];
  const nearly = () => {
    const o = one(TEMPLATES)();
    // Its fields and those of its nested objects, listed before any is replaced.
    const fields = [];
    for (const [key, inner] of Object.entries(o)) {
      fields.push([o, key]);
      if (inner && typeof inner === "object" && !ArrayBuffer.isView(inner)) for (const k of Object.keys(inner)) fields.push([inner, k]);
    }
    for (let i = 0, n = 1 + int(2); i < n; i++) {
      const [target, key] = one(fields);
      if (pick() < 0.15) delete target[key];
      else target[key] = value(0);
    }
    return o;
  };
  const kinds = [
    nearly, nearly, nearly, nearly, nearly, nearly, nearly, nearly,
    number, number, number,
    () => pick() * 2000 - 100,
    string, string, string,
    () => pick() < 0.5,
    () => null,
    () => undefined,
    () => Symbol("s"),
    () => one([0n, -1n, 2n ** 70n]),
    () => [],
    () => Array.from({ length: int(6) }, number),
    () => Array.from({ length: int(6) }, string),
    () => [1, "2", null, undefined, {}],
    () => [[1], [2]],
    () => [, , "hole"], // eslint-disable-line no-sparse-arrays
    () => (huge ? new Array(1e5) : []),
    () => Float64Array.from({ length: int(8) }, () => pick() * 100),
    () => new Float32Array([1, 2]),
    () => new Uint8Array(Array.from({ length: int(40) }, () => int(256))),
    () => new Uint16Array([200, 404, 70000]),
    () => new Uint32Array([0, 1, 2 ** 32 - 1]),
    () => new Int32Array([-1, 5]),
    () => new BigInt64Array(2),
    () => new Uint8ClampedArray(3),
    () => new DataView(new ArrayBuffer(8)),
    () => new ArrayBuffer(16),
    () => lying(Float64Array, 5),
    () => lying(Uint8Array, 1),
    () => lying(Uint16Array, 200),
    () => lying(Uint32Array, 0),
    () => ({}),
    shaped, shaped, shaped, shaped,
    () => ({ valueOf: own, toString: own, [Symbol.toPrimitive]: own }),
    () => Object.defineProperty({}, one(KEYS), { get: own, enumerable: true }),
    () => {
      const a = [1, 2, 3];
      Object.defineProperty(a, 1, { get: own });
      return a;
    },
    () => proxy({}),
    () => proxy([1, 2]),
    () => proxy(new Float64Array(2)),
    () => proxy(function f() {}),
    () => {
      exotic = true;
      const { proxy: p, revoke } = Proxy.revocable({}, {});
      revoke();
      return p;
    },
    () => () => 1,
    () => own,
    () => async () => 1,
    () => new Date(0),
    () => /api/,
    () => new Map([[1, 2]]),
    () => new Set(["a"]),
    () => new URL("https://example.invalid/"),
    () => new Request("https://example.invalid/r"),
    () => new Headers({ a: "b" }),
    () => document.createElement("div"),
    () => new Error("e"),
    () => Promise.resolve(1),
    () => (pool.length === 0 ? null : one(pool)),
    () => (pool.length === 0 ? null : one(pool)),
  ];
  function value(depth = 1) {
    const kind = kinds[int(kinds.length)];
    return depth === 0 && kind === shaped ? {} : kind();
  }
  return value;
}

/**
 * Calls `fn()` (awaiting a promise it returns) and sorts the outcome into `seen`; anything but
 * success, a TypeError/RangeError naming `method`, the caller's own or an `allowed(error)` is
 * listed in `problems` (a trap also in `seen.traps`). Returns whether the call threw.
 */
async function attempt(seen, problems, method, fn, allowed = () => false) {
  seen.calls++;
  try {
    const result = fn();
    if (result && typeof result.then === "function" && !(result instanceof Response)) await result;
    seen.ok++;
    return { threw: false, result };
  } catch (error) {
    const what = `${method}: ${error && error.name}: ${error && error.message}`.slice(0, 300);
    if (error instanceof WebAssembly.RuntimeError) {
      seen.traps++;
      problems.push(`TRAP ${what}`);
    } else if (error instanceof Own) {
      seen.own++;
    } else if ((error instanceof TypeError || error instanceof RangeError) && (exotic || error.message.startsWith(`${method}: `))) {
      seen[error instanceof TypeError ? "typeErrors" : "rangeErrors"]++;
    } else if (allowed(error)) {
      seen.allowed++;
    } else {
      seen.wrong++;
      problems.push(`WRONG ${what}`);
    }
    return { threw: true, error };
  }
}

const tally = () => ({ calls: 0, ok: 0, typeErrors: 0, rangeErrors: 0, own: 0, allowed: 0, traps: 0, wrong: 0 });
const totals = tally();

/** Fuzzes `count` calls of the members of `Class` on `target`, checking `state()` after throws. */
async function fuzzMembers({ name, Class, internals, target, perMember, seed, state, allowed, skip = [], options, ran = () => false }) {
  const found = members(Class, internals);
  assert.deepEqual([...found.keys()].sort(), [...EXPECTED[name]].sort(), `${name}'s public members`);
  const names = [...found.keys()].filter((n) => !skip.includes(n));
  const count = perMember * names.length;
  const pick = random(seed);
  const value = valueMaker(pick, options);
  const seen = tally();
  const problems = [];
  for (let i = 0; i < count; i++) {
    const member = names[Math.floor(pick() * names.length)];
    const { key, getter } = found.get(member);
    exotic = false;
    const args = Array.from({ length: Math.floor(pick() * 4) }, () => value());
    const before = state();
    const method = methodName(name, member);
    const { threw, error } = await attempt(seen, problems, method, () => (getter ? target[key] : target[key](...args)), (e) => allowed?.(member, e));
    if (threw && !(error instanceof WebAssembly.RuntimeError) && !ran(member, error)) {
      const after = state();
      if (after !== before) problems.push(`STATE ${method} changed it after ${error && error.name}: ${error && error.message}`.slice(0, 300));
    }
  }
  report(name, seen, problems);
}

/** Constructors and static methods: `calls` is `{ label: (value) => result }`; results are freed. */
async function fuzzCalls(name, calls, count, seed, allowed, options) {
  const pick = random(seed);
  const value = valueMaker(pick, options);
  const labels = Object.keys(calls);
  const seen = tally();
  const problems = [];
  for (let i = 0; i < count; i++) {
    const call = labels[Math.floor(pick() * labels.length)];
    exotic = false;
    // A label may say how the call is made: `start(shaped)` is still `start`.
    const { result } = await attempt(seen, problems, call.replace(/\(.*\)$/, ""), () => calls[call](value, pick), (e) => allowed?.(call, e));
    await settle(result);
  }
  report(name, seen, problems);
}

/** Releases what a successful call made. */
async function settle(made) {
  if (made === undefined || made === null || typeof made !== "object") return;
  if (typeof made.then === "function") return settle(await made);
  if (typeof made.unmount === "function") made.unmount();
  if (typeof made.stop === "function" && typeof made.snapshot === "function") {
    await made.stop().catch(() => {});
  }
  if (typeof made.free === "function") made.free();
}

function report(name, seen, problems) {
  for (const [k, v] of Object.entries(seen)) totals[k] += v;
  note(`${name}: ${JSON.stringify(seen)}`);
  for (const p of problems.slice(0, 12)) note(`  ${p}`);
  assert.equal(problems.length, 0, `${name}: ${problems.length} problems, first: ${problems.slice(0, 5).join(" | ")}`);
}

// ───────────────────────────── the entries ─────────────────────────────

const freedSketch = () => {
  const s = new Sketch();
  s.free();
  return s;
};
const freedCache = () => {
  const c = new Cache({ maxEntries: 4 });
  c.free();
  return c;
};

test("apiscope/sketch: every member, random values", async () => {
  pool.push(new Sketch(), freedSketch(), Object.create(Sketch.prototype));
  await fuzzCalls("Sketch statics", {
    "new Sketch": (v) => new Sketch(v()),
    "Sketch.fromBytes": (v) => Sketch.fromBytes(v()),
    initialize: (v) => sketchEntry.initialize(v()),
  }, 1500, SEED, (call, e) => e.constructor === Error && e.message.startsWith("Sketch.fromBytes: bytes: does not decode: "));
  const sketch = new Sketch();
  sketch.recordMany([1, 2, 3, 1000]);
  await fuzzMembers({
    name: "Sketch",
    Class: Sketch,
    target: sketch,
    perMember: 1000,
    seed: SEED + 1,
    state: () => Array.from(sketch.toBytes()).join(","),
    skip: ["free", "[Symbol.dispose]"],
  });
  // It still records, its quantiles survive a round trip through bytes, and a new sketch's
  // median of 1..1000 is within the error bound.
  const count = sketch.count;
  for (let i = 1; i <= 1000; i++) sketch.record(i);
  assert.equal(sketch.count, count + 1000);
  assert.equal(sketch.quantile(1), sketch.max);
  const fresh = new Sketch();
  for (let i = 1; i <= 1000; i++) fresh.record(i);
  const p50 = fresh.quantile(0.5);
  assert.ok(Math.abs(p50 - 500) / 500 <= fresh.relativeError + 1e-9, `p50 of 1..1000 is ${p50}`);
  const copy = Sketch.fromBytes(sketch.toBytes());
  assert.deepEqual(Array.from(copy.quantiles([0, 0.5, 0.99, 1])), Array.from(sketch.quantiles([0, 0.5, 0.99, 1])));
  fresh.free();
  copy.free();
  sketch.free();
});

test("apiscope/cache: every member of Cache and ResponseCache, random values", async () => {
  pool.push(new Cache({ maxEntries: 8 }), freedCache(), Object.create(Cache.prototype));
  await fuzzCalls("Cache constructors", {
    "new Cache": (v) => new Cache(v()),
    "new ResponseCache": (v) => new ResponseCache(v()),
    initialize: (v) => cacheEntry.initialize(v()),
  }, 2000, SEED + 2);

  const cache = new Cache({ maxEntries: 64, maxBytes: 1e6, ttlMs: 60_000 });
  for (let i = 0; i < 20; i++) cache.set(`k${i}`, { i });
  await fuzzMembers({
    name: "Cache",
    Class: Cache,
    target: cache,
    perMember: 1000,
    seed: SEED + 3,
    state: () => JSON.stringify(cache.stats()),
    skip: ["free", "[Symbol.dispose]"],
  });
  // It still gets and sets.
  assert.equal(cache.set("after", 42), true);
  assert.equal(cache.get("after"), 42);
  assert.equal(cache.has("after"), true);

  const responses = new ResponseCache({ maxEntries: 32, ttlMs: 60_000 });
  pool.push(responses);
  const url = `${origins.test}/delay/0?n=7`;
  await (await responses.fetch(url)).text();
  // fetch and warm fail as `fetch` fails for the same input (a network error is a TypeError).
  const asFetch = (member, e) => (member === "fetch" || member === "warm") && (e instanceof TypeError || e?.name === "AbortError");
  await fuzzMembers({
    name: "ResponseCache",
    Class: ResponseCache,
    target: responses,
    perMember: 300, // fetches are real requests
    seed: SEED + 4,
    state: () => {
      const s = responses.stats();
      return JSON.stringify([s.entries, s.bytes, s.routes.length]);
    },
    allowed: asFetch,
    skip: ["free", "[Symbol.dispose]"],
    options: { huge: false }, // warm() of 100k holes would be 100k real fetches
  });
  const hits = responses.stats().hits;
  const again = await responses.fetch(url);
  assert.equal(again.status, 200);
  await again.text();
  assert.ok(responses.stats().hits >= hits, "the response cache still answers");
});

test("apiscope: start() options and every Profiler member, random values", async () => {
  // The options start() knows are the list above: it names them when refusing an unknown one.
  const refusal = await start({ notAnOption: 1 }).catch((e) => e);
  const known = /expected one of (.*)\)$/.exec(refusal.message)?.[1].split(", ");
  assert.deepEqual(known?.sort(), [...START_OPTIONS].sort(), refusal.message);
  // Checked before anything loads (the fuzzing below finds the engine loaded, which then
  // ignores `wasm`).
  for (const wasm of [5, null, true, Symbol("w"), () => "/x.wasm"]) await assert.rejects(start({ wasm }), TypeError, "start: wasm: must be ");
  await fuzzCalls("start", {
    start: (v) => start(v()),
    // Shaped like the options, to get past the top level.
    "start(shaped)": (v, pick) => {
      const keys = [...START_OPTIONS];
      return start({ instrument: false, dbName: `apiscope-fuzz-${Math.random()}`, [keys[Math.floor(pick() * keys.length)]]: v() });
    },
  }, 1500, SEED + 5, (call, e) => e instanceof WebAssembly.CompileError /* a `wasm` source that is not wasm */, { huge: false });

  const db = `apiscope-fuzz-${Math.random()}`;
  const profiler = await start({ dbName: db, routes: ["/delay/:ms"], instrument: { xhr: false } });
  pool.push(profiler);
  const internal = [];
  profiler.on("error", (e) => {
    if (e.context === "internal") internal.push(e.message);
  });
  profiler.record({ route: "/delay/:ms", durationMs: 5 });
  const Profiler = Object.getPrototypeOf(profiler).constructor;
  await fuzzMembers({
    name: "Profiler",
    Class: Profiler,
    internals: PROFILER_INTERNALS,
    target: profiler,
    perMember: 1000,
    seed: SEED + 6,
    state: () => {
      const s = profiler.stats();
      return JSON.stringify([s.state, s.accepted, s.buffered, s.dropped, s.overflow, profiler.rules().length]);
    },
    skip: ["stop", "free", "[Symbol.dispose]"],
    // measure(name, fn) records the call of an `fn` that threw, as it should.
    ran: (member, error) => member === "measure" && error instanceof Own,
  });
  assert.deepEqual(internal, [], "no internal failure");
  assert.equal(profiler.stats().state, "running");
  // It still records a real fetch to the test server.
  const before = profiler.stats().accepted;
  const response = await fetch(`${origins.test}/delay/1`);
  assert.equal(response.status, 200);
  await response.text();
  for (let i = 0; i < 200 && profiler.stats().accepted === before; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(profiler.stats().accepted, before + 1, "the instrumented fetch was recorded");
  const row = profiler.snapshot().find((r) => r.route.endsWith("/delay/:ms"));
  assert.ok(row && row.count >= 1, "its route has the fetch");

  // The dashboard, given random elements, profilers and options; then its cacheResult.
  await fuzzCalls("dashboard", {
    mountDashboard: (v) => dashboardEntry.mountDashboard(v(), v(), v()),
    "mountDashboard(element)": (v) => dashboardEntry.mountDashboard(document.body.appendChild(document.createElement("div")), v(), v()),
  }, 300, SEED + 7);
  const host = document.body.appendChild(document.createElement("div"));
  const dash = dashboardEntry.mountDashboard(host, profiler);
  await fuzzCalls("dashboard.cacheResult", { "dashboard.cacheResult": (v) => dash.cacheResult(v()) }, 500, SEED + 8);
  dash.unmount();

  await profiler.stop();
  profiler.free();
  note(`all entries: ${JSON.stringify(totals)}`);
  assert.equal(totals.traps, 0, "traps");
});

test("Profiler.recordMany reads typed arrays past a length that lies", async () => {
  const profiler = await start({ dbName: `apiscope-fuzz-liar-${Math.random()}`, instrument: false });
  class Liar extends Float64Array {
    get length() {
      return 1;
    }
  }
  const durationMs = new Liar(64).fill(5);
  profiler.recordMany({ routes: ["/liar"], durationMs });
  // All 64 (the glue, trusting `length`, would have copied 64 values into room for 1).
  assert.equal(profiler.stats().accepted, 64);
  const own = Object.defineProperty(new Uint16Array(64).fill(200), "length", { value: 1 });
  assert.throws(() => profiler.recordMany({ routes: ["/liar"], durationMs: new Float64Array(2), status: own }), RangeError, "Profiler.recordMany: ");
  assert.equal(profiler.stats().accepted, 64);
  await profiler.stop();
  profiler.free();
});

test("every member after free() throws a clear TypeError; free() twice is safe", async () => {
  const profiler = await start({ dbName: `apiscope-fuzz-freed-${Math.random()}`, instrument: false });
  const made = {
    Sketch: [Sketch, () => new Sketch()],
    Cache: [Cache, () => new Cache({ maxEntries: 4 })],
    ResponseCache: [ResponseCache, () => new ResponseCache({ maxEntries: 4 })],
    Profiler: [Object.getPrototypeOf(profiler).constructor, () => profiler, PROFILER_INTERNALS],
  };
  for (const [name, [Class, make, internals]] of Object.entries(made)) {
    for (const how of ["free", "[Symbol.dispose]"]) {
      const object = name === "Profiler" && how !== "free" ? await start({ dbName: `apiscope-fuzz-d-${Math.random()}`, instrument: false }) : make();
      const found = members(Class, internals);
      object[found.get(how).key]();
      object.free();
      object[Symbol.dispose]();
      for (const [member, { key, getter }] of found) {
        if (member === "free" || member === "[Symbol.dispose]") continue;
        let error;
        try {
          const result = getter ? object[key] : object[key]("/x", "/x");
          if (result && typeof result.then === "function") await result;
        } catch (e) {
          error = e;
        }
        const method = methodName(name, member);
        assert.ok(error instanceof TypeError, `${method} after ${how}: ${error ? `${error.name}: ${error.message}` : "no error"}`);
        assert.ok(/^\S+: this \w+ was freed/.test(error.message) && error.message.startsWith(`${method}: `), `${method} after ${how}: ${error.message}`);
      }
    }
  }
});
