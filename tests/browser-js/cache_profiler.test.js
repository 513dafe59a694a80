// A ResponseCache from apiscope/cache watched by the profiler: its hit rate drives
// `cacheHitRate` alerts (moved from tests/browser_profiler.rs, where the cache was Rust's).
import { start } from "/js/index.js";
import { initialize, ResponseCache } from "/js/cache/index.js";
import { assert, origins, sleep, test } from "./lib/harness.js";

test("a cold response cache (every answer a miss) fires a cacheHitRate rule", async () => {
  const dbName = `apiscope-test-cache-alert-${Math.random()}`;
  const profiler = await start({
    dbName,
    windows: { slotMs: 250 },
    alerts: [{ name: "cold-cache", metric: "cacheHitRate", below: 0.5, windowMs: 5000, minSamples: 3 }],
  });
  await initialize();
  const cache = new ResponseCache({ maxEntries: 10, ttlMs: 60_000 });
  assert.throws(() => profiler.watchCache({}), TypeError, "Profiler.watchCache: cache: must be a ResponseCache");
  profiler.watchCache(cache);
  const fired = [];
  profiler.on("alert", (e) => fired.push(e));
  for (let i = 0; i < 5; i++) await cache.fetch(`${origins.test}/delay/5?miss=${i}`);
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline && fired.length === 0) await sleep(100);
  assert.equal(fired.length, 1, JSON.stringify(fired));
  assert.equal(fired[0].metric, "cacheHitRate");
  assert.equal(fired[0].value, 0);
  await profiler.stop();
  indexedDB.deleteDatabase(dbName);
});
