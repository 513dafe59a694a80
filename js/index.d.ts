// Type declarations of the apiscope npm entry (`js/index.js`).
//
// `apiscope` is the loader (js/index.js): `start()` and `version()`. The engine's JS and wasm
// load behind it when `start()` runs; `Sketch` is in `apiscope/sketch`, `Cache` and
// `ResponseCache` in `apiscope/cache`, `mountDashboard` in `apiscope/dashboard`. The shapes here
// follow the engine's results (js/engine/decode.js) and options (js/engine/options.js).
//
// Conventions of the whole API:
// - durations are milliseconds; times are epoch milliseconds (the `Date.now()` scale);
// - bad input throws a `TypeError` (wrong type, unknown key) or a `RangeError` (value out of
//   range) whose message starts with the offending field as you wrote it, e.g.
//   `RangeError: batch.maxSize: must be an integer from 0 to 1000000, got -1`; the object
//   that threw is left unchanged;
// - the classes wrap wasm memory: call `free()` (or use `using`) when done with one.

// The classes declare `[Symbol.dispose]`; this makes `Symbol.dispose` known whatever `lib` the
// consuming project compiles with.
/// <reference lib="esnext.disposable" />

import type { OtlpExponentialHistogramDataPoint, SketchBuckets } from "./sketch/index.js";
import type { ResponseCache } from "./cache/index.js";

// ───────────────────────────── loading ─────────────────────────────

/** A wasm binary as `WebAssembly.instantiateStreaming` takes it, or compiled already. */
export type WasmSource = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Starts profiling the page. Synchronously, before the promise settles, it checks `options`
 * and installs the fetch/XHR hooks: every request from then on is kept in a bounded buffer.
 * Then it loads the engine (its JS chunk and its wasm, in parallel; the export variant when
 * `export` is set), opens IndexedDB (or falls back to memory, see `stats().storage`), replays
 * what a previous page left unwritten, hands the buffered requests over, and resolves with the
 * `Profiler`. A request made right after `start()` is measured exactly once.
 *
 * @throws (rejects) a `TypeError`/`RangeError` naming the option (e.g. `batch.maxSize`,
 *   `alerts[1].metric`; nothing stays installed); an `Error` named `ApiscopeCspError` when the
 *   page's Content Security Policy lacks `'wasm-unsafe-eval'` in `script-src` (the page keeps
 *   working unprofiled); the browser's load error when the engine's wasm cannot be fetched
 *   (see `ProfilerOptions.wasm` for bundlers that do not emit it). In Node (the package's
 *   `node` export condition) it always rejects with an `Error` named
 *   `ApiscopeUnsupportedError`: profiling needs a page; use `apiscope/sketch` and
 *   `apiscope/cache` there. After an internal failure switched a profiler off (its `state` is
 *   `"failed"`), a later `start()` in the same page rejects with an `Error` saying so: the
 *   engine module that trapped stays off until the page reloads.
 *
 * @example
 * import { start } from "apiscope";
 * const profiler = await start({ dbName: "my-app", alerts: [
 *   { name: "slow users", route: "/api/users/**", metric: "p95", above: 800, windowMs: 60_000 },
 * ] });
 * await fetch("/api/users/42");          // measured as GET /api/users/:id
 * profiler.snapshot();                   // [{ route: "/api/users/:id", count: 1, p95: ..., ... }]
 */
export function start(options?: ProfilerOptions): Promise<Profiler>;

/** The package version, e.g. `"0.1.0"`. */
export function version(): string;

// ───────────────────────────── Profiler options ─────────────────────────────

