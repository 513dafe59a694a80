// The OTLP exporter from a real page to the real receiver (tests/otlp/receiver.py parses every
// body into the official protobuf `ExportMetricsServiceRequest` and answers 400 otherwise):
// what round 1's tests/browser_export.rs asserted of the Rust exporter, for the JS one.
import { assert, test } from "./lib/harness.js";
import {
  UNREACHABLE,
  collector,
  deleteOutbox,
  engineFor,
  expectation,
  expectedFrom,
  exporting,
  finish,
  metric,
  pointsByRoute,
  received,
  receiver,
  record,
  rejectedCount,
  unique,
  untilStats,
} from "./lib/exporting.js";
import { OutboxQueue } from "/pkg/engine-export/apiscope_engine_export.js";
import { startExporter } from "/js/export/exporter.js";

const DURATION = "apiscope.http.client.request.duration";

async function refused(exportOption) {
  const { engine, exportOptions } = await engineFor({ export: exportOption });
  try {
    await startExporter(engine, exportOptions, { dbName: unique("bad"), pageOrigin: location.origin, OutboxQueue });
  } catch (error) {
    return error;
  } finally {
    engine.free();
  }
  throw new Error(`accepted ${JSON.stringify(exportOption)}`);
}

test("bad values are RangeErrors naming export.<option>, wrong types TypeErrors", async () => {
  for (const url of ["/v1/metrics", "ftp://x.example/v1/metrics", "http://[::1/v1/metrics", "https://u:p@x.example/"]) {
    const error = await refused({ url });
    assert.ok(error instanceof RangeError && error.message.startsWith("export.url: "), `${url}: ${error}`);
  }
  const url = collector();
  for (const [option, field] of [
    [{ intervalMs: 999 }, "export.intervalMs"],
    [{ maxOutbox: 2.5 }, "export.maxOutbox"],
    [{ maxOutbox: 0 }, "export.maxOutbox"],
    [{ headers: { "bad name": "x" } }, "export.headers"],
    [{ headers: { "x-key": "a\r\nb" } }, "export.headers"],
    [{ resource: { n: NaN } }, "export.resource"],
    [{ resource: { "": "x" } }, "export.resource"],
  ]) {
    const error = await refused({ url, ...option });
    assert.ok(error instanceof RangeError && error.message.startsWith(`${field}: `), `${JSON.stringify(option)}: ${error}`);
  }
  for (const [option, field] of [
    [{ intervalMs: "1000" }, "export.intervalMs"],
    [{ headers: { "x-key": 1 } }, "export.headers.x-key"],
    [{ headers: "x" }, "export.headers"],
    [{ resource: { build: 1n } }, "export.resource.build"],
    [{ resource: { at: new Date() } }, "export.resource.at"],
  ]) {
    const error = await refused({ url, ...option });
    assert.ok(error instanceof TypeError && error.message.startsWith(`start: ${field}: `), `${field}: ${error}`);
  }
});

test("flushed histograms arrive exact, as deltas, with the batch header", async () => {
  const rejectedBefore = await rejectedCount();
  const run = await exporting();
  const { engine, exporter, service } = run;
  const expected = await expectation();
  const routes = [
    ["GET", "/api/users/:id"],
    ["POST", "/api/orders"],
    ["GET", "/health"],
  ];
  record([engine, expected], routes, 300);
  const first = await expectedFrom(expected);
  let stats = await exporter.flush();
  assert.deepEqual([stats.requestsSent, stats.exportedPoints, stats.outboxLen, stats.requestsFailed], [1, 3, 0, 0]);
  assert.equal(stats.drainer, true);

  record([engine, expected], routes.slice(0, 1), 50);
  const second = await expectedFrom(expected);
  stats = await exporter.flush();
  const got = await received(service);
  assert.equal(got.length, 2);
  assert.equal(await rejectedCount(), rejectedBefore);
  assert.deepEqual(pointsByRoute(got.slice(0, 1)), first);
  assert.deepEqual(pointsByRoute(got.slice(1)), second);
  // Independent of the sketch: counts and errors as recorded.
  const users = pointsByRoute(got.slice(0, 1))["GET /api/users/:id"];
  assert.deepEqual([users.histogram.count, users.errors], [300, 34]);

  // Delta temporality: the second interval starts where the first ended.
  const interval = (entry) => {
    const histograms = metric(entry, DURATION).exponentialHistogram;
    assert.equal(histograms.aggregationTemporality, "AGGREGATION_TEMPORALITY_DELTA");
    const point = histograms.dataPoints[0];
    return [point.startTimeUnixNano, point.timeUnixNano];
  };
  assert.equal(interval(got[1])[0], interval(got[0])[1]);
  assert.ok(got[0].headers["content-type"].startsWith("application/json"));
  assert.ok(/^[0-9a-f]{8}-\d+$/.test(got[0].headers["x-apiscope-batch"]));
  assert.notEqual(got[0].headers["x-apiscope-batch"], got[1].headers["x-apiscope-batch"]);
  expected.free();
  await finish(run);
});

