// Serves the dashboard (`www/`), the built package (`pkg/`, `js/`) and the demo API on one
// origin. `npm start` runs it on http://localhost:8080; the end-to-end tests import
// `startServer` and run it on a free port.
import http from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// URL prefix -> directory. Everything else is 404: the server never exposes the whole tree.
const MOUNTS = [
  ["/pkg/", path.join(root, "pkg")],
  ["/js/", path.join(root, "js")],
  ["/vendor/uplot/", path.join(root, "node_modules/uplot/dist")],
  ["/", path.join(root, "www")],
];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
};

async function serveStatic(pathname, res, mounts) {
  for (const [prefix, dir] of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    let file = path.join(dir, decodeURIComponent(pathname.slice(prefix.length)));
    if (!file.startsWith(dir)) break; // no escaping the mount with ../
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      await stat(file);
    } catch {
      continue;
    }
    res.writeHead(200, {
      "Content-Type": TYPES[path.extname(file)] || "application/octet-stream",
      "Cache-Control": "no-cache",
    });
    createReadStream(file).pipe(res);
    return true;
  }
  return false;
}

/**
 * Starts the server. `api` is an optional `(req, res, url) => boolean | Promise<boolean>`
 * handler tried first (the demo API); it returns true when it answered. `mounts` adds
 * `[urlPrefix, directory]` pairs (tests serve their fixture pages this way).
 */
export async function startServer({ port = 8080, host = "127.0.0.1", api, mounts = [] } = {}) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host || host}`);
    try {
      if (api && (await api(req, res, url))) return;
      if (req.method === "GET" || req.method === "HEAD") {
        if (await serveStatic(url.pathname, res, [...mounts, ...MOUNTS])) return;
      }
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(String(err));
    }
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  const address = server.address();
  return {
    url: `http://${host === "0.0.0.0" ? "localhost" : host}:${address.port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
    server,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const port = Number(process.env.PORT || 8080);
  const { url } = await startServer({ port, host: "localhost" });
  console.log(`apiscope dashboard: ${url.replace("127.0.0.1", "localhost")}/`);
}
