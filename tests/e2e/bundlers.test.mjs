// A small app installed from the packed tarball, built by each common bundler as its README
// recipe says (webpack 5, Vite, esbuild, Rollup; and Vite's dev server), served on its own
// (only the build output, nothing of the repository), and opened in Chromium: its fetches to the test server must be
// measured, and the engine part `start()` picks must load lazily, the export variant only
// when `export` is set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build as esbuild } from "esbuild";
import { rollup } from "rollup";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { build as vite, createServer } from "vite";
import webpack from "webpack";
import { launchBrowser, openPage, startApiServer } from "./harness.mjs";
import { ESBUILD_APP } from "../../bench/lib/apps.mjs";
import { PARTS, install, pack, wasmOf } from "./packed.mjs";

const DELAYS = [10, 20, 30]; // the app's fetches: GET /delay/<ms> on the test server

// The app: starts the profiler (with `export` when the page's query names a collector), makes
// its fetches, queries their stored history (the history part loads then), then loads
// apiscope/sketch and apiscope/cache on demand and uses them, and
// leaves what it saw in `globalThis.result`. `./wasm.js` is where a bundler's recipe may hand
// `start()` and the `initialize()`s their wasm part.
const MAIN = `
import { start } from "apiscope";
import { wasmFor } from "./wasm.js";

async function main() {
  const query = new URLSearchParams(location.search);
  const collector = query.get("collector");
  const options = { dbName: "bundlers" };
  if (collector) options.export = { url: collector, intervalMs: 600000 };
  const wasm = wasmFor(collector ? "engine-export" : "engine");
  if (wasm !== undefined) options.wasm = wasm;
  const historyWasm = wasmFor("history");
  if (historyWasm !== undefined) options.historyWasm = historyWasm;
  const profiler = await start(options);
  await Promise.all(${JSON.stringify(DELAYS)}.map((ms) => fetch(query.get("api") + "/delay/" + ms).then((r) => r.text())));
  const rows = profiler.snapshot().map((r) => ({ method: r.method, route: r.route, count: r.count }));
  await profiler.flush();
  const stored = (await profiler.query({ route: "**/delay/:id" })).map((r) => r.count);
  const { initialize: loadSketch, Sketch } = await import("apiscope/sketch");
  await loadSketch(wasmFor("sketch"));
  const sketch = new Sketch();
  sketch.recordMany(new Float64Array(${JSON.stringify(DELAYS)}));
  const { initialize: loadCache, Cache } = await import("apiscope/cache");
  await loadCache(wasmFor("cache"));
  const cache = new Cache({ maxEntries: 4 });
  cache.set("answer", 42);
  globalThis.result = { accepted: profiler.stats().accepted, rows, stored, sketchCount: sketch.count, cached: cache.get("answer") };
}
main().then(
  () => (document.body.dataset.state = "done"),
  (error) => {
    globalThis.result = { error: String(error && error.stack || error) };
    document.body.dataset.state = "failed";
  },
);
`;

const HTML = (src) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><body><script type="module" src="${src}"></script>`;

/** webpack 5 and Vite emit `new URL(..., import.meta.url)` assets themselves: no recipe (the
 * parts load from their defaults). */
const NO_RECIPE = `export const wasmFor = () => undefined;\n`;

// Each bundler: its `wasm.js` (the recipe's code line) and its build into `out`.
const BUNDLERS = {
  webpack: {
    wasm: NO_RECIPE,
    async build(app, out) {
      const config = {
        mode: "production",
        context: app,
        entry: "./src/main.js",
        output: { path: out, filename: "[name].js" },
        // The engine part is a 262 KB asset, over webpack's 244 KiB advice; it loads lazily.
        performance: { hints: false },
      };
      const stats = await new Promise((resolve, reject) =>
        webpack(config, (err, s) => (err ? reject(err) : resolve(s))),
      );
      assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
      await writeFile(path.join(out, "index.html"), HTML("./main.js"));
      return "main.js";
    },
  },
  vite: {
    wasm: NO_RECIPE,
    async build(app, out) {
      await writeFile(path.join(app, "index.html"), HTML("/src/main.js"));
      await vite({ root: app, configFile: false, logLevel: "warn", build: { outDir: out, target: "es2022" } });
      const assets = await readdir(path.join(out, "assets"));
      return `assets/${assets.find((f) => /^index-.*\.js$/.test(f))}`;
    },
  },
  esbuild: {
    // esbuild keeps the package's `new URL(..., import.meta.url)` but does not copy the file:
    // import the wasm through the `file` loader and pass it to start().
    wasm: `import engine from "apiscope/engine.wasm";
