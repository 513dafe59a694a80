// `ResponseCache` from apiscope/cache in real Chromium, against the counting test server
// (tests/server/routes/cache.mjs). Each test uses its own paths, so counts never mix. The
// assertions of the former Rust browser tests (tests/browser_cache.rs) are all here; new ones
// cover the time saved, the persistent tier reopened by a new instance, wrong types and free().
import { Cache, initialize, LATENCY, ResponseCache } from "/js/cache/index.js";
import { assert, origins, sleep, test, until } from "./lib/harness.js";

await initialize();

const url = (path) => `${origins.test}${path}`;
/** `path` with a per-run suffix: the server's counts outlive a test run. */
const unique = (path) => `${path}-${Math.random().toString(36).slice(2)}`;

async function serverCount(path) {
  const counts = await (await fetch(`${origins.test}/__counts`)).json();
  return counts[`GET ${path}`] ?? 0;
}

/** A cache with `ttlMs` and `staleWhileRevalidateMs`, recording every `onResult`. */
function responseCache(ttlMs, swrMs, extra = {}) {
  const results = [];
  const cache = new ResponseCache({
    maxEntries: 50,
    ttlMs,
    staleWhileRevalidateMs: swrMs,
    onResult: (info) => results.push(info),
    ...extra,
  });
  const take = () => results.splice(0).map((r) => r.outcome);
  return { cache, results, take };
}

/** `n` of the body: which request to the server produced this answer. */
async function nth(cache, path, init) {
  return (await (await cache.fetch(url(path), init)).json()).n;
}

async function echoed(cache, path, [name, value], field) {
  const answer = await (await cache.fetch(url(path), { headers: { [name]: value } })).json();
  return answer[field];
}

test("concurrent identical gets make one request", async () => {
  const { cache, take } = responseCache(60_000, 0);
  const path = unique("/cache/slow/dedup");
  const answers = await Promise.all(Array.from({ length: 5 }, () => cache.fetch(url(path))));
  for (const answer of answers) assert.equal((await answer.json()).n, 1);
  assert.equal(await serverCount(path), 1);
  assert.deepEqual(take(), ["miss", "miss", "miss", "miss", "miss"]);
  assert.equal(cache.stats().coalesced, 4);
});

test("every hit has a readable body", async () => {
  const { cache, take } = responseCache(60_000, 0);
  const path = unique("/cache/counted/hits");
  for (let i = 0; i < 4; i++) {
    const response = await cache.fetch(url(path));
    assert.equal(response.status, 200);
    assert.equal(response.url, url(path));
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal((await response.json()).n, 1);
  }
  assert.equal(await serverCount(path), 1);
  assert.deepEqual(take(), ["miss", "hit", "hit", "hit"]);
  const stats = cache.stats();
  assert.deepEqual([stats.hits, stats.misses], [3, 1]);
});

test("ttl and max-age expire entries", async () => {
  const { cache } = responseCache(150, 0);
  const path = unique("/cache/counted/ttl");
  assert.equal(await nth(cache, path), 1);
  assert.equal(await nth(cache, path), 1);
  await sleep(200);
  assert.equal(await nth(cache, path), 2);

  // max-age=1 caps the one-minute default.
  const { cache: capped } = responseCache(60_000, 0);
  const path2 = unique("/cache/counted/max-age");
  const withQuery = `${path2}?maxAge=1`;
  assert.equal(await nth(capped, withQuery), 1);
  assert.equal(await nth(capped, withQuery), 1);
  await sleep(1_100);
  assert.equal(await nth(capped, withQuery), 2);
  assert.equal(await serverCount(path2), 2);
});

test("no-store and non-GET bypass the cache", async () => {
  const { cache, take } = responseCache(60_000, 0);
  const path = unique("/cache/no-store/a");
  assert.equal(await nth(cache, path), 1);
  assert.equal(await nth(cache, path), 2);
  assert.deepEqual(take(), ["miss", "miss"]);

  const counted = unique("/cache/counted/request-no-store");
  for (let i = 0; i < 2; i++) await cache.fetch(url(counted), { cache: "no-store" });
  await cache.fetch(url(counted), { method: "POST", body: "x" });
  assert.deepEqual(take(), ["bypass", "bypass", "bypass"]);
  assert.equal(await serverCount(counted), 2);
  assert.equal(cache.stats().entries, 0);
});

