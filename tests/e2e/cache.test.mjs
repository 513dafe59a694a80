// apiscope/cache where a test page alone cannot reach: the garbage collector (values the cache
// let go are really released, moved from tests/browser_cache.rs, which counted wasm-bindgen's
// externref table; caches never freed give their wasm memory back), a true page reload served
// from the persistent tier, and a storage quota too small for it (Chromium's DevTools protocol
// forces the collection and shrinks the quota).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { launchBrowser, openPage, startApiServer, startServer, root } from "./harness.mjs";

let browser, server, api;
before(async () => {
  server = await startServer({ port: 0, mounts: [["/e2e/", path.join(root, "tests/e2e/pages")]] });
  api = await startApiServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
});

async function blankPage() {
  const page = await openPage(browser);
  await page.goto(`${server.url}/e2e/blank.html`);
  const cdp = await page.context().newCDPSession(page);
  return { page, cdp };
}

async function serverCount(pathname) {
  const counts = await (await fetch(`${api.origin}/__counts`)).json();
  return counts[`GET ${pathname}`] ?? 0;
}

test("every value the cache lets go (evicted, replaced, cleared) is released", async () => {
  const { page, cdp } = await blankPage();
  await page.exposeFunction("collectGarbage", () => cdp.send("HeapProfiler.collectGarbage"));
  const live = await page.evaluate(async () => {
    const { Cache, initialize } = await import("/js/cache/index.js");
    await initialize();
    let finalized = 0;
    const registry = new FinalizationRegistry(() => finalized++);
    let made = 0;
    const value = () => {
      const v = {};
      registry.register(v, null);
      made++;
      return v;
    };
    // Live values after a full collection, once the registry has caught up.
    const liveCount = async (expected) => {
      for (let i = 0; i < 50; i++) {
        await window.collectGarbage();
        await new Promise((r) => setTimeout(r, 20));
        if (made - finalized === expected) break;
      }
      return made - finalized;
    };
    const counts = {};
    const cache = new Cache({ maxEntries: 100 });
    // 200 keys round robin through 100 slots: every set evicts.
    for (let i = 0; i < 500_000; i++) cache.set(`e${i % 200}`, value());
    counts.afterEvictions = await liveCount(100);
    // 50 keys set over and over: every set replaces, and every get hands out the same value.
    for (let i = 0; i < 500_000; i++) {
      const key = `r${i % 50}`;
      cache.set(key, value());
      if (typeof cache.get(key) !== "object") throw new Error("a get missed");
    }
    counts.size = cache.size;
    counts.afterReplacements = await liveCount(100);
    cache.clear();
    counts.afterClear = await liveCount(0);
    return counts;
  });
  assert.equal(live.afterEvictions, 100, "one live value per entry after evictions");
  assert.equal(live.size, 100);
  assert.equal(live.afterReplacements, 100, "one live value per entry after replacements");
  assert.equal(live.afterClear, 0, "clear releases every value");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("caches the app forgets to free() are released by the garbage collector", async () => {
  const { page, cdp } = await blankPage();
  await page.exposeFunction("collectGarbage", () => cdp.send("HeapProfiler.collectGarbage"));
  const mb = await page.evaluate(async () => {
    const { Cache, ResponseCache, initialize } = await import("/js/cache/index.js");
    const exports = await initialize();
    const settle = async () => {
      await window.collectGarbage();
      await new Promise((r) => setTimeout(r, 50)); // FinalizationRegistry callbacks run as tasks
    };
    // 40 caches of 200 000 entries (about 10 MB of wasm memory each), none freed by hand.
    for (let i = 0; i < 40; i++) {
      const cache = new Cache({ maxEntries: 200_000 });
      cache.set("k", i);
      new ResponseCache({ maxEntries: 1000 });
      await settle();
    }
    return exports.memory.buffer.byteLength / (1 << 20);
  });
  // Without the finalizer the memory would hold all 40 (400 MB); it holds a few at most.
  assert.ok(mb < 64, `wasm memory ${mb} MB`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the persistent tier serves a page reload from Cache Storage", async () => {
  const { page } = await blankPage();
  const pathname = `/cache/delayed/reload-${Math.random().toString(36).slice(2)}`;
  const target = `${api.origin}${pathname}?ms=200`;
  const open = (url) =>
    page.evaluate(async (url) => {
      const { initialize, ResponseCache } = await import("/js/cache/index.js");
      await initialize();
      const outcomes = [];
      const cache = new ResponseCache({
        maxEntries: 20,
        ttlMs: 60_000,
        persist: { maxBytes: 1 << 20, name: "e2e-reload" },
        onResult: (r) => outcomes.push(r.outcome),
      });
      const body = await (await cache.fetch(url)).json();
      for (let i = 0; i < 100 && cache.stats().persisted.writes + cache.stats().persisted.hits === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return { n: body.n, outcomes, stats: cache.stats() };
    }, url);
  const first = await open(target);
  assert.deepEqual([first.n, first.outcomes, first.stats.persisted.writes], [1, ["miss"], 1]);
  await page.reload();
  const second = await open(target);
  assert.equal(second.n, 1, "the body written before the reload");
  assert.deepEqual(second.outcomes, ["hit"]);
  assert.equal(second.stats.persisted.hits, 1);
  assert.ok(second.stats.savedMs > 0, `saved ${second.stats.savedMs} ms`);
  assert.equal(await serverCount(pathname), 1, "the reload made no request");
  await page.evaluate(() => caches.delete("e2e-reload"));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a quota too small for the persistent tier is contained and counted", async () => {
  const { page, cdp } = await blankPage();
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url, quotaSize: 2_000_000 });
  const result = await page.evaluate(async (origin) => {
    const { initialize, ResponseCache } = await import("/js/cache/index.js");
    await initialize();
    const cache = new ResponseCache({
      maxEntries: 100,
      ttlMs: 60_000,
      persist: { maxBytes: 50 << 20, name: "e2e-quota" },
    });
    const statuses = [];
    const run = Math.random().toString(36).slice(2);
    // 20 bodies of 500 KB: 10 MB for a 2 MB quota.
    for (let i = 0; i < 20; i++) {
      const response = await cache.fetch(`${origin}/cache/big/${run}-${i}?kb=500`);
      statuses.push(response.status, (await response.arrayBuffer()).byteLength);
    }
    const settled = () => {
      const p = cache.stats().persisted;
      return p.writes + p.quotaErrors + p.errors === 20;
    };
    for (let i = 0; i < 500 && !settled(); i++) await new Promise((r) => setTimeout(r, 20));
    // Every answer is still served from memory.
    const again = await cache.fetch(`${origin}/cache/big/${run}-19?kb=500`);
    const disk = await caches.open("e2e-quota");
    const onDisk = (await disk.keys()).length;
    const stats = cache.stats();
    await caches.delete("e2e-quota");
    return { statuses, stats, onDisk, againStatus: again.status };
  }, api.origin);
  const expected = Array.from({ length: 20 }, () => [200, 500 * 1024]).flat();
  assert.deepEqual(result.statuses, expected, "every fetch answered in full");
  const p = result.stats.persisted;
  assert.ok(p.quotaErrors > 0, `quota was hit: ${JSON.stringify(p)}`);
  assert.ok(p.writes > 0 && p.writes < 20, `some writes fit: ${JSON.stringify(p)}`);
  assert.equal(p.writes + p.quotaErrors, 20, `no other failure: ${JSON.stringify(p)}`);
  assert.equal(p.entries, result.onDisk, "the index holds what is on disk, no more");
  assert.equal(result.againStatus, 200);
  assert.equal(result.stats.hits, 1, "served from memory");
  assert.deepEqual(page.errors, []);
  await page.close();
});