/** Options of `start()`. Every field is optional; unknown keys are a `TypeError`. */
export interface ProfilerOptions {
  /**
   * IndexedDB database name; default `"apiscope"`. Profilers with the same name (other tabs,
   * later visits) share stored history. An empty string is a `RangeError`.
   */
  dbName?: string;
  /** When recorded samples are written to IndexedDB. */
  batch?: BatchOptions;
  /** How much stored history is kept. */
  retention?: RetentionOptions;
  /** The live rolling windows behind `snapshot()`, `histogram()`, alerts and trends. */
  windows?: WindowOptions;
  /** Alert rules installed at start; a bad or duplicate rule is an error naming `alerts[i].field`. */
  alerts?: AlertRule[];
  /**
   * Route templates that win over the built-in rules, e.g. `"/api/orders/:orderId"`. Each must
   * start with `/`; a segment `:name` or `*` matches any one segment, any other segment matches
   * literally. Without a matching template, numeric ids, UUIDs, dates and hashes become
   * `:id`, `:uuid`, `:date`, `:hash`. A bad template is a `RangeError` naming `routes`.
   */
  routes?: string[];
  /**
   * Which calls are measured automatically; default `true` (all three). `false` turns all off:
   * only `record()`/`recordMany()`/`measure()` then feed the profiler.
   */
  instrument?: boolean | InstrumentOptions;
  /** Share of instrumented calls measured, in (0, 1]; default 1. `record()` is never sampled. */
  sampleRate?: number;
  /**
   * Instrumented calls to leave alone. A string is a prefix of the absolute URL (a path starting
   * with `/` is taken on the page's origin); a RegExp is tested against the absolute URL.
   * @example ignoreUrls: ["/health", "https://collector.example/", /\/v1\/metrics$/]
   */
  ignoreUrls?: (string | RegExp)[];
  /**
   * GraphQL endpoints (paths on the page's origin, or absolute URLs): calls to them are filed
   * per operation instead of all under the endpoint's route.
   */
  graphql?: string[];
  /** OTLP/HTTP export of the per-route latency histograms; loads the engine variant with the exporter. */
  export?: ExportOptions;
  /** Ask the browser to keep the IndexedDB history under storage pressure (`navigator.storage.persist()`); default `false`. */
  persist?: boolean;
  /**
   * When the engine loads: `"now"` (default) at once, or `"idle"` after the page's `load` event
   * and an idle moment, so it never competes with the page's first screen. Requests made in
   * between are buffered and measured all the same.
   */
  load?: "now" | "idle";
  /**
   * The engine's wasm, for bundlers that do not emit `new URL(..., import.meta.url)` assets
   * (esbuild, Rollup): a URL (e.g. what `import wasm from "apiscope/engine.wasm"` gives with
   * esbuild's `--loader:.wasm=file`), a `Response`, bytes or a `WebAssembly.Module`. It must be
   * the part `start()` picks: `apiscope/engine.wasm`, or `apiscope/engine-export.wasm` when
   * `export` is set. Default: the file beside the package's engine chunk.
   */
  wasm?: WasmSource | Promise<WasmSource>;
  /**
   * The history part's wasm (`apiscope/history.wasm`), for the same bundlers: what
   * `Profiler.query()` summarizes stored history with. It is downloaded on the first
   * `query()`, never before. Default: the file beside the package's history glue.
   */
  historyWasm?: WasmSource | Promise<WasmSource>;
}

/** `ProfilerOptions.batch`: the adaptive batching of writes to IndexedDB. */
export interface BatchOptions {
  /** Largest batch, an integer in [minSize, 1e6]; default 1000 (IndexedDB does best at 500–1000). A `maxSize` below 50 also lowers the default `minSize`. */
  maxSize?: number;
  /** Smallest adaptive batch, an integer ≥ 1; default 50. */
  minSize?: number;
  /** Write once the oldest buffered sample has waited this long, ms ≥ 0; default 2000. */
  maxDelayMs?: number;
  /** Most samples held in memory, an integer in [maxSize, 1e8]; beyond it the oldest are dropped and counted in `stats().dropped`. Default 100000. */
  maxBuffered?: number;
  /** Samples at least this slow (ms ≥ 0) are written at once, like errors; default 3000. */
  slowMs?: number;
}

/** `ProfilerOptions.retention`: stored history older or beyond these limits is deleted (about once a minute). */
export interface RetentionOptions {
  /** Oldest sample kept, ms ≥ 0; default 604800000 (7 days). */
  maxAgeMs?: number;
  /** Most samples kept, an integer ≥ 0; default 2000000. */
  maxSamples?: number;
}

