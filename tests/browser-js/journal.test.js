// The localStorage journal against Chromium's real localStorage, and the store's half of the
// no-loss contract: what a page journals as it goes away is in IndexedDB after the next open,
// exactly once.
import { assert, test, until } from "./lib/harness.js";
import { openJournal } from "/js/engine/journal.js";
import { openStore } from "/js/engine/store.js";
import {
  T0,
  batches,
  blockedStore,
  deleteDb,
  journalKeys,
  pageErrors,
  rawOpen,
  rawRecords,
  record,
  retentionPolicy,
  samplesOf,
  total,
  uniqueName,
} from "./lib/store-fixtures.js";

const open = (name, options = {}) => openStore(name, { policy: retentionPolicy(), ...options });

test("entries round-trip every number exactly, one key per batch id", () => {
  const name = uniqueName("journal-exact");
  const journal = openJournal(name);
  const r = record("exact", [T0 + 0.1 + 0.2, T0 + 1e-3, 2 ** 53 + 2, 5e-324, T0 + 1 / 3]);
  r.duration.set([0.1 + 0.2, 1 / 3, 1e300, Number.MIN_VALUE, 123.456789012345]);
  r.ttfb[2] = Math.PI;
  assert.deepEqual(journal.write([r, record("other", [T0])]), { written: 2, failed: 0 });
  assert.deepEqual(journal.write([r]), { written: 1, failed: 0 }); // same id: same key
  assert.equal(journalKeys(name).length, 2);
  const pending = journal.pending();
  const back = pending.find((e) => e.record.id === "exact").record;
  assert.deepEqual(samplesOf([back]), samplesOf([r]));
  assert.ok(back.start instanceof Float64Array && back.status instanceof Uint16Array && back.flags instanceof Uint8Array);
  journal.remove(pending.map((e) => e.key));
  assert.deepEqual(journalKeys(name), []);
});

test("entries that cannot be replayed are removed; other keys are left alone", () => {
  const name = uniqueName("journal-garbage");
  const journal = openJournal(name);
  journal.write([record("good", [T0, T0 + 1])]);
  const prefix = `apiscope:journal:${name}:`;
  localStorage.setItem(`${prefix}not-json`, "{ nope");
  localStorage.setItem(`${prefix}not-a-batch`, JSON.stringify({ id: "x", start: [1], duration: [] }));
  localStorage.setItem(`${prefix}null`, "null");
  localStorage.setItem(`apiscope:journal:${name}-other:b`, "{ nope"); // another database's
  localStorage.setItem("unrelated", "kept");
  const pending = journal.pending();
  assert.deepEqual(pending.map((e) => e.record.id), ["good"]);
  assert.deepEqual(journalKeys(name), [`${prefix}good`]);
  assert.equal(localStorage.getItem(`apiscope:journal:${name}-other:b`), "{ nope");
  assert.equal(localStorage.getItem("unrelated"), "kept");
  localStorage.removeItem(`apiscope:journal:${name}-other:b`);
  localStorage.removeItem("unrelated");
  journal.remove(pending.map((e) => e.key));
});

test("a batch too big for localStorage is counted as failed, nothing throws", () => {
  const name = uniqueName("journal-full");
  const journal = openJournal(name);
  // ~12 MB of JSON: over Chromium's 10 MB localStorage quota per origin.
  const huge = record("huge", Array.from({ length: 250_000 }, (_, i) => T0 + i / 7));
  assert.deepEqual(journal.write([huge, record("small", [T0])]), { written: 1, failed: 1 });
  journal.remove(journal.pending().map((e) => e.key));
});

test("the journal is replayed exactly once", async () => {
  const name = uniqueName("journal");
  const written = batches(1500, 500, 7);
  const journal = openJournal(name);
  assert.equal(journal.write(written).written, 3);
  const store = await open(name);
  assert.equal(store.stats().journalReplayed, 3);
  assert.deepEqual(journal.pending(), []);
  assert.deepEqual(samplesOf(await store.readRange(-Infinity, Infinity)), samplesOf(written));
  store.close();
  // Replaying entries that were already written (a crash before removal) adds nothing.
  journal.write(written.slice(0, 1));
  const again = await open(name);
  assert.equal(again.stats().journalReplayed, 1);
  assert.equal(total(await again.readRange(-Infinity, Infinity)), 1500);
  again.close();
  await deleteDb(name);
});

