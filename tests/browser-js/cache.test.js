// `Cache` from apiscope/cache in real Chromium: order and eviction under both policies, TTL,
// the byte budget, Map key semantics, wrong types (TypeErrors naming method and parameter,
// state unchanged) and use after free(). The assertions of the former Rust browser tests
// (tests/browser_cache.rs) are here too, each kept.
import { Cache, initialize } from "/js/cache/index.js";
import { assert, sleep, test } from "./lib/harness.js";

await initialize();

const POLICIES = ["s3-fifo", "lru"];

/** Every figure of `stats()` but the policy's name. */
function figures(cache) {
  const { policy, ...rest } = cache.stats();
  return rest;
}

test("stores, evicts and reports (as tests/browser_cache.rs did), under both policies", () => {
  for (const policy of POLICIES) {
    const cache = new Cache({ maxEntries: 2, maxBytes: 100, policy });
    assert.equal(cache.set("a", "hello"), true);
    assert.equal(cache.set("b", 1.5), true);
    assert.equal(cache.get("a"), "hello");
    assert.equal(cache.set("c", {}), true); // evicts b: a was used, b was not
    assert.ok(cache.has("a") && !cache.has("b"), policy);
    assert.equal(typeof cache.peek("c"), "object");
    assert.equal(cache.set("big", "x", { bytes: 101 }), false);
    assert.equal(cache.get("nope"), undefined);
    assert.equal(cache.size, 2);
    const stats = cache.stats();
    for (const [name, expected] of [
      ["hits", 1],
      ["misses", 1],
      ["evictions", 1],
      ["rejected", 1],
      ["hitRate", 0.5],
      ["entries", 2],
    ]) {
      assert.equal(stats[name], expected, `${policy} ${name}`);
    }
    // "hello" is 10 bytes (2 per UTF-16 unit), a plain object a flat 64.
    assert.equal(stats.bytes, 74);
    assert.equal(stats.policy, policy);
    assert.ok(cache.delete("a") && !cache.delete("a"));
    cache.clear();
    assert.equal(cache.size, 0);
    cache.free();
  }
});

test("default sizes follow the documented estimate", () => {
  const bytesOf = (value) => {
    const cache = new Cache({ maxEntries: 2 });
    cache.set("k", value);
    const bytes = cache.stats().bytes;
    cache.free();
    return bytes;
  };
  const cases = [
    ["héllo", 10],
    [7, 8],
    [7n, 8],
    [true, 4],
    [null, 0],
    [undefined, 0],
    [new ArrayBuffer(12), 12],
    [new Uint16Array(5), 10],
    [new DataView(new ArrayBuffer(16), 4, 8), 8],
    [new Blob(["abc"]), 3],
    [[], 64],
    [() => {}, 64],
    [Symbol.for("s"), 64],
  ];
  for (const [value, bytes] of cases) assert.equal(bytesOf(value), bytes, String(typeof value));
});

test("a per-entry TTL expires in a cache without a default TTL", () => {
  const cache = new Cache({ maxEntries: 4 });
  cache.set("forever", 1);
  cache.set("now", 2, { ttlMs: 0 });
  assert.ok(!cache.has("now") && cache.peek("now") === undefined);
  assert.equal(cache.get("now"), undefined);
  assert.equal(cache.get("forever"), 1);
  assert.equal(cache.stats().expirations, 1);
});

