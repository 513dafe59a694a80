// The bench's routes on the project server (scripts/serve.mjs serves the rest under /bench/).
import { readFile } from "node:fs/promises";
import path from "node:path";

// Cross-origin isolation gives the page a 5 µs clock instead of Chromium's 100 µs one.
const ISOLATED = {
  "Content-Type": "text/html; charset=utf-8",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cache-Control": "no-cache",
};

/** An `api` handler for `startServer`: the bench page, isolated, and the endpoint it fetches. */
export function benchRoutes(root) {
  const page = path.join(root, "bench/page/index.html");
  return async (req, res, url) => {
    if (url.pathname === "/bench/page/") {
      res.writeHead(200, ISOLATED).end(await readFile(page));
      return true;
    }
    if (url.pathname === "/bench-api/ping") {
      res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-store" }).end("pong");
      return true;
    }
    return false;
  };
}