import engineExport from "apiscope/engine-export.wasm";
import sketch from "apiscope/sketch.wasm";
import cache from "apiscope/cache.wasm";
import history from "apiscope/history.wasm";
const FILES = { engine, "engine-export": engineExport, sketch, cache, history };
export const wasmFor = (part) => FILES[part];
`,
    async build(app, out) {
      await esbuild({
        entryPoints: [path.join(app, "src/main.js")],
        absWorkingDir: app,
        ...ESBUILD_APP,
        outdir: out,
        loader: { ".wasm": "file" },
      });
      await writeFile(path.join(out, "index.html"), HTML("./main.js"));
      return "main.js";
    },
  },
  rollup: {
    // Rollup keeps `new URL(..., import.meta.url)` as written and copies nothing: copy the
    // wasm parts beside the bundle and pass each its file.
    wasm: `export const wasmFor = (part) => new URL(\`./apiscope_\${part.replace("-", "_")}_bg.wasm\`, import.meta.url);
`,
    async build(app, out) {
      const bundle = await rollup({ input: path.join(app, "src/main.js"), plugins: [nodeResolve({ browser: true })] });
      await bundle.write({ dir: out, format: "es" });
      await bundle.close();
      for (const part of PARTS) {
        const file = path.join(app, "node_modules/apiscope", wasmOf(part));
        await copyFile(file, path.join(out, path.basename(file)));
      }
      await writeFile(path.join(out, "index.html"), HTML("./main.js"));
      return "main.js";
    },
  },
};

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Serves `dir` only, and lists every request it had with its status. */
async function serveDir(dir) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = path.join(dir, pathname.endsWith("/") ? `${pathname}index.html` : pathname);
    let status = 404;
    try {
      if (file.startsWith(dir) && (await stat(file)).isFile()) status = 200;
    } catch {
      // not there: 404
    }
    requests.push([status, pathname]);
    if (status !== 200) return res.writeHead(404).end();
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
    res.end(await readFile(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close: () => new Promise((r) => server.close(r)) };
}

let work, tarball, api, browser, parts;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "apiscope-bundlers-"));
  ({ tarball } = await pack(work));
  const packageDir = await install(tarball, path.join(work, "package"));
  // The wasm parts by their bytes: bundlers rename them (webpack to a bare hash).
  parts = new Map();
  for (const part of PARTS) parts.set(part, await readFile(path.join(packageDir, wasmOf(part))));
  api = await startApiServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await api?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Which engine part `bytes` is, by content. */
const partOf = (bytes) => [...parts].find(([, b]) => b.equals(bytes))?.[0] ?? `unknown (${bytes.length} bytes)`;

/** Opens the app at `url`; returns what it measured, the wasm parts and JS files it loaded. */
async function visit(url) {
  const page = await openPage(browser);
  const wasm = [];
  const scripts = [];
  page.on("response", async (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(r.body().then(partOf));
    if (r.request().resourceType() === "script") scripts.push(new URL(r.url()).pathname);
  });
  try {
    await page.goto(url);
    await page.waitForSelector("body[data-state]", { state: "attached" });
    const result = await page.evaluate(() => globalThis.result);
    return { result, wasm: await Promise.all(wasm), scripts, errors: page.errors };
  } finally {
    await page.context().close();
  }
}