test("different Authorization never shares an entry", async () => {
  const { cache, take } = responseCache(60_000, 0);
  const path = unique("/cache/whoami/a");
  for (const token of ["Bearer alice", "Bearer bob", "Bearer alice"]) {
    assert.equal(await echoed(cache, path, ["Authorization", token], "user"), token);
  }
  const anonymous = await (await cache.fetch(url(path))).json();
  assert.equal(anonymous.user, null);
  assert.deepEqual(take(), ["miss", "miss", "hit", "miss"]);
  assert.equal(await serverCount(path), 3);
});

test("Vary headers split entries", async () => {
  const { cache, take } = responseCache(60_000, 0);
  const path = unique("/cache/vary/lang");
  for (const lang of ["en", "fr", "en", "fr"]) {
    assert.equal(await echoed(cache, path, ["X-Lang", lang], "lang"), lang);
  }
  // The first answer teaches the cache the Vary names, so "en" is stored under its value.
  assert.deepEqual(take(), ["miss", "miss", "hit", "hit"]);
  assert.equal(await serverCount(path), 2);
});

test("errors reach every waiter and are not cached", async () => {
  const { cache, take } = responseCache(60_000, 0);
  const path = unique("/cache/fail/a");
  const calls = Array.from({ length: 3 }, () => cache.fetch(url(path)));
  for (const call of calls) await assert.rejects(call, TypeError); // the same error fetch gives
  assert.equal(await serverCount(path), 1);
  await assert.rejects(cache.fetch(url(path)), TypeError);
  assert.equal(await serverCount(path), 2, "a failure is never served from cache");
  assert.deepEqual(take(), ["error", "error", "error", "error"]);
});

test("stale-while-revalidate refreshes once", async () => {
  const { cache, take } = responseCache(100, 60_000);
  const path = unique("/cache/counted/swr");
  assert.equal(await nth(cache, path), 1);
  await sleep(150);
  // Three at once: all are looked up before the refresh can land.
  const stale = await Promise.all(Array.from({ length: 3 }, () => cache.fetch(url(path))));
  for (const answer of stale) assert.equal((await answer.json()).n, 1, "stale answer served at once");
  // Later answers are stale until the one refresh lands, then fresh from it.
  while ((await nth(cache, path)) < 2) await sleep(20);
  assert.equal(await serverCount(path), 2, "one refresh for every stale answer");
  const seen = take();
  assert.deepEqual(seen.slice(0, 4), ["miss", "stale", "stale", "stale"]);
  assert.equal(seen.at(-1), "hit");
  assert.equal(cache.stats().revalidations, 1);
});

test("warm preloads and invalidate drops", async () => {
  const { cache, take } = responseCache(60_000, 0);
  const path = unique("/cache/counted/warm");
  await cache.warm([url(path)]);
  assert.equal(await nth(cache, path), 1);
  assert.equal(cache.invalidate(`${origins.test}/cache/counted/wa`), 1);
  assert.equal(await nth(cache, path), 2);
  cache.clear();
  assert.equal(await nth(cache, path), 3);
  assert.deepEqual(take(), ["miss", "hit", "miss", "miss"]);
});

test("a throwing callback does not break fetch", async () => {
  const cache = new ResponseCache({
    maxEntries: 4,
    ttlMs: 1_000,
    onResult: () => {
      throw new Error("app bug");
    },
  });
  assert.equal(await nth(cache, unique("/cache/counted/throwing")), 1);
});

