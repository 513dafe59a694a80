// Reads that lose nothing (issue 18): every sample in [from, to) comes exactly once across pages,
// at any page size, when batches straddle the range's edges and overlap each other in time;
// against real IndexedDB and the memory backend, compared with a brute-force answer.
import { assert, test } from "./lib/harness.js";
import { openStore } from "/js/engine/store.js";
import { MemoryStore } from "/js/engine/memory_store.js";
import { parseCursor } from "/js/engine/page.js";
import { seededRandom as random } from "/demo/random.mjs";
import {
  T0,
  deleteDb,
  pageErrors,
  rawOpen,
  record,
  request,
  retentionPolicy,
  uniqueName,
} from "./lib/store-fixtures.js";

const HOUR = 3_600_000;

/** The span bound the store keeps in `meta`, read over a raw connection. */
async function spanBound(name) {
  const db = await rawOpen(name);
  try {
    return await request(db.transaction("meta").objectStore("meta").get("maxSpanMs"));
  } finally {
    db.close();
  }
}

const compare = (a, b) => (a.minStart - b.minStart) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** What a lossless reader must return: `id#index` of every sample in [from, to), in walk order. */
function expected(records, from, to) {
  const out = [];
  for (const r of [...records].sort(compare)) {
    for (let i = 0; i < r.count; i++) if (r.start[i] >= from && r.start[i] < to) out.push(`${r.id}#${i}`);
  }
  return out;
}

async function pages(reader, limit, from, to) {
  const out = [];
  let cursor = null;
  for (let guard = 0; ; guard++) {
    assert.ok(guard < 100_000, "paging does not end");
    const page = await reader.readPage(cursor, limit, from, to);
    assert.ok(page.count <= limit, `page of ${page.count} > limit ${limit}`);
    for (const { record: r, indices } of page.parts) for (const i of indices) out.push(`${r.id}#${i}`);
    if (!page.cursor) return out;
    assert.equal(page.count, limit, "only a full page has a cursor");
    cursor = page.cursor;
  }
}

/** Batches with random extents, overlaps, ties of minStart, point batches and repeated times. */
function history(rng) {
  const records = [];
  const n = 1 + Math.floor(rng() * 30);
  for (let b = 0; b < n; b++) {
    const tie = records.length > 0 && rng() < 0.15;
    const base = tie ? records[Math.floor(rng() * records.length)].minStart : T0 + Math.round(rng() * 40_000) / 4;
    const span = [0, 3, 60, 2000, 20_000][Math.floor(rng() * 5)];
    const count = 1 + Math.floor(rng() * 40);
    const starts = Array.from({ length: count }, (_, i) => (i === 0 ? base : base + Math.round(rng() * span * 4) / 4));
    records.push(record(Math.floor(rng() * 2 ** 32).toString(16) + `-${b}`, starts, { seed: b * 100 }));
  }
  return records;
}

/** Range edges that fall inside batches, on sample times, between them, or unbounded. */
function edges(rng, records) {
  const times = records.flatMap((r) => Array.from(r.start));
  const pick = () => {
    const k = rng();
    if (k < 0.1) return -Infinity;
    if (k < 0.2) return Infinity;
    const t = times[Math.floor(rng() * times.length)];
    return k < 0.6 ? t : t + (rng() - 0.5) * 500;
  };
  const a = pick();
  const b = rng() < 0.1 ? a : pick();
  return a <= b ? [a, b] : [b, a];
}

const LIMITS = [1, 2, 3, 5, 8, 13, 64, 1000, 100_000];

async function propertyLoop(makeReader, cases) {
  for (let seed = 1; seed <= cases; seed++) {
    const rng = random(seed);
    const records = history(rng);
    const { reader, done } = await makeReader(records);
    for (let q = 0; q < 4; q++) {
      const [from, to] = edges(rng, records);
      const want = expected(records, from, to);
      const limit = q === 0 ? 1 : LIMITS[Math.floor(rng() * LIMITS.length)];
      const got = await pages(reader, limit, from, to);
      assert.deepEqual(got, want, `seed ${seed}, [${from}, ${to}), limit ${limit}: ${got.length} of ${want.length}`);
    }
    await done();
  }
}

