// A storage quota that fills up, for real: the runner shrinks this page's quota to 3 MB. Writes
// that hit it free space by retention (at most half of what is stored is kept) and retry once;
// the newest samples are all kept, quota errors are counted, and nothing throws but a batch
// that cannot fit at all.
import { assert, storageQuota, test } from "./lib/harness.js";
import { openStore } from "/js/engine/store.js";
import { deleteDb, pageErrors, retentionPolicy, uniqueName } from "./lib/store-fixtures.js";

storageQuota(3_000_000);

const ROUTES = Array.from({ length: 50 }, (_, i) => `GET /api/r${i}`);

/** One batch of `n` samples starting at `t0`, 0.01 ms apart, as the engine would hand it over. */
function round(id, t0, n) {
  const start = new Float64Array(n).map((_, i) => t0 + i * 0.01);
  return {
    id,
    start,
    duration: new Float64Array(n).map((_, i) => 1 + (i % 997)),
    status: new Uint16Array(n).fill(200),
    ok: new Uint8Array(n).fill(1),
    bytes: new Float64Array(n).map((_, i) => (i * 7919) % 65_536),
    routeId: new Uint32Array(n).map((_, i) => i % ROUTES.length),
    routes: ROUTES,
    ttfb: new Float64Array(n).map((_, i) => (i % 13) / 4),
    flags: new Uint8Array(n).map((_, i) => i % 16),
  };
}

const count = async (store, from, to) =>
  (await store.readRange(from, to)).reduce((n, r) => n + r.start.filter((t) => t >= from && t <= to).length, 0);

test("a full quota costs the oldest history, never the newest samples", async () => {
  const name = uniqueName("quota");
  const store = await openStore(name, { policy: retentionPolicy() });
  const base = Date.now() - 3_600_000;
  const rounds = 40;
  const perRound = 20_000;
  const failures = [];
  for (let r = 0; r < rounds; r++) {
    await store.putBatches([round(`round-${String(r).padStart(2, "0")}`, base + r * 1000, perRound)]).catch((e) => failures.push(e.message));
  }
  const stats = store.stats();
  assert.deepEqual(failures, []);
  assert.ok(stats.quotaErrors > 0, `quota was hit: ${JSON.stringify(stats)}`);
  assert.deepEqual(store.state(), { storage: "persistent" });
  const stored = await count(store, -Infinity, Infinity);
  assert.ok(stored < rounds * perRound, `retention freed space (${stored} kept)`);
  assert.equal(await count(store, base + (rounds - 1) * 1000, Infinity), perRound, "the newest round is complete");
  assert.equal(await count(store, -Infinity, base + 1000), 0, "the oldest round went first");
  store.close();
  await deleteDb(name);
});

test("a batch that cannot fit even after retention fails with a quota error, and the store goes on", async () => {
  const name = uniqueName("quota-too-big");
  const store = await openStore(name, { policy: retentionPolicy() });
  await store.putBatches([round("small", Date.now(), 1000)]);
  const before = store.stats().quotaErrors;
  await assert.rejects(store.putBatches([round("huge", Date.now(), 200_000)]), Error, /^storage quota exceeded: /);
  assert.equal(store.stats().quotaErrors, before + 2, "the write and its one retry");
  assert.deepEqual(store.state(), { storage: "persistent" });
  await store.putBatches([round("after", Date.now() + 10, 1000)]);
  assert.deepEqual((await store.extents()).ids, ["after"]); // retention took "small" to make room
  store.close();
  await deleteDb(name);
});

test("nothing surfaced as an uncaught error or unhandled rejection", () => {
  assert.deepEqual(pageErrors(), []);
});