test("many routes split into requests within the keepalive budget", async () => {
  const run = await exporting();
  const expected = await expectation();
  const routes = Array.from({ length: 400 }, (_, i) => ["GET", `/api/resource${i}/:id`]);
  record([run.engine, expected], routes, 40);
  const want = await expectedFrom(expected);
  const stats = await run.exporter.flush();
  const got = await received(run.service);
  assert.ok(got.length > 1, `${got.length} requests`);
  assert.equal(stats.requestsSent, got.length);
  assert.ok(got.every((e) => e.bytes <= OutboxQueue.bodyBudget()), got.map((e) => e.bytes).join(","));
  assert.deepEqual(pointsByRoute(got), want);
  expected.free();
  await finish(run);
});

test("failed sends are retried with backoff and delivered once", async () => {
  const run = await exporting();
  record([run.engine], [["GET", "/flaky"]], 20);
  await receiver("POST", "/__fail?n=2");
  let stats = await run.exporter.flush();
  assert.deepEqual([stats.requestsFailed, stats.outboxLen], [1, 1]);
  assert.ok(stats.lastError.includes("503"), stats.lastError);
  await untilStats(run.exporter, "the retried export", (s) => s.outboxLen === 0);
  stats = run.exporter.stats();
  assert.deepEqual([stats.requestsFailed, stats.retries, stats.requestsSent], [2, 2, 1]);
  const got = await received(run.service);
  assert.equal(got.length, 1);
  assert.equal(pointsByRoute(got)["GET /flaky"].histogram.count, 20);
  await finish(run);
});

test("the outbox waits offline within its bound and the next start sends it", async () => {
  const dbName = unique("offline");
  const service = unique("svc");
  const offline = await exporting({ url: UNREACHABLE, dbName, service, maxOutbox: 2 });
  for (let i = 0; i < 4; i++) {
    record([offline.engine], [["GET", `/offline/${i}`]], 5);
    const stats = await offline.exporter.flush();
    assert.ok(stats.lastError.startsWith("network error"), stats.lastError);
  }
  const stats = offline.exporter.stats();
  assert.deepEqual([stats.outboxLen, stats.dropped, stats.requestsSent], [2, 2, 0]);
  await offline.exporter.stop();
  offline.engine.free();

  // The network is back at the next start: what the outbox kept is sent, oldest first.
  const online = await exporting({ dbName, service, maxOutbox: 2 });
  await untilStats(online.exporter, "the stored outbox", (s) => s.requestsSent === 2 && s.outboxLen === 0);
  const got = await received(service);
  assert.deepEqual(Object.keys(pointsByRoute(got)), ["GET /offline/2", "GET /offline/3"]);
  await finish(online);
});

test("page hide sends pending histograms with keepalive, once", async () => {
  const run = await exporting();
  const expected = await expectation();
  record([run.engine, expected], [["PUT", "/cart"], ["GET", "/cart"]], 30);
  const want = await expectedFrom(expected);
  // The exporter calls whatever the global fetch is when it sends, as the page's own
  // instrumentation would see it: record each request's keepalive flag.
  const original = globalThis.fetch;
  const seen = [];
  globalThis.fetch = (url, init) => {
    seen.push(init.keepalive);
    return original(url, init);
  };
  try {
    run.exporter.pageHidden();
    // A second hide (pagehide after visibilitychange) must not send the same body again.
    run.exporter.pageHidden();
    await untilStats(run.exporter, "the keepalive export", (s) => s.outboxLen === 0 && s.requestsSent === 1);
  } finally {
    globalThis.fetch = original;
  }
  assert.deepEqual(seen, [true]);
  const got = await received(run.service);
  assert.equal(got.length, 1);
  assert.deepEqual(pointsByRoute(got), want);
  expected.free();
  await finish(run);
});

test("the interval exports without a flush", async () => {
  const run = await exporting({ intervalMs: 1000 });
  record([run.engine], [["GET", "/tick"]], 10);
  await untilStats(run.exporter, "the first tick", (s) => s.requestsSent === 1);
  assert.equal(pointsByRoute(await received(run.service))["GET /tick"].histogram.count, 10);
  await finish(run);
});

test("going online retries at once instead of waiting out the backoff", async () => {
  const run = await exporting();
  record([run.engine], [["GET", "/online"]], 10);
  // Seven failures in a row: the next retry would wait 30 to 60 s, longer than the deadline.
  await receiver("POST", "/__fail?n=7");
  for (let i = 0; i < 7; i++) await run.exporter.flush();
  assert.equal(run.exporter.stats().requestsFailed, 7);
  globalThis.dispatchEvent(new Event("online"));
  await untilStats(run.exporter, "the retry on `online`", (s) => s.outboxLen === 0, 10_000);
  assert.equal(pointsByRoute(await received(run.service))["GET /online"].histogram.count, 10);
  await finish(run);
});

