// Endpoints for the instrumentation-fidelity tests (tests/browser-js/fidelity.test.js).
export default {
  // GET /fidelity/late/300?head=50: headers after `head` ms, the JSON body 300 ms after them.
  "GET /fidelity/late/*": async (req, res, url, ctx) => {
    await ctx.sleep(Number(url.searchParams.get("head")) || 0);
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('{"part":');
    await ctx.sleep(Number(url.pathname.split("/").pop()) || 0);
    res.end('"done"}');
  },
  // A response the browser's HTTP cache keeps for a minute.
  "GET /fidelity/cacheable/*": (req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "max-age=60" }).end('{"cached":true}');
  },
  // Like /fidelity/late, without Timing-Allow-Origin: cross-origin, the browser hides the body's end.
  "GET /fidelity/opaque-late/*": async (req, res, url, ctx) => {
    res.removeHeader("Timing-Allow-Origin");
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('{"part":');
    await ctx.sleep(Number(url.pathname.split("/").pop()) || 0);
    res.end('"done"}');
  },
};
