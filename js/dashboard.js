// The apiscope dashboard: `mountDashboard(element, profiler, { responseCache })` renders live
// route figures, one route in depth, the cache, storage and alerts, from the profiler's public
// API only. Every profiler call is guarded, so a failing profiler degrades a panel and says so
// in the status line; the UI itself never throws.
import { options as checkOptions, typeError } from "./lib/errors.js";
import { el, card } from "./dashboard/dom.js";
import { createGuard, asArray, asObject } from "./dashboard/guard.js";
import { frameLoop } from "./dashboard/scheduler.js";
import { downloadJson } from "./dashboard/download.js";
import { createToolbar, RANGES } from "./dashboard/toolbar.js";
import { createKpis } from "./dashboard/kpis.js";
import { createRouteTable } from "./dashboard/routeTable.js";
import { rowKey } from "./dashboard/rows.js";
import { createDetail } from "./dashboard/detail.js";
import { createCachePanel } from "./dashboard/cachePanel.js";
import { createStoragePanel } from "./dashboard/storagePanel.js";
import { createAlertsPanel } from "./dashboard/alertsPanel.js";
import { createSparkHistory } from "./dashboard/sparkHistory.js";

const DAY = 24 * 60 * 60 * 1000;
const QUERY_EVERY_MS = 5000; // stored ranges change slowly; re-query them at this pace
const USAGE_EVERY_MS = 5000;
// The selected route's charts and the side panels refresh once a second, on different frames,
// so no single frame pays for all of them.
const CYCLE = 4;
const DETAIL_FRAME = 0;
const SIDE_FRAME = 2;

const stamp = () => new Date().toISOString().replace(/[:.]/g, "-");

/**
 * Mounts the dashboard into `element`. `profiler` is what `start()` resolved to; `responseCache`
 * is an optional `ResponseCache` whose `onResult` should call the returned `cacheResult(info)`.
 * Returns `{ unmount(), cacheResult(info) }`.
 */
