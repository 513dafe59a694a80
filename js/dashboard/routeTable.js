// The live route table. Rows are created once per route and then patched cell by cell; the DOM
// order changes only when the sort order does, so a frame with 50 routes stays cheap.
import { el, setText } from "./dom.js";
import { formatCount, formatDuration, formatPercent, formatRate } from "./format.js";
import { createSparkline } from "./sparkline.js";
import { rowKey } from "./rows.js";

const NUMERIC = [
  { key: "count", label: "Calls", format: formatCount },
  { key: "rps", label: "Req/s", format: formatRate },
  { key: "errorRate", label: "Errors", format: formatPercent },
  { key: "p50", label: "p50", format: formatDuration },
  { key: "p95", label: "p95", format: formatDuration },
  { key: "p99", label: "p99", format: formatDuration },
  { key: "max", label: "Max", format: formatDuration },
];

const SPARK_SHARE = 8;

// Latency bands for the coloured dot beside p95: people read colour before numbers.
function heat(ms) {
  if (!(ms >= 0)) return "none";
  if (ms < 100) return "fast";
  if (ms < 300) return "ok";
  if (ms < 1000) return "slow";
  return "crit";
}

// "▲ 35%" when the sketch's trend test says p95 changed significantly against its baseline.
function trendText(trend) {
  const p95 = trend?.p95;
  if (!p95?.significant || !Number.isFinite(p95.change)) return "";
  const pct = Math.round(Math.abs(p95.change) * 100);
  return `${p95.change > 0 ? "▲" : "▼"} ${pct}%`;
}

function compare(key, dir) {
  return (a, b) => {
    const x = a[key];
    const y = b[key];
    const order = typeof x === "string" ? x.localeCompare(y) : (Number(x) || 0) - (Number(y) || 0);
    return dir * order || rowKey(a).localeCompare(rowKey(b));
  };
}

function createRow(row, onSelect) {
  const key = rowKey(row);
  const method = el("span", { class: "aps-method", text: row.method });
  const route = el("span", { class: "aps-route-name", text: row.route });
  const source = el("span", { class: "aps-source" });
  const vals = {};
  const cells = {};
  for (const { key: col } of NUMERIC) {
    vals[col] = el("span", { class: "aps-val" });
    cells[col] = el("td", { class: `aps-num aps-col-${col}` }, vals[col]);
  }
  const errBar = el("span", { class: "aps-errbar-fill" });
  cells.errorRate.append(el("span", { class: "aps-errbar" }, errBar));
  const dot = el("span", { class: "aps-heat" });
  const trend = el("span", { class: "aps-trend" });
  cells.p95.prepend(dot);
  cells.p95.append(trend);
  const spark = createSparkline();
  const tr = el(
    "tr",
    {
      tabindex: "0",
      dataset: { route: row.route, method: row.method },
      onclick: () => onSelect(key),
      onkeydown: (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), onSelect(key)),
    },
    [el("td", { class: "aps-col-route" }, [method, route, source]), ...Object.values(cells), el("td", { class: "aps-col-spark" }, spark.node)],
  );
  return { tr, cells, vals, errBar, dot, trend, source, spark, sparkVersion: -1 };
}

function patchRow(view, row, selected) {
  for (const { key, format } of NUMERIC) {
    const td = view.cells[key];
    const value = row[key];
    setText(view.vals[key], format(value));
    const raw = Number.isFinite(value) ? String(value) : "";
    if (td.dataset.value !== raw) td.dataset.value = raw;
  }
  const width = `${Math.min(100, (row.errorRate || 0) * 500)}%`; // 20% errors fills the bar
  if (view.errBar.style.width !== width) view.errBar.style.width = width;
  const band = heat(row.p95);
  if (view.dot.dataset.heat !== band) view.dot.dataset.heat = band;
  const trend = trendText(row.trend);
  setText(view.trend, trend);
  view.trend.dataset.dir = trend.startsWith("▲") ? "up" : "down";
  setText(view.source, row.source === "stored" ? "stored" : "");
  view.tr.classList.toggle("aps-selected", selected);
  view.tr.classList.toggle("aps-stored", row.source === "stored");
}

/**
 * `onSelect(key)` is called when a row is clicked. `update(rows, selectedKey, sparks)` patches the
 * table; `sparks.get(key)` is `{ xs, ys, version }` (the p95 history of that route).
 */
export function createRouteTable({ onSelect, onSort }) {
  let sort = { key: "p95", dir: -1 };
  const views = new Map();
  let order = [];
  let tick = 0;
  const headers = new Map();
  const headRow = el("tr", {}, [
    ["route", "Route"],
    ...NUMERIC.map((c) => [c.key, c.label]),
    ["spark", "p95 trend"],
  ].map(([key, label]) => {
    if (key === "spark") return el("th", { class: "aps-col-spark", text: label });
    const button = el("button", { type: "button", text: label, onclick: () => setSort(key) });
    const th = el("th", { class: `aps-col-${key}`, "aria-sort": "none" }, button);
    headers.set(key, th);
    return th;
  }));
  const tbody = el("tbody");
  const empty = el("tr", { class: "aps-empty" }, el("td", { colspan: String(NUMERIC.length + 2), text: "No API calls yet. Start the load generator, or use the app: every fetch shows up here." }));
  const node = el("div", { class: "aps-table-wrap" }, el("table", { class: "aps-routes" }, [el("thead", {}, headRow), tbody]));

  function setSort(key) {
    sort = { key, dir: sort.key === key ? -sort.dir : key === "route" ? 1 : -1 };
    order = []; // force a reorder on the next update
    onSort();
  }

  function paintHeaders() {
    for (const [key, th] of headers) {
      const state = key !== sort.key ? "none" : sort.dir > 0 ? "ascending" : "descending";
      if (th.getAttribute("aria-sort") !== state) th.setAttribute("aria-sort", state);
    }
  }

  return {
    node,
    update(rows, selectedKey, sparks) {
      paintHeaders();
      const seen = new Set();
      tick++;
      rows.forEach((row, i) => {
        const key = rowKey(row);
        seen.add(key);
        let view = views.get(key);
        if (!view) views.set(key, (view = createRow(row, onSelect)));
        patchRow(view, row, key === selectedKey);
        // An eighth of the sparklines per frame: each redraws every 2 s, as often as it gets a point.
        const spark = sparks.get(key);
        if (spark && spark.version !== view.sparkVersion && (i + tick) % SPARK_SHARE === 0) {
          view.spark.setData(spark.xs, spark.ys);
          view.sparkVersion = spark.version;
        }
      });
      for (const [key, view] of views) {
        if (seen.has(key)) continue;
        view.spark.destroy();
        view.tr.remove();
        views.delete(key);
      }
      const next = [...rows].sort(compare(sort.key, sort.dir)).map(rowKey);
      if (next.length !== order.length || next.some((k, i) => k !== order[i])) {
        tbody.replaceChildren(...(next.length ? next.map((k) => views.get(k).tr) : [empty]));
        order = next;
      }
      return order;
    },
    destroy() {
      for (const view of views.values()) view.spark.destroy();
      views.clear();
    },
  };
}