test("savedMs: each hit saves the route's measured network latency minus its own time", async () => {
  const { cache, results } = responseCache(60_000, 0, { routes: ["/cache/delayed/:name"] });
  const first = unique("/cache/delayed/a");
  const second = unique("/cache/delayed/b"); // the same route template
  await cache.fetch(url(`${first}?ms=200`));
  for (let i = 0; i < 3; i++) await cache.fetch(url(`${first}?ms=200`));
  await cache.fetch(url(`${second}?ms=200`));
  await cache.fetch(url(`${second}?ms=200`));
  const stats = cache.stats();
  // Cross-origin (the test server is not the page's origin): labelled with its origin.
  const route = stats.routes.find((r) => r.route === `${origins.test}/cache/delayed/:name`);
  assert.ok(route, JSON.stringify(stats.routes));
  assert.deepEqual([route.calls, route.hits], [2, 4]);
  // The server held each miss 200 ms, so the route's latency is at least that.
  assert.ok(route.networkMs >= 200, `network ${route.networkMs} ms`);
  const hits = results.filter((r) => r.outcome === "hit");
  const misses = results.filter((r) => r.outcome === "miss");
  assert.ok(misses.every((r) => r.savedMs === 0));
  // Each hit saved the route's latency so far (the first miss's network time: at least the
  // server's 200 ms, at most that miss's whole answer) minus the hit's own time.
  for (const hit of hits.slice(0, 3)) {
    const network = hit.savedMs + hit.durationMs;
    assert.ok(network >= 200 && network <= misses[0].durationMs + 1e-6, JSON.stringify([hit, misses[0]]));
  }
  for (const hit of hits) assert.ok(hit.savedMs > 0, JSON.stringify(hit));
  const sum = hits.reduce((s, r) => s + r.savedMs, 0);
  assert.ok(Math.abs(sum - route.savedMs) < 1e-6, `${sum} vs ${route.savedMs}`);
  assert.ok(Math.abs(stats.savedMs - route.savedMs) < 1e-6);
  // Exact against a figure handed over through LATENCY (a profiler's).
  cache[LATENCY]((method, u) => (method === "GET" && u.includes("/cache/delayed/") ? 1_000 : undefined));
  await cache.fetch(url(`${first}?ms=200`));
  const last = results.at(-1);
  assert.equal(last.outcome, "hit");
  assert.ok(Math.abs(last.savedMs - (1_000 - last.durationMs)) < 1e-9, JSON.stringify(last));
  // A throwing or unknown figure falls back to the cache's own.
  cache[LATENCY](() => {
    throw new Error("profiler bug");
  });
  await cache.fetch(url(`${first}?ms=200`));
  assert.ok(results.at(-1).savedMs > 0);
  cache[LATENCY](null);
});

test("persist: a new instance (as after a reload) answers from Cache Storage", async () => {
  const name = unique("apiscope-test");
  const path = unique("/cache/delayed/persisted");
  const options = { maxEntries: 20, ttlMs: 60_000, persist: { maxBytes: 1 << 20, name } };
  const first = new ResponseCache(options);
  assert.equal((await (await first.fetch(url(`${path}?ms=300`))).json()).n, 1);
  await until(() => first.stats().persisted.writes === 1, 5_000, "the write to disk");
  first.free();

  const outcomes = [];
  const second = new ResponseCache({ ...options, onResult: (r) => outcomes.push(r) });
  const answer = await second.fetch(url(`${path}?ms=300`));
  assert.equal(answer.status, 200);
  assert.equal(answer.url, url(`${path}?ms=300`));
  assert.equal(answer.headers.get("content-type"), "application/json");
  assert.equal((await answer.json()).n, 1, "served from disk");
  assert.equal(await serverCount(path), 1, "no second request");
  assert.equal(outcomes[0].outcome, "hit");
  assert.ok(outcomes[0].savedMs > 0, "the entry's own fetch time stands in for the route's");
  const persisted = second.stats().persisted;
  assert.deepEqual([persisted.available, persisted.hits, persisted.entries], [true, 1, 1]);
  // Promoted to memory: the next answer is a memory hit.
  await second.fetch(url(`${path}?ms=300`));
  assert.equal(second.stats().persisted.hits, 1);

  // invalidate and clear act on disk too.
  second.invalidate(url(path));
  const onDisk = async () => (await (await caches.open(name)).keys()).length;
  await until(async () => (await onDisk()) === 0, 5_000, "invalidated on disk");
  const third = new ResponseCache(options);
  assert.equal((await (await third.fetch(url(`${path}?ms=1`))).json()).n, 2, "invalidated on disk");
  await until(() => third.stats().persisted.writes === 1, 5_000, "the second write");
  third.clear();
  await until(async () => (await onDisk()) === 0, 5_000, "clear on disk");
  await caches.delete(name);
});

