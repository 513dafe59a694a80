// The OTLP/JSON encoder (js/engine/otlp.js, js/export/bodies.js) on the engine's export points, with the lean engine
// (pkg/engine) for `Profiler.exportOtlp` and the receiver as the schema's judge.
import { assert, origins, test } from "./lib/harness.js";
import { pointsByRoute, unique } from "./lib/exporting.js";
import initLean, { Engine as LeanEngine } from "/pkg/engine/apiscope_engine.js";
import { version as packageVersion } from "/js/index.js";
import { engineOptions } from "/js/engine/options.js";
import {
  DEFAULT_SERVICE_NAME,
  HISTOGRAMS,
  VERSION,
  decodePoints,
  otlpRequest,
  resourceAttributes,
  unixNanos,
} from "/js/engine/otlp.js";
import { encodeBodies, utf8Bytes } from "/js/export/bodies.js";

async function leanEngine() {
  await initLean();
  const o = engineOptions({}, { resourceTiming: false, pageOrigin: location.origin, timeOrigin: performance.timeOrigin, callSites: 64 });
  return new LeanEngine(o.config, o.text);
}

/** POSTs a request object to the receiver: its status and the parsed request it stored. */
async function post(request) {
  const response = await fetch(`${origins.otlp}/v1/metrics`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof request === "string" ? request : JSON.stringify(request),
  });
  return response.status;
}

/** A point as decodePoints makes it. */
function point(route, values, errors = 0, method = "GET") {
  return {
    method,
    route,
    startMs: 1_700_000_000_000,
    endMs: 1_700_000_010_000.5,
    errors,
    histograms: [
      {
        count: values.length,
        sum: values.reduce((a, b) => a + b, 0),
        min: Math.min(...values),
        max: Math.max(...values),
        scale: 6,
        zeroCount: values.filter((v) => v === 0).length,
        offset: 63,
        bucketCounts: values.filter((v) => v > 0).map(() => 1),
      },
    ],
  };
}

test("exportPoints of the lean engine become one valid request: fields as OTLP/JSON wants", async () => {
  const engine = await leanEngine();
  const service = unique("svc");
  for (const [duration, status] of [[0, 200], [1, 200], [1.01, 500]]) {
    engine.record(Date.now(), duration, "GET", "/api/users/:id", status, status < 400, undefined, performance.now());
  }
  engine.record(Date.now(), 40, "POST", "/api/orders", 201, true, undefined, performance.now());
  const points = decodePoints(engine.exportPoints(performance.now(), 60_000), engine.labels());
  const request = otlpRequest(points, resourceAttributes(location.origin, { "service.name": service }));
  const rm = request.resourceMetrics[0];
  const attrs = Object.fromEntries(rm.resource.attributes.map((kv) => [kv.key, kv.value]));
  assert.deepEqual(attrs["service.name"], { stringValue: service });
  assert.deepEqual(attrs["apiscope.page.origin"], { stringValue: location.origin });
  assert.deepEqual(attrs["telemetry.sdk.version"], { stringValue: VERSION });
  const scope = rm.scopeMetrics[0];
  assert.deepEqual(scope.scope, { name: "apiscope", version: VERSION });
  const [duration, errors] = scope.metrics;
  assert.deepEqual([duration.name, duration.unit], ["apiscope.http.client.request.duration", "ms"]);
  assert.equal(duration.exponentialHistogram.aggregationTemporality, 1);
  const dp = duration.exponentialHistogram.dataPoints.find((p) => p.attributes[1].value.stringValue === "/api/users/:id");
  assert.deepEqual(dp.attributes, [
    { key: "http.request.method", value: { stringValue: "GET" } },
    { key: "http.route", value: { stringValue: "/api/users/:id" } },
  ]);
  assert.deepEqual([dp.count, dp.zeroCount, dp.sum, dp.scale, dp.min, dp.max], ["3", "1", 2.01, 6, 0, 1.01]);
  assert.deepEqual(dp.positive.bucketCounts, ["1", "1"]);
  assert.equal(dp.zeroThreshold, 0);
  assert.deepEqual([errors.name, errors.unit, errors.sum.isMonotonic], ["apiscope.http.client.errors", "{request}", true]);
  const ep = errors.sum.dataPoints.find((p) => p.attributes[1].value.stringValue === "/api/users/:id");
  assert.deepEqual([ep.asInt, ep.timeUnixNano], ["1", dp.timeUnixNano]);
  // The point covers the window's slots: the minute asked, reaching back at most one 10 s slot.
  const span = BigInt(dp.timeUnixNano) - BigInt(dp.startTimeUnixNano);
  assert.ok(span >= 60_000_000_000n && span <= 70_000_000_000n, `covered ${span} ns`);

  assert.equal(await post(request), 200);
  const [entry] = (await (await fetch(`${origins.otlp}/received`)).json()).filter(
    (e) => e.request.resourceMetrics[0].resource.attributes.some((kv) => kv.value.stringValue === service),
  );
  const got = pointsByRoute([entry]);
  assert.deepEqual(got["GET /api/users/:id"], { histogram: { ...points.find((p) => p.route === "/api/users/:id").histograms[0] }, errors: 1 });
  assert.equal(got["POST /api/orders"].histogram.count, 1);
  engine.free();
});

