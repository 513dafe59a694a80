// The start-up case, driven from node: how soon after navigation each library measures a page's
// requests, and what main-thread time its start-up costs. Each app is a tiny page bundled by
// esbuild (bench/lib/apps.mjs), loaded in a fresh browser context (nothing cached), plain and
// as a mid-range phone (4x CPU, Fast 3G: tests/e2e/harness.mjs `throttle`). The page calls
// `reportReady({ hooked, ready })` (ms after navigation: hooks in place, library ready) and the
// runner reads the main thread's CPU time (DevTools `ThreadTime`) at that moment, less an
// empty page's. Files are served gzipped, as any production server or CDN sends them.
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { buildApp } from "./apps.mjs";
import { openPage, startServer, throttle } from "../../tests/e2e/harness.mjs";
import { row } from "../page/harness.js";

const REPORT = "window.reportReady";
/** Each peer's start-up is synchronous: hooked and ready at once. */
const synchronous = (imports, init) =>
  `${imports}\n${init};\nconst t = performance.now();\n${REPORT}({ hooked: t, ready: t });\n`;

/** The apps, in table order; `apiscope` measures from when `start()` returns. */
const apps = (peer) => ({
  "empty page": `const t = performance.now();\n${REPORT}({ hooked: t, ready: t });\n`,
  apiscope: `import { start } from "apiscope";
const ready = start({ alerts: [{ name: "slow", metric: "p95", above: 800, windowMs: 60000 }] });
const hooked = performance.now();
ready.then(() => ${REPORT}({ hooked, ready: performance.now() }));
`,
  "web-vitals": synchronous(
    `import { onCLS, onFCP, onINP, onLCP, onTTFB } from "web-vitals";`,
    "[onCLS, onFCP, onINP, onLCP, onTTFB].forEach((on) => on(() => {}))",
  ),
  "OpenTelemetry web": synchronous(
    `import { start } from "${peer("size-opentelemetry.mjs")}";`,
    `start(location.origin + "/v1/traces")`,
  ),
  "Sentry + tracing": synchronous(
    `import { start } from "${peer("size-sentry.mjs")}";`,
    `start("http://public@" + location.host + "/1")`,
  ),
  "Datadog rum-slim": synchronous(
    `import { start } from "${peer("size-datadog.mjs")}";`,
    `start(location.origin + "/datadog")`,
  ),
});

/** The app's folder under bench/dist/startup/ and its URL path. */
const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm" };

/**
 * The server's handler: files under `/startup/` from `work`, gzipped at level 9 (compressed
 * once); any other request (peers reporting home) a 204, so that no failed request weighs on
 * a start-up.
 */
function gzipped(work) {
  const cache = new Map();
  return async (req, res, url) => {
    if (!url.pathname.startsWith("/startup/")) return res.writeHead(204).end(), true;
    let file = path.join(work, url.pathname.slice("/startup/".length));
    if (!file.startsWith(work)) return false;
    if (file.endsWith("/")) file += "index.html";
    if (!cache.has(file)) cache.set(file, await readFile(file).then((b) => gzipSync(b, { level: 9 }), () => null));
    const body = cache.get(file);
    if (!body) return false;
    res.writeHead(200, {
      "Content-Type": TYPES[path.extname(file)] || "application/octet-stream",
      "Content-Encoding": "gzip",
      "Cache-Control": "no-cache",
    });
    res.end(body);
    return true;
  };
}

/** One load of `url` in a fresh context: `{ hooked, ready, mainMs }`. */
async function loadOnce(browser, url, throttled) {
  const page = await openPage(browser);
  try {
    const cdp = throttled ? await throttle(page) : await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    let resolve;
    const reported = new Promise((r) => (resolve = r));
    await page.exposeFunction("reportReady", async (times) => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      resolve({ ...times, mainMs: metrics.find((m) => m.name === "ThreadTime").value * 1000 });
    });
    await page.goto(url, { waitUntil: "commit" });
    const result = await Promise.race([
      reported,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${url}: no reportReady in 60 s`)), 60_000)),
    ]);
    if (page.errors.length) throw new Error(`${url}: ${page.errors.join("\n")}`);
    return result;
  } finally {
    await page.context().close();
  }
}

/** Rows of the start-up table: `{ loads }` per app and network. */
export async function startupCase(root, browser, { loads }) {
  const APPS = apps((file) => path.join(root, "bench/peers", file));
  const work = path.join(root, "bench/dist/startup");
  await rm(work, { recursive: true, force: true });
  for (const [name, code] of Object.entries(APPS)) {
    const dir = path.join(work, slug(name));
    await mkdir(dir, { recursive: true });
    const { entry } = await buildApp(root, code, dir);
    await cp(path.join(root, "pkg"), path.join(dir, "pkg"), { recursive: true });
    await writeFile(
      path.join(dir, "index.html"),
      `<!doctype html><meta charset="utf-8"><title>${name}</title><script type="module" src="${entry}"></script>\n`,
    );
  }
  const server = await startServer({ port: 0, api: gzipped(work) });
  try {
    const rows = [];
    for (const throttled of [false, true]) {
      const figures = {};
      for (const name of Object.keys(APPS)) {
        const runs = [];
        for (let i = 0; i < loads; i++) {
          runs.push(await loadOnce(browser, `${server.url}/startup/${slug(name)}/`, throttled));
        }
        figures[name] = {
          hooked: median(runs.map((r) => r.hooked)),
          ready: median(runs.map((r) => r.ready)),
          mainMs: median(runs.map((r) => r.mainMs)),
        };
      }
      const network = throttled ? "4x CPU + Fast 3G" : "unthrottled";
      const empty = figures["empty page"];
      const peers = Object.keys(APPS).filter((n) => n !== "apiscope");
      const values = (pick) => Object.fromEntries(Object.entries(figures).map(([n, f]) => [n, pick(f)]));
      const common = { unit: "ms", better: "lower", peers };
      const note = `median of ${loads} loads, each in a fresh context`;
      rows.push(
        row({ metric: `requests measured from, ${network}`, values: values((f) => f.hooked), note, ...common }),
        row({ metric: `start() resolved, ${network}`, values: values((f) => f.ready), note, ...common }),
        row({
          metric: `main-thread time to ready less an empty page's, ${network}`,
          values: values((f) => f.mainMs - empty.mainMs),
          note: `empty page: ${empty.mainMs.toFixed(0)} ms`,
          ...common,
        }),
      );
    }
    return rows;
  } finally {
    await server.close();
  }
}
