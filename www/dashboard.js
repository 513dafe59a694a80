// The demo page: starts the profiler, mounts the dashboard and the load generator. The profiler
// and the cache come from the package entry; swapping implementations means changing only the
// import below.
import { start } from "/js/index.js";
import { initialize as initializeCache, ResponseCache } from "/js/cache/index.js";
import { mountDashboard } from "/js/dashboard.js";
import { mountLoadGenerator } from "./loadgen.js";

// Rules the demo can trip: POST /api/__config { "slowFactor": 3 } makes /api/reports ~1.2 s.
const ALERTS = [
  { name: "reports slow", route: "/api/reports", metric: "p95", above: 800, windowMs: 30_000, minSamples: 20, cooldownMs: 60_000 },
  { name: "search tail", route: "/api/search", metric: "p99", above: 1500, windowMs: 60_000, minSamples: 50, cooldownMs: 60_000 },
];

function showFatal(text) {
  const node = document.getElementById("fatal");
  node.textContent = text;
  node.hidden = false;
}

async function main() {
  let profiler;
  try {
    profiler = await start({ dbName: "apiscope-demo", alerts: ALERTS });
  } catch (error) {
    showFatal(`The profiler did not start: ${error?.message ?? error}`);
    return;
  }
  let dashboard = null;
  let responseCache = null;
  try {
    await initializeCache();
    responseCache = new ResponseCache({ maxEntries: 200, ttlMs: 5000, onResult: (info) => dashboard?.cacheResult(info) });
  } catch (error) {
    showFatal(`The response cache is unavailable: ${error?.message ?? error}`);
  }
  dashboard = mountDashboard(document.getElementById("dashboard"), profiler, { responseCache });
  mountLoadGenerator(document.getElementById("loadgen"), { responseCache });
}

main();