/** `ProfilerOptions.windows`: the in-memory time slots live figures are computed from. */
export interface WindowOptions {
  /** Width of the finest slots (the resolution of recent windows, and the shortest `windowMs` accepted), ms > 0; default 10000. */
  slotMs?: number;
  /** How long slots stay `slotMs` wide, ms ≥ 0; default 180000 (3 min). Older slots are twice as wide every 4 slots (20 s, 40 s, …), so a window reaching back past `fineMs` may cover up to about a quarter of its length more. */
  fineMs?: number;
  /** How long slots are kept, ms ≥ `slotMs`; default 3600000 (1 h). The longest `windowMs` anything can look back. */
  retentionMs?: number;
  /** Routes tracked one by one, an integer; default 500. Further routes are counted together as method `"*"`, route `"(other)"`. */
  maxRoutes?: number;
  /** Bytes the windows of all routes may hold, an integer ≥ 1024 × (`maxRoutes` + 1); default 12582912 (12 MiB). Each route gets an equal share; past it, its oldest slots merge (time resolution of old data goes first; figures stay exact to the sketch's error). */
  maxBytes?: number;
}

/** `ProfilerOptions.instrument` in detail; each defaults to `true`. */
export interface InstrumentOptions {
  /** Wrap `fetch` (the app gets its own promise and response back, untouched). */
  fetch?: boolean;
  /** Wrap `XMLHttpRequest`. */
  xhr?: boolean;
  /** Match calls with their Resource Timing entries, for `slowCalls()` and `breakdown()`. */
  resourceTiming?: boolean;
}

/**
 * `ProfilerOptions.export`: every recorded or instrumented call also goes into per-route delta
 * histograms, POSTed as OTLP/HTTP JSON (`OtlpMetricsRequest`) every `intervalMs`, on page hide
 * (with `keepalive`) and at `stop()`. Unsent bodies wait in IndexedDB and are retried with
 * backoff. Calls to `url` itself are never measured. A wrong shape is a `TypeError` naming
 * `export`, a bad value a `RangeError` naming `export.<option>`.
 */
export interface ExportOptions {
  /** The OTLP/HTTP metrics endpoint: an absolute http(s) URL without credentials, e.g. `"https://collector.example/v1/metrics"`. */
  url: string;
  /** Ms between exports, in [1000, 2^32 − 1]; default 10000. */
  intervalMs?: number;
  /** Extra request headers, e.g. an API key. */
  headers?: Record<string, string>;
  /** Resource attributes, added to (and overriding) `service.name` and the page origin. */
  resource?: Record<string, string | number | boolean>;
  /** Request bodies kept for retry while the collector is unreachable, an integer in [1, 10000]; default 200. Beyond it the oldest are dropped. */
  maxOutbox?: number;
}

// ───────────────────────────── alerts ─────────────────────────────

/**
 * What an alert rule watches: a latency figure (ms), the error rate (0–1), the call count, a
 * watched `ResponseCache`'s hit rate (0–1, see `Profiler.watchCache`), or a regression.
 *
 * `p50Regression` / `p95Regression` / `p99Regression` are that quantile's relative change
 * against the hour before the window, as in `snapshot()`'s `trend` (0.35 = 35% slower). While
 * the change is not `significant` the value is 0, so such a rule fires on a significant
 * slowdown above `above` and resolves when the change falls back under `above` by the usual
 * 10% hysteresis or stops being significant. They take `above` (≥ 0) only: improvements are
 * not alerts. After a lasting slowdown the new latency becomes the baseline, so the alert
 * resolves within about an hour by itself.
 */
export type AlertMetric =
  | "p50"
  | "p90"
  | "p95"
  | "p99"
  | "mean"
  | "max"
  | "errorRate"
  | "count"
  | "cacheHitRate"
  | "p50Regression"
  | "p95Regression"
  | "p99Regression";

/** Fields every alert rule has, whichever side its threshold is on. */
interface AlertRuleBase {
  /** Unique among the profiler's rules; not blank. */
  name: string;
  /** Glob over route templates: `*` matches within a segment, a `**` segment any number of segments (`"/api/**"`). Default: every route. */
  route?: string;
  /** HTTP method, case-insensitive. Default: every method. */
  method?: string;
  metric: AlertMetric;
  /** The window the metric is computed over, ms ≥ `windows.slotMs` (at most `windows.retentionMs` is available). Whole slots are read, so it may reach back one slot further (about a quarter of its length past `windows.fineMs`). */
  windowMs: number;
  /** Fewer samples in the window are not judged (except for `count`), an integer ≥ 1; default 20. */
  minSamples?: number;
  /** Least time between two firings of this rule for one route, ms ≥ 0; default `windowMs`. */
  cooldownMs?: number;
}

