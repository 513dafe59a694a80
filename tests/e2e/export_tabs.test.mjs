// Two tabs of one origin export to one collector through one shared outbox (issue 18): one of
// them drains it (Web Locks, or the lease in IndexedDB where Web Locks are missing), the other
// stores its bodies for it, and the receiver (tests/otlp/receiver.py, validating every body
// against the official protobuf schema) counts every sample exactly once, while the
// collector fails for a while and then recovers, and when the draining tab closes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { launchBrowser, root, startServer } from "./harness.mjs";
import { startReceiver } from "../otlp/receiver.mjs";

let browser, server, otlp;
before(async () => {
  server = await startServer({ port: 0, mounts: [["/e2e/", path.join(root, "tests/e2e/pages")]] });
  otlp = await startReceiver();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await otlp?.close();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function receiver(method, pathAndQuery) {
  const response = await fetch(`${otlp.origin}${pathAndQuery}`, { method });
  return response.status === 204 ? null : response.json();
}

/** Polls `condition` every 100 ms until it is truthy or `ms` pass (a deadline, not a timing assertion). */
async function until(condition, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A browser context (one origin's storage, as the tabs of one browser profile share it) with
 * `n` exporting tabs on the same outbox database. */
async function openTabs(n, { withoutWebLocks = false } = {}) {
  const context = await browser.newContext();
  if (withoutWebLocks) {
    await context.addInitScript(() => Object.defineProperty(navigator, "locks", { value: undefined }));
  }
  const dbName = `e2e-export-${Math.random().toString(36).slice(2)}`;
  const service = `svc-${dbName}`;
  const tabs = [];
  for (let i = 0; i < n; i++) {
    const page = await context.newPage();
    page.errors = [];
    page.on("pageerror", (error) => page.errors.push(error.message));
    // The browser logs each failed export ("Failed to load resource: ... 503"); the collector
    // failing is the test's doing.
    page.on("console", (msg) => {
      if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) page.errors.push(msg.text());
    });
    await page.goto(`${server.url}/e2e/export_tab.html`);
    await page.locator("#state", { hasText: "ready" }).waitFor();
    const url = `${otlp.origin}/v1/metrics`;
    await page.evaluate((o) => window.setup(o), { url, dbName, service, intervalMs: 1000 });
    tabs.push(page);
  }
  return { context, tabs, service };
}

const statsOf = (page) => page.evaluate(() => window.exportStats());
const recordOn = (page, n, tag) => page.evaluate(([n, tag]) => window.recordSamples(n, 4, tag), [n, tag]);
const counted = (service) => receiver("GET", `/samples?service=${encodeURIComponent(service)}`);

/** Both tabs record for `rounds` rounds (their 1 s intervals export meanwhile), then flush
 * at the same moment; returns how many samples each tab's engine accepted. */
async function recordInBoth(tabs, rounds) {
  let accepted = [0, 0];
  for (let round = 0; round < rounds; round++) {
    accepted = await Promise.all(tabs.map((page, i) => recordOn(page, 150 + 10 * i, `tab${i}`)));
    await sleep(500);
  }
  await Promise.all(tabs.map((page) => page.evaluate(() => window.tab.exporter.flush())));
  return accepted;
}

const sum = (numbers) => numbers.reduce((a, b) => a + b, 0);

for (const withoutWebLocks of [false, true]) {
  const how = withoutWebLocks ? "the lease (no Web Locks)" : "Web Locks";
  test(`two tabs flushing at once through ${how}: every sample once while the collector fails, then recovers`, async () => {
    const { context, tabs, service } = await openTabs(2, { withoutWebLocks });
    const drainers = (await Promise.all(tabs.map(statsOf))).map((s) => s.drainer);
    assert.deepEqual(drainers.sort(), [false, true], "exactly one tab drains");
    await receiver("POST", "/__fail?ms=4000");
    const total = sum(await recordInBoth(tabs, 6));
    const got = await until(async () => {
      const c = await counted(service);
      return c.samples >= total && c;
    }, 60_000, `${total} samples`);
    assert.equal(got.samples, total);
    assert.deepEqual(got.duplicates, []);
    const stats = await Promise.all(tabs.map(statsOf));
    const sender = stats.find((s) => s.drainer);
    const other = stats.find((s) => !s.drainer);
    assert.ok(sender.requestsFailed > 0, "the collector failed first");
    assert.equal(sender.requestsSent, got.bodies);
    assert.deepEqual([other.requestsSent, other.requestsFailed], [0, 0], "the other tab never sent");
    for (const page of tabs) assert.deepEqual(page.errors, []);
    await context.close();
  });

  test(`through ${how}, the draining tab closes: the other takes over and sends what it stored`, async () => {
    const { context, tabs, service } = await openTabs(2, { withoutWebLocks });
    const stats = await Promise.all(tabs.map(statsOf));
    const drainer = tabs[stats.findIndex((s) => s.drainer)];
    const other = tabs[stats.findIndex((s) => !s.drainer)];
    // The collector is down while the drainer closes, so its keepalive sends at page hide fail
    // and what it had is left in the outbox.
    await receiver("POST", "/__fail?ms=600000");
    const [, otherAccepted] = await recordInBoth([drainer, other], 3);
    // Recorded after the last export: these go at page hide, into the outbox.
    const total = otherAccepted + (await recordOn(drainer, 40, "late"));
    await drainer.close({ runBeforeUnload: true });
    await until(async () => (await statsOf(other)).drainer, 30_000, "the other tab to take over");
    await receiver("POST", "/__fail?ms=0");
    await other.evaluate(() => window.tab.exporter.flush());
    const got = await until(async () => {
      const c = await counted(service);
      return c.samples >= total && c;
    }, 60_000, `${total} samples`);
    assert.equal(got.samples, total);
    assert.deepEqual(got.duplicates, []);
    assert.deepEqual(other.errors, []);
    await context.close();
  });
}
