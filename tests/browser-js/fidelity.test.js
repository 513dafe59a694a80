// What a duration measures, against the local test server: to the last byte of the body where
// the browser tells (Resource Timing's responseEnd, XHR's completion), to the headers where it
// cannot (and the sample says so); the time to first byte beside it; how the response was
// delivered; GraphQL operations; and every call counted once in windows, store and export.
import { assert, origins, sleep, test, until } from "./lib/harness.js";
import { start } from "/js/index.js";

const uniqueDb = (name) => `apiscope-fidelity-${name}-${Math.random()}`;
const row = (profiler, suffix, options) =>
  profiler.snapshot(options).find((r) => r.route.endsWith(suffix));

test("a body that ends 300 ms after its headers: the duration runs to its end, the TTFB to the headers", async () => {
  const profiler = await start({ dbName: uniqueDb("late") });
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${origins.test}/fidelity/late/300?head=40&i=${i}`);
    await res.json();
  }
  const r = await until(() => row(profiler, "/fidelity/late/:id")?.count === 3 && row(profiler, "/fidelity/late/:id"), 5000, "three calls");
  assert.ok(r.p50 >= 300, `p50 ${r.p50} covers the body`);
  assert.ok(r.ttfb.count === 3 && r.ttfb.p50 >= 40 && r.ttfb.p50 < 200, `ttfb ${JSON.stringify(r.ttfb)}`);
  assert.equal(r.headersShare, 0);
  assert.equal(r.delivery.network, 1);
  assert.ok(r.protocols["http/1.1"] === 1, JSON.stringify(r.protocols));
  await profiler.flush();
  const stored = (await profiler.samples({})).samples.filter((s) => s.route.endsWith("/fidelity/late/:id"));
  assert.equal(stored.length, 3);
  for (const s of stored) {
    assert.ok(s.durationMs >= 300 && s.ttfbMs < 200 && s.timing === "full" && s.delivery === "network", JSON.stringify(s));
  }
  const [history] = (await profiler.query({ route: "**/fidelity/late/*" }));
  assert.equal(history.ttfb.count, 3);
  assert.ok(history.p50 >= 300 && history.ttfb.p50 < 200, JSON.stringify(history));
  await profiler.stop();
});

test("breakdowns and slow calls are kept for the routes the live windows keep: beyond windows.maxRoutes, under (other)", async () => {
  // Slugs do not template: a route per product, as a shop's API makes them. The phases' sums
  // and the slow calls live with each route's windows, so they are bounded by the same cap.
  const profiler = await start({ dbName: uniqueDb("cap"), windows: { maxRoutes: 1 } });
  for (const slug of ["red-shirt", "blue-hat", "green-scarf"]) {
    await (await fetch(`${origins.test}/fidelity/cacheable/${slug}?cap`)).json();
  }
  const kept = await until(() => row(profiler, "/red-shirt"), 5000, "the first route");
  const other = () => profiler.breakdown("*", "(other)");
  await until(() => profiler.breakdown("GET", kept.route).matched === 1 && other().matched === 2, 5000, "every call matched");
  assert.ok(other().ttfb >= 0, JSON.stringify(other()));
  assert.equal(profiler.breakdown("GET", kept.route.replace("red-shirt", "blue-hat")).matched, 0);
  assert.deepEqual(profiler.snapshot().map((r) => r.route).sort(), ["(other)", kept.route].sort());
  // The slow calls too: the kept route's own, the others' under (other) with their URLs.
  assert.deepEqual(profiler.slowCalls("GET", kept.route).map((c) => c.url), [`${origins.test}/fidelity/cacheable/red-shirt`]);
  assert.deepEqual(
    profiler.slowCalls("*", "(other)").map((c) => c.url).sort(),
    ["blue-hat", "green-scarf"].map((slug) => `${origins.test}/fidelity/cacheable/${slug}`),
  );
  await profiler.stop();
});

test("a call filed when its late body's entry arrives is persisted by age, with nothing else happening", async () => {
  // The call settles at its headers and waits for its Resource Timing entry, which comes with
  // the body 300 ms later: it then opens a new batch, whose age flush must still be scheduled.
  const profiler = await start({ dbName: uniqueDb("age"), batch: { maxDelayMs: 200 } });
  const res = await fetch(`${origins.test}/fidelity/late/300?head=10&age`);
  await res.json();
  // Only stats() from here on: it reads, it neither ingests nor flushes.
  await until(() => profiler.stats().accepted === 1, 5000, "the call filed");
  await until(() => profiler.stats().persisted === 1, 5000, "the call persisted by the batch's age");
  assert.equal(profiler.stats().buffered, 0);
  await profiler.stop();
});

test("a small body that arrives with its headers is timed in full, however late the page sees them", async () => {
  // The body is in the same packet as the headers: Resource Timing's responseEnd often falls
  // before the moment the page's JS sees the headers. A busy main thread widens the gap.
  const profiler = await start({ dbName: uniqueDb("small") });
  const busy = (ms) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  for (let i = 0; i < 40; i++) {
    const pending = fetch(`${origins.test}/fidelity/late/0?head=0&i=${i}`);
    busy(i % 2 ? 30 : 0);
    await (await pending).json();
  }
  const r = await until(() => row(profiler, "/fidelity/late/:id")?.count === 40 && row(profiler, "/fidelity/late/:id"), 5000, "forty calls");
  assert.equal(r.headersShare, 0, "every call matched its entry and was timed to its body's end");
  await profiler.stop();
});

test("XHR durations end when the body is complete", async () => {
  const profiler = await start({ dbName: uniqueDb("xhr") });
  await new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.open("GET", `${origins.test}/fidelity/late/250?head=10`);
    x.onloadend = resolve;
    x.send();
  });
  const r = await until(() => row(profiler, "/fidelity/late/:id"), 5000, "the XHR");
  assert.ok(r.p50 >= 250, `p50 ${r.p50}`);
  assert.equal(r.headersShare, 0);
  await profiler.stop();
});

test("a cacheable GET repeated is counted as delivered from the HTTP cache", async () => {
  const profiler = await start({ dbName: uniqueDb("cache") });
  const url = `${origins.test}/fidelity/cacheable/${Math.floor(Math.random() * 1e9)}`;
  for (let i = 0; i < 4; i++) await (await fetch(url)).json();
  const r = await until(() => row(profiler, "/fidelity/cacheable/:id")?.count === 4 && row(profiler, "/fidelity/cacheable/:id"), 5000, "four calls");
  assert.equal(r.delivery.network, 0.25, JSON.stringify(r.delivery));
  assert.equal(r.delivery.cache, 0.75, JSON.stringify(r.delivery));
  // The network's own figures leave the cache hits out.
  const network = row(profiler, "/fidelity/cacheable/:id", { delivery: "network" });
  assert.equal(network.count, 1);
  assert.equal(row(profiler, "/fidelity/cacheable/:id", { delivery: "cache" }).count, 3);
  assert.throws(() => profiler.snapshot({ delivery: "disk" }), RangeError, "Profiler.snapshot: options.delivery");
  await profiler.stop();
});

test("a cross-origin endpoint without Timing-Allow-Origin is timed to its headers, and says so", async () => {
  const profiler = await start({ dbName: uniqueDb("opaque") });
  for (let i = 0; i < 2; i++) await (await fetch(`${origins.second}/fidelity/opaque-late/200?i=${i}`)).text();
  const r = await until(() => row(profiler, "/fidelity/opaque-late/:id")?.count === 2 && row(profiler, "/fidelity/opaque-late/:id"), 12_000, "two calls");
  assert.equal(r.headersShare, 1);
  assert.ok(r.p50 < 200, `p50 ${r.p50} stops at the headers`);
  assert.equal(r.delivery.unknown, 1);
  await profiler.flush();
  const stored = (await profiler.samples({})).samples.filter((s) => s.route.endsWith("/fidelity/opaque-late/:id"));
  assert.deepEqual(stored.map((s) => s.timing), ["headers", "headers"]);
  await profiler.stop();
});

test("GraphQL operations split by name and never store their query or variables", async () => {
  const profiler = await start({ dbName: uniqueDb("graphql"), graphql: ["/hooks/graphql", `${origins.test}/hooks/graphql`] });
  const post = (body) => fetch(`${origins.test}/hooks/graphql`, { method: "POST", headers: { "Content-Type": "application/json" }, body }).then((r) => r.json());
  await post(JSON.stringify({ operationName: "GetUser", query: "query GetUser($id: ID!) { user(id: $id) { name } }", variables: { id: "secret-42" } }));
  await post(JSON.stringify({ operationName: "GetUser", query: "query GetUser { user { name } }", variables: { id: "secret-43" } }));
  await post(JSON.stringify({ operationName: "ListOrders", query: "query ListOrders { orders { id } }" }));
  await post(JSON.stringify({ query: "{ me { id } }" }));
  const routes = await until(() => {
    const rows = profiler.snapshot().filter((r) => r.route.includes("/hooks/graphql"));
    return rows.reduce((n, r) => n + r.count, 0) === 4 && rows;
  }, 5000, "four operations");
  const counts = Object.fromEntries(routes.map((r) => [r.route.slice(r.route.indexOf("#")), r.count]));
  assert.deepEqual(counts, { "#GetUser": 2, "#ListOrders": 1, "#anonymous": 1 });
  await profiler.flush();
  const everything = JSON.stringify([profiler.snapshot(), await profiler.samples({}), await profiler.query(), profiler.exportOtlp()]);
  for (const secret of ["secret-42", "secret-43", "user(id", "orders {"]) assert.ok(!everything.includes(secret), secret);
  await profiler.stop();
});

test("every call is counted once: live windows, stored history and the export agree", async () => {
  const profiler = await start({ dbName: uniqueDb("once") });
  const n = 24;
  await Promise.all(Array.from({ length: n }, (_, i) => fetch(`${origins.test}/delay/${5 + (i % 7)}?i=${i}`).then((r) => r.text())));
  await until(() => row(profiler, "/delay/:id")?.count === n, 5000, `${n} calls`);
  await sleep(200); // late entries would show as a second count
  assert.equal(row(profiler, "/delay/:id").count, n);
  await profiler.flush();
  const [stored] = await profiler.query({ route: "**/delay/*" });
  assert.equal(stored.count, n);
  const exported = profiler.exportOtlp().resourceMetrics[0].scopeMetrics[0].metrics
    .find((m) => m.name === "apiscope.http.client.request.duration")
    .exponentialHistogram.dataPoints.find((p) => p.attributes.some((a) => String(a.value.stringValue).endsWith("/delay/:id")));
  assert.equal(exported.count, String(n));
  assert.equal(profiler.stats().accepted, n);
  await profiler.stop();
});