/**
 * An alert rule: fires per (method, route) when `metric` over the last `windowMs` goes above
 * `above` (or below `below`; exactly one of the two), and resolves when it comes back. Rules
 * are evaluated every second and after every write.
 *
 * @example
 * { name: "slow users", route: "/api/users/**", metric: "p95", above: 800, windowMs: 60_000 }
 * { name: "cache cold", metric: "cacheHitRate", below: 0.5, windowMs: 300_000 }
 * { name: "search regressed", route: "/api/search", metric: "p95Regression", above: 0.3, windowMs: 300_000 }
 */
export type AlertRule =
  | (AlertRuleBase & { /** Fire when the metric exceeds this. */ above: number; below?: never })
  | (AlertRuleBase & { /** Fire when the metric falls under this. */ below: number; above?: never });

/** An installed rule as `rules()` returns it: the defaults filled in. */
export type InstalledAlertRule = AlertRule & { minSamples: number; cooldownMs: number };

/** An alert firing (`kind: "fired"`, the `"alert"` event) or resolving (`"resolved"`). */
export interface AlertEvent {
  kind: "fired" | "resolved";
  /** The rule's name. */
  rule: string;
  route: string;
  method: string;
  metric: AlertMetric;
  /** The metric's value at this evaluation (for `*Regression`, the relative change; 0 when not significant). */
  value: number;
  /** The rule's `above` or `below`. */
  threshold: number;
  windowMs: number;
  /** Samples in the window. */
  samples: number;
  /** When the alert fired, epoch ms (for `"resolved"`, when the episode began). */
  firedAt: number;
  /** When this event happened, epoch ms. */
  at: number;
}

/** The payload of the `"error"` event: a problem apiscope contained instead of throwing into the page. */
export interface ProfilerErrorEvent {
  /** Where it happened. */
  context: "instrument" | "storage" | "alerts" | "retention" | "measure" | "export" | "cache" | "internal";
  message: string;
}

// ───────────────────────────── recording ─────────────────────────────

/** Fields of a recorded call besides its route or URL. */
interface SampleFields {
  /** How long the call took, ms; finite and ≥ 0. */
  durationMs: number;
  /** HTTP method; default `"GET"`; upper-cased. */
  method?: string;
  /** HTTP status, an integer in [0, 999]; default 0 (unknown; the call still counts as ok unless `ok: false`). */
  status?: number;
  /** When the call started, epoch ms; default now − `durationMs`. */
  startTime?: number;
  /** Whether the call counts as a success; default: `status` is 2xx/3xx, or `true` when there is no `status`. */
  ok?: boolean;
  /** Response size in bytes, an integer in [0, 2^32 − 1]. */
  bytes?: number;
}

/**
 * One call for `record()`: with a `route` template as is, or an absolute `url` that is templated
 * like an instrumented call's (`https://host/api/users/42?x` → `/api/users/:id` on the page's own
 * origin). A `route` wins over a `url`.
 */
export type SampleInput = SampleFields & ({ route: string; url?: string } | { url: string; route?: string });

/**
 * Many calls for `recordMany()`, column by column (one crossing into wasm for all of them).
 * Sample `i` has duration `durationMs[i]`, route `routes[routeIndex[i]]` (or `routes[0]` without
 * `routeIndex`), method `methods[routeIndex[i]]` (default `"GET"`), status `status[i]`
 * (default 200) and start `startTime[i]` (default now − duration).
 */
export interface SampleBatch {
  /** Durations, ms. */
  durationMs: Float64Array;
  /** Route templates; not empty. */
  routes: string[];
  /** Per sample, an index into `routes`; as long as `durationMs`. */
  routeIndex?: Uint32Array;
  /** Per route (same indexes as `routes`), an upper-case method. */
  methods?: string[];
  /** Per sample, the HTTP status; as long as `durationMs`. */
  status?: Uint16Array;
  /** Per sample, epoch ms; as long as `durationMs`. */
  startTime?: Float64Array;
}

// ───────────────────────────── figures ─────────────────────────────

/**
 * Latency figures of one (method, route) over a window. Durations in ms; the percentiles, `min`,
 * `max` and `mean` are `NaN` when `count` is 0. Percentiles come from a sketch with 1% relative
 * error and take the lower rank (`q·(count − 1)`), so with few samples p99 may be well under `max`.
 */
