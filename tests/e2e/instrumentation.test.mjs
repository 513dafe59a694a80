// Instrumentation as a page sees it, through the npm entry: calls become samples grouped by
// route, in windows and workers, without ever changing what the app sees.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { launchBrowser, openPage, startServer, root } from "./harness.mjs";

const pages = path.join(root, "tests/e2e/pages");

// A small API on the page's own origin, plus a page served under a strict CSP.
async function api(req, res, url) {
  if (url.pathname.startsWith("/api/items/")) {
    await new Promise((r) => setTimeout(r, 20));
    res.writeHead(200, { "Content-Type": "application/json", "Server-Timing": "app;dur=15" });
    res.end(JSON.stringify({ id: url.pathname.split("/").pop() }));
    return true;
  }
  if (url.pathname === "/api/fail") {
    res.writeHead(503).end("down");
    return true;
  }
  if (url.pathname === "/csp/blank.html") {
    const html = await readFile(path.join(pages, "blank.html"));
    // script-src without 'wasm-unsafe-eval': WebAssembly compilation is forbidden.
    res.writeHead(200, {
      "Content-Type": "text/html",
      "Content-Security-Policy": "script-src 'self' 'unsafe-inline'",
    });
    res.end(html);
    return true;
  }
  return false;
}

let browser, server;
before(async () => {
  server = await startServer({ port: 0, api, mounts: [["/e2e/", pages]] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function blankPage() {
  const page = await openPage(browser);
  await page.goto(`${server.url}/e2e/blank.html`);
  return page;
}

test("a Web Worker's own fetch calls are measured there", async () => {
  const page = await blankPage();
  const snapshot = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const worker = new Worker("/e2e/worker.js", { type: "module" });
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
      }),
  );
  const row = snapshot.find((r) => r.route === "/api/items/:id");
  assert.ok(row, JSON.stringify(snapshot));
  assert.equal(row.count, 5);
  assert.ok(row.p50 >= 19, `p50 ${row.p50}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("XHR, errors, sampling and ignore rules through the profiler", async () => {
  const page = await blankPage();
  const result = await page.evaluate(async () => {
    const { start } = await import("/js/index.js");
    const profiler = await start({
      dbName: `e2e-inst-${Math.random()}`,
      ignoreUrls: ["/api/items/9", /\/api\/items\/8$/],
    });
    const xhr = (url) =>
      new Promise((resolve) => {
        const x = new XMLHttpRequest();
        x.open("GET", url);
        x.onloadend = () => resolve(x.status);
        x.send();
      });
    const statuses = [await xhr("/api/items/1"), await xhr("/api/fail")];
    for (const id of [2, 3, 8, 9]) await (await fetch(`/api/items/${id}`)).json();
    const snap = profiler.snapshot({});
    await profiler.stop();
    return { statuses, snap, fetchRestored: window.fetch.toString().includes("[native code]") };
  });
  assert.deepEqual(result.statuses, [200, 503]);
  const items = result.snap.find((r) => r.route === "/api/items/:id");
  assert.equal(items.count, 3, "1 XHR + 2 fetches; 8 and 9 are ignored");
  const fail = result.snap.find((r) => r.route === "/api/fail");
  assert.equal(fail.errors, 1);
  assert.ok(result.fetchRestored, "stop() put the native fetch back");
  await page.close();
});

test("measure() times sync and async functions and rethrows their errors unchanged", async () => {
  const page = await blankPage();
  const result = await page.evaluate(async () => {
    const { start } = await import("/js/index.js");
    const profiler = await start({ dbName: `e2e-measure-${Math.random()}`, instrument: false });
    const value = profiler.measure("sync-work", () => 42);
    const boom = new Error("boom");
    let caught;
    try {
      profiler.measure("sync-work", () => {
        throw boom;
      });
    } catch (e) {
      caught = e;
    }
    const promise = new Promise((r) => setTimeout(() => r("done"), 30));
    const returned = profiler.measure("async-work", () => promise);
    const asyncValue = await returned;
    await new Promise((r) => setTimeout(r, 10));
    const snap = profiler.snapshot({});
    await profiler.stop();
    return { value, sameError: caught === boom, samePromise: returned === promise, asyncValue, snap };
  });
  assert.equal(result.value, 42);
  assert.ok(result.sameError);
  assert.ok(result.samePromise);
  assert.equal(result.asyncValue, "done");
  const sync = result.snap.find((r) => r.route === "sync-work");
  assert.deepEqual([sync.count, sync.errors], [2, 1]);
  const work = result.snap.find((r) => r.route === "async-work");
  assert.ok(work.p50 >= 25, `async p50 ${work.p50}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("under a CSP without 'wasm-unsafe-eval', start() rejects naming the directive and the page goes on", async () => {
  const page = await openPage(browser);
  await page.goto(`${server.url}/csp/blank.html`);
  const result = await page.evaluate(async () => {
    const { start } = await import("/js/index.js");
    try {
      await start({ dbName: "e2e-csp" });
      return { started: true };
    } catch (e) {
      const r = await fetch("/api/items/1");
      return { started: false, name: e.name, message: e.message, pageFetch: r.status };
    }
  });
  assert.equal(result.started, false);
  assert.equal(result.name, "ApiscopeCspError");
  assert.match(result.message, /'wasm-unsafe-eval'/);
  assert.equal(result.pageFetch, 200);
  await page.close();
});
