// Runs the JavaScript browser tests (tests/browser-js/*.test.js) in headless Chromium: one fresh
// page per file, served beside the package (/js/, /pkg/), with the local HTTP test server
// (tests/server) on its own ports for real requests. Each case reports as a node:test subtest.
//
//   node --test tests/e2e/browser_js.test.mjs            every file
//   BROWSER_JS=cache node --test tests/e2e/browser_js.test.mjs   files whose name contains "cache"
import { test, before, after } from "node:test";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { launchBrowser, openPage, root, startApiServer, startServer } from "./harness.mjs";
import { startReceiver } from "../otlp/receiver.mjs";

const dir = path.join(root, "tests/browser-js");
const filter = process.env.BROWSER_JS;
const files = (await readdir(dir)).filter((f) => f.endsWith(".test.js") && (!filter || f.includes(filter))).sort();

let browser, server, api, otlp;
before(async () => {
  server = await startServer({ port: 0, mounts: [["/tests/browser-js/", dir], ["/demo/", path.join(root, "demo")]] });
  api = await startApiServer();
  // The OTLP receiver (validating against the official protobuf schema) on a free port.
  otlp = await startReceiver();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await api?.close();
  await otlp?.close();
});

for (const file of files) {
  test(file, async (t) => {
    const page = await openPage(browser);
    try {
      // Memory tests: `collectGarbage()`, a full collection through DevTools, and
      // `heapUsage()`, the JS heap in use after one (performance.memory is bucketed and cached
      // for minutes without a flag).
      const cdp = await page.context().newCDPSession(page);
      await page.exposeFunction("collectGarbage", () => cdp.send("HeapProfiler.collectGarbage"));
      await page.exposeFunction("heapUsage", async () => {
        await cdp.send("HeapProfiler.collectGarbage");
        return (await cdp.send("Runtime.getHeapUsage")).usedSize;
      });
      const query = new URLSearchParams({ file, origin: api.origin, second: api.secondOrigin, otlp: otlp.origin });
      await page.goto(`${server.url}/tests/browser-js/index.html?${query}`);
      await page.waitForFunction(() => window.testsLoaded);
      await page.evaluate(() => window.testsLoaded);
      const quotaSize = await page.evaluate(() => window.storageQuota);
      if (quotaSize) {
        await cdp.send("Storage.overrideQuotaForOrigin", { origin: server.url, quotaSize });
      }
      const results = await page.evaluate(() => window.runTests());
      for (const r of results) {
        await t.test(r.name, (st) => {
          for (const line of r.notes ?? []) st.diagnostic(line);
          if (!r.ok) throw new Error(r.error);
        });
      }
      if (results.length === 0) throw new Error(`${file} registered no tests`);
    } finally {
      await page.context().close();
    }
  });
}