test("property: IndexedDB pages return every sample in range exactly once", async () => {
  await propertyLoop(async (records) => {
    const name = uniqueName("paging-property");
    const store = await openStore(name, { policy: retentionPolicy() });
    // Some batches in one transaction, the rest one by one.
    await store.putBatches(records.slice(0, 5));
    for (const r of records.slice(5)) await store.putBatches([r]);
    return { reader: store, done: async () => (store.close(), deleteDb(name)) };
  }, 40);
});

test("property: memory pages return every sample in range exactly once", async () => {
  await propertyLoop(async (records) => {
    const memory = new MemoryStore(Infinity, retentionPolicy());
    memory.put(records);
    // The backend takes parsed cursors; the store parses the caller's string.
    const reader = { readPage: (cursor, ...rest) => memory.readPage(cursor && parseCursor(cursor), ...rest) };
    return { reader, done: async () => {} };
  }, 150);
});

/**
 * Issue 18's case: 6 hours of history, a 2-hour range holding 4000 samples whose edges fall
 * inside batches, and batches that overlap in pairs. Round 1 returned 3,450 at every page size.
 */
function sixHours() {
  const step = (6 * HOUR) / 12_000;
  const members = new Map();
  for (let k = 0; k < 12_000; k++) {
    const b = Math.floor(k / 100) * 2 + (k % 2); // two batches interleave over each stretch
    if (!members.has(b)) members.set(b, []);
    members.get(b).push(T0 + k * step);
  }
  return [...members].map(([b, starts]) => record(`b${String(b).padStart(4, "0")}`, starts, { seed: b }));
}

test("a 2-hour range over 6 hours of straddling batches: 4000 of 4000 at every page size", async () => {
  const records = sixHours();
  const [from, to] = [T0 + 2 * HOUR + 900, T0 + 4 * HOUR + 900];
  const want = expected(records, from, to);
  assert.equal(want.length, 4000);
  const name = uniqueName("paging-six-hours");
  const store = await openStore(name, { policy: retentionPolicy() });
  await store.putBatches(records);
  for (const limit of [1, 7, 100, 1000, 3449, 4000, 4001, 10_000, 100_000]) {
    assert.deepEqual(await pages(store, limit, from, to), want, `limit ${limit}`);
  }
  // The range read behind query() holds every batch with a sample in [from, to].
  const ranged = await store.readRange(from, to);
  const inRange = ranged.reduce((n, r) => n + r.start.filter((t) => t >= from && t <= to).length, 0);
  assert.equal(inRange, 4000);
  store.close();
  await deleteDb(name);
});

test("samples() pages: rows as documented, and a cursor alone continues its range", async () => {
  const records = sixHours();
  const [from, to] = [T0 + 2 * HOUR + 900, T0 + 4 * HOUR + 900];
  const name = uniqueName("paging-rows");
  const store = await openStore(name, { policy: retentionPolicy() });
  await store.putBatches(records);
  // The documented loop: the first call names the range, the next ones pass only the cursor.
  const rows = [];
  for (let page = await store.readSamples({ from, to, limit: 777 }); ; page = await store.readSamples({ cursor: page.cursor })) {
    rows.push(...page.samples);
    if (!page.cursor) break;
  }
  assert.equal(rows.length, 4000);
  assert.ok(rows.every((r) => r.startTime >= from && r.startTime < to));
  assert.equal(new Set(rows.map((r) => r.startTime)).size, 4000);
  // A cursor continues its own range even when other bounds are passed beside it.
  const first = await store.readSamples({ from, to, limit: 10 });
  const next = await store.readSamples({ from: 0, to: Infinity, limit: 5000, cursor: first.cursor });
  assert.equal(first.samples.length + next.samples.length, 4000);
  await assert.rejects(store.readSamples({ cursor: "1|2|3" }), TypeError, "options.cursor: is not a cursor returned by samples()");
  await assert.rejects(store.readSamples({ cursor: "5|0|9|1|id" }), TypeError); // from > to: not ours
  store.close();
  await deleteDb(name);

  const shapes = uniqueName("paging-row-shape");
  const one = await openStore(shapes, { policy: retentionPolicy() });
  const r = record("shape", [T0, T0 + 1]);
  r.routes = ["GET /with space", "POST /b"];
  r.routeId.set([0, 1]);
  r.bytes.set([-1, 512]);
  r.status.set([200, 503]);
  r.ok.set([1, 0]);
  await one.putBatches([r]);
  const { samples, cursor } = await one.readSamples({});
  assert.equal(cursor, undefined);
  assert.deepEqual(samples, [
    { startTime: T0, durationMs: r.duration[0], method: "GET", route: "/with space", status: 200, ok: true, timing: "full", delivery: "unknown" },
    { startTime: T0 + 1, durationMs: r.duration[1], method: "POST", route: "/b", status: 503, ok: false, bytes: 512, ttfbMs: r.ttfb[1], timing: "headers", delivery: "unknown" },
  ]);
  one.close();
  await deleteDb(shapes);
});