export interface RouteSummary {
  method: string;
  /** The route template, e.g. `"/api/users/:id"`; other origins keep theirs (`"https://api.example/v1/items"`). */
  route: string;
  count: number;
  /** Calls that were not ok. */
  errors: number;
  /** `errors / count`, 0–1. */
  errorRate: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
  /** Time to the response's headers (ms) of the calls where it was known; the percentiles are `NaN` when `count` is 0. */
  ttfb: { count: number; p50: number; p95: number; p99: number };
  /** Share (0–1) of calls whose duration ends at the headers, since the body's end was not known in time. */
  headersShare: number;
  /** Share (0–1) of calls by where the response came from: the network, the browser's HTTP cache, a service worker, or unknown (no Resource Timing entry). */
  delivery: Record<Delivery, number>;
}

/** Where a response came from (Resource Timing's `transferSize`, `deliveryType`, `workerStart`). */
export type Delivery = "network" | "cache" | "worker" | "unknown";

/** A route's live figures (`snapshot()`): the summary plus its request rate and trend. */
export interface RouteSnapshot extends RouteSummary {
  /** Share (0–1) of the calls with a known protocol by `nextHopProtocol`. */
  protocols: Record<"http/1.1" | "h2" | "h3" | "unknown", number>;
  /** Calls per second over the time the window's slots cover (or since the profiler started, if shorter). */
  rps: number;
  /** Only with `snapshot({ windowMs })`: the window against the hour before; absent while either side is empty. */
  trend?: TrendReport;
}

/** One quantile, before and after. */
export interface Trend {
  /** The quantile in the baseline hour, ms. */
  baseline: number;
  /** The quantile in the window, ms. */
  current: number;
  /** `(current − baseline) / baseline`; `NaN` when either side is empty. */
  change: number;
  /** Two-sided p-value of the change; 1 when either side is empty. */
  pValue: number;
  /** Whether the change is significant (at α = 0.01 over all tests, ≥ 5% and ≥ 50 samples per side). */
  significant: boolean;
}

/** The comparison of a route's current window with its baseline (the hour before). */
export interface TrendReport {
  p50: Trend;
  p95: Trend;
  p99: Trend;
  /** The Kolmogorov–Smirnov statistic D between the two latency distributions. */
  statistic: number;
  /** The critical value D must exceed. */
  critical: number;
  /** Whether the KS test says the distribution changed. */
  distributionChanged: boolean;
  baselineCount: number;
  currentCount: number;
}

/** A route's latency histogram (`histogram()`); same layout as `Sketch.buckets()`. */
export type Histogram = SketchBuckets;

/** A route's figures per time step (`timeline()`), as parallel arrays, oldest step first. */
export interface Timeline {
  /** The end of each step, epoch ms. */
  t: Float64Array;
  /** Per step, ms; `NaN` for a step without calls. */
  p50: Float64Array;
  p95: Float64Array;
  p99: Float64Array;
  /** Calls per step. */
  count: Float64Array;
}

/**
 * Timing phases of a call from its Resource Timing entry, ms. A phase that is unknown (e.g. a
 * cross-origin call without `Timing-Allow-Origin`, or no `Server-Timing`) is absent, not 0.
 */
export interface Breakdown {
  /** `domainLookupEnd − domainLookupStart`. */
  dns?: number;
  /** `connectEnd − connectStart` (TLS included). */
  connect?: number;
  /** `connectEnd − secureConnectionStart`. */
  tls?: number;
  /** Request sent to first byte: `responseStart − requestStart`. */
  ttfb?: number;
  /** `responseEnd − responseStart`. */
  download?: number;
  /** `Server-Timing` `total`, else `app`. */
  server?: number;
  /** Bytes on the wire; 0 is real (served from the HTTP cache). */
  transferSize?: number;
}

/** A route's mean phases (`breakdown()`) over the calls that had a Resource Timing entry. */
export interface BreakdownMeans extends Breakdown {
  /** How many calls contributed (a phase's mean covers those where it was known). */
  matched: number;
}

/** One of a route's slowest recent instrumented calls (`slowCalls()`). */
export interface SlowCall {
  /** The URL without query or fragment. */
  url: string;
  route: string;
  method: string;
  status: number;
  durationMs: number;
  /** Epoch ms. */
  startTime: number;
  /** No phases until (or unless) its Resource Timing entry arrived. */
  breakdown: Breakdown;
}

