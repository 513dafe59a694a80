// Databases and journals written by round 1 (the Rust store, schema versions 1 to 3, records
// without the round-2 columns, no span bound in `meta`) open, migrate and read losslessly.
import { assert, test } from "./lib/harness.js";
import { openStore } from "/js/engine/store.js";
import {
  T0,
  deleteDb,
  journalKeys,
  pageErrors,
  rawOpen,
  record,
  request,
  retentionPolicy,
  sample,
  samplesOf,
  uniqueName,
} from "./lib/store-fixtures.js";

/** Round 1's migrations (src/browser/idb_schema.rs), step v → v + 1. */
const ROUND1 = [
  (db) => {
    db.createObjectStore("batches", { keyPath: "id" }).createIndex("byStart", "minStart");
    db.createObjectStore("meta");
  },
  (db, tx) => tx.objectStore("batches").createIndex("byEnd", ["maxStart", "count"], { unique: false }),
  (db) => db.createObjectStore("alerts", { autoIncrement: true }).createIndex("byAt", "at"),
];

/** Round-1 records that overlap and straddle each other: a wide one, two narrow ones inside it. */
const round1Records = () => [
  record("0000000000000001-000000000000", [T0, T0 + 50_000, T0 + 99_000], { round1: true }),
  record("0000000000000001-000000000001", [T0 + 40_000, T0 + 41_000], { round1: true, seed: 3 }),
  record("0000000000000002-000000000000", [T0 + 60_000, T0 + 59_000, T0 + 70_000], { round1: true, seed: 5 }),
];

/** A database as round 1 left it at `version`, holding `records` (and an alert from v3 on). */
async function round1Database(name, version, records) {
  const db = await rawOpen(name, version, (db, tx, oldVersion) => {
    for (const step of ROUND1.slice(oldVersion, version)) step(db, tx);
  });
  const stores = version >= 3 ? ["batches", "alerts"] : ["batches"];
  const tx = db.transaction(stores, "readwrite");
  for (const r of records) tx.objectStore("batches").put(r);
  if (version >= 3) tx.objectStore("alerts").add({ at: T0 + 1, name: "round1", state: "fired" });
  await new Promise((resolve) => (tx.oncomplete = resolve));
  db.close();
}

for (const version of [1, 2, 3]) {
  test(`a round-1 version ${version} database opens, migrates to 3 and reads everything`, async () => {
    const name = uniqueName(`round1-v${version}`);
    const records = round1Records();
    await round1Database(name, version, records);
    const store = await openStore(name, { policy: retentionPolicy() });
    assert.deepEqual(store.state(), { storage: "persistent" });

    const read = await store.readRange(-Infinity, Infinity);
    assert.deepEqual(samplesOf(read), samplesOf([...records].sort((a, b) => a.minStart - b.minStart)));
    // Round-2 columns decode with their defaults.
    assert.ok(read.every((r) => r.ttfb.every((t) => t === -1) && r.flags.every((f) => f === 0)));
    assert.deepEqual((await store.extents()).ids.length, 3);

    // Paging a range that starts inside the wide batch: the span bound is computed once.
    const from = T0 + 45_000;
    const page = await store.readPage(null, 100, from, T0 + 65_000);
    const got = page.parts.flatMap((p) => Array.from(p.indices, (i) => sample(p.record, i)));
    const want = samplesOf(records).filter((s) => {
      const t = Number(s.split("|")[0]);
      return t >= from && t < T0 + 65_000;
    });
    assert.deepEqual(got.sort(), want.sort());
    assert.equal(got.length, 3);

    const db = await rawOpen(name);
    assert.equal(db.version, 3);
    assert.ok(db.transaction("batches").objectStore("batches").indexNames.contains("byEnd"));
    assert.equal(await request(db.transaction("meta").objectStore("meta").get("maxSpanMs")), 99_000);
    db.close();

    const alerts = await store.readAlerts(-Infinity, Infinity);
    assert.deepEqual(alerts.map((a) => a.name), version >= 3 ? ["round1"] : []);
    await store.putBatches([record("round2", [T0 + 200_000])]);
    assert.equal((await store.readRange(T0 + 150_000, Infinity)).length, 1);
    store.close();
    await deleteDb(name);
  });
}

test("a journal written by round 1 is replayed once", async () => {
  const name = uniqueName("round1-journal");
  const records = round1Records();
  // Round 1's Journal::write: one key per batch id, JSON with plain-array columns.
  for (const r of records) {
    const plain = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v) : v]));
    localStorage.setItem(`apiscope:journal:${name}:${r.id}`, JSON.stringify(plain));
  }
  const store = await openStore(name, { policy: retentionPolicy() });
  assert.equal(store.stats().journalReplayed, 3);
  assert.deepEqual(journalKeys(name), []);
  const read = await store.readRange(-Infinity, Infinity);
  assert.deepEqual(samplesOf(read), samplesOf([...records].sort((a, b) => a.minStart - b.minStart)));
  store.close();
  await deleteDb(name);
});

test("nothing surfaced as an uncaught error or unhandled rejection", () => {
  assert.deepEqual(pageErrors(), []);
});