test("persist: never Authorization (unless opted in), never no-store; bounded by bytes", async () => {
  const name = unique("apiscope-test");
  const cache = new ResponseCache({ maxEntries: 20, ttlMs: 60_000, persist: { maxBytes: 4_000, name } });
  const secret = unique("/cache/whoami/secret");
  await cache.fetch(url(secret), { headers: { Authorization: "Bearer t" } });
  await cache.fetch(url(unique("/cache/no-store/n")));
  // A cross-origin no-cors answer is opaque: unreadable, so never kept anywhere.
  const opaque = await cache.fetch(`${origins.second}${unique("/cache/counted/opaque")}`, { mode: "no-cors" });
  assert.equal(opaque.type, "opaque");
  assert.equal(cache.stats().entries, 1, "only the authorized answer is in memory");
  // Three bodies of ~1.5 KB (+ 512 B each): the oldest goes to fit 4,000 bytes.
  const bigs = [1, 2, 3].map(() => unique("/cache/big/b"));
  for (const big of bigs) await cache.fetch(url(`${big}?kb=1`));
  const disk = await caches.open(name);
  const settled = async () => cache.stats().persisted.writes === 3 && (await disk.keys()).length === 2;
  await until(settled, 5_000, "three writes, one evicted");
  const stored = (await disk.keys()).map((r) => new URL(r.url).searchParams.get("k"));
  assert.ok(!stored.some((k) => k.includes("/cache/whoami/")), "no Authorization on disk");
  assert.ok(!stored.some((k) => k.includes("/cache/no-store/")), "no no-store on disk");
  assert.ok(stored.every((k) => !k.includes("Bearer")), "tokens never appear in keys");
  assert.ok(!stored.some((k) => k.includes("/cache/counted/opaque")), "no opaque answer on disk");
  assert.equal(stored.length, 2, JSON.stringify(stored));
  assert.ok(cache.stats().persisted.bytes <= 4_000);
  assert.equal(cache.stats().persisted.evictions, 1);
  assert.ok(!stored.some((k) => k.startsWith(url(bigs[0]))), "the first went");

  const opted = new ResponseCache({ maxEntries: 5, ttlMs: 60_000, persist: { maxBytes: 1 << 20, name: `${name}-auth`, authorized: true } });
  await opted.fetch(url(unique("/cache/whoami/opted")), { headers: { Authorization: "Bearer t" } });
  await until(() => opted.stats().persisted.writes === 1, 5_000, "an opted-in write");
  cache.free();
  opted.free();
  await caches.delete(name);
  await caches.delete(`${name}-auth`);
});

test("persist: after a reload a stale answer is served from disk at once and refreshed once", async () => {
  const name = unique("apiscope-test");
  const path = unique("/cache/counted/disk-swr");
  const options = { maxEntries: 20, ttlMs: 100, staleWhileRevalidateMs: 60_000, persist: { maxBytes: 1 << 20, name } };
  const first = new ResponseCache(options);
  assert.equal(await nth(first, path), 1);
  await until(() => first.stats().persisted.writes === 1, 5_000, "the write to disk");
  first.free();
  await sleep(150); // past its TTL, well inside the stale window
  const { cache: second, take } = responseCache(100, 60_000, { persist: options.persist });
  assert.equal(await nth(second, path), 1, "the stale answer, from disk");
  await until(async () => (await serverCount(path)) === 2, 5_000, "one background refresh");
  await until(() => second.stats().persisted.writes === 1, 5_000, "the refreshed answer on disk");
  assert.equal(await nth(second, path), 2, "then the refreshed answer, from memory");
  assert.deepEqual(take(), ["stale", "hit"]);
  assert.equal(second.stats().revalidations, 1);
  second.free();
  await caches.delete(name);
});