/** The profiler's counters (`stats()`). */
export interface ProfilerStats {
  /** `"running"`; `"stopped"` after `stop()`; `"failed"` once apiscope switched itself off after an internal failure (see `failure`); `"freed"` after `free()`. */
  state: "running" | "stopped" | "failed" | "freed";
  /** What the internal failure was, when `state` is `"failed"`. */
  failure?: string;
  /** Samples accepted by `record*()`, `measure()` or the hooks. */
  accepted: number;
  /** Samples not yet confirmed written. */
  buffered: number;
  /** Samples confirmed written to storage. */
  persisted: number;
  /** Samples dropped because `batch.maxBuffered` was reached. */
  dropped: number;
  /** Successful writes. */
  flushes: number;
  /** Failed writes that were retried. */
  retries: number;
  /** Mean samples per write. */
  meanBatchSize: number;
  /** The current adaptive batch size. */
  batchSize: number;
  /** Calls filed under the overflow route (method `*`, route `(other)`) because `windows.maxRoutes` routes were held. */
  overflow: number;
  /** Requests the hooks saw that could not be recorded: a URL that does not template, or a call site the engine no longer knew (more new URLs settled at once than the call-site table holds). */
  refused: number;
  /** `"persistent"`: IndexedDB; `"memory"`: IndexedDB unusable (see `storageReason`), history lives as long as the page; `"closed"`: stopped. */
  storage: "persistent" | "memory" | "closed";
  /** Why storage is memory-only, when it is. */
  storageReason?: string;
  /** Problems contained inside apiscope (each also an `"error"` event) plus listeners that threw. */
  errors: number;
  /** Batches a previous page left in the page-hide journal, written at this start. */
  journalReplayed: number;
  /** Writes that hit the storage quota; each deleted the oldest history and retried once. */
  quotaErrors: number;
  /** OTLP export counters; only with the `export` option. */
  export?: ExportStats;
}

/** `ProfilerStats.export`. */
export interface ExportStats {
  /** Histogram points (routes × intervals) the collector accepted. */
  exportedPoints: number;
  /** Requests answered with a 2xx. */
  requestsSent: number;
  /** Attempts that failed (network error or non-2xx). */
  requestsFailed: number;
  /** Attempts that were retries. */
  retries: number;
  /** Request bodies dropped because the outbox was full (`export.maxOutbox`), oldest first. */
  dropped: number;
  /** Request bodies the collector refused for good (4xx other than 408/429). */
  rejected: number;
  /** Request bodies waiting to be sent (kept in IndexedDB across pages). */
  outboxLen: number;
  /** Request bodies that earlier pages sent with `keepalive` as they went away, taken as delivered. */
  deliveredAtExit: number;
  /** Whether this page is the one that sends the shared outbox (one tab per `dbName` at a time; the others only store their bodies). */
  drainer: boolean;
  /** The most recent failure, absent if none. */
  lastError?: string;
}

/** A stored sample (`samples()`). */
export interface StoredSample {
  /** Epoch ms. */
  startTime: number;
  durationMs: number;
  method: string;
  route: string;
  status: number;
  ok: boolean;
  /** Response size, when it was recorded. */
  bytes?: number;
}

/** One page of stored samples, oldest first. */
export interface SamplePage {
  samples: StoredSample[];
  /** Pass back as `samples({ cursor })` for the next page; absent after the last. */
  cursor?: string;
}

/** `{ windowMs }`: how far back a live figure looks, ms > 0 (at most `windows.retentionMs`). */
export interface WindowQuery {
  /** ms ≥ `windows.slotMs` (a RangeError otherwise); default the whole live retention. Whole slots are read: every slot overlapping the window, so it may reach back one slot further (about a quarter of its length past `windows.fineMs`). */
  windowMs?: number;
}

/** `{ from, to }`: a time range, epoch ms, `from` inclusive, `to` exclusive; default everything. */
export interface TimeRange {
  from?: number;
  to?: number;
}

/** The callback of each `Profiler.on()` event. */
export interface ProfilerEventMap {
  /** An alert rule fired. */
  alert: AlertEvent;
  /** A firing alert came back within its threshold. */
  resolved: AlertEvent;
  /** Something failed inside apiscope (storage, hooks, alerts); the page and the profiler go on. */
  error: ProfilerErrorEvent;
  /** A batch of samples was committed to IndexedDB. */
  flush: { samples: number };
}

// ───────────────────────────── Profiler ─────────────────────────────

