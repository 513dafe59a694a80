// The history part (pkg/history/, js/engine/history.js) on its own, in real Chromium: what
// `Profiler.query()` hands it (the store's decoded records) and the rows it gives back. The
// query() path through start() and IndexedDB is in profiler.test.js and tests/e2e/loader.
import { assert, test } from "./lib/harness.js";
import { summarize } from "/js/engine/history.js";

/** A stored record as the store decodes it: one route per sample, 1 ms apart from `t0`. */
function record(id, t0, durations, { status = 200, routes = ["GET /api/a", "GET /api/b"], routeOf = () => 0 } = {}) {
  const n = durations.length;
  return {
    id,
    start: Float64Array.from(durations, (_, i) => t0 + i),
    duration: Float64Array.from(durations),
    status: new Uint16Array(n).fill(status),
    ok: new Uint8Array(n).fill(status < 400 ? 1 : 0),
    bytes: new Float64Array(n).fill(-1),
    routeId: Uint32Array.from(durations, (_, i) => routeOf(i)),
    routes,
    ttfb: new Float64Array(n).fill(-1),
    flags: new Uint8Array(n),
  };
}

const all = { from: 0, to: Infinity, glob: "", onCorrupt: () => assert.fail("nothing is corrupt") };

test("summarizes records into per-route rows, busiest first, errors and percentiles included", async () => {
  const durations = Array.from({ length: 100 }, (_, i) => i + 1);
  const rows = await summarize(
    [record("a", 1000, durations, { routeOf: (i) => (i < 70 ? 0 : 1) }), record("b", 2000, [500, 600], { status: 503, routeOf: () => 1 })],
    all,
  );
  assert.deepEqual(rows.map((r) => [r.method, r.route, r.count, r.errors]), [["GET", "/api/a", 70, 0], ["GET", "/api/b", 32, 2]]);
  const a = rows[0];
  assert.equal(a.min, 1);
  assert.equal(a.max, 70);
  assert.ok(Math.abs(a.p50 - 35) <= 35 * 0.02, `p50 ${a.p50}`);
  assert.ok(Math.abs(a.mean - 35.5) < 1e-9, `mean ${a.mean}`);
  assert.ok(Math.abs(rows[1].errorRate - 2 / 32) < 1e-12);
  assert.equal(rows[1].max, 600);
  assert.equal("protocols" in a, false, "history keeps no protocols");
});

test("keeps samples started in [from, to) on routes the glob matches", async () => {
  const records = [record("a", 1000, [10, 20, 30, 40], { routeOf: (i) => i % 2 })];
  const rows = await summarize(records, { ...all, from: 1001, to: 1003 });
  assert.deepEqual(rows.map((r) => [r.route, r.count, r.max]).sort(), [["/api/a", 1, 30], ["/api/b", 1, 20]]);
  const b = await summarize(records, { ...all, glob: "/api/b" });
  assert.deepEqual(b.map((r) => [r.route, r.count]), [["/api/b", 2]]);
  assert.deepEqual(await summarize(records, { ...all, glob: "/nothing/**" }), []);
});

test("a record the part refuses is skipped and counted; the others are summarized", async () => {
  const short = record("short", 1000, [10, 20]);
  short.status = new Uint16Array(1); // a column shorter than the others
  const stray = record("stray", 1000, [10], { routeOf: () => 7 }); // a route id past the dictionary
  const unnamed = record("unnamed", 1000, [10], { routes: ["GET"] }); // a route without its method
  let corrupt = 0;
  const rows = await summarize([short, record("good", 1000, [5, 6, 7]), stray, unnamed], { ...all, onCorrupt: () => corrupt++ });
  assert.equal(corrupt, 3);
  assert.deepEqual(rows.map((r) => [r.route, r.count]), [["/api/a", 3]]);
  assert.deepEqual(await summarize([], all), [], "no records, no rows (and the part still works)");
});
