// Memory stays bounded, measured where a page pays for it: the wasm memory of the engine that
// `start()` loads (`memory.buffer.byteLength`; it never shrinks, so it is the peak) and the JS
// heap after a garbage collection (the runner's `heapUsage`, DevTools protocol).
//
// Each case runs in a fresh iframe: its own module map, so its own engine instance and wasm
// memory, as a page that loads apiscope once. An hour of traffic is simulated with
// recordMany's startTime column (the live windows file a call under the time it ended).
import { assert, test } from "./lib/harness.js";
import { Sketch, initialize as initSketch } from "/js/sketch/index.js";

const MB = 1 << 20;
const SLOT_MS = 10_000;
const HOUR_MS = 3_600_000;

/** `{ window, start, wasmBytes, close }` of a fresh realm that loaded the npm entry. */
async function realm() {
  const frame = document.createElement("iframe");
  frame.srcdoc = `<script type="module">
    window.loaded = Promise.all([import("/js/index.js"), import("/pkg/engine/apiscope_engine.js")]);
  </script>`;
  await new Promise((resolve) => {
    frame.onload = resolve;
    document.body.append(frame);
  });
  const [loader, glue] = await frame.contentWindow.loaded;
  return {
    window: frame.contentWindow,
    start: loader.start,
    // The glue's init hands back the instance `start()` made (call it after start).
    wasmBytes: async () => (await glue.default()).memory.buffer.byteLength,
    close: () => frame.remove(),
  };
}

const deleteDb = (name) =>
  new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });

/** Deterministic latencies with a heavy tail, from 1 ms to about 1.3 s. */
const latency = (i) => 1 + 40 / (1 - ((i * 0.6180339887) % 1) * 0.999) ** 0.5 - 40;

/**
 * An hour of `perSlot` calls per route and 10 s slot on `routes` routes, ending in the slot
 * before now, one slot per recordMany call and flushed after each (as the flush timer
 * would): what the windows hold, not a bulk call's transient copy. Checks the hour's
 * figures against a sketch of route 0's calls; returns the wasm bytes.
 */
async function anHour(routes, perSlot) {
  await initSketch();
  const r = await realm();
  const dbName = `apiscope-soak-${routes}-${perSlot}-${Math.random()}`;
  const profiler = await r.start({ dbName, instrument: false });
  const started = await r.wasmBytes();
  try {
    const names = Array.from({ length: routes }, (_, i) => `/api/r${i}/items/:id`);
    const slots = HOUR_MS / SLOT_MS;
    const first = (Math.floor(Date.now() / SLOT_MS) - slots) * SLOT_MS;
    const n = routes * perSlot;
    // The realm's own typed arrays: recordMany checks them with its realm's instanceof.
    const durationMs = new r.window.Float64Array(n);
    const startTime = new r.window.Float64Array(n);
    const routeIndex = new r.window.Uint32Array(n);
    const expected = new Sketch();
    let i = 0;
    for (let s = 0; s < slots; s++) {
      let k = 0;
      for (let j = 0; j < perSlot; j++) {
        for (let route = 0; route < routes; route++, k++) {
          const d = latency(i++);
          durationMs[k] = d;
          // Ends spread over the slot, the first at its very start.
          startTime[k] = first + s * SLOT_MS + (j / perSlot) * (SLOT_MS - 1_400) - d * (j === 0);
          routeIndex[k] = route;
          if (route === 0) expected.record(d);
        }
      }
      profiler.recordMany({ routes: names, durationMs, startTime, routeIndex });
      await profiler.flush();
    }
    const rows = profiler.snapshot({ windowMs: HOUR_MS + SLOT_MS });
    assert.equal(rows.length, routes);
    assert.equal(rows.reduce((sum, row) => sum + row.count, 0), i, "every call is in the hour's figures");
    const row = rows.find((row) => row.route === names[0]);
    assert.equal(row.count, expected.count);
    assert.equal(row.min, expected.min);
    assert.equal(row.max, expected.max);
    for (const [key, q] of [["p50", 0.5], ["p95", 0.95], ["p99", 0.99]]) {
      assert.equal(row[key], expected.quantile(q), `the hour's ${key} is one sketch of its calls`);
    }
    expected.free();
    return { calls: i, started, wasm: await r.wasmBytes() };
  } finally {
    await profiler.stop();
    profiler.free();
    r.close();
    await deleteDb(dbName);
  }
}

