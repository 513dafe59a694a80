// The selected route's time to first byte and where its responses came from: TTFB percentiles
// (the server and network before any body), the delivery mix (network, the browser's HTTP
// cache, a service worker) and, for live rows, the HTTP protocols. A route answered mostly
// from the HTTP cache is fast for reasons the API did not earn; this says so.
import { el, setText } from "./dom.js";
import { formatCount, formatDuration, formatPercent } from "./format.js";

const DELIVERIES = [
  { key: "network", label: "network" },
  { key: "cache", label: "HTTP cache" },
  { key: "worker", label: "service worker" },
  { key: "unknown", label: "unknown" },
];
const QUANTILES = ["p50", "p95", "p99"];

const share = (shares, key) => (shares && Number.isFinite(shares[key]) ? shares[key] : 0);

export function createDelivery() {
  const figures = el("dl", { class: "aps-figures" });
  const ttfb = {};
  for (const q of QUANTILES) {
    ttfb[q] = el("dd", { dataset: { figure: `ttfb-${q}` } });
    figures.append(el("div", {}, [el("dt", { text: `TTFB ${q}` }), ttfb[q]]));
  }
  const bar = el("div", { class: "aps-stack aps-stack-thin" });
  const legend = el("dl", { class: "aps-stack-legend" });
  const views = DELIVERIES.map(({ key, label }) => {
    const segment = el("span", { class: `aps-seg aps-seg-${key}`, title: label, dataset: { delivery: key } });
    const value = el("dd", { dataset: { figure: `delivery-${key}` } });
    bar.append(segment);
    legend.append(el("div", { class: "aps-legend-item" }, [el("dt", {}, [el("i", { class: `aps-swatch aps-seg-${key}` }), label]), value]));
    return { key, segment, value };
  });
  const note = el("p", { class: "aps-note" });
  return {
    node: el("div", { class: "aps-delivery" }, [figures, bar, legend, note]),
    /** `row`: a `snapshot()` or `query()` row (its `ttfb`, `delivery`, `headersShare`, `protocols`). */
    update(row) {
      for (const q of QUANTILES) setText(ttfb[q], formatDuration(row?.ttfb?.[q]));
      for (const { key, segment, value } of views) {
        const s = share(row?.delivery, key);
        const width = `${s * 100}%`;
        if (segment.style.width !== width) segment.style.width = width;
        segment.dataset.share = String(s);
        setText(value, row ? formatPercent(s) : "—");
      }
      const lines = [];
      if (row?.ttfb) lines.push(`TTFB known for ${formatCount(row.ttfb.count)} of ${formatCount(row.count)} calls.`);
      if (row?.headersShare > 0) lines.push(`${formatPercent(row.headersShare)} timed to the headers only (body end unknown).`);
      const protocols = Object.entries(row?.protocols ?? {}).filter(([name, s]) => name !== "unknown" && s > 0);
      if (protocols.length > 0) lines.push(`Protocol: ${protocols.map(([name, s]) => `${name} ${formatPercent(s)}`).join(", ")}.`);
      setText(note, row ? lines.join(" ") : "");
    },
  };
}