test("every public method given wrong types: a TypeError naming it, state unchanged", async () => {
  const type = (fn, pattern) => assert.throws(fn, TypeError, pattern);
  for (const bad of [undefined, null, 1, "x", true, 1n, Symbol("x"), [], () => {}]) {
    type(() => new ResponseCache(bad), /^new ResponseCache: options: must be an object/);
  }
  type(() => new ResponseCache({ maxEntries: 2, onResult: 1 }), /^new ResponseCache: onResult: must be a function/);
  type(() => new ResponseCache({ maxEntries: 2, persist: 1 }), /^new ResponseCache: persist: must be an object/);
  type(() => new ResponseCache({ maxEntries: 2, persist: {} }), /^new ResponseCache: persist\.maxBytes: must be a number/);
  type(() => new ResponseCache({ maxEntries: 2, persist: { maxBytes: 1, nme: "x" } }), /^new ResponseCache: persist\.nme: unknown option/);
  type(() => new ResponseCache({ maxEntries: 2, persist: { maxBytes: 1, name: 1 } }), /^new ResponseCache: persist\.name: must be a string/);
  type(() => new ResponseCache({ maxEntries: 2, persist: { maxBytes: 1, authorized: "yes" } }), /^new ResponseCache: persist\.authorized: must be a boolean/);
  type(() => new ResponseCache({ maxEntries: 2, routes: "/a" }), /^new ResponseCache: routes: must be an array/);
  type(() => new ResponseCache({ maxEntries: 2, routes: ["/a", 1] }), /^new ResponseCache: routes\[1\]: must be a string/);
  type(() => new ResponseCache({ maxEntries: "2" }), /^new ResponseCache: maxEntries: must be a number/);
  type(() => new ResponseCache({ ttlMs: 5 }), /^new ResponseCache: maxEntries: must be a number/);
  type(() => new ResponseCache({ maxEntries: 2, maxEntires: 2 }), /^new ResponseCache: maxEntires: unknown option/);
  for (const [options, field] of [
    [{ maxEntries: 0 }, "maxEntries"],
    [{ maxEntries: 1.5 }, "maxEntries"],
    [{ maxEntries: 2, ttlMs: -1 }, "ttlMs"],
    [{ maxEntries: 2, maxBytes: -1 }, "maxBytes"],
    [{ maxEntries: 2, routes: ["no-slash"] }, "routes\\[0\\]"],
    [{ maxEntries: 2, persist: { maxBytes: -1 } }, "persist\\.maxBytes"],
    [{ maxEntries: 2, persist: { maxBytes: 10, maxEntries: 0 } }, "persist\\.maxEntries"],
  ]) {
    assert.throws(() => new ResponseCache(options), RangeError, new RegExp(`^new ResponseCache: ${field}: `));
  }

  const { cache } = responseCache(60_000, 0);
  const path = unique("/cache/counted/types");
  await cache.fetch(url(path));
  const before = JSON.stringify(cache.stats());
  // fetch's own input errors, exactly as fetch gives them.
  for (const [input, init] of [[Symbol("x")], ["http://[bad"], [url(path), { method: "GET", body: "x" }], [url(path), 5]]) {
    const ours = await cache.fetch(input, init).then(() => null, (e) => e);
    const theirs = await fetch(input, init).then(() => null, (e) => e);
    assert.ok(ours instanceof TypeError && theirs instanceof TypeError, `${String(input)}: ${ours}`);
  }
  for (const bad of [1, null, undefined, 1n, Symbol("x"), {}, () => {}, "urls"]) {
    type(() => cache.warm(bad), /^ResponseCache\.warm: urls: must be an iterable of URLs/);
  }
  for (const bad of [1, null, undefined, {}, [], Symbol("x")]) {
    type(() => cache.invalidate(bad), /^ResponseCache\.invalidate: urlPrefix: must be a string/);
  }
  type(() => cache.invalidate("http://[bad"), /^ResponseCache\.invalidate: urlPrefix: must be a URL/);
  for (const bad of [1, "f", {}, undefined]) type(() => cache[LATENCY](bad), /^ResponseCache\[LATENCY\]: typical: must be a function/);
  const after = JSON.parse(JSON.stringify(cache.stats()));
  const earlier = JSON.parse(before);
  // Bad fetch input is still a call that fetch would fail: nothing else moved.
  assert.deepEqual([after.entries, after.hits, after.misses, after.bytes], [earlier.entries, earlier.hits, earlier.misses, earlier.bytes]);
  assert.equal(await nth(cache, path), 1, "the entry is still served");
});

test("use after free() is a TypeError naming the method; using disposes", async () => {
  const cache = new ResponseCache({ maxEntries: 2, ttlMs: 1_000 });
  cache.free();
  cache.free();
  await assert.rejects(cache.fetch(url("/ping")), TypeError, "ResponseCache.fetch: this ResponseCache was freed");
  for (const [name, call] of Object.entries({
    warm: () => cache.warm([]),
    invalidate: () => cache.invalidate("/"),
    clear: () => cache.clear(),
    stats: () => cache.stats(),
  })) {
    assert.throws(call, TypeError, `ResponseCache.${name}: this ResponseCache was freed`);
  }
  const disposable = new ResponseCache({ maxEntries: 2 });
  disposable[Symbol.dispose]();
  assert.throws(() => disposable.stats(), TypeError, "freed");
  // A Cache and a ResponseCache share one wasm part and never one another's memory.
  const plain = new Cache({ maxEntries: 2 });
  plain.set("k", 1);
  assert.equal(plain.get("k"), 1);
});
