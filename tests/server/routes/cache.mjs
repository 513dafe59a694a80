// Endpoints for the response-cache tests (tests/browser-js/cache_response*.test.js,
// tests/e2e/cache.test.mjs). Each test uses its own path
// suffix, so the per-path request counts of GET /__counts stay independent.
//
// None of these send Last-Modified, so Chromium's own HTTP cache (which has no heuristic
// freshness without it) does not answer in place of the server unless max-age says so.
function counted(req, url, ctx) {
  return ctx.counts.get(`${req.method} ${url.pathname}`) || 0;
}

function json(res, headers, body) {
  res.writeHead(200, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
}

export default {
  // Answers { n } (the how-many-th request this is); ?maxAge=N adds Cache-Control: max-age=N.
  "ANY /cache/counted/*": (req, res, url, ctx) => {
    const maxAge = url.searchParams.get("maxAge");
    json(res, maxAge ? { "Cache-Control": `max-age=${maxAge}` } : {}, { n: counted(req, url, ctx) });
  },
  "GET /cache/no-store/*": (req, res, url, ctx) => {
    json(res, { "Cache-Control": "no-store" }, { n: counted(req, url, ctx) });
  },
  // Takes 300 ms, so concurrent requests overlap.
  "GET /cache/slow/*": async (req, res, url, ctx) => {
    await ctx.sleep(300);
    json(res, {}, { n: counted(req, url, ctx) });
  },
  // After 100 ms, answers bytes that are not HTTP and closes: fetch rejects. (A bare reset is
  // not used: Chromium silently retries a request whose reused connection closes unanswered,
  // which would hide how many calls the cache made.)
  "GET /cache/fail/*": async (req, res, url, ctx) => {
    await ctx.sleep(100);
    req.socket.end("NOT HTTP\r\n\r\n");
  },
  "GET /cache/whoami/*": (req, res) => {
    json(res, {}, { user: req.headers.authorization || null });
  },
  // Answers { n } after ?ms=N milliseconds (a known network latency).
  "GET /cache/delayed/*": async (req, res, url, ctx) => {
    await ctx.sleep(Number(url.searchParams.get("ms")) || 0);
    json(res, {}, { n: counted(req, url, ctx) });
  },
  // ?kb=N kilobytes of body (a quota filler); X-N says which request this is.
  "GET /cache/big/*": (req, res, url, ctx) => {
    const kb = Number(url.searchParams.get("kb")) || 1;
    res.writeHead(200, {
      "Content-Type": "application/octet-stream",
      "X-N": String(counted(req, url, ctx)),
    });
    res.end(Buffer.alloc(kb * 1024, 97));
  },
  "GET /cache/vary/*": (req, res, url, ctx) => {
    json(res, { Vary: "X-Lang" }, { lang: req.headers["x-lang"] || null, n: counted(req, url, ctx) });
  },
};