test("a wide batch written by another tab is found by a reader that read before", async () => {
  const name = uniqueName("paging-two-tabs");
  const reader = await openStore(name, { policy: retentionPolicy() });
  const writer = await openStore(name, { policy: retentionPolicy() });
  await writer.putBatches([record("narrow", [T0 + 10, T0 + 11])]);
  assert.deepEqual(await pages(reader, 10, T0 + 10.5, T0 + 100), ["narrow#1"]);
  // Another tab stores a batch spanning an hour: the reader's next range inside it must see it.
  await writer.putBatches([record("wide", [T0, T0 + HOUR])]);
  assert.deepEqual(await pages(reader, 10, T0 + 10.5, Infinity), ["wide#1", "narrow#1"]);
  assert.equal((await reader.readRange(T0 + 30 * 60_000, T0 + 31 * 60_000)).length, 1);
  reader.close();
  writer.close();
  await deleteDb(name);
});

test("clear() resets the span bound; a batch deleted under a cursor costs only its own samples", async () => {
  const name = uniqueName("paging-delete");
  const store = await openStore(name, { policy: retentionPolicy() });
  await store.putBatches([record("wide", [T0, T0 + HOUR])]);
  assert.equal(await spanBound(name), HOUR);
  await store.clear();
  assert.equal(await spanBound(name), 0);
  const records = [record("a", [T0 + 1, T0 + 2, T0 + 3]), record("b", [T0 + 2, T0 + 4]), record("c", [T0 + 5])];
  await store.putBatches(records);
  assert.equal(await spanBound(name), 2);
  const first = await store.readPage(null, 2, T0 + 1.5, Infinity);
  assert.deepEqual(first.parts.map((p) => [p.record.id, Array.from(p.indices)]), [["a", [1, 2]]]);
  await store.deleteBatches(["a"]);
  const rest = await pages({ readPage: (c, l, f, t) => store.readPage(c ?? first.cursor, l, f, t) }, 1, T0 + 1.5, Infinity);
  assert.deepEqual(rest, ["b#0", "b#1", "c#0"]);
  store.close();
  await deleteDb(name);
});

test("a batch whose span rounds in floating point is still found straddling `from`", async () => {
  // fl(b - a) < b - a here, so from - span lands above a: the bound needs its margin.
  const [a, b] = [0.1, 1.7e12 + 0.3];
  assert.ok(b - (b - a) > a);
  const name = uniqueName("paging-rounding");
  const store = await openStore(name, { policy: retentionPolicy() });
  await store.putBatches([record("rounded", [a, b])]);
  assert.deepEqual(await pages(store, 10, b, Infinity), ["rounded#1"]);
  assert.equal((await store.readRange(b, Infinity)).length, 1);
  store.close();
  await deleteDb(name);
});

test("nothing surfaced as an uncaught error or unhandled rejection", () => {
  assert.deepEqual(pageErrors(), []);
});