/**
 * A running profiler: live per-route figures from in-memory sketches, history from IndexedDB.
 * Create it with `start()`. Methods that take `(method, route)` expect them as `snapshot()`
 * reports them (route template; the method in any case); an unknown pair gives empty figures.
 */
export class Profiler {
  private constructor();
  /**
   * Records one call the app measured itself.
   * @throws `TypeError`/`RangeError` naming the field (`durationMs`, `route`, `url`, `status`, ...).
   * @example profiler.record({ route: "/api/search", durationMs: 182, status: 200 });
   */
  record(sample: SampleInput): void;
  /**
   * Records many calls at once; everything is checked first, and one bad sample rejects the
   * whole call. The fast path for bulk data (100k samples in a few ms).
   * @throws `TypeError` naming `batch.<field>` for a missing or wrong-typed column, `RangeError`
   *   for a column of the wrong length or a bad value.
   * @example
   * profiler.recordMany({ durationMs: new Float64Array([12, 40]), routes: ["/api/a", "/api/b"],
   *   routeIndex: new Uint32Array([0, 1]) });
   */
  recordMany(batch: SampleBatch): void;
  /**
   * Times `fn` (sync, or async by returning a promise) as a sample of route `name`, method `FN`,
   * and returns exactly what it returns. A throw or rejection is recorded as a failed sample and
   * reaches you unchanged.
   * @example const user = await profiler.measure("load user", () => db.get(id));
   */
  measure<T>(name: string, fn: () => T): T;

  /**
   * Live figures of every route with calls in the last `windowMs` (default: all live slots,
   * 1 h), in no particular order. With `windowMs`, each route also carries a `trend` against
   * the hour before.
   * @throws `RangeError` naming `options.windowMs` unless it is > 0.
   * @example
   * for (const r of profiler.snapshot({ windowMs: 60_000 }))
   *   console.log(r.method, r.route, r.count, r.p95.toFixed(1), r.trend?.p95.significant);
   */
  snapshot(options?: WindowQuery & { delivery?: Delivery }): RouteSnapshot[];
  /** One route's latency histogram over `windowMs` (default 1 h), from its sketch's own buckets. */
  histogram(method: string, route: string, options?: WindowQuery): Histogram;
  /**
   * One route's p50/p95/p99 and count per `stepMs` (default 10 s) over `windowMs` (default 5 min;
   * at most 1000 steps).
   * @throws `RangeError` naming `options.windowMs`/`options.stepMs` unless > 0.
   */
  timeline(method: string, route: string, options?: WindowQuery & { stepMs?: number }): Timeline;
  /**
   * The ten slowest instrumented calls of the route in the last hour, slowest first (recorded
   * samples are not kept). Kept with the route's live windows: a route beyond
   * `windows.maxRoutes` has its calls under `slowCalls("*", "(other)")`, each with its URL.
   */
  slowCalls(method: string, route: string): SlowCall[];
  /**
   * Mean timing phases of the route's instrumented calls that had a Resource Timing entry, since
   * the route appeared in the live windows: a route beyond `windows.maxRoutes` is counted in
   * `breakdown("*", "(other)")`, and a route pruned for having no call in the retention starts
   * again from none.
   */
  breakdown(method: string, route: string): BreakdownMeans;

  /**
   * Per-route figures from stored history (this and earlier pages), busiest first: samples that
   * started in `[from, to)` on routes matching the `route` glob. Writes pending in memory are not
   * included until flushed.
   * @example const lastDay = await profiler.query({ route: "/api/**", from: Date.now() - 86_400_000 });
   */
  query(options?: TimeRange & { route?: string }): Promise<RouteSummary[]>;
  /**
   * Raw stored samples, a page at a time, oldest first.
   * @param options `limit`: samples per page, an integer in [1, 1e6], default 1000; `cursor`:
   *   from the previous page (a foreign string is a `TypeError` naming `cursor`).
   * @example
   * for (let page = await profiler.samples({}); ; page = await profiler.samples({ cursor: page.cursor })) {
   *   handle(page.samples);
   *   if (!page.cursor) break;
   * }
   */
  samples(options?: TimeRange & { limit?: number; cursor?: string }): Promise<SamplePage>;
  /** Alert history from storage (it survives reloads), oldest first. */
  alerts(options?: TimeRange): Promise<AlertEvent[]>;

