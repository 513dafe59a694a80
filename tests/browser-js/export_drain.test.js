// One outbox, two exporters (as two tabs of an origin have): one drains, the other only
// stores; every body reaches the receiver once; the drain moves when the drainer stops. With
// Web Locks, and with the lease in IndexedDB that stands in where they are missing. The same
// with two real tabs: tests/e2e/export_tabs.test.mjs.
import { assert, test } from "./lib/harness.js";
import { deleteOutbox, exporting, receiver, record, unique, untilStats } from "./lib/exporting.js";
import { LEASE_MS } from "/js/export/drain_lock.js";

const counts = (service) => receiver("GET", `/samples?service=${service}`);

/** Runs `fn` with `navigator.locks` hidden, as in a browser without Web Locks. */
async function withoutWebLocks(fn) {
  Object.defineProperty(navigator, "locks", { value: undefined, configurable: true });
  try {
    return await fn();
  } finally {
    delete navigator.locks;
  }
}

async function sharedOutbox() {
  const dbName = unique("shared");
  const service = unique("svc");
  const a = await exporting({ dbName, service });
  const b = await exporting({ dbName, service });
  return { dbName, service, a, b };
}

async function oneDrainerDeliversEveryBodyOnce() {
  const { dbName, service, a, b } = await sharedOutbox();
  assert.deepEqual([a.exporter.stats().drainer, b.exporter.stats().drainer], [true, false]);
  await receiver("POST", "/__fail?n=3");
  let total = 0;
  for (let round = 0; round < 4; round++) {
    record([a.engine], [["GET", `/a/${round}`]], 10);
    record([b.engine], [["GET", `/b/${round}`]], 7);
    total += 17;
    await Promise.all([a.exporter.flush(), b.exporter.flush()]);
  }
  // b never sends: a sends b's bodies too, once the collector is back.
  await untilStats(a.exporter, "a drains both", (s) => s.requestsSent === 8 && s.outboxLen === 0);
  assert.deepEqual([b.exporter.stats().requestsSent, b.exporter.stats().requestsFailed], [0, 0]);
  let got = await counts(service);
  assert.deepEqual([got.samples, got.bodies, got.duplicates], [total, 8, []]);

  // a stops: b takes the drain over and sends what it records from then on.
  await a.exporter.stop();
  a.engine.free();
  await untilStats(b.exporter, "b drains", (s) => s.drainer, LEASE_MS * 2);
  record([b.engine], [["GET", "/b/after"]], 5);
  await b.exporter.flush();
  got = await counts(service);
  assert.deepEqual([got.samples, got.duplicates], [total + 5, []]);
  await b.exporter.stop();
  b.engine.free();
  await deleteOutbox(dbName);
}

test("Web Locks: one exporter drains the shared outbox, each body goes once, the drain moves on stop", () =>
  oneDrainerDeliversEveryBodyOnce());

test("without Web Locks the lease does the same", () => withoutWebLocks(() => oneDrainerDeliversEveryBodyOnce()));
