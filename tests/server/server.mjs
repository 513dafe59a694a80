// The local HTTP server that browser tests talk to: real HTTP on loopback, no mocks.
//
// Endpoints live in ./routes/*.mjs, one file per concern; each default-exports an object
// mapping "METHOD /path" (or "METHOD /prefix/*") to `async (req, res, url, ctx) => void`.
// `ctx.counts` counts requests per "METHOD path" so tests can prove deduplication;
// GET /__counts returns them and POST /__reset clears them.
//
// Two ports serve the same routes: PRIMARY (8787) and SECOND (8788), so tests have a real
// cross-origin peer. Every answer allows CORS (the wasm test page runs on its own origin) and
// sends `Timing-Allow-Origin: *`; a route that must look opaque calls
// `res.removeHeader("Timing-Allow-Origin")` before writing.
import http from "node:http";
import { readdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

export const PRIMARY_PORT = Number(process.env.APISCOPE_TEST_PORT || 8787);
export const SECOND_PORT = PRIMARY_PORT + 1;

const routesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "routes");

async function loadRoutes() {
  const table = new Map();
  for (const file of (await readdir(routesDir)).filter((f) => f.endsWith(".mjs")).sort()) {
    const mod = await import(pathToFileURL(path.join(routesDir, file)).href);
    for (const [key, handler] of Object.entries(mod.default)) {
      if (table.has(key)) throw new Error(`route ${key} defined twice (${file})`);
      table.set(key, handler);
    }
  }
  return table;
}

function findHandler(table, method, pathname) {
  const exact = table.get(`${method} ${pathname}`) || table.get(`ANY ${pathname}`);
  if (exact) return exact;
  let best = null;
  for (const [key, handler] of table) {
    const [m, pattern] = key.split(" ");
    if ((m !== method && m !== "ANY") || !pattern.endsWith("/*")) continue;
    const prefix = pattern.slice(0, -1);
    if (pathname.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) {
      best = { prefix, handler };
    }
  }
  return best && best.handler;
}

function corsHeaders(req) {
  return {
    "Access-Control-Allow-Origin": req.headers.origin || "*",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": req.headers["access-control-request-headers"] || "*",
    "Access-Control-Expose-Headers": "*",
    "Access-Control-Max-Age": "600",
    Vary: "Origin",
  };
}

export async function startTestServer({ port = PRIMARY_PORT, quiet = true } = {}) {
  const table = await loadRoutes();
  const counts = new Map();
  const ctx = {
    counts,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  const handle = async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    for (const [k, v] of Object.entries(corsHeaders(req))) res.setHeader(k, v);
    if (req.method === "OPTIONS") return res.writeHead(204).end();
    const key = `${req.method} ${url.pathname}`;
    if (url.pathname === "/__counts") {
      res.setHeader("Content-Type", "application/json");
      return res.end(JSON.stringify(Object.fromEntries(counts)));
    }
    if (url.pathname === "/__reset") {
      counts.clear();
      return res.writeHead(204).end();
    }
    counts.set(key, (counts.get(key) || 0) + 1);
    const handler = findHandler(table, req.method, url.pathname);
    if (!handler) return res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    // Timing-Allow-Origin by default, so same-machine tests see full Resource Timing; a route
    // can remove it to act as an opaque cross-origin peer.
    res.setHeader("Timing-Allow-Origin", "*");
    try {
      await handler(req, res, url, ctx);
    } catch (err) {
      if (!quiet) console.error(err);
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.destroy();
    }
  };
  const servers = [port, port + 1].map((p) => http.createServer(handle).listen(p, "127.0.0.1"));
  // Keep-alive connections would hold close() (and the test process) open.
  const close = () =>
    Promise.all(
      servers.map((s) => new Promise((r) => (s.listening ? (s.close(() => r()), s.closeAllConnections()) : r()))),
    );
  try {
    await Promise.all(servers.map((s) => new Promise((r, j) => s.once("listening", r).once("error", j))));
  } catch (err) {
    // One port was taken: the other must not stay open (it would keep the process alive).
    await close();
    throw err;
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    secondOrigin: `http://127.0.0.1:${port + 1}`,
    counts,
    close,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const s = await startTestServer({ quiet: false });
  console.log(`apiscope test server on ${s.origin} and ${s.secondOrigin}`);
}