test("TTL, then the stale window, then gone; has/peek agree with get", async () => {
  for (const policy of POLICIES) {
    // Deadlines far from the sleeps, so a slow machine cannot change the answers.
    const stale = new Cache({ maxEntries: 8, ttlMs: 50, staleWhileRevalidateMs: 60_000, policy });
    const gone = new Cache({ maxEntries: 8, ttlMs: 20, staleWhileRevalidateMs: 20, policy });
    stale.set("k", "v");
    gone.set("k", "v");
    gone.set("long", "L", { ttlMs: 60_000 });
    await sleep(100);
    assert.equal(stale.get("k"), "v", `${policy}: past its TTL, inside the stale window: served`);
    assert.ok(stale.has("k") && stale.peek("k") === "v");
    assert.ok(!gone.has("k") && gone.peek("k") === undefined, "past both: gone");
    assert.equal(gone.get("k"), undefined);
    assert.equal(gone.get("long"), "L");
    const s = gone.stats();
    assert.deepEqual([s.expirations, s.entries, s.hits, s.misses], [1, 1, 1, 1], policy);
    assert.equal(stale.stats().expirations, 0);
  }
});

test("a new entry sweeps expired ones at the eviction end", async () => {
  const cache = new Cache({ maxEntries: 100, ttlMs: 20 });
  for (let i = 0; i < 6; i++) cache.set(`old${i}`, i);
  await sleep(40);
  cache.set("new", 1, { ttlMs: 60_000 });
  assert.deepEqual([cache.size, cache.stats().expirations], [3, 4]);
});

test("the byte budget evicts others, refuses what alone exceeds it, and counts bytes", () => {
  for (const policy of POLICIES) {
    const cache = new Cache({ maxEntries: 10, maxBytes: 10, policy });
    cache.set("a", 1, { bytes: 4 });
    cache.set("b", 2, { bytes: 4 });
    cache.set("c", 3, { bytes: 4 }); // 12 > 10: a goes (oldest, unused)
    assert.ok(!cache.has("a") && cache.has("b") && cache.has("c"), policy);
    assert.equal(cache.stats().bytes, 8);
    assert.equal(cache.set("b", 9, { bytes: 11 }), false);
    assert.ok(!cache.has("b"), "an oversized update drops the older value");
    cache.set("c", 5, { bytes: 10 }); // grows in place to the whole budget
    const s = cache.stats();
    assert.deepEqual([s.evictions, s.rejected, s.bytes, s.entries], [1, 1, 10, 1], policy);
    assert.equal(cache.get("c"), 5);
  }
});

test("S3-FIFO keeps used keys through a scan of one-time keys; LRU does not", () => {
  const survivors = (policy) => {
    const cache = new Cache({ maxEntries: 10, policy });
    for (let round = 0; round < 3; round++) {
      for (let hot = 0; hot < 5; hot++) if (cache.get(hot) === undefined) cache.set(hot, round);
    }
    for (let cold = 100; cold < 120; cold++) cache.set(cold, 0);
    return [0, 1, 2, 3, 4].filter((hot) => cache.has(hot)).length;
  };
  assert.equal(survivors("s3-fifo"), 5);
  assert.equal(survivors("lru"), 0);
});

test("LRU lets the least recently used go, and a get makes a key recent", () => {
  const cache = new Cache({ maxEntries: 3, policy: "lru" });
  for (const k of ["a", "b", "c"]) cache.set(k, k);
  cache.get("a");
  cache.peek("b"); // peek does not count as a use
  cache.set("d", "d");
  assert.deepEqual(["a", "b", "c", "d"].map((k) => cache.has(k)), [true, false, true, true]);
  cache.set("c", "C"); // a set is a use too
  cache.set("e", "e");
  assert.deepEqual(["a", "c", "d", "e"].map((k) => cache.has(k)), [false, true, true, true]);
});

test("S3-FIFO: a key that comes back soon after eviction is admitted to stay", () => {
  const cache = new Cache({ maxEntries: 10 });
  for (let i = 0; i < 10; i++) cache.set(i, i);
  cache.set(10, 10); // 0 leaves the small queue unused: remembered as a ghost
  assert.ok(!cache.has(0));
  cache.set(0, 0); // back while remembered: straight to the main queue
  for (let i = 11; i < 40; i++) cache.set(i, i); // a scan of new keys
  assert.ok(cache.has(0), "the returning key outlived the scan");
  assert.ok(!cache.has(11), "the scan's own keys did not");
});

