// `apiscope/cache` in Node (server-side rendering, unit tests): imported by its package name,
// so package.json's "node" condition picks js/node/cache.js, which reads the wasm from the
// package's files. Nothing here has a window, a document or Cache Storage.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startApiServer } from "./harness.mjs";
import { Cache, initialize, ResponseCache } from "apiscope/cache";

let api;
before(async () => {
  api = await startApiServer();
});
after(() => api?.close());

test("before initialize() the constructors say what to do", () => {
  assert.equal(typeof globalThis.window, "undefined");
  assert.throws(() => new Cache({ maxEntries: 1 }), /new Cache: apiscope\/cache is not loaded yet; call `await initialize\(\)`/);
  assert.throws(() => new ResponseCache({ maxEntries: 1 }), /new ResponseCache: apiscope\/cache is not loaded yet/);
});

test("Cache: policy, TTL, bytes and Map keys work in Node", async () => {
  await initialize();
  await initialize(); // idempotent
  const cache = new Cache({ maxEntries: 2, maxBytes: 100 });
  cache.set("a", "hello");
  cache.set(42, 1.5);
  cache.get("a");
  cache.set({}, {}); // evicts 42: "a" was used
  assert.ok(cache.has("a") && !cache.has(42) && !cache.has("42"));
  assert.deepEqual([cache.size, cache.stats().evictions, cache.stats().bytes], [2, 1, 74]);
  const ttl = new Cache({ maxEntries: 4, ttlMs: 20 });
  ttl.set("k", 1);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(ttl.get("k"), undefined);
  assert.equal(ttl.stats().expirations, 1);
  assert.throws(() => cache.set("k", 1, { bytes: "1" }), /^TypeError: Cache\.set: options\.bytes: must be a number/);
  cache.free();
  assert.throws(() => cache.get("a"), /Cache\.get: this Cache was freed/);
});

test("ResponseCache in Node: cached answers, savedMs, and no disk (it says so)", async () => {
  const results = [];
  const responses = new ResponseCache({
    maxEntries: 10,
    ttlMs: 60_000,
    persist: { maxBytes: 1 << 20 },
    onResult: (r) => results.push(r),
  });
  const url = `${api.origin}/cache/delayed/node-${Math.random()}?ms=50`;
  for (let i = 0; i < 3; i++) assert.equal((await (await responses.fetch(url)).json()).n, 1);
  assert.deepEqual(results.map((r) => r.outcome), ["miss", "hit", "hit"]);
  const stats = responses.stats();
  assert.ok(stats.savedMs > 0 && stats.routes[0].networkMs >= 50, JSON.stringify(stats.routes));
  assert.equal(stats.persisted.available, false, "no Cache Storage in Node: memory only");
  responses.free();
});