export function mountDashboard(element, profiler, options) {
  const m = "mountDashboard";
  if (typeof Element !== "function" || !(element instanceof Element)) throw typeError(m, "element", "a DOM Element", element);
  if (profiler === null || typeof profiler !== "object") throw typeError(m, "profiler", "the Profiler start() resolved to", profiler);
  const { responseCache } = checkOptions(m, "options", options, ["responseCache"]);
  if (responseCache !== undefined && (responseCache === null || typeof responseCache !== "object")) {
    throw typeError(m, "options.responseCache", "a ResponseCache", responseCache);
  }
  let alive = true;
  let range = RANGES[0];
  let selected = null;
  let queried = []; // rows of the selected stored range
  let stored = new Map(); // key -> row from the store, shown until live data for it arrives
  let frame = 0;
  let rendered = false; // the first frame fills every panel, later ones take turns

  const guard = createGuard((label, error) => {
    if (alive) toolbar.setStatus(`${label} failed: ${error?.message ?? String(error)}`, true);
  });
  const call = (label, fn, fallback) => guard.call(label, () => fn(profiler), fallback);
  const callAsync = (label, fn, fallback) => guard.callAsync(label, () => fn(profiler), fallback);

  const toolbar = createToolbar({
    onRange(next) {
      range = next;
      toolbar.setRange(range.key);
      queried = [];
      if (range.key !== "live") refreshQuery();
      loop.soon();
    },
    onExportSnapshot: () =>
      downloadJson(`apiscope-snapshot-${stamp()}.json`, {
        exportedAt: new Date().toISOString(),
        range: range.key,
        routes: currentRows(),
        stats: call("stats", (p) => p.stats(), null),
        cache: responseCache ? guard.call("cache.stats", () => responseCache.stats(), null) : null,
      }),
    async onExportOtlp() {
      const otlp = await callAsync("exportOtlp", (p) => p.exportOtlp(), null);
      if (otlp) downloadJson(`apiscope-otlp-${stamp()}.json`, otlp);
    },
    async onClear() {
      await callAsync("clear", (p) => p.clear());
      if (!alive) return;
      queried = [];
      stored = new Map();
      sparks.clear();
      alerts.clear();
      selected = null;
      toolbar.setStatus("Data cleared.");
      loop.soon();
    },
  });
  toolbar.setRange(range.key);

  const kpis = createKpis();
  const table = createRouteTable({
    onSelect(key) {
      selected = key;
      frame = 0; // refresh the detail panel in this very frame
      loop.soon();
    },
    onSort: () => loop.soon(),
  });
  const detail = createDetail();
  const cache = createCachePanel(Boolean(responseCache));
  const storage = createStoragePanel();
  const alerts = createAlertsPanel();
  const sparks = createSparkHistory();

  const routesCard = card("Routes", "aps-routes-card");
  routesCard.body.append(table.node);
  const root = el("div", { class: "aps-dashboard" }, [
    toolbar.node,
    kpis.node,
    el("div", { class: "aps-layout" }, [
      el("div", { class: "aps-main" }, [routesCard.node, detail.node]),
      el("aside", { class: "aps-side" }, [alerts.node, cache.node, storage.node]),
    ]),
  ]);
  element.append(root);

  function currentRows() {
    if (range.key !== "live") return queried;
    const live = asArray(call("snapshot", (p) => p.snapshot({ windowMs: range.ms }), []));
    const keys = new Set(live.map(rowKey));
    return [...live, ...[...stored.values()].filter((r) => !keys.has(rowKey(r)))];
  }

  // Windows for the selected route's charts: live shows the last minute, with 5 min of trend.
  function detailData(row) {
    if (!row) return { row };
    const { method, route } = row;
    const windowMs = range.ms;
    const trendMs = range.key === "live" ? 5 * 60_000 : range.ms;
    const rule = asArray(call("rules", (p) => p.rules(), [])).find((r) => r?.route === route);
    return {
      row,
      histogram: call("histogram", (p) => p.histogram(method, route, { windowMs }), null),
      timeline: call("timeline", (p) => p.timeline(method, route, { windowMs: trendMs, stepMs: Math.max(5000, trendMs / 120) }), null),
      breakdown: asObject(call("breakdown", (p) => p.breakdown(method, route, { windowMs }), {})),
      slowCalls: asArray(call("slowCalls", (p) => p.slowCalls(method, route), [])),
      threshold: rule?.above,
    };
  }

  function render() {
    const started = performance.now();
    const rows = currentRows();
    if (range.key === "live") sparks.record(rows, started);
    const order = table.update(rows, selected, sparks);
    // Nothing (or a vanished route) selected: show the top row, with its charts this frame.
    const top = order[0] ?? null;
    if (selected !== top && !rows.some((r) => rowKey(r) === selected)) {
      selected = top;
      frame = 0;
    }
    const cacheStats = responseCache ? asObject(guard.call("cache.stats", () => responseCache.stats(), {})) : {};
    kpis.update(rows, responseCache ? cacheStats.hitRate : NaN, alerts.firingCount());
    const phase = frame++ % CYCLE;
    const firstFrame = !rendered;
    rendered = true;
    if (phase === DETAIL_FRAME) detail.update(detailData(rows.find((r) => rowKey(r) === selected)));
    if (phase === SIDE_FRAME || firstFrame) {
      cache.update(cacheStats);
      storage.update(asObject(call("stats", (p) => p.stats(), {})));
      alerts.setRules(asArray(call("rules", (p) => p.rules(), [])));
    }
    // Exposed for tests and for anyone checking the dashboard's own cost. uPlot draws in a
    // microtask queued by setData, so measure from a microtask queued after all of them.
    queueMicrotask(() => (root.dataset.frameMs = (performance.now() - started).toFixed(2)));
  }

  let querying = false;
  async function refreshQuery() {
    if (querying || range.key === "live") return;
    querying = true;
    const asked = range;
    const to = Date.now();
    const rows = await callAsync("query", (p) => p.query({ from: to - asked.ms, to }), []);
    querying = false;
    if (alive && asked === range) {
      queried = asArray(rows);
      loop.soon();
    }
  }

  // History first: after a reload the table shows what the store holds before new calls arrive.
  async function loadHistory() {
    const to = Date.now();
    const [rows, events] = await Promise.all([
      callAsync("query", (p) => p.query({ from: to - DAY, to }), []),
      callAsync("alerts", (p) => p.alerts({ from: to - DAY, to }), []),
    ]);
    if (!alive) return;
    stored = new Map(asArray(rows).map((r) => [rowKey(r), { ...r, source: "stored" }]));
    alerts.addHistory(asArray(events));
    loop.soon();
  }

  async function refreshUsage() {
    const estimate = await guard.callAsync("storage.estimate", () => navigator.storage.estimate(), null);
    if (alive) storage.updateUsage(estimate);
  }

  // Profiler callbacks run inside the profiler: a throw here must not escape into it.
  const subscribe = (kind, handler) =>
    call(`on("${kind}")`, (p) => p.on(kind, (payload) => guard.call(`${kind} handler`, () => handler(payload))), null);
  const unsubscribers = [
    subscribe("alert", (e) => (alerts.add(e, "fired"), loop.soon())),
    subscribe("resolved", (e) => (alerts.add(e, "resolved"), loop.soon())),
    subscribe("error", (e) => toolbar.setStatus(`profiler error: ${e?.message ?? String(e)}`, true)),
  ];

  const loop = frameLoop(() => guard.call("render", render));
  const timers = [setInterval(refreshQuery, QUERY_EVERY_MS), setInterval(refreshUsage, USAGE_EVERY_MS)];
  loadHistory();
  refreshUsage();

  return {
    /** Feed the ResponseCache's `onResult(info)` here for the cached-vs-network comparison. */
    cacheResult(info) {
      guard.call("cacheResult", () => cache.record(info));
    },
    unmount() {
      if (!alive) return;
      alive = false;
      loop.stop();
      timers.forEach(clearInterval);
      for (const off of unsubscribers) if (typeof off === "function") guard.call("unsubscribe", off);
      table.destroy();
      detail.destroy();
      toolbar.destroy();
      root.remove();
    },
  };
}
