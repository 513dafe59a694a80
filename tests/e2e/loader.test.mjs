// The loader on a slow phone: with 4× CPU throttling and a slow network (DevTools protocol),
// a request the page makes right after `start()` (before the engine has even downloaded) is
// measured exactly once, and a page that uses neither export, nor the caches, nor the
// dashboard downloads none of them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchBrowser, openPage, startServer, root, throttle } from "./harness.mjs";
import { demoApi } from "../../demo/api.mjs";

let browser, server, unshipped;
before(async () => {
  // An app whose build shipped the engine's glue but not its wasm file.
  unshipped = await mkdtemp(path.join(tmpdir(), "apiscope-unshipped-"));
  await copyFile(path.join(root, "pkg/engine/apiscope_engine.js"), path.join(unshipped, "apiscope_engine.js"));
  server = await startServer({
    port: 0,
    api: demoApi,
    mounts: [
      ["/e2e/", path.join(root, "tests/e2e/pages")],
      ["/unshipped/js/", path.join(root, "js")],
      ["/unshipped/pkg/engine/", unshipped],
    ],
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (unshipped) await rm(unshipped, { recursive: true, force: true });
});

test("a request made right after start() is measured exactly once on a throttled network", async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/e2e/blank.html`);
  await throttle(page);
  const result = await page.evaluate(async () => {
    const { start } = await import("/js/index.js");
    const started = start({ dbName: `e2e-loader-${Math.random()}` });
    // Before the engine (JS chunk and wasm) can possibly have arrived on this network.
    const early = fetch("/api/users/7").then((r) => r.json());
    const xhr = new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.open("GET", "/api/users/8");
      x.onloadend = () => resolve(x.status);
      x.send();
    });
    const [profiler, body, xhrStatus] = await Promise.all([started, early, xhr]);
    const readyAt = performance.now();
    // A request after start() resolved goes the same way.
    await fetch("/api/users/9").then((r) => r.text());
    const rows = profiler.snapshot().filter((r) => r.route === "/api/users/:id");
    const stats = profiler.stats();
    await profiler.stop();
    return { body, xhrStatus, rows, stats, readyAt };
  });
  assert.equal(result.body.id, 7, "the app got its own response");
  assert.equal(result.xhrStatus, 200);
  assert.equal(result.rows.length, 1, JSON.stringify(result.rows));
  assert.equal(result.rows[0].count, 3, "each of the three requests exactly once");
  assert.equal(result.stats.dropped, 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a page that uses no optional part downloads none", async () => {
  const page = await openPage(browser);
  const fetched = [];
  page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`${server.url}/e2e/blank.html`);
  await page.evaluate(async () => {
    const { start } = await import("/js/index.js");
    const profiler = await start({ dbName: `e2e-parts-${Math.random()}` });
    await fetch("/api/health");
    profiler.snapshot();
    await profiler.flush();
    await profiler.stop();
  });
  const optional = fetched.filter((p) => /engine-export|\/pkg\/cache\/|\/pkg\/sketch\/|\/pkg\/history\/|\/js\/cache\/|\/js\/sketch\/|\/js\/export\/|dashboard/.test(p));
  assert.deepEqual(optional, [], `downloaded: ${fetched.join(", ")}`);
  assert.ok(fetched.some((p) => p.endsWith("/pkg/engine/apiscope_engine_bg.wasm")), "the lean engine was loaded");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the history part downloads on the first query(), once, and a failed load leaves the profiler running", async () => {
  const page = await openPage(browser);
  const fetched = [];
  page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`${server.url}/e2e/blank.html`);
  const historyWasm = () => fetched.filter((p) => p.endsWith("/apiscope_history_bg.wasm"));
  const result = await page.evaluate(async () => {
    const { start } = await import("/js/index.js");
    const dbName = `e2e-history-${Math.random()}`;
    const badOption = await start({ dbName, historyWasm: 42 }).then(() => "resolved", (e) => `${e.name}: ${e.message}`);
    // A page whose history wasm is not where it says: the query fails, nothing else does.
    const broken = await start({ dbName, historyWasm: "/missing/apiscope_history_bg.wasm" });
    await fetch("/api/users/1").then((r) => r.text());
    await broken.flush();
    const failure = await broken.query().then(() => "resolved", (e) => `${e.name}: ${e.message}`);
    await fetch("/api/users/2").then((r) => r.text());
    const afterFailure = { state: broken.stats().state, count: broken.snapshot()[0]?.count };
    await broken.stop();
    const profiler = await start({ dbName });
    await fetch("/api/users/3").then((r) => r.text());
    await profiler.flush();
    const first = await profiler.query({ route: "/api/users/*" });
    const second = await profiler.query();
    await profiler.stop();
    return { badOption, failure, afterFailure, first: first.map((r) => [r.route, r.count]), second: second.length };
  });
  assert.equal(result.badOption, "TypeError: start: historyWasm: must be a URL, Response, BufferSource or WebAssembly.Module, got the number 42");
  assert.match(result.failure, /^Error: Profiler\.query: /, result.failure);
  assert.deepEqual(result.afterFailure, { state: "running", count: 2 }, "the failed load switched nothing off");
  assert.deepEqual(result.first, [["/api/users/:id", 3]], "the three stored calls, summarized by the history part");
  assert.equal(result.second, 1);
  assert.deepEqual(historyWasm(), ["/missing/apiscope_history_bg.wasm", "/pkg/history/apiscope_history_bg.wasm"], "one download per source: the failed one, then the default once for both queries");
  // The browser logs the missing file's 404 itself.
  assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
  await page.close();
});

test("an engine wasm the app did not ship is named in start()'s rejection, and the hooks go", async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/e2e/blank.html`);
  const result = await page.evaluate(async () => {
    const original = window.fetch;
    const { start } = await import("/unshipped/js/index.js");
    const message = await start({ dbName: `e2e-unshipped-${Math.random()}` }).then(
      () => "resolved",
      (err) => err.message,
    );
    const ok = await fetch("/api/users/7").then((r) => r.ok);
    return { message, restored: window.fetch === original, ok };
  });
  assert.match(result.message, /^start: HTTP 404 for the engine's wasm http:\/\/.*\/unshipped\/pkg\/engine\/apiscope_engine_bg\.wasm; serve it, or pass its URL as start\(\{ wasm \}\)$/);
  assert.ok(result.restored, "fetch is the page's own again");
  assert.ok(result.ok, "the page's fetch works");
  await page.close();
});
