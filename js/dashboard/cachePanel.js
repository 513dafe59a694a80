// The ResponseCache: hit rate, size, the time it saved (in all and for its top routes), and how
// much faster a cached answer is than the network.
import { card, el, setText } from "./dom.js";
import { formatBytes, formatCount, formatDuration, formatPercent } from "./format.js";
import { createFigures } from "./figures.js";

const KEEP = 500; // recent results per side, enough for a stable median
const TOP_ROUTES = 3; // routes listed under the time saved

function median(values) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function latencyBar(label, className) {
  const fill = el("span", { class: `aps-bar-fill ${className}` });
  const value = el("b", {});
  const node = el("div", { class: "aps-compare" }, [el("span", { class: "aps-compare-label", text: label }), el("span", { class: "aps-bar" }, fill), value]);
  return { node, fill, value };
}

export function createCachePanel(hasCache) {
  const { node, body } = card("Response cache", "aps-cache-card");
  if (!hasCache) {
    body.append(el("p", { class: "aps-note", text: "No ResponseCache was passed to mountDashboard." }));
    return { node, record() {}, update() {} };
  }
  const hitRate = el("div", { class: "aps-big", dataset: { figure: "hitRate" } });
  const split = el("div", { class: "aps-stack aps-stack-thin" }, ["hit", "stale", "miss"].map((k) => el("span", { class: `aps-seg aps-seg-${k}` })));
  const figures = createFigures({ hits: "Hits", stale: "Stale", misses: "Misses", entries: "Entries", bytes: "Bytes" });
  const cached = latencyBar("cached", "aps-fill-good");
  const network = latencyBar("network", "aps-fill-slow");
  const speedup = el("p", { class: "aps-note" });
  const saved = el("div", { class: "aps-big", dataset: { figure: "savedMs" } });
  const savedRoutes = el("ul", { class: "aps-saved-routes" });
  body.append(
    el("div", { class: "aps-hero" }, [hitRate, el("span", { class: "aps-hero-label", text: "hit rate" })]),
    split,
    figures.node,
    el("h3", { class: "aps-sub", text: "Time saved" }),
    el("div", { class: "aps-hero" }, [saved, el("span", { class: "aps-hero-label", text: "less waiting" })]),
    savedRoutes,
    el("h3", { class: "aps-sub", text: "Median latency" }),
    cached.node,
    network.node,
    speedup,
  );
  const durations = { cached: [], network: [] };
  return {
    node,
    /** The cache's `onResult(info)`: a hit is served from the cache, a miss or stale goes out. */
    record(info) {
      const side = info?.outcome === "hit" ? "cached" : info?.outcome === "miss" || info?.outcome === "stale" ? "network" : null;
      if (!side || !Number.isFinite(info.durationMs)) return;
      const list = durations[side];
      list.push(info.durationMs);
      if (list.length > KEEP) list.splice(0, list.length - KEEP);
    },
    update(stats) {
      const { hits = 0, misses = 0, stale = 0 } = stats;
      const lookups = hits + misses + stale;
      setText(hitRate, formatPercent(Number.isFinite(stats.hitRate) ? stats.hitRate : lookups ? hits / lookups : NaN));
      [hits, stale, misses].forEach((n, i) => (split.children[i].style.width = lookups ? `${(n / lookups) * 100}%` : "0%"));
      figures.set({
        hits: formatCount(hits),
        stale: formatCount(stale),
        misses: formatCount(misses),
        entries: formatCount(stats.entries),
        bytes: formatBytes(stats.bytes),
      });
      const c = median(durations.cached);
      const n = median(durations.network);
      const top = Math.max(c || 0, n || 0);
      for (const [bar, v] of [[cached, c], [network, n]]) {
        bar.fill.style.width = top > 0 && v > 0 ? `${Math.max(1, (v / top) * 100)}%` : "0%";
        setText(bar.value, formatDuration(v));
      }
      setText(speedup, c > 0 && n > 0 ? `A cached answer is ${Math.round(n / c)}× faster than the network.` : "");
      setText(saved, formatDuration(stats.savedMs ?? NaN));
      const best = (Array.isArray(stats.routes) ? stats.routes : [])
        .filter((r) => r.savedMs > 0)
        .sort((a, b) => b.savedMs - a.savedMs)
        .slice(0, TOP_ROUTES);
      savedRoutes.replaceChildren(
        ...best.map((r) =>
          el("li", {}, [
            el("span", { class: "aps-saved-route", text: `${r.method} ${r.route}` }),
            el("b", { text: formatDuration(r.savedMs) }),
            el("span", { class: "aps-note", text: `${formatCount(r.hits)} hits · network ${formatDuration(r.networkMs ?? NaN)}` }),
          ]),
        ),
      );
    },
  };
}
