// Basic endpoints shared by every browser test.
export default {
  "GET /ping": (req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("pong");
  },
  // GET /delay/200 answers after 200 ms.
  "GET /delay/*": async (req, res, url, ctx) => {
    const ms = Number(url.pathname.split("/").pop()) || 0;
    await ctx.sleep(ms);
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ ms }));
  },
  // GET /status/503 answers with that status.
  "GET /status/*": (req, res, url) => {
    const status = Number(url.pathname.split("/").pop()) || 500;
    res.writeHead(status, { "Content-Type": "text/plain" }).end(`status ${status}`);
  },
};