test("stop() exports what is pending and frees nothing the caller still needs", async () => {
  const run = await exporting();
  record([run.engine], [["GET", "/last"]], 7);
  const stats = await run.exporter.stop();
  assert.deepEqual([stats.requestsSent, stats.outboxLen, stats.drainer], [1, 0, false]);
  // Stopped: the engine may go, and later calls neither throw nor send.
  run.engine.free();
  run.exporter.pageHidden();
  assert.deepEqual(await run.exporter.flush(), stats);
  assert.equal(pointsByRoute(await received(run.service))["GET /last"].histogram.count, 7);
  await deleteOutbox(run.dbName);
});

test("every accepted sample is exported exactly once: hooks, record and recordMany alike", async () => {
  const run = await exporting();
  const { engine, exporter, service } = run;
  const now = () => performance.now();
  // The hooks' path: settled requests by call site, as the recorder drains them.
  const origin = location.origin;
  engine.ingest(new Float64Array(0), new Uint32Array([0, 1]), `GET\t${origin}/api/items/42\t\nPOST\t${origin}/api/cart\t`, now());
  for (let round = 0; round < 5; round++) {
    const records = [];
    for (let i = 0; i < 40; i++) {
      const start = now() - 30 - i;
      records.push(0, i % 2, i % 7 === 0 ? 500 : 200, i % 7 === 0 ? 1 : 0, start, start + 10 + i, NaN);
    }
    engine.ingest(new Float64Array(records), new Uint32Array(0), "", now());
    engine.record(Date.now() - 12, 12, "GET", "/app/recorded", 200, true, undefined, now());
    engine.recordMany(new Float64Array([1, 2, 3, 4]), undefined, undefined, undefined, "/app/many", undefined, now());
    if (round % 2 === 0) await exporter.flush();
  }
  await exporter.flush();
  const accepted = engine.stats()[0];
  assert.equal(accepted, 5 * (40 + 1 + 4));
  const counts = await receiver("GET", `/samples?service=${service}`);
  assert.deepEqual([counts.samples, counts.errors, counts.duplicates], [accepted, 5 * 6, []]);
  // The hooks' requests under their templated routes, across the intervals.
  const hooked = (await received(service))
    .map((entry) => pointsByRoute([entry]))
    .reduce((n, routes) => n + (routes["GET /api/items/:id"]?.histogram.count ?? 0) + (routes["POST /api/cart"]?.histogram.count ?? 0), 0);
  assert.equal(hooked, 200);
  await finish(run);
});

test("a round-1 outbox (database version 1) is upgraded and what it kept is sent", async () => {
  const dbName = unique("round1");
  const service = unique("svc");
  const { otlpRequest, resourceAttributes } = await import("/js/engine/otlp.js");
  const point = {
    method: "GET", route: "/from/round1", startMs: Date.now() - 10_000, endMs: Date.now(), errors: 0,
    histograms: [{ count: 1, sum: 5, min: 5, max: 5, scale: 6, zeroCount: 0, offset: 148, bucketCounts: [1] }],
  };
  const body = JSON.stringify(otlpRequest([point], resourceAttributes(location.origin, { "service.name": service })));
  await new Promise((resolve, reject) => {
    const open = indexedDB.open(`${dbName}-outbox`, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("entries");
    open.onsuccess = () => {
      const tx = open.result.transaction("entries", "readwrite");
      tx.objectStore("entries").put({ body, points: 1, attempts: 3 }, [Date.now() - 60_000, 0xbeef, 7]);
      tx.oncomplete = () => {
        open.result.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
  const run = await exporting({ dbName, service });
  await untilStats(run.exporter, "the round-1 body", (s) => s.requestsSent === 1 && s.outboxLen === 0);
  const got = await received(service);
  assert.equal(got.length, 1);
  assert.equal(got[0].headers["x-apiscope-batch"], "0000beef-7");
  assert.equal(run.exporter.stats().retries, 1);
  await finish(run);
});

test("an outbox database that another tab keeps blocked: the outbox lives in memory and still sends", async () => {
  const dbName = unique("blocked");
  const old = await new Promise((resolve) => {
    const open = indexedDB.open(`${dbName}-outbox`, 1);
    open.onsuccess = () => resolve(open.result); // and never closes on versionchange
  });
  const run = await exporting({ dbName });
  assert.ok(run.exporter.stats().lastError.includes("kept in memory"), run.exporter.stats().lastError);
  record([run.engine], [["GET", "/memory"]], 3);
  const stats = await run.exporter.flush();
  assert.deepEqual([stats.requestsSent, stats.drainer], [1, true]);
  old.close();
  await finish(run);
});
