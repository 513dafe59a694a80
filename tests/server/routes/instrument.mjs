// Endpoints for the fetch/XHR hook tests (tests/browser_instrument*.rs).
export default {
  "GET /inst/ok": (req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok body");
  },
  // Answers with the method it received, so tests see what actually went over the wire.
  "ANY /inst/echo": (req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain" }).end(req.method);
  },
  // GET /inst/slow/200 sends its headers after 200 ms.
  "GET /inst/slow/*": async (req, res, url, ctx) => {
    await ctx.sleep(Number(url.pathname.split("/").pop()) || 0);
    res.writeHead(200, { "Content-Type": "text/plain" }).end("slow");
  },
  // A connection dropped before any response: a network error in the browser.
  "GET /inst/fail": (req) => {
    req.socket.destroy();
  },
  "GET /inst/500": (req, res) => {
    res.writeHead(500, { "Content-Type": "text/plain" }).end("boom");
  },
  "GET /inst/server-timing": (req, res) => {
    res.setHeader("Server-Timing", "app;dur=42.5, db;dur=10");
    res.writeHead(200, { "Content-Type": "text/plain" }).end("timed");
  },
  // Headers at once, then five chunks 30 ms apart.
  "GET /inst/stream": async (req, res, url, ctx) => {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.flushHeaders();
    for (let i = 0; i < 5; i++) {
      await ctx.sleep(30);
      res.write(`chunk${i};`);
    }
    res.end();
  },
  // No Timing-Allow-Origin: the browser hides this response's detailed timing.
  "GET /inst/opaque": (req, res) => {
    res.removeHeader("Timing-Allow-Origin");
    res.writeHead(200, { "Content-Type": "text/plain" }).end("opaque");
  },
};
