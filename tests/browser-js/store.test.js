// The store against Chromium's real IndexedDB: tests/browser_store.rs moved to JS, plus storage
// recovery, persist(), corrupt records and alert history.
import { assert, test, until } from "./lib/harness.js";
import { openStore, Store } from "/js/engine/store.js";
import {
  T0,
  batches,
  blockedStore,
  deleteDb,
  pageErrors,
  rawOpen,
  rawRecords,
  record,
  retentionPolicy,
  sample,
  samplesOf,
  total,
  uniqueName,
} from "./lib/store-fixtures.js";

const open = (name, options = {}) => openStore(name, { policy: retentionPolicy(), ...options });

async function storedSamples(store) {
  const e = await store.extents();
  return e.counts.reduce((a, b) => a + b, 0);
}

function assertMemoryOnly(store, reasonStart) {
  const state = store.state();
  assert.equal(state.storage, "memory", `expected memory-only, got ${JSON.stringify(state)}`);
  assert.ok(state.reason.startsWith(reasonStart), state.reason);
}

/** Every sample read page by page at `limit`. */
async function pageAll(store, limit, from, to) {
  const out = [];
  let cursor = null;
  do {
    const page = await store.readPage(cursor, limit, from, to);
    assert.ok(page.count <= limit);
    for (const { record: r, indices } of page.parts) for (const i of indices) out.push(sample(r, i));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

test("100 000 samples round-trip exactly", async () => {
  const name = uniqueName("100k");
  const store = await open(name);
  assert.deepEqual(store.state(), { storage: "persistent" });
  const written = batches(100_000, 1000, 1);
  for (const b of written) await store.putBatches([b]);
  assert.equal(await storedSamples(store), 100_000);
  const read = await store.readRange(0, Number.MAX_VALUE);
  assert.equal(read.length, 100);
  assert.deepEqual(samplesOf(read), samplesOf(written));
  // What is in IndexedDB itself, read over another connection.
  assert.deepEqual(samplesOf((await rawRecords(name)).sort((a, b) => a.minStart - b.minStart)), samplesOf(written));
  // Paging with a limit that straddles batches returns each sample once, in order.
  assert.deepEqual(await pageAll(store, 7777), samplesOf(written));
  // A time window returns just the overlapping batches.
  assert.equal((await store.readRange(T0 + 999.5, T0 + 1499.5)).length, 2);
  store.close();
  await deleteDb(name);
});

test("history survives reopening, replayed batches do not duplicate, clear() empties", async () => {
  const name = uniqueName("reopen");
  const written = batches(2500, 500, 2);
  const first = await open(name);
  await first.putBatches(written);
  await first.putBatches(written.slice(0, 2)); // replayed: overwrites
  first.close();
  const store = await open(name);
  assert.equal(await storedSamples(store), 2500);
  assert.deepEqual(samplesOf(await store.readRange(0, Infinity)), samplesOf(written));
  await store.clear();
  assert.equal(await storedSamples(store), 0);
  assert.deepEqual(await store.readRange(-Infinity, Infinity), []);
  store.close();
  await deleteDb(name);
});

test("retention by age and by count, decided by the policy", async () => {
  const name = uniqueName("retention");
  // Ten batches of 100, one per second of history.
  const written = Array.from({ length: 10 }, (_, i) => batches(100, 100, i, T0 + i * 1000)).flat();
  const byAge = await open(name, { policy: retentionPolicy(4500, Infinity) });
  await byAge.putBatches(written);
  // Newest sample of batch i starts at T0 + 1000 i + 49.5; the cutoff is T0 + 5000.
  assert.equal(await byAge.applyRetention(T0 + 9500), 500);
  assert.equal(await storedSamples(byAge), 500);
  byAge.close();
  const byCount = await open(name, { policy: retentionPolicy(Infinity, 250) });
  assert.equal(await byCount.applyRetention(T0), 300);
  const kept = await byCount.readRange(-Infinity, Infinity);
  assert.equal(kept.length, 2);
  assert.equal(kept[0].minStart, T0 + 8000);
  byCount.close();
  await deleteDb(name);
});

test("two stores on one database lose and duplicate nothing", async () => {
  const name = uniqueName("two-tabs");
  const a = await open(name);
  const b = await open(name);
  const fromA = batches(6000, 200, 0xa);
  const fromB = batches(4000, 100, 0xb, T0 + 5);
  // Each writes one transaction at a time, both at once; b also replays a's first batches, as a
  // tab replaying a shared journal would.
  const writer = async (store, records) => {
    for (const r of records) await store.putBatches([r]);
  };
  await Promise.all([writer(a, fromA), writer(b, [...fromB, ...fromA.slice(0, 5)])]);
  assert.equal(await storedSamples(a), 10_000);
  assert.equal(await storedSamples(b), 10_000);
  assert.equal((await a.readRange(-Infinity, Infinity)).length, 30 + 40);
  a.close();
  b.close();
  await deleteDb(name);
});

test("versionchange closes the connection and the store reopens", async () => {
  const name = uniqueName("versionchange");
  const store = await open(name);
  await store.putBatches(batches(300, 100, 3));
  // Newer code in another tab upgrades: ours must close or that open would be blocked.
  const newer = await rawOpen(name, 99);
  assert.deepEqual(store.state(), { storage: "closed" });
  assert.equal(store.stats().connectionsLost, 1);
  newer.close();
  // Next use reopens the (now newer, still compatible) database.
  assert.equal(await storedSamples(store), 300);
  assert.deepEqual(store.state(), { storage: "persistent" });
  await store.putBatches(batches(100, 100, 4, T0 + 1e6));
  assert.equal(await storedSamples(store), 400);
  assert.equal(store.stats().opens, 2);
  store.close();
  await deleteDb(name);
});

test("a deleted database is recreated on next use", async () => {
  const name = uniqueName("deleted");
  const store = await open(name);
  await store.putBatches(batches(50, 50, 1));
  await deleteDb(name); // not blocked: our connection closes on versionchange
  assert.deepEqual(store.state(), { storage: "closed" });
  await store.putBatches(batches(20, 20, 2));
  assert.equal(await storedSamples(store), 20);
  assert.deepEqual(store.state(), { storage: "persistent" });
  store.close();
  await deleteDb(name);
});

test("a blocked upgrade falls back to memory, keeps working, and recovers when the old tab closes", async () => {
  const { name, old, store } = await blockedStore("blocked");
  assertMemoryOnly(store, "blocked: another tab keeps an older version open");
  assert.equal(store.stats().blocked, 1);
  const written = batches(1000, 250, 5);
  await store.putBatches(written);
  assertMemoryOnly(store, "blocked"); // the blocked request is still pending: no second open
  assert.equal(await storedSamples(store), 1000);
  assert.deepEqual(samplesOf(await store.readRange(-Infinity, Infinity)), samplesOf(written));
  await store.putAlerts([{ at: T0, name: "slow", state: "fired" }]);
  // The old tab goes: the pending open completes and memory moves into IndexedDB.
  old.close();
  await until(() => store.state().storage === "persistent", 5000, "recovery");
  assert.equal(store.stats().reopens, 1);
  const inIdb = (await rawRecords(name)).sort((a, b) => a.minStart - b.minStart);
  assert.deepEqual(samplesOf(inIdb), samplesOf(written));
  assert.deepEqual((await rawRecords(name, "alerts")).map((e) => e.name), ["slow"]);
  await store.putBatches(batches(10, 10, 6, T0 + 1e6));
  assert.equal(total(await rawRecords(name)), 1010);
  store.close();
  await deleteDb(name);
});

test("an open queued behind a blocked upgrade does not stall either, and recovers", async () => {
  const name = uniqueName("queued");
  const old = await rawOpen(name, 1);
  const first = await open(name, { stallMs: 200 });
  // This open is queued behind the first one's pending upgrade: no `blocked` event comes.
  const stalled = new Promise((_, reject) => setTimeout(() => reject(new Error("openStore stalled")), 10_000));
  const second = await Promise.race([open(name, { stallMs: 200 }), stalled]);
  assertMemoryOnly(first, "blocked: another tab");
  assertMemoryOnly(second, "blocked: the open did not complete in 200 ms");
  await second.putBatches(batches(40, 20, 7));
  old.close();
  await until(() => first.state().storage === "persistent" && second.state().storage === "persistent", 5000, "both recover");
  assert.equal(total(await rawRecords(name)), 40);
  first.close();
  second.close();
  await deleteDb(name);
});

test("an incompatible newer database falls back to memory and the next write retries", async () => {
  const name = uniqueName("incompatible");
  (await rawOpen(name, 7)).close(); // newer code without our stores
  const store = await open(name);
  assertMemoryOnly(store, "incompatible");
  await store.putBatches(batches(10, 10, 6));
  assert.equal(await storedSamples(store), 10);
  assertMemoryOnly(store, "incompatible"); // retried, still incompatible
  // The foreign database goes away: the next write opens ours and moves memory into it.
  await deleteDb(name);
  await store.putBatches(batches(5, 5, 7, T0 + 1e6));
  assert.deepEqual(store.state(), { storage: "persistent" });
  assert.equal(store.stats().reopens, 1);
  assert.equal(total(await rawRecords(name)), 15);
  store.close();
  await deleteDb(name);
});

test("the memory fallback is capped by the policy and counts what it evicts", async () => {
  const policy = retentionPolicy();
  const { name, old, store } = await blockedStore("memory-cap", { policy, memoryMaxSamples: 250 });
  await store.putBatches(batches(400, 100, 8)); // oldest batches go first
  assert.equal(await storedSamples(store), 200);
  assert.equal(store.stats().memoryEvicted, 200);
  assert.ok(policy.calls > 0, "the cap is the policy's decision");
  assert.equal((await store.readRange(-Infinity, Infinity))[0].minStart, T0 + 100);
  old.close();
  await until(() => store.state().storage === "persistent");
  store.close();
  await deleteDb(name);
});

test("corrupt records are skipped and counted", async () => {
  const name = uniqueName("corrupt");
  const store = await open(name);
  const good = batches(30, 10, 9);
  await store.putBatches(good);
  const db = await rawOpen(name);
  const tx = db.transaction("batches", "readwrite");
  const bad = record("zz-bad-route", [T0 + 1, T0 + 2]);
  bad.routeId[1] = 7; // outside the route dictionary
  tx.objectStore("batches").put(bad);
  const liar = record("zz-lying-keys", [T0 + 3]);
  liar.maxStart = T0 + 4; // index keys that disagree with the columns
  tx.objectStore("batches").put(liar);
  tx.objectStore("batches").put({ id: "zz-no-columns", minStart: T0, maxStart: T0 + 9, count: 3 });
  await new Promise((resolve) => (tx.oncomplete = resolve));
  db.close();
  assert.deepEqual(samplesOf(await store.readRange(-Infinity, Infinity)), samplesOf(good));
  assert.equal(store.stats().corruptSkipped, 3);
  assert.deepEqual(await pageAll(store, 4), samplesOf(good));
  assert.equal(store.stats().corruptSkipped, 6);
  store.countCorrupt(2); // records the engine could not decode
  assert.equal(store.stats().corruptSkipped, 8);
  store.close();
  await deleteDb(name);
});

test("alert history: IndexedDB by time, and a bounded memory fallback", async () => {
  const name = uniqueName("alerts");
  const store = await open(name);
  const events = [3, 1, 2].map((k) => ({ at: T0 + k * 1000, name: `a${k}`, state: "fired", value: k / 3 }));
  await store.putAlerts(events);
  assert.deepEqual((await store.readAlerts(T0 + 1000, T0 + 2000)).map((e) => e.name), ["a1", "a2"]);
  assert.deepEqual((await store.readAlerts(-Infinity, Infinity)).map((e) => e.value), [1 / 3, 2 / 3, 1]);
  assert.deepEqual(await store.readAlerts(T0 + 5000, T0), []);
  store.close();

  const { name: blockedName, old, store: memory } = await blockedStore("alerts-memory");
  await memory.putAlerts(Array.from({ length: 1200 }, (_, i) => ({ at: T0 + i, name: `m${i}` })));
  const kept = await memory.readAlerts(-Infinity, Infinity);
  assert.equal(kept.length, 1000);
  assert.equal(kept[0].name, "m200");
  old.close();
  await until(() => memory.state().storage === "persistent");
  assert.equal((await memory.readAlerts(-Infinity, Infinity)).length, 1000);
  memory.close();
  await deleteDb(name);
  await deleteDb(blockedName);
});

test("extents come from the byEnd index keys", async () => {
  const name = uniqueName("extents");
  const store = await open(name);
  const written = [record("b", [T0 + 5, T0 + 1]), record("a", [T0 + 9]), record("c", [T0 + 2, T0 + 3, T0 + 4])];
  await store.putBatches(written);
  const e = await store.extents();
  // Index order: [maxStart, count], then id.
  assert.deepEqual(e.ids, ["c", "b", "a"]);
  assert.deepEqual(Array.from(e.maxStarts), [T0 + 4, T0 + 5, T0 + 9]);
  assert.deepEqual(Array.from(e.counts), [3, 2, 1]);
  assert.ok(e.maxStarts instanceof Float64Array && e.counts instanceof Float64Array);
  await store.deleteBatches(["b"]);
  assert.deepEqual((await store.extents()).ids, ["c", "a"]);
  store.close();
  await deleteDb(name);
});

test("records are checked and stored compact, whatever buffer their columns view", async () => {
  const name = uniqueName("compact");
  const store = await open(name);
  const r = record("v", [T0, T0 + 1]);
  const big = new Float64Array(100_000);
  big.set(r.start, 500);
  r.start = big.subarray(500, 502); // a view into a large buffer, like one into wasm memory
  r.minStart = r.maxStart = r.count = undefined; // the store derives the index keys
  await store.putBatches([r]);
  const [stored] = await rawRecords(name);
  assert.equal(stored.start.buffer.byteLength, 16);
  assert.deepEqual([stored.minStart, stored.maxStart, stored.count], [T0, T0 + 1, 2]);
  await assert.rejects(store.putBatches([{ ...r, id: 5 }]), TypeError, "records[0]: id: must be a string");
  await assert.rejects(store.putBatches([{ ...r, duration: [1] }]), TypeError, "records[0]: duration: must be an array as long as start");
  await assert.rejects(() => store.readPage("nonsense", 10), TypeError, "options.cursor: is not a cursor returned by samples()");
  assert.throws(() => new Store("", { policy: retentionPolicy() }), RangeError, "dbName: must not be empty");
  assert.throws(() => new Store("x", {}), TypeError, "policy:");
  store.close();
  await deleteDb(name);
});

test("a failure while moving memory into IndexedDB keeps history in memory and says why", async () => {
  const { name, old, store } = await blockedStore("move-fails");
  await store.putBatches([record("u", [T0])]);
  // An event IndexedDB cannot clone makes the move fail; memory keeps everything.
  await store.putAlerts([{ at: T0, callback: () => {} }]);
  old.close();
  await until(() => String(store.state().reason).includes("moving history into IndexedDB failed"), 5000, "failed move");
  assertMemoryOnly(store, "unavailable: moving history");
  assert.equal(await storedSamples(store), 1);
  store.close();
  await deleteDb(name);
});

test("persist: true requests persistence and reports the answer; a failure is contained", async () => {
  const storage = navigator.storage;
  const real = storage.persist;
  let calls = 0;
  try {
    storage.persist = function () {
      calls++;
      return real.call(this);
    };
    const name = uniqueName("persist");
    const store = await open(name, { persist: true });
    assert.equal(calls, 1);
    await until(() => store.stats().persistence !== "pending", 5000, "persist() answered");
    // Headless Chromium refuses a site it has no engagement with.
    assert.ok(["granted", "denied"].includes(store.stats().persistence), store.stats().persistence);
    store.close();

    storage.persist = () => Promise.reject(new DOMException("no", "NotAllowedError"));
    const rejected = await open(name, { persist: true });
    await until(() => rejected.stats().persistence === "failed", 5000, "a rejection handled");
    assert.deepEqual(rejected.state(), { storage: "persistent" });
    rejected.close();

    storage.persist = () => {
      throw new Error("sync");
    };
    const thrown = await open(name, { persist: true });
    await until(() => thrown.stats().persistence === "failed", 5000, "a throw handled");
    thrown.close();

    const unasked = await open(name);
    assert.equal(unasked.stats().persistence, "not requested");
    assert.equal(calls, 1);
    unasked.close();
    await deleteDb(name);
  } finally {
    delete storage.persist;
  }
});

test("a store opened in a worker works without a journal", async () => {
  const name = uniqueName("worker");
  const source = `
    import { openStore } from "${location.origin}/js/engine/store.js";
    const policy = { expired: () => [] };
    const store = await openStore(${JSON.stringify(name)}, { policy });
    const r = { id: "w", start: [1, 2], duration: [3, 4], status: [200, 200], ok: [1, 1], bytes: [-1, -1], routeId: [0, 0], routes: ["GET /w"] };
    await store.putBatches([r]);
    const e = await store.extents();
    postMessage({ state: store.state(), count: e.counts[0], journal: store.journal([r]) });
    store.close();`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  const result = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
  });
  worker.terminate();
  assert.deepEqual(result, { state: { storage: "persistent" }, count: 2, journal: { written: 0, failed: 1 } });
  await deleteDb(name);
});

test("nothing surfaced as an uncaught error or unhandled rejection", () => {
  assert.deepEqual(pageErrors(), []);
});