/** Writes the app, with `bundler`'s wasm recipe, into a new directory; returns it. */
async function createApp(name, wasm) {
  const app = path.join(work, name);
  await mkdir(path.join(app, "src"), { recursive: true });
  // The app's own node_modules/apiscope: the tarball, unpacked (its only dependency, uplot,
  // is the dashboard's, which this app does not use).
  await install(tarball, app);
  await writeFile(path.join(app, "src/main.js"), MAIN);
  await writeFile(path.join(app, "src/wasm.js"), wasm);
  return app;
}

/** Opens the app served at `site` without and with `export`, and checks what it measured and loaded. */
async function checkApp(site) {
  const query = `api=${encodeURIComponent(api.origin)}`;
  const lean = await visit(`${site}/?${query}`);
  assert.equal(lean.result?.error, undefined, `the app failed: ${lean.result?.error}`);
  assert.equal(lean.result.accepted, DELAYS.length, "every fetch was measured once");
  const row = lean.result.rows.find((r) => r.route.endsWith("/delay/:id"));
  assert.ok(row, `the fetches are one templated route: ${JSON.stringify(lean.result.rows)}`);
  assert.equal(row.count, DELAYS.length);
  assert.deepEqual(lean.wasm.sort(), ["cache", "engine", "history", "sketch"], "the lean engine's wasm loaded once, the export variant not at all");
  assert.ok(lean.result.stored.reduce((a, b) => a + b, 0) >= DELAYS.length, `query() read the stored fetches: ${lean.result.stored}`);
  assert.equal(lean.result.sketchCount, DELAYS.length, "apiscope/sketch works");
  assert.equal(lean.result.cached, 42, "apiscope/cache works");
  assert.ok(lean.scripts.length >= 2, `the engine chunk loads apart from the entry: ${lean.scripts}`);
  assert.deepEqual(lean.errors, []);

  const exporting = await visit(`${site}/?${query}&collector=${encodeURIComponent(`${api.origin}/ping`)}`);
  assert.equal(exporting.result?.error, undefined, `the app with export failed: ${exporting.result?.error}`);
  assert.equal(exporting.result.accepted, DELAYS.length);
  assert.deepEqual(exporting.wasm.sort(), ["cache", "engine-export", "history", "sketch"], "with `export`, only the export variant's engine loaded");
  assert.deepEqual(exporting.errors, []);
}

/** The modules `text` (an ES module) imports statically. */
const staticImports = (text) =>
  [...text.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w${}*,\s]+from\s*)?["']([^"']+)["']/g)].map((m) => m[1]);

for (const [name, bundler] of Object.entries(BUNDLERS)) {
  test(`${name}: an app built from the tarball measures its fetches and loads the engine part lazily`, async (t) => {
    const app = await createApp(name, bundler.wasm);
    const out = path.join(app, "dist");
    const entry = await bundler.build(app, out);
    t.diagnostic(`${name}: entry file ${entry} (without its static imports; Rollup unminified), ${gzipSync(await readFile(path.join(out, entry)), { level: 9 }).length} bytes gzipped`);
    // The loader is in the entry file whole: no static import of another chunk stands before
    // the hooks (esbuild splits modules the entry shares with a lazy chunk into chunks of their
    // own; dist/index.js shares none).
    const entryText = await readFile(path.join(out, entry), "utf8");
    assert.deepEqual(staticImports(entryText), [], `${entry} imports no other chunk statically`);
    const site = await serveDir(out);
    try {
      await checkApp(site.url);
      assert.deepEqual(site.requests.filter(([status]) => status !== 200), [], "every file the app asked for was built");
    } finally {
      await site.close();
    }
  });
}

test("the Vite dev server runs the installed package without configuration", async () => {
  const app = await createApp("vite-dev", NO_RECIPE);
  await writeFile(path.join(app, "index.html"), HTML("/src/main.js"));
  const server = await createServer({
    root: app,
    configFile: false,
    logLevel: "warn",
    server: { host: "127.0.0.1", port: 0, hmr: false },
  });
  await server.listen();
  try {
    await checkApp(server.resolvedUrls.local[0].replace(/\/$/, ""));
  } finally {
    await server.close();
  }
});
