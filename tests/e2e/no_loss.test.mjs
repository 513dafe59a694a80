// The no-loss contract across page exits: samples recorded and never flushed by the app are
// in IndexedDB after the page navigates away or reloads, exactly once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { launchBrowser, openPage, startServer, root } from "./harness.mjs";

let browser, server;
before(async () => {
  server = await startServer({
    port: 0,
    mounts: [["/e2e/", path.join(root, "tests/e2e/pages")]],
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function openRecorder(page, db) {
  await page.goto(`${server.url}/e2e/recorder.html?db=${db}`);
  await page.locator("#state", { hasText: "ready" }).waitFor();
}

// Records `n` samples in one bulk call and returns what the profiler says is buffered.
async function recordUnflushed(page, n) {
  return page.evaluate((n) => {
    const durationMs = new Float64Array(n).map((_, i) => 1 + (i % 500));
    window.profiler.recordMany({ durationMs, routes: ["/api/nav"] });
    return window.profiler.stats();
  }, n);
}

async function storedCount(page) {
  return page.evaluate(async () => {
    const rows = await window.profiler.query({});
    return rows.reduce((sum, row) => sum + row.count, 0);
  });
}

for (const [exit, leave] of [
  ["navigating to another page", (page) => page.goto(`${server.url}/`)],
  ["reloading", (page) => page.reload()],
]) {
  test(`every sample survives ${exit} without flush()`, async () => {
    const db = `e2e-no-loss-${Math.random()}`;
    const page = await openPage(browser);
    await openRecorder(page, db);
    const stats = await recordUnflushed(page, 5000);
    assert.equal(stats.buffered, 5000, "nothing was written before the page left");
    await leave(page);
    await openRecorder(page, db);
    assert.equal(await storedCount(page), 5000);
    // Reopening twice must not replay the journal again (exactly once).
    await page.reload();
    await openRecorder(page, db);
    assert.equal(await storedCount(page), 5000);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}
