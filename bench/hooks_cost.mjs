// What the loader's fetch hook adds per request, on the main thread (CPU time, DevTools
// ThreadTime), over a stubbed fetch: `node bench/hooks_cost.mjs`. Prints µs per request for
// repeated, relative and every-URL-new calls. (The engine's ingest of the records is not in
// these figures: it runs later, in bulk.)
import path from "node:path";
import { launchBrowser, openPage, root, startServer } from "../tests/e2e/harness.mjs";

const server = await startServer({
  port: 0,
  mounts: [["/bench/", path.join(root, "bench")]],
  api: async (req, res, url) => {
    if (url.pathname !== "/hooks-cost.html") return false;
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end('<!doctype html><script type="module">import { run } from "/bench/hooks_cost.page.js"; window.run = run;</script>');
    return true;
  },
});
const browser = await launchBrowser();
try {
  const page = await openPage(browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.exposeFunction("mainThreadMs", async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "ThreadTime").value * 1000;
  });
  await page.goto(`${server.url}/hooks-cost.html`);
  await page.waitForFunction(() => window.run);
  const result = await page.evaluate(() => window.run());
  for (const [name, r] of Object.entries(result)) {
    console.log(`${name.padEnd(24)} added ${r.added.toFixed(2)} µs/request (take() ${r.drain.toFixed(2)} of it; bare fetch stub ${r.bare.toFixed(2)})`);
  }
} finally {
  await browser.close();
  await server.close();
}
