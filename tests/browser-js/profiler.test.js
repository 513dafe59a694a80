// The Profiler from `start()` in real Chromium: the loader, the engine, real IndexedDB, real
// HTTP to the local test server. (Moved from tests/browser_profiler.rs, where the profiler was
// a Rust class; every assertion kept, error messages now also name the method.)
import { assert, origins, sleep, test, until } from "./lib/harness.js";
import { start } from "/js/index.js";
import { Sketch, initialize as initSketch } from "/js/sketch/index.js";

const uniqueDb = (name) => `apiscope-test-${name}-${Math.random()}`;
const deleteDb = (name) => new Promise((resolve) => {
  const request = indexedDB.deleteDatabase(name);
  request.onsuccess = request.onerror = request.onblocked = () => resolve();
});

/** Deterministic latencies with a heavy tail (no RNG needed for a reproducible test). */
function latency(i, route) {
  const x = Math.max((i * 0.6180339887) % 1, 1e-6);
  return (5 + 20 * route) / (1 - x) ** 0.3;
}

function errorText(fn) {
  try {
    fn();
  } catch (e) {
    return `${e.name}: ${e.message}`;
  }
  return "no error";
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return `${e.name}: ${e.message}`;
  }
  return "no error";
}

test("a hundred thousand samples are persisted and read back exactly", async () => {
  await initSketch();
  const db = uniqueDb("100k");
  const profiler = await start({ dbName: db, instrument: false });
  const routes = ["/api/a", "/api/b/:id", "/api/c"];
  const n = 100_000;
  const expected = routes.map(() => new Sketch());
  const now = Date.now();
  const durationMs = new Float64Array(n);
  const routeIndex = new Uint32Array(n);
  const startTime = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = i % routes.length;
    durationMs[i] = latency(i, r);
    expected[r].record(durationMs[i]);
    routeIndex[i] = r;
    startTime[i] = now - 60_000 + i * 0.5;
  }
  profiler.recordMany({ routes, durationMs, routeIndex, startTime });
  await profiler.flush();
  const stats = profiler.stats();
  assert.equal(stats.persisted, n);
  assert.equal(stats.buffered, 0);

  const history = await profiler.query();
  assert.equal(history.length, 3);
  for (const row of history) {
    const sketch = expected[routes.indexOf(row.route)];
    assert.equal(row.count, sketch.count, row.route);
    for (const [key, q] of [["p50", 0.5], ["p95", 0.95], ["p99", 0.99]]) {
      assert.equal(row[key], sketch.quantile(q), `${row.route} ${key}`);
    }
    assert.equal(row.max, sketch.max);
  }

  // Paging raw samples returns every one of them exactly once.
  let seen = 0;
  let cursor;
  for (;;) {
    const page = await profiler.samples(cursor === undefined ? { limit: 25_000 } : { limit: 25_000, cursor });
    seen += page.samples.length;
    cursor = page.cursor;
    if (cursor === undefined) break;
  }
  assert.equal(seen, n);
  await profiler.stop();
  await deleteDb(db);
});

test("history survives a new profiler and two profilers share a database", async () => {
  const db = uniqueDb("shared");
  const options = { dbName: db, instrument: false };
  const [a, b] = [await start(options), await start(options)];
  for (let i = 0; i < 500; i++) {
    a.record({ route: "/a", durationMs: i });
    b.record({ route: "/b", durationMs: i });
  }
  await a.flush();
  await b.flush();
  await a.stop();
  await b.stop();
  const reopened = await start(options);
  const counts = (await reopened.query()).map((row) => [row.route, row.count]);
  assert.deepEqual(counts, [["/a", 500], ["/b", 500]]);
  await reopened.stop();
  await deleteDb(db);
});

