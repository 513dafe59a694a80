// The published package in Node (server-side rendering, unit tests): the packed tarball is
// unpacked into an app's node_modules and a Node process there imports each entry by name.
// Importing touches no browser global; `apiscope/sketch` and `apiscope/cache` work (the wasm
// read from the package's files); `start()` rejects with the documented error and leaves
// Node's fetch alone. (sketch.test.mjs and tests/e2e/cache_node.test.mjs test the two entries
// in depth, from the repository.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { install, pack, run } from "../e2e/packed.mjs";

let work, app;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "apiscope-node-"));
  const { tarball } = await pack(work);
  app = path.join(work, "app");
  await install(tarball, app);
  await writeFile(path.join(app, "package.json"), JSON.stringify({ type: "module", private: true }));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

// Globals a browser has and Node lacks: each is a getter that records the read.
const BROWSER_GLOBALS = [
  "window", "document", "self", "location", "localStorage", "sessionStorage", "indexedDB",
  "XMLHttpRequest", "caches", "requestIdleCallback", "addEventListener", "HTMLElement", "customElements",
];

/** Runs `body` as an ES module in the app, after the global traps; returns what it printed as JSON. */
async function inApp(body) {
  const file = path.join(app, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(
    file,
    `const touched = new Set();
for (const name of ${JSON.stringify(BROWSER_GLOBALS)}) {
  if (name in globalThis) continue;
  Object.defineProperty(globalThis, name, { configurable: true, get() { touched.add(name); return undefined; } });
}
const out = {};
${body}
out.touched = [...touched];
console.log(JSON.stringify(out));
`,
  );
  const { stdout } = await run(app, process.execPath, file);
  return JSON.parse(stdout);
}

test("importing apiscope, apiscope/sketch and apiscope/cache touches no browser global", async () => {
  const out = await inApp(`
const root = await import("apiscope");
const sketch = await import("apiscope/sketch");
const cache = await import("apiscope/cache");
// The browser entry too, for server bundles built without the "node" condition.
const browser = await import("./node_modules/apiscope/dist/index.js");
out.exports = [Object.keys(root).sort(), Object.keys(sketch).sort(), Object.keys(cache).sort(), Object.keys(browser).sort()];
out.version = root.version();
`);
  assert.deepEqual(out.touched, [], "no browser global read at import");
  assert.deepEqual(out.exports, [
    ["start", "version"],
    ["Sketch", "initialize"],
    ["Cache", "LATENCY", "ResponseCache", "initialize"],
    ["start", "version"],
  ]);
  assert.match(out.version, /^\d+\.\d+\.\d+/);
});

test("Sketch and Cache work from the installed package", async () => {
  const out = await inApp(`
const { initialize: loadSketch, Sketch } = await import("apiscope/sketch");
const { initialize: loadCache, Cache } = await import("apiscope/cache");
await loadSketch();
await loadCache();
const sketch = new Sketch();
sketch.recordMany(new Float64Array([10, 20, 30, 40]));
out.p50 = sketch.quantile(0.5);
out.count = sketch.count;
const cache = new Cache({ maxEntries: 2 });
cache.set("a", { v: 1 });
out.cached = cache.get("a");
sketch.free();
cache.free();
`);
  assert.equal(out.count, 4);
  assert.ok(Math.abs(out.p50 / 20 - 1) <= 0.01, `p50 ${out.p50}`);
  assert.deepEqual(out.cached, { v: 1 });
  assert.deepEqual(out.touched, []);
});

test("start() in Node rejects with ApiscopeUnsupportedError and leaves fetch alone", async () => {
  const out = await inApp(`
const fetchBefore = globalThis.fetch;
const { start } = await import("apiscope");
try {
  await start({ dbName: "x" });
  out.resolved = true;
} catch (error) {
  out.error = { name: error.name, message: error.message };
}
out.fetchUntouched = globalThis.fetch === fetchBefore;
`);
  assert.equal(out.resolved, undefined);
  assert.equal(out.error.name, "ApiscopeUnsupportedError");
  assert.match(out.error.message, /^start: apiscope profiles a browser page .* "apiscope\/sketch" .* "apiscope\/cache"/);
  assert.ok(out.fetchUntouched, "Node's fetch is not wrapped");
  assert.deepEqual(out.touched, []);
});