test("no calls in the window: an empty request", async () => {
  const engine = await leanEngine();
  const points = decodePoints(engine.exportPoints(performance.now(), 60_000), engine.labels());
  assert.deepEqual(otlpRequest(points, resourceAttributes(location.origin)), { resourceMetrics: [] });
  engine.free();
});

test("bodies split within the budget, sizes exact in UTF-8, nothing lost or doubled", async () => {
  const attributes = resourceAttributes("https://a.example", { "service.name": "shop ✓" });
  const points = Array.from({ length: 300 }, (_, i) =>
    point(`/api/${i}/${"é€😀".repeat(i % 7)}x`, [1 + i, 2 + i * 0.5, 0], i % 5, ["GET", "POST", "DELETE"][i % 3]),
  );
  const whole = encodeBodies(points, attributes, Infinity);
  assert.equal(whole.length, 1);
  assert.deepEqual(JSON.parse(whole[0].json), otlpRequest(points, attributes));
  const encoder = new TextEncoder();
  for (const budget of [8_000, 20_000, 60 * 1024]) {
    const bodies = encodeBodies(points, attributes, budget);
    assert.ok(bodies.length > 1, `${budget}`);
    for (const body of bodies) {
      assert.equal(body.bytes, encoder.encode(body.json).length);
      assert.ok(body.bytes <= budget, `${body.bytes} > ${budget}`);
    }
    assert.equal(bodies.reduce((n, b) => n + b.points, 0), 300);
    const merged = bodies.flatMap((b) => JSON.parse(b.json).resourceMetrics[0].scopeMetrics[0].metrics.map((m) => m));
    const dataPoints = (name) => merged.filter((m) => m.name === name).flatMap((m) => (m.exponentialHistogram || m.sum).dataPoints);
    const all = otlpRequest(points, attributes).resourceMetrics[0].scopeMetrics[0].metrics;
    assert.deepEqual(dataPoints(HISTOGRAMS[0].name), all[0].exponentialHistogram.dataPoints);
    assert.deepEqual(dataPoints("apiscope.http.client.errors"), all[1].sum.dataPoints);
  }
  // Valid for the schema as split.
  for (const body of encodeBodies(points.slice(0, 40), resourceAttributes("https://a.example"), 8_000)) {
    assert.equal(await post(body.json), 200);
  }
});

test("a route whose data points alone exceed the budget goes alone", () => {
  const attributes = resourceAttributes("https://a.example");
  const points = [point("/a", [1]), point(`/${"y".repeat(5_000)}`, [2]), point("/c", [3])];
  const bodies = encodeBodies(points, attributes, 3_000);
  assert.deepEqual(bodies.map((b) => b.points), [1, 1, 1]);
  assert.ok(bodies[1].bytes > 3_000);
  assert.deepEqual(encodeBodies([], attributes, 3_000), []);
});

test("resource values keep their types; the user's win over the defaults", () => {
  const attributes = resourceAttributes("https://shop.example", { "service.name": "shop", build: 42, ratio: 0.5, canary: true, huge: 2 ** 60 });
  const value = (key) => attributes.find((kv) => kv.key === key).value;
  assert.deepEqual(value("service.name"), { stringValue: "shop" });
  assert.deepEqual(value("build"), { intValue: "42" });
  assert.deepEqual(value("ratio"), { doubleValue: 0.5 });
  assert.deepEqual(value("canary"), { boolValue: true });
  assert.deepEqual(value("huge"), { doubleValue: 2 ** 60 });
  assert.deepEqual(attributes.map((kv) => kv.key), [...attributes.map((kv) => kv.key)].sort());
  assert.equal(resourceAttributes("o").find((kv) => kv.key === "service.name").value.stringValue, DEFAULT_SERVICE_NAME);
});

test("the version in requests is the package's", async () => {
  await initLean();
  assert.equal(VERSION, packageVersion());
});

test("timestamps are exact nanoseconds", () => {
  assert.equal(unixNanos(1_700_000_000_123), "1700000000123000000");
  assert.equal(unixNanos(1.5), "1500000");
  assert.equal(unixNanos(0.25), "250000");
  assert.equal(unixNanos(1_700_000_010_000.5), "1700000010000500000");
  assert.equal(unixNanos(-4), "0");
  assert.equal(unixNanos(NaN), "0");
});

test("utf8Bytes counts as TextEncoder does", () => {
  const encoder = new TextEncoder();
  for (const text of ["", "abc", "é", "€", "😀", "a😀b", "\ud800", "x\udc00y", "\ud83d"]) {
    assert.equal(utf8Bytes(text), encoder.encode(text).length, JSON.stringify(text));
  }
});

test("points and labels that disagree are refused, never exported under another route", async () => {
  const engine = await leanEngine();
  engine.record(Date.now(), 5, "GET", "/a", 200, true, undefined, performance.now());
  const numbers = engine.exportPoints(performance.now(), 60_000);
  assert.throws(() => decodePoints(numbers, "GET\t/a\nGET\t/b"), Error, "do not match");
  assert.throws(() => decodePoints(numbers, ""), Error, "do not match");
  assert.throws(() => decodePoints(new Float64Array([HISTOGRAMS.length + 1]), ""), Error, "histograms per point");
  assert.equal(decodePoints(numbers, engine.labels())[0].route, "/a");
  engine.free();
});
