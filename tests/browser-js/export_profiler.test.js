// Export through the whole package: `start({ export })` loads the export variant, the hooks'
// requests and the app's samples reach the collector exactly once, the exporter's own
// requests are never measured, `stop()` flushes, and `exportOtlp()` works on the lean engine.
import { assert, origins, test, until } from "./lib/harness.js";
import { deleteOutbox, pointsByRoute, received, receiver, unique } from "./lib/exporting.js";
import { start } from "/js/index.js";

const counts = (service) => receiver("GET", `/samples?service=${service}`);

async function startExporting(url, extra = {}) {
  const dbName = unique("profiler");
  const service = unique("svc");
  const profiler = await start({ dbName, export: { url, resource: { "service.name": service } }, ...extra });
  return { profiler, dbName, service };
}

/** How many calls the profiler filed under each route, by its live snapshot. */
const routesOf = (profiler) =>
  Object.fromEntries(profiler.snapshot({ windowMs: 600_000 }).map((r) => [`${r.method} ${r.route}`, r.count]));

/** The test server's routes, as the profiler files them (another origin: with its origin). */
const counter = () => `GET ${origins.test}/__counts`;

for (const [how, url] of [
  ["as given", () => `${origins.otlp}/v1/metrics`],
  // Written differently from how fetch normalises it: still the exporter's own URL.
  ["in another spelling", () => `${origins.otlp.replace("http://", "HTTP://")}/v1/metrics`],
]) {
  test(`start({ export }) exports hooked and recorded calls once; its own requests (url ${how}) are never measured`, async () => {
    const { profiler, dbName, service } = await startExporting(url());
    for (let i = 0; i < 5; i++) await (await fetch(`${origins.test}/__counts?i=${i}`)).text();
    profiler.record({ route: "/app/checkout", durationMs: 42, status: 500 });
    await until(() => routesOf(profiler)[counter()] === 5, 5000, "the hooked requests");
    // Export twice mid-run, so the exporter's own POSTs happen while the hooks are in.
    await profiler.exporter.flush();
    await profiler.exporter.flush();
    for (let i = 0; i < 3; i++) await (await fetch(`${origins.test}/__counts`)).text();
    await until(() => routesOf(profiler)[counter()] === 8, 5000, "three more");
    const routes = routesOf(profiler);
    assert.equal(routes["GET /app/checkout"], 1);
    assert.ok(!Object.keys(routes).some((route) => route.includes("/v1/metrics")), Object.keys(routes).join(", "));
    const accepted = profiler.stats().accepted;
    const stats = await profiler.stop();
    assert.ok(stats.persisted >= 0);
    const got = await counts(service);
    assert.deepEqual([got.samples, got.errors, got.duplicates], [accepted, 1, []]);
    const exported = Object.assign({}, ...(await received(service)).map((entry) => pointsByRoute([entry])));
    assert.ok(!Object.keys(exported).some((route) => route.includes("/v1/metrics")), Object.keys(exported).join(", "));
    profiler.free();
    await deleteOutbox(dbName);
  });
}

test("exportOtlp() with nothing recorded is an empty request", async () => {
  const dbName = unique("empty");
  const profiler = await start({ dbName, instrument: false });
  assert.deepEqual(profiler.exportOtlp(), { resourceMetrics: [] });
  await profiler.stop();
  profiler.free();
});

test("stats().export says how the exporter does", async () => {
  const { profiler, dbName } = await startExporting(`${origins.otlp}/v1/metrics`);
  profiler.record({ route: "/a", durationMs: 3 });
  await profiler.exporter.flush();
  const { export: e } = profiler.stats();
  assert.deepEqual([e.requestsSent, e.outboxLen, e.requestsFailed, e.drainer], [1, 0, 0, true]);
  assert.equal(e.exportedPoints, Object.keys(routesOf(profiler)).length);
  await profiler.stop();
  profiler.free();
  await deleteOutbox(dbName);
});

test("a bad export option rejects start() naming it, and nothing stays installed", async () => {
  const original = globalThis.fetch;
  await assert.rejects(start({ dbName: unique("bad"), export: { url: "/v1/metrics" } }), RangeError, "start: export.url: ");
  await assert.rejects(start({ dbName: unique("bad"), export: { url: `${origins.otlp}/v1/metrics`, intervalMs: "5s" } }), TypeError, "start: export.intervalMs: ");
  assert.equal(globalThis.fetch, original);
});

test("exportOtlp() on the lean engine: the live windows as one request the collector takes", async () => {
  const dbName = unique("lean");
  const profiler = await start({ dbName });
  assert.equal(profiler.exporter, null);
  await (await fetch(`${origins.test}/__counts`)).text();
  profiler.record({ route: "/app/search", durationMs: 120 });
  profiler.record({ route: "/app/search", durationMs: 80, status: 503 });
  await until(() => routesOf(profiler)[counter()] === 1, 5000, "the hooked request");
  const accepted = profiler.stats().accepted;
  const request = profiler.exportOtlp({ windowMs: 60_000 });
  const service = unique("svc");
  request.resourceMetrics[0].resource.attributes.find((kv) => kv.key === "service.name").value.stringValue = service;
  const response = await fetch(`${origins.otlp}/v1/metrics`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(request),
  });
  assert.equal(response.status, 200);
  const got = await counts(service);
  assert.deepEqual([got.samples, got.errors], [accepted, 1]);
  assert.throws(() => profiler.exportOtlp({ windowMs: 0 }), RangeError, "Profiler.exportOtlp: options.windowMs");
  assert.throws(() => profiler.exportOtlp({ window: 5 }), TypeError, "Profiler.exportOtlp: options.window");
  await profiler.stop();
  profiler.free();
});
