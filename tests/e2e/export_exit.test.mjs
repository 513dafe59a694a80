// Page exits with `start({ export })`: what was recorded since the last export goes with
// `keepalive` as the page goes away, and the collector counts it once: not again from the
// outbox at the next page while the collector was answering, and sent again by the next page
// when the keepalive failed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { allSamples, collectErrors, counted, env, receiver, sleep, until } from "./export_support.mjs";

async function openProfiled(page, db, service) {
  const query = new URLSearchParams({ db, service, url: `${env.otlp.origin}/v1/metrics` });
  await page.goto(`${env.server.url}/e2e/export_profiler.html?${query}`);
  await page.locator("#state", { hasText: "ready" }).waitFor();
}

/** Records `n` samples the app measured; returns how many the engine accepted in all. */
const recordOn = (page, n) =>
  page.evaluate((n) => {
    const durationMs = new Float64Array(n).map((_, i) => 1 + ((i * 7) % 400));
    window.profiler.recordMany({ durationMs, routes: ["/api/exit/a", "/api/exit/b"], routeIndex: new Uint32Array(n).map((_, i) => i % 2) });
    return window.profiler.stats().accepted;
  }, n);

for (const [how, collector] of [
  ["while the collector answers, it is sent once, at the exit", "up"],
  ["while the collector answers after the page is gone, it is still sent once", "slow"],
  ["while the collector fails, the next page sends it, once", "failing"],
]) {
  test(`samples recorded before navigating away: ${how}`, async () => {
    const db = `e2e-export-exit-${Math.random().toString(36).slice(2)}`;
    const service = `svc-${db}`;
    const page = collectErrors(await (await env.browser.newContext()).newPage());
    await openProfiled(page, db, service);
    await recordOn(page, 300);
    // One export first, so the exporter knows whether the collector answers.
    if (collector === "failing") await receiver("POST", "/__fail?ms=600000");
    await page.evaluate(() => window.profiler.exporter.flush());
    // Recorded after the last export: these go at the exit.
    const total = await recordOn(page, 200);
    if (collector === "slow") await receiver("POST", "/__slow?ms=3000");
    await page.goto(`${env.server.url}/e2e/blank.html`);
    if (collector === "failing") {
      assert.equal((await counted(service)).samples, 0, "nothing got through");
      await receiver("POST", "/__fail?ms=0");
    } else {
      // Sent at the exit, with keepalive.
      await until(async () => (await counted(service)).samples === total, 10_000, "the keepalive export");
    }
    await receiver("POST", "/__slow?ms=0");
    // The next page on the same outbox: nothing twice, nothing missing.
    await openProfiled(page, db, service);
    await page.evaluate(() => window.profiler.exporter.flush());
    await sleep(500);
    const got = await allSamples(service, total, 10_000);
    assert.equal(got.samples, total);
    assert.deepEqual(got.duplicates, []);
    const stats = await page.evaluate(() => window.profiler.stats().export);
    if (collector === "slow") assert.equal(stats.deliveredAtExit, 1, "the exit's body was taken as delivered");
    if (collector === "failing") assert.equal(stats.deliveredAtExit, 0);
    assert.deepEqual(page.errors, []);
    await page.evaluate(() => window.profiler.stop());
    await page.close();
  });
}

test("an exporting page still enters the back/forward cache while another tab waits to drain, and drains again when it comes back", async () => {
  // Playwright turns the back/forward cache off by default; this browser has it.
  const { chromium } = await import("playwright-core");
  const { CHROMIUM_ARGS } = await import("./harness.mjs");
  const cached = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
  });
  try {
    const context = await cached.newContext();
    const page = await context.newPage();
    const db = `e2e-export-bfcache-${Math.random().toString(36).slice(2)}`;
    const service = `svc-${db}`;
    await openProfiled(page, db, service);
    assert.equal(await page.evaluate(() => window.profiler.stats().export.drainer), true);
    // A second tab in line for the drain: a page holding the lock it waits for would be
    // evicted from the cache (or kept out of it).
    const other = await context.newPage();
    await openProfiled(other, db, service);
    assert.equal(await other.evaluate(() => window.profiler.stats().export.drainer), false);
    const before = await recordOn(page, 100);
    await page.evaluate(() => (window.stayed = true));
    // Chromium says why a page was not cached or was evicted.
    let why = "";
    const cdp = await context.newCDPSession(page);
    await cdp.send("Page.enable");
    cdp.on("Page.backForwardCacheNotUsed", (e) => (why = JSON.stringify(e.notRestoredExplanations)));
    await page.goto(`${env.server.url}/e2e/blank.html`);
    await page.goBack({ waitUntil: "commit" });
    await page.locator("#state", { hasText: "ready" }).waitFor();
    const restored = await page.evaluate(() => ({
      stayed: window.stayed === true,
      reasons: JSON.stringify(performance.getEntriesByType("navigation")[0]?.notRestoredReasons ?? null),
    }));
    assert.ok(restored.stayed, `not restored from the back/forward cache: ${why} ${restored.reasons}`);
    // The other tab took the drain over when this one left; this one waits in line now.
    assert.equal(await other.evaluate(() => window.profiler.stats().export.drainer), true);
    await other.evaluate(() => window.profiler.stop());
    await until(() => page.evaluate(() => window.profiler.stats().export.drainer), 5000, "the drain back");
    const total = await recordOn(page, 50);
    await page.evaluate(() => window.profiler.exporter.flush());
    const got = await allSamples(service, total, 10_000);
    assert.ok(before < total);
    assert.deepEqual([got.samples, got.duplicates], [total, []]);
  } finally {
    await cached.close();
  }
});

test("a hidden tab closes while the collector answers slowly: what it sent at the exit is not sent again", async () => {
  const db = `e2e-export-close-${Math.random().toString(36).slice(2)}`;
  const service = `svc-${db}`;
  const context = await env.browser.newContext();
  const page = collectErrors(await context.newPage());
  await openProfiled(page, db, service);
  await recordOn(page, 120);
  await page.evaluate(() => window.profiler.exporter.flush());
  const total = await recordOn(page, 80);
  await receiver("POST", "/__slow?ms=3000");
  // The user switches to another tab (this one is hidden: its marks go to IndexedDB), then
  // closes this one before the collector answers. Headless Chromium hides no tab, so the page
  // is told it is hidden as the browser would (its own listeners run).
  await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await sleep(300);
  await page.close({ runBeforeUnload: true });
  const next = collectErrors(await context.newPage());
  await until(async () => (await counted(service)).samples === total, 10_000, "the keepalive export");
  await receiver("POST", "/__slow?ms=0");
  await openProfiled(next, db, service);
  await next.evaluate(() => window.profiler.exporter.flush());
  await sleep(500);
  const got = await counted(service);
  assert.deepEqual([got.samples, got.duplicates], [total, []]);
  assert.equal(await next.evaluate(() => window.profiler.stats().export.deliveredAtExit), 1);
  assert.deepEqual(next.errors, []);
  await next.evaluate(() => window.profiler.stop());
  await context.close();
});
