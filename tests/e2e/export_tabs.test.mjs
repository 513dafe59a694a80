// Two tabs of one origin export to one collector through one shared outbox (issue 18): one of
// them drains it (Web Locks, or the lease in IndexedDB where Web Locks are missing), the other
// stores its bodies for it, and the receiver (tests/otlp/receiver.py, validating every body
// against the official protobuf schema) counts every sample exactly once, while the
// collector fails for a while and then recovers, and when the draining tab closes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { allSamples, collectErrors, env, receiver, sleep, until } from "./export_support.mjs";

/** A browser context (one origin's storage, as the tabs of one browser profile share it) with
 * `n` exporting tabs on the same outbox database. */
async function openTabs(n, { withoutWebLocks = false } = {}) {
  const context = await env.browser.newContext();
  if (withoutWebLocks) {
    await context.addInitScript(() => Object.defineProperty(navigator, "locks", { value: undefined }));
  }
  const dbName = `e2e-export-${Math.random().toString(36).slice(2)}`;
  const service = `svc-${dbName}`;
  const tabs = [];
  for (let i = 0; i < n; i++) {
    const page = collectErrors(await context.newPage());
    await page.goto(`${env.server.url}/e2e/export_tab.html`);
    await page.locator("#state", { hasText: "ready" }).waitFor();
    const url = `${env.otlp.origin}/v1/metrics`;
    await page.evaluate((o) => window.setup(o), { url, dbName, service, intervalMs: 1000 });
    tabs.push(page);
  }
  return { context, tabs, service };
}

const statsOf = (page) => page.evaluate(() => window.exportStats());
const recordOn = (page, n, tag) => page.evaluate(([n, tag]) => window.recordSamples(n, 4, tag), [n, tag]);

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
    const got = await allSamples(service, total);
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
    const got = await allSamples(service, total);
    assert.equal(got.samples, total);
    assert.deepEqual(got.duplicates, []);
    assert.deepEqual(other.errors, []);
    await context.close();
  });
}