test("bad samples throw errors naming the method and field, and change nothing", async () => {
  const db = uniqueDb("bad");
  const profiler = await start({ dbName: db, instrument: false });
  const cases = [
    [{ route: "/x", durationMs: -1 }, "RangeError: Profiler.record: durationMs"],
    [{ route: "/x" }, "TypeError: Profiler.record: durationMs"],
    [{ route: "/x", durationMs: "5" }, "TypeError: Profiler.record: durationMs"],
    [{ route: "/x", durationMs: 5, colour: 1 }, "TypeError: Profiler.record: sample.colour"],
    [{ route: "/x", durationMs: 5, status: 1.5 }, "RangeError: Profiler.record: status"],
    [{ durationMs: 5 }, "TypeError: Profiler.record: route"],
    [{ url: "http://", durationMs: 5 }, "RangeError: Profiler.record: url"],
    [{ route: "/x", durationMs: 5, startTime: -1 }, "RangeError: Profiler.record: startTime"],
  ];
  for (const [sample, expected] of cases) {
    const text = errorText(() => profiler.record(sample));
    assert.ok(text.startsWith(expected), `${JSON.stringify(sample)} -> ${text}`);
  }
  // A bulk call names the index of the bad value and records nothing.
  const text = errorText(() => profiler.recordMany({ routes: ["/x"], durationMs: new Float64Array([1, NaN]) }));
  assert.ok(text.startsWith("RangeError: Profiler.recordMany: batch.durationMs[1]"), text);
  // Misspelt keys in rules are caught, not ignored; so is a non-function for measure().
  const rule = errorText(() => profiler.addAlert({ name: "r", metric: "p95", abve: 1, windowMs: 1000 }));
  assert.ok(rule.startsWith("TypeError: Profiler.addAlert: rule.abve"), rule);
  const measure = errorText(() => profiler.measure("x", 3));
  assert.ok(measure.startsWith("TypeError: Profiler.measure: fn"), measure);
  assert.equal(profiler.stats().accepted, 0);

  // Without a status a reported call is a success; a relative url is resolved and templated.
  profiler.record({ url: "/api/users/42?x=1", durationMs: 5 });
  const [row] = profiler.snapshot();
  assert.equal(row.route, "/api/users/:id");
  assert.equal(row.errors, 0);
  await profiler.stop();
  await deleteDb(db);
});

test("bad options are rejected at start, naming the option", async () => {
  const cases = [
    [{ batch: { maxSize: 0 } }, "RangeError: start: batch."],
    [{ sampleRate: 2 }, "RangeError: start: sampleRate"],
    [{ bogus: 1 }, "TypeError: start: bogus"],
    [{ batch: { maxSise: 5 } }, "TypeError: start: batch.maxSise"],
    [{ ignoreUrls: [1] }, "TypeError: start: ignoreUrls[0]"],
    [{ alerts: [{ name: "x", metric: "p42", above: 1, windowMs: 1000 }] }, "RangeError: start: alerts[0].metric"],
    [{ windows: { slotMs: 0 } }, "RangeError: start: windows.slotMs"],
    // Each number the engine judges, by the rule it must follow (src/api/engine/config.rs).
    [{ windows: { slotMs: 2000, retentionMs: 1000 } }, "RangeError: start: windows.retentionMs: must be at least windows.slotMs (2000), got 1000"],
    [{ windows: { retentionMs: 1 } }, "RangeError: start: windows.retentionMs: must be at least windows.slotMs"],
    [{ windows: { maxRoutes: 1.5 } }, "RangeError: start: windows.maxRoutes"],
    [{ windows: { fineMs: -1 } }, "RangeError: start: windows.fineMs"],
    [{ windows: { maxBytes: 0.5 } }, "RangeError: start: windows.maxBytes"],
    [{ batch: { minSize: 0 } }, "RangeError: start: batch.minSize"],
    [{ batch: { maxDelayMs: -1 } }, "RangeError: start: batch.maxDelayMs"],
    [{ batch: { maxBuffered: 0 } }, "RangeError: start: batch.maxBuffered"],
    [{ batch: { slowMs: -1 } }, "RangeError: start: batch.slowMs"],
    [{ retention: { maxAgeMs: -1 } }, "RangeError: start: retention.maxAgeMs"],
    [{ retention: { maxSamples: 0.5 } }, "RangeError: start: retention.maxSamples"],
    // NaN is what the engine's config array holds for "not given": it must not pass as that.
    [{ batch: { maxSize: NaN } }, "RangeError: start: batch.maxSize: must be a number, got NaN"],
    [{ windows: { slotMs: NaN } }, "RangeError: start: windows.slotMs: must be a number, got NaN"],
    [{ retention: { maxAgeMs: NaN } }, "RangeError: start: retention.maxAgeMs: must be a number, got NaN"],
    [{ export: { url: "http://127.0.0.1:1/v1/metrics", typo: 1 } }, "TypeError: start: export.typo"],
  ];
  const before = window.fetch;
  for (const [options, expected] of cases) {
    const text = await rejection(start(options));
    assert.ok(text.startsWith(expected), `${JSON.stringify(options)} -> ${text}`);
    assert.equal(window.fetch, before, "a rejected start leaves no hook behind");
  }
});