test("a store's journal entries go once a write of them commits, and stay while memory-only", async () => {
  const name = uniqueName("journal-own");
  const store = await open(name);
  const records = batches(300, 100, 8);
  assert.deepEqual(store.journal(records), { written: 3, failed: 0 });
  assert.equal(journalKeys(name).length, 3);
  await store.putBatches(records.slice(0, 2));
  assert.equal(journalKeys(name).length, 1);
  await store.putBatches(records);
  assert.deepEqual(journalKeys(name), []);
  // unjournal(): entries of a write that committed elsewhere go at once.
  store.journal(records);
  store.unjournal(records.slice(1));
  assert.equal(journalKeys(name).length, 1);
  store.unjournal(records);
  assert.deepEqual(journalKeys(name), []);
  store.close();
  await deleteDb(name);

  // Memory is no storage: the entries stay until IndexedDB has the batches.
  const { name: blocked, old, store: memory } = await blockedStore("journal-memory");
  memory.journal(records);
  await memory.putBatches(records);
  assert.equal(journalKeys(blocked).length, 3);
  old.close();
  await until(() => memory.state().storage === "persistent", 5000, "recovery");
  assert.deepEqual(journalKeys(blocked), []);
  assert.equal(total(await rawRecords(blocked)), 300);
  memory.close();
  await deleteDb(blocked);
});

/**
 * A page (an iframe of this one: same origin, same storage) that opens a store and, on page
 * exit, journals its unwritten batches and, when `alsoWrite`, starts writing them as the
 * profiler does. Resolves once it is ready; removing the iframe unloads it for real.
 */
async function exitingPage(name, alsoWrite) {
  const frame = document.createElement("iframe");
  frame.srcdoc = `<script type="module">
    import { openStore } from "/js/engine/store.js";
    import { onPageExit } from "/js/engine/lifecycle.js";
    import { batches, retentionPolicy } from "/tests/browser-js/lib/store-fixtures.js";
    const store = await openStore(${JSON.stringify(name)}, { policy: retentionPolicy() });
    const unwritten = batches(5000, 1000, 0x77);
    onPageExit(() => {
      if (!unwritten.length) return;
      store.journal(unwritten);
      if (${alsoWrite}) store.putBatches(unwritten);
      unwritten.length = 0;
    });
    parent.postMessage(${JSON.stringify(name)}, "*");
  </script>`;
  const ready = new Promise((resolve) => {
    const onMessage = (e) => {
      if (e.data !== name) return;
      removeEventListener("message", onMessage);
      resolve();
    };
    addEventListener("message", onMessage);
  });
  document.body.append(frame);
  await ready;
  return frame;
}

for (const alsoWrite of [false, true]) {
  test(`batches journalled at page exit are in IndexedDB after the next open, once (${alsoWrite ? "with" : "without"} a write in pagehide)`, async () => {
    const name = uniqueName(`page-exit-${alsoWrite}`);
    const frame = await exitingPage(name, alsoWrite);
    frame.remove(); // pagehide: the journal is written synchronously
    if (!alsoWrite) assert.equal(journalKeys(name).length, 5);
    const store = await open(name);
    assert.equal(total(await store.readRange(-Infinity, Infinity)), 5000);
    assert.deepEqual(samplesOf(await store.readRange(-Infinity, Infinity)), samplesOf(batches(5000, 1000, 0x77)));
    if (!alsoWrite) assert.equal(store.stats().journalReplayed, 5);
    assert.deepEqual(journalKeys(name), []);
    store.close();
    // Opening again replays nothing: exactly once.
    const again = await open(name);
    assert.equal(again.stats().journalReplayed, 0);
    assert.equal(total(await again.readRange(-Infinity, Infinity)), 5000);
    again.close();
    await deleteDb(name);
  });
}

test("nothing surfaced as an uncaught error or unhandled rejection", () => {
  assert.deepEqual(pageErrors(), []);
});
