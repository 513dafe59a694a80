// `npm run bench`: apiscope beside its npm peers in one headless Chromium page.
//
//   node bench/run.mjs [--quick] [--skip-build] [--only=sketch,cache,...]
//
// Builds the release wasm (unless --skip-build), bundles the peers into bench/dist/, measures
// download sizes in node, times start-up in fresh browser contexts, then runs each page case
// and prints one table per case. Full mode writes bench/results.json (BENCHMARKS.md is made
// from it by bench/report.mjs); --quick writes bench/dist/results-quick.json.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { launchBrowser, openPage, root, startServer } from "../tests/e2e/harness.mjs";
import { bundle } from "./lib/bundle.mjs";
import { MODES, NODE_CASES, PAGE_CASES } from "./lib/config.mjs";
import { benchRoutes } from "./lib/server.mjs";
import { sizeCase } from "./lib/size.mjs";
import { startupCase } from "./lib/startup.mjs";
import { resultTables } from "./lib/table.mjs";

const mode = process.argv.includes("--quick") ? "quick" : "full";
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const pageCases = PAGE_CASES.filter((name) => !only || only.includes(name));
const nodeCases = NODE_CASES.filter((name) => !only || only.includes(name));
const config = MODES[mode];
const dist = path.join(root, "bench/dist");
const output = mode === "full" ? path.join(root, "bench/results.json") : path.join(dist, "results-quick.json");
const started = Date.now();
const log = (text) => console.log(`bench: ${text} (${((Date.now() - started) / 1000).toFixed(0)} s)`);

if (!process.argv.includes("--skip-build")) {
  log("building the release wasm");
  execFileSync("bash", ["scripts/build.sh"], { cwd: root, stdio: "inherit" });
}
await mkdir(dist, { recursive: true });
await bundle(path.join(root, "bench/peers/page.mjs"), { outfile: path.join(dist, "peers.js") });
const cases = {};
if (nodeCases.includes("size")) cases.size = await sizeCase(root);

/**
 * The page's main-thread CPU time so far, in ms, read through the DevTools protocol. CPU time
 * (ThreadTime), not task wall time (TaskDuration): on a busy machine the latter also counts
 * the time other processes held the core.
 */
async function exposeMainThreadClock(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.exposeFunction("mainThreadMs", async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "ThreadTime").value * 1000;
  });
}

const server = await startServer({
  port: 0,
  api: benchRoutes(root),
  mounts: [
    ["/bench/", path.join(root, "bench")],
    ["/demo/", path.join(root, "demo")],
  ],
});
const browser = await launchBrowser();
try {
  if (nodeCases.includes("startup")) {
    log("startup…");
    cases.startup = await startupCase(root, browser, config.startup);
  }
  const page = await openPage(browser);
  page.on("console", (msg) => msg.type() === "log" && console.log(`page: ${msg.text()}`));
  await exposeMainThreadClock(page);
  await page.goto(`${server.url}/bench/page/`);
  await page.waitForFunction(() => window.bench, null, { timeout: 60_000 }).catch((err) => {
    throw new Error(`the bench page did not load: ${err.message}\n${page.errors.join("\n")}`);
  });
  for (const name of pageCases) {
    log(`${name}…`);
    cases[name] = await page.evaluate(([n, c]) => window.bench.run(n, c), [name, config]);
    if (page.errors.length) throw new Error(`the bench page failed:\n${page.errors.join("\n")}`);
  }
  const results = {
    mode,
    command: mode === "full" ? "npm run bench" : "node bench/run.mjs --quick",
    date: new Date().toISOString(),
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    },
    browser: { version: browser.version(), ...(await page.evaluate(() => window.bench.info())) },
    node: process.version,
    config,
    seconds: Math.round((Date.now() - started) / 1000),
    // The node-driven cases go last, to read like the list of cases.
    cases: Object.fromEntries([...pageCases, ...nodeCases].map((n) => [n, cases[n]])),
  };
  await writeFile(output, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${resultTables(results)}\n`);
  log(`wrote ${path.relative(root, output)}`);
} finally {
  await browser.close();
  await server.close();
}