test("instrumented fetch calls become samples grouped by route", async () => {
  const db = uniqueDb("fetch");
  const original = window.fetch;
  const profiler = await start({ dbName: db });
  for (const id of [11, 12, 13]) {
    const response = await fetch(`${origins.test}/delay/${40 + id - 11}?secret=1`);
    await response.text();
  }
  const row = await until(() => profiler.snapshot().find((r) => r.route.endsWith("/delay/:id") && r.count === 3), 5000, "three /delay/:id calls");
  assert.ok(!row.route.includes("secret"), row.route);
  assert.equal(row.count, 3);
  assert.ok(row.min >= 39, `${row.min}`);
  await profiler.stop();
  // stop() put the page's own fetch back.
  assert.equal(window.fetch, original);
  await deleteDb(db);
});

test("a slow endpoint fires one alert then resolves, and the history survives", async () => {
  const db = uniqueDb("alerts");
  const options = {
    dbName: db,
    windows: { slotMs: 250, retentionMs: 60_000 },
    alerts: [{ name: "slow-delay", route: "**/delay/*", metric: "p95", above: 120, windowMs: 2000, minSamples: 4, cooldownMs: 60_000 }],
  };
  const profiler = await start(options);
  const fired = [];
  const resolved = [];
  profiler.on("alert", (e) => fired.push(e));
  profiler.on("resolved", (e) => resolved.push(e));
  const call = (ms) => fetch(`${origins.test}/delay/${ms}`).then((r) => r.text());
  // Fast, then slow for longer than the 2 s window (the 1 s evaluation tick sees it).
  for (const [phaseMs, phaseLen] of [[10, 1500], [200, 3000]]) {
    const end = Date.now() + phaseLen;
    while (Date.now() < end) await call(phaseMs);
  }
  // Fast again until the window is free of slow calls and the rule resolves (bounded).
  const end = Date.now() + 8000;
  while (Date.now() < end && resolved.length === 0) {
    await call(10);
    await sleep(20);
  }
  assert.equal(fired.length, 1, JSON.stringify(fired));
  assert.equal(resolved.length, 1, JSON.stringify(resolved));
  assert.equal(fired[0].rule, "slow-delay");
  assert.ok(fired[0].value > 120);
  await profiler.stop();

  const reopened = await start(options);
  const kinds = (await reopened.alerts()).map((e) => e.kind);
  assert.deepEqual(kinds, ["fired", "resolved"]);
  await reopened.stop();
  await deleteDb(db);
});

test("samples are written by age and by size without any further call", async () => {
  const db = uniqueDb("by-age");
  const profiler = await start({ dbName: db, instrument: false, batch: { maxSize: 100, minSize: 100, maxDelayMs: 200 } });
  // 250 samples: two full batches at once, and the rest once it is 200 ms old.
  const durationMs = new Float64Array(250).fill(5);
  profiler.recordMany({ routes: ["/by-age"], durationMs });
  const stats = await until(() => {
    const s = profiler.stats();
    return s.persisted === 250 && s;
  }, 5000, "every sample written");
  assert.equal(stats.buffered, 0);
  assert.ok(stats.flushes >= 3, `${stats.flushes} writes`);
  await profiler.stop();
  await deleteDb(db);
});

test("a burst of requests to thousands of new URLs settling at once is recorded whole", async () => {
  // Answered at once (no network): every request settles before a timer can drain the
  // buffer, so their call sites outnumber the engine's table unless the buffer is taken early.
  const real = window.fetch;
  const answer = new Response("{}");
  window.fetch = function fetch(url) {
    return String(url).includes("/burst/") ? Promise.resolve(answer) : real.apply(this, arguments);
  };
  let profiler;
  try {
    profiler = await start({ dbName: uniqueDb("burst"), instrument: { fetch: true, xhr: false, resourceTiming: false } });
    const n = 5_000; // about five tables of call sites
    await Promise.all(Array.from({ length: n }, (_, i) => fetch(`${origins.test}/burst/${i}/item`)));
    await profiler.flush();
    const { accepted, refused, dropped } = profiler.stats();
    assert.deepEqual({ accepted, refused, dropped }, { accepted: n, refused: 0, dropped: 0 });
    const row = profiler.snapshot().find((r) => r.route.endsWith("/burst/:id/item"));
    assert.equal(row?.count, n);
    // The same URL again and again: more requests than the buffer holds, taken whole too.
    await Promise.all(Array.from({ length: n }, () => fetch(`${origins.test}/burst/0/item`)));
    await profiler.flush();
    assert.equal(profiler.stats().accepted, 2 * n);
    assert.equal(profiler.stats().dropped, 0);
  } finally {
    await profiler?.stop();
    window.fetch = real;
  }
});
