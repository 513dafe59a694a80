// A storage quota that fills up: writes that hit it delete the oldest history (retention) and
// retry, the newest samples are all kept, quota errors are counted, and the page sees nothing.
// Chromium's DevTools protocol shrinks this origin's quota to a few megabytes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { launchBrowser, openPage, startServer, root } from "./harness.mjs";

let browser, server;
before(async () => {
  server = await startServer({ port: 0, mounts: [["/e2e/", path.join(root, "tests/e2e/pages")]] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("a full quota costs the oldest history, never the newest samples or the page", async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/e2e/blank.html`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url, quotaSize: 3_000_000 });
  const result = await page.evaluate(async () => {
    const { start } = await import("/js/index.js");
    const profiler = await start({ dbName: `e2e-quota-${Math.random()}`, instrument: false });
    const routes = Array.from({ length: 50 }, (_, i) => `/api/r${i}`);
    const base = Date.now() - 3_600_000;
    const rounds = 40;
    const perRound = 20_000;
    const flushErrors = [];
    for (let r = 0; r < rounds; r++) {
      const startTime = new Float64Array(perRound).map((_, i) => base + r * 1000 + i * 0.01);
      const durationMs = new Float64Array(perRound).map((_, i) => 1 + (i % 997));
      const routeIndex = new Uint32Array(perRound).map((_, i) => i % routes.length);
      profiler.recordMany({ durationMs, startTime, routes, routeIndex });
      await profiler.flush().catch((e) => flushErrors.push(e.message));
    }
    const count = async (range) => (await profiler.query(range)).reduce((s, row) => s + row.count, 0);
    const out = {
      stats: profiler.stats(),
      flushErrors,
      stored: await count({}),
      newest: await count({ from: base + (rounds - 1) * 1000 }),
      oldest: await count({ to: base + 1000 }),
      total: rounds * perRound,
      perRound,
    };
    await profiler.stop();
    return out;
  });
  assert.deepEqual(result.flushErrors, []);
  assert.ok(result.stats.quotaErrors > 0, `quota was hit: ${JSON.stringify(result.stats)}`);
  assert.equal(result.stats.storage, "persistent");
  assert.ok(result.stored < result.total, `retention freed space (${result.stored} kept)`);
  assert.equal(result.newest, result.perRound, "the newest round is complete");
  assert.equal(result.oldest, 0, "the oldest round went first");
  assert.deepEqual(page.errors, []);
  await page.close();
});
