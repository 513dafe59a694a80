// Types for `apiscope/dashboard`: the dashboard as a component an app can mount in a dev panel.
import type { Profiler } from "./index.js";
import type { ResponseCache, ResponseCacheResult } from "./cache/index.js";

/** What `mountDashboard` returns. */
export interface MountedDashboard {
  /** Stops rendering, unsubscribes from the profiler and removes the dashboard's DOM. */
  unmount(): void;
  /** Feed it each `ResponseCache` `onResult` info to chart cached against network latency. */
  cacheResult(info: ResponseCacheResult): void;
}

/**
 * Mounts the live dashboard (route table, histograms, percentiles over time, timing breakdown,
 * slow calls, cache, storage and alerts panels) into `element`, updating a few times a second.
 * It needs the stylesheets `apiscope/dashboard.css` and `uplot/dist/uPlot.min.css`. Every call
 * it makes to the profiler is guarded: it never throws into the app.
 *
 * @example
 * import { start } from "apiscope";
 * import { mountDashboard } from "apiscope/dashboard";
 * import "apiscope/dashboard.css";
 * import "uplot/dist/uPlot.min.css";
 * const profiler = await start();
 * const panel = mountDashboard(document.getElementById("dev-panel")!, profiler);
 */
export function mountDashboard(
  element: HTMLElement,
  profiler: Profiler,
  options?: { responseCache?: ResponseCache },
): MountedDashboard;