test("keys follow Map: numbers and strings apart, objects by identity, any value a key", () => {
  for (const policy of POLICIES) {
    const cache = new Cache({ maxEntries: 16, policy });
    const obj = {};
    const sym = Symbol("s");
    const keys = [42, "42", obj, sym, NaN, undefined, null, 0n, true, "", [], () => {}];
    keys.forEach((key, i) => assert.equal(cache.set(key, i), true));
    keys.forEach((key, i) => assert.equal(cache.get(key), i, `${policy} ${String(typeof key)}`));
    assert.equal(cache.get({}), undefined, "another object is another key");
    assert.equal(cache.get("NaN"), undefined);
    assert.equal(cache.get(-0) , undefined, "-0 is 0, and 0 is not a key here");
    cache.set(0, "zero");
    assert.equal(cache.get(-0), "zero", "as in Map, -0 and 0 are one key");
    assert.equal(cache.size, keys.length + 1);
    assert.ok(cache.delete(obj) && !cache.has(obj));
    assert.equal(cache.get(42), 0);
  }
});

test("invalidate drops string keys under a prefix only", () => {
  const cache = new Cache({ maxEntries: 8 });
  cache.set("/a/1", 1);
  cache.set("/a/2", 2);
  cache.set("/b/1", 3);
  cache.set(7, 4);
  assert.equal(cache.invalidate("/a/"), 2);
  assert.deepEqual([cache.has("/a/1"), cache.has("/b/1"), cache.has(7), cache.size], [false, true, true, 2]);
});

test("bad options are RangeErrors/TypeErrors naming method and option (as browser_cache.rs)", () => {
  const cases = [
    [{ maxEntries: 0 }, "maxEntries"],
    [{ maxEntries: 1.5 }, "maxEntries"],
    [{ maxEntries: 2, ttlMs: -1 }, "ttlMs"],
    [{ maxEntries: 2, maxBytes: -1 }, "maxBytes"],
    [{ maxEntries: 2, maxBytes: 0 }, "maxBytes"],
    [{ maxEntries: 2, staleWhileRevalidateMs: NaN }, "staleWhileRevalidateMs"],
    [{ maxEntries: 1 << 25 }, "maxEntries"],
    [{ maxEntries: 2, policy: "lfu" }, "policy"],
  ];
  for (const [options, name] of cases) {
    const error = assert.throws(() => new Cache(options), RangeError);
    assert.ok(error.message.startsWith(`new Cache: ${name}: `), error.message);
  }
  // A missing maxEntries and a misspelt option are TypeErrors naming the key.
  for (const [options, name] of [
    [{ ttlMs: 5 }, "maxEntries"],
    [{ maxEntries: 2, maxEntires: 2 }, "maxEntires"],
  ]) {
    const error = assert.throws(() => new Cache(options), TypeError);
    assert.ok(error.message.startsWith(`new Cache: ${name}: `), error.message);
  }
  const cache = new Cache({ maxEntries: 2 });
  const error = assert.throws(() => cache.set("k", 1, { bytes: -1 }), RangeError);
  assert.ok(error.message.startsWith("Cache.set: bytes: "), error.message);
  assert.ok(!cache.has("k"), "bad input leaves the cache untouched");
});

/** Values of every JS type but `except`'s, plus objects that fight back. */
function wrongValues(...except) {
  const throwing = Object.defineProperty({}, "x", { get() { throw new Error("getter"); } });
  const values = [undefined, null, 0, NaN, "s", true, 1n, Symbol("x"), [], () => {}, new Proxy({}, {}), throwing, new Date(0)];
  return values.filter((v) => !except.includes(v === null ? "null" : Array.isArray(v) ? "array" : typeof v));
}