for (const [routes, perSlot, limit] of [
  [50, 2, 4 * MB],
  [50, 20, 4 * MB],
  [500, 2, 16 * MB],
  [500, 20, 16 * MB],
]) {
  test(`an hour on ${routes} routes, ${perSlot} calls per route and 10 s slot, within ${limit} bytes of wasm memory`, async () => {
    const held = await anHour(routes, perSlot);
    console.log(`soak: ${routes} routes x ${perSlot} per slot: ${held.calls} calls, wasm ${held.started} bytes at start, ${held.wasm} after`);
    assert.ok(held.wasm <= limit, `wasm memory ${held.wasm} > ${limit}`);
  });
}

/** Lets the engine's drain timer (a 0 ms timeout) take what the hooks filed. */
const drained = () => new Promise((resolve) => setTimeout(resolve, 0));

const WASM_LIMIT = 8 * MB;
const HEAP_GROWTH_LIMIT = 2 * MB;

test(`a million instrumented fetches over 200 k URLs and 20 k routes stay within ${WASM_LIMIT} bytes of wasm memory and ${HEAP_GROWTH_LIMIT} more of JS heap`, async () => {
  const r = await realm();
  // The page's API, stubbed before start() so that the hooks wrap the stub; anything else
  // (the engine's own wasm download) goes to the network.
  const network = r.window.fetch;
  r.window.fetch = function fetch(input) {
    if (!String(input).startsWith("/api/")) return network.apply(this, arguments);
    return Promise.resolve(new r.window.Response(null, { status: 200 }));
  };
  const dbName = `apiscope-soak-fetch-${Math.random()}`;
  const profiler = await r.start({ dbName });
  const heapBefore = await window.heapUsage();
  const wasmBefore = await r.wasmBytes();
  try {
    const n = 1_000_000;
    const maxRoutes = 500; // the default cap
    const routes = new Set();
    let overflow = 0;
    for (let i = 0; i < n; ) {
      // 500 requests at a time: what settles between two drains stays within the call-site
      // table (1024 sites).
      const calls = [];
      for (const end = i + 500; i < end; i++) {
        const url = (i * 7_919) % 200_000; // every URL once per 200 k calls, routes interleaved
        const route = url % 20_000;
        if (routes.size < maxRoutes) routes.add(route);
        if (!routes.has(route)) overflow++;
        calls.push(r.window.fetch(`/api/s${route}/items/${(url / 20_000) | 0}`));
      }
      await Promise.all(calls);
      await drained();
      // Far faster than any page: IndexedDB is let catch up every 10 k calls, so that what
      // is measured is what the engine keeps, not a backlog of writes (bounded on its own
      // by batch.maxBuffered, 100 k samples).
      if (i % 10_000 === 0) await profiler.flush();
    }
    await profiler.flush();
    const stats = profiler.stats();
    const wasm = await r.wasmBytes();
    const heapGrowth = (await window.heapUsage()) - heapBefore;
    console.log(`soak: ${n} fetches: wasm ${wasmBefore} -> ${wasm} bytes, JS heap +${heapGrowth} bytes, ${JSON.stringify(stats)}`);
    assert.equal(stats.accepted, n, "every request is recorded");
    assert.equal(stats.dropped, 0);
    assert.equal(stats.refused, 0, "no call site was lost");
    assert.equal(stats.persisted, n);
    assert.equal(stats.overflow, overflow, "calls to routes past the cap are counted");
    const rows = profiler.snapshot();
    assert.equal(rows.length, maxRoutes + 1, "the routes held, and the overflow route");
    assert.equal(rows.reduce((sum, row) => sum + row.count, 0), n);
    assert.ok(wasm <= WASM_LIMIT, `wasm memory ${wasm} > ${WASM_LIMIT}`);
    assert.ok(heapGrowth <= HEAP_GROWTH_LIMIT, `JS heap grew ${heapGrowth} > ${HEAP_GROWTH_LIMIT}`);
  } finally {
    await profiler.stop();
    profiler.free();
    r.close();
    await deleteDb(dbName);
  }
});
