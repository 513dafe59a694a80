// Endpoints for the loader's fetch/XHR hook tests (tests/browser-js/hooks*.test.js).
export default {
  // GET /hooks/late-body/300: the headers and the body's first bytes at once, its end 300 ms
  // later. (Chromium's XHR reaches HEADERS_RECEIVED only with the first body bytes.)
  "GET /hooks/late-body/*": async (req, res, url, ctx) => {
    res.writeHead(200, { "Content-Type": "text/plain", "X-Content-Type-Options": "nosniff" });
    res.write("early;");
    await ctx.sleep(Number(url.pathname.split("/").pop()) || 0);
    res.end("late");
  },
  // A GraphQL endpoint that answers every operation alike: the hooks read the request only.
  "ANY /hooks/graphql": (req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "Content-Type": "application/json" }).end('{"data":{}}'));
  },
};