test("every public method given wrong types: a TypeError naming it, state unchanged", () => {
  const type = (fn, pattern) => assert.throws(fn, TypeError, pattern);
  for (const bad of [undefined, null, 1, "x", true, 1n, Symbol("x"), [], () => {}]) {
    type(() => new Cache(bad), /^new Cache: options: must be an object/);
  }
  for (const option of ["maxEntries", "maxBytes", "ttlMs", "staleWhileRevalidateMs"]) {
    for (const bad of wrongValues("number", "undefined")) {
      type(() => new Cache({ maxEntries: 4, [option]: bad }), new RegExp(`^new Cache: ${option}: must be a number`));
    }
  }
  for (const bad of wrongValues("string", "undefined")) {
    type(() => new Cache({ maxEntries: 4, policy: bad }), /^new Cache: policy: must be a string/);
  }

  const cache = new Cache({ maxEntries: 4, maxBytes: 100 });
  cache.set("kept", 1);
  const before = JSON.stringify(figures(cache));
  for (const bad of [1, "x", true, 1n, Symbol("x"), [], () => {}]) {
    type(() => cache.set("k", 1, bad), /^Cache\.set: options: must be an object/);
  }
  type(() => cache.set("k", 1, { ttl: 5 }), /^Cache\.set: options\.ttl: unknown option/);
  for (const bad of wrongValues("number", "undefined")) {
    type(() => cache.set("k", 1, { ttlMs: bad }), /^Cache\.set: options\.ttlMs: must be a number/);
    type(() => cache.set("k", 1, { bytes: bad }), /^Cache\.set: options\.bytes: must be a number/);
  }
  for (const bad of wrongValues("string")) type(() => cache.invalidate(bad), /^Cache\.invalidate: prefix: must be a string/);
  for (const [bytes, ttlMs, field] of [
    [NaN, undefined, "bytes"],
    [Infinity, undefined, "bytes"],
    [1, -1, "ttlMs"],
    [1, NaN, "ttlMs"],
  ]) {
    assert.throws(() => cache.set("kept", 2, { bytes, ttlMs }), RangeError, new RegExp(`^Cache\\.set: ${field}: `));
  }
  assert.equal(JSON.stringify(figures(cache)), before, "nothing changed");
  assert.ok(!cache.has("k") && cache.get("kept") === 1);
  // Wrong `this`: a plain TypeError from the class, never a trap.
  type(() => Cache.prototype.get.call({}, "k"));
});

test("use after free() is a TypeError naming the method; free twice is fine; using disposes", () => {
  const cache = new Cache({ maxEntries: 2 });
  cache.set("k", 1);
  cache.free();
  cache.free();
  const calls = {
    get: () => cache.get("k"),
    has: () => cache.has("k"),
    peek: () => cache.peek("k"),
    set: () => cache.set("k", 1),
    delete: () => cache.delete("k"),
    invalidate: () => cache.invalidate("k"),
    clear: () => cache.clear(),
    size: () => cache.size,
    stats: () => cache.stats(),
  };
  for (const [name, call] of Object.entries(calls)) {
    assert.throws(call, TypeError, `Cache.${name}: this Cache was freed`);
  }
  let escaped;
  {
    using scoped = new Cache({ maxEntries: 2 });
    scoped.set("k", 1);
    escaped = scoped;
  }
  assert.throws(() => escaped.get("k"), TypeError, "Cache.get: this Cache was freed");
});

test("many caches growing wasm memory: every cache still reads its own columns", () => {
  const caches = [];
  const first = new Cache({ maxEntries: 64, ttlMs: 60_000 });
  for (let i = 0; i < 64; i++) first.set(i, i);
  for (let i = 0; i < 20; i++) caches.push(new Cache({ maxEntries: 20_000 })); // grows memory
  for (let i = 0; i < 64; i++) assert.equal(first.get(i), i);
  first.set(64, 64); // a full cache: one goes, through views rebuilt over the grown memory
  assert.equal(first.size, 64);
  assert.equal(first.stats().evictions, 1);
  for (const c of caches) c.free();
});