  /** Writes every recorded sample now; resolves once IndexedDB committed them, with how many were waiting when it was called. */
  flush(): Promise<{ persisted: number }>;
  /** The profiler's counters. */
  stats(): ProfilerStats;
  /** Forgets live figures and deletes stored history (samples and alerts). */
  clear(): Promise<void>;
  /** Unhooks fetch/XHR, stops timers and listeners, and writes everything recorded; resolves once committed. Call before `free()`. */
  stop(): Promise<{ persisted: number }>;

  /**
   * Subscribes to an event; returns the function that unsubscribes. A throwing callback is
   * contained (counted in `stats().errors`). The same events are dispatched on `globalThis` as
   * `CustomEvent`s named `apiscope:<event>` with the payload as `detail`, for code that never
   * held the profiler.
   * @throws `RangeError` naming `event` for an unknown event, `TypeError` naming `callback`.
   * @example const off = profiler.on("alert", (a) => console.warn(`${a.rule}: ${a.route} ${a.metric} = ${a.value}`));
   */
  on<E extends keyof ProfilerEventMap>(event: E, callback: (payload: ProfilerEventMap[E]) => void): () => void;

  /**
   * Adds an alert rule while running.
   * @throws `TypeError` naming `rule` for a wrong shape, `RangeError` naming `rule.<field>` for
   *   a bad value or a duplicate `name`; the other rules keep working either way.
   */
  addAlert(rule: AlertRule): void;
  /** Removes the rule called `name`; `false` if there was none. */
  removeAlert(name: string): boolean;
  /** The installed rules, defaults filled in. */
  rules(): InstalledAlertRule[];
  /** Lets `cacheHitRate` rules watch `cache`'s hit rate. The profiler does not keep the cache alive. */
  watchCache(cache: ResponseCache): void;
  /**
   * The live per-route histograms of the last `windowMs` (default 1 h) as one OTLP/HTTP JSON
   * request body: what `export` sends, for downloads or a collector the app talks to itself.
   * @throws `RangeError` naming `options.windowMs` unless it is > 0.
   * @example
   * await fetch("/otel/v1/metrics", { method: "POST", headers: { "Content-Type": "application/json" },
   *   body: JSON.stringify(profiler.exportOtlp({ windowMs: 60_000 })) });
   */
  exportOtlp(options?: WindowQuery): OtlpMetricsRequest;

  /** Releases the wasm memory of this handle. Call `stop()` first. */
  free(): void;
  /** `free()`, for `using profiler = ...`. */
  [Symbol.dispose](): void;
}

// The sketch's shapes, shared with `apiscope/sketch` (the profiler's histograms use its layout).
export type { SketchBuckets, OtlpExponentialHistogramDataPoint } from "./sketch/index.js";

/** An OTLP attribute value (64-bit integers as decimal strings). */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number };

/** An OTLP attribute. */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** What every data point of a route carries: `http.request.method` and `http.route`, and its interval in epoch nanoseconds (decimal strings). */
export interface OtlpPointHead {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
}

/**
 * An OTLP/HTTP JSON `ExportMetricsServiceRequest` (`exportOtlp()`, and what `export` POSTs):
 * one resource (`service.name`, default `"apiscope-browser"`, `apiscope.page.origin`,
 * `telemetry.sdk.*` and `export.resource`), one scope, two metrics with delta temporality
 * (`aggregationTemporality: 1`); data point `i` of both is the same route. `resourceMetrics`
 * is empty when no calls were recorded in the window.
 */
export interface OtlpMetricsRequest {
  resourceMetrics: {
    resource: { attributes: OtlpKeyValue[] };
    scopeMetrics: {
      scope: { name: "apiscope"; version: string };
      metrics: [
        {
          name: "apiscope.http.client.request.duration";
          unit: "ms";
          description: string;
          exponentialHistogram: {
            dataPoints: (OtlpPointHead & OtlpExponentialHistogramDataPoint)[];
            aggregationTemporality: 1;
          };
        },
        {
          name: "apiscope.http.client.errors";
          unit: "{request}";
          description: string;
          sum: {
            /** `asInt`: failed calls (network error or status ≥ 400), a decimal string. */
            dataPoints: (OtlpPointHead & { asInt: string })[];
            aggregationTemporality: 1;
            isMonotonic: true;
          };
        },
      ];
    }[];
  }[];
}
