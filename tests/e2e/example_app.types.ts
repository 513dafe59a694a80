// Type contract of js/index.d.ts, compiled (never run) by example_app.test.mjs inside the example
// app with apiscope installed from the packed tarball. Each `@ts-expect-error` line must fail to
// type-check: it proves the declarations reject that mistake instead of accepting `any`.
import { start, version, type AlertEvent, type ProfilerStats, type RouteSnapshot, type SlowCall } from "apiscope";
import { Cache, ResponseCache, initialize as initializeCache } from "apiscope/cache";
import { Sketch, initialize as initializeSketch } from "apiscope/sketch";
import { mountDashboard } from "apiscope/dashboard";

export async function contract(): Promise<void> {
  const profiler = await start({
    load: "idle",
    wasm: new URL("https://cdn.example/apiscope_engine_bg.wasm"),
    instrument: { fetch: true, xhr: false },
    ignoreUrls: ["/health", /\/v1\/metrics$/],
    export: { url: "https://collector.example/v1/metrics", resource: { "service.version": 3 } },
  });
  // @ts-expect-error option names are case-sensitive
  await start({ dbname: "x" });
  // @ts-expect-error the engine loads "now" or when "idle"
  await start({ load: "later" });
  // @ts-expect-error a rule needs `above` or `below`
  profiler.addAlert({ name: "r", metric: "p95", windowMs: 1 });
  // @ts-expect-error but not both
  profiler.addAlert({ name: "r", metric: "p95", above: 1, below: 2, windowMs: 1 });
  // @ts-expect-error no such metric
  profiler.addAlert({ name: "r", metric: "p42", above: 1, windowMs: 1 });
  // @ts-expect-error a sample needs a route or a url
  profiler.record({ durationMs: 1 });
  // @ts-expect-error recordMany takes typed arrays
  profiler.recordMany({ durationMs: [1], routes: ["/a"] });
  // @ts-expect-error no such event
  profiler.on("nope", () => {});

  const off: () => void = profiler.on("alert", (alert: AlertEvent) => alert.firedAt.toFixed());
  off();
  profiler.on("error", (error) => error.context.toUpperCase());
  const stats: ProfilerStats = profiler.stats();
  const failed: boolean = stats.state === "failed";
  const rows: RouteSnapshot[] = profiler.snapshot({ windowMs: 60_000, delivery: "network" });
  const ttfbP95: number = rows[0].ttfb.p95;
  const fromHttpCache: number = rows[0].delivery.cache;
  // @ts-expect-error no such delivery
  profiler.snapshot({ delivery: "cdn" });
  const v: string = version();
  const slow: SlowCall[] = profiler.slowCalls("GET", "/a");
  const ttfb: number | undefined = slow[0]?.breakdown.ttfb ?? undefined;
  const sync: number = profiler.measure("sync", () => 1);
  const async: Promise<string> = profiler.measure("async", async () => "s");
  const otlp = profiler.exportOtlp({ windowMs: 60_000 });
  const firstCount: string | undefined =
    otlp.resourceMetrics[0]?.scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0]?.count;
  const page = await profiler.samples({ limit: 10 });
  const next: string | undefined = page.cursor;

  await initializeSketch();
  using sketch = new Sketch({ maxRelativeError: 0.01 });
  const counts: bigint[] = sketch.toOtlp().positive.bucketCounts.map(BigInt);
  await initializeCache();
  const cache = new Cache<{ name: string }>({ maxEntries: 1 });
  const name: string | undefined = cache.get("k")?.name;
  const responses = new ResponseCache({ maxEntries: 1, onResult: (r) => r.outcome === "hit" });
  profiler.watchCache(responses);
  const response: Response = await responses.fetch("/a", { method: "GET" });
  const panel = mountDashboard(document.body, profiler, { responseCache: responses });
  panel.unmount();
  void [failed, ttfbP95, fromHttpCache, v, stats, ttfb, sync, async, firstCount, next, counts, name, response];
}
