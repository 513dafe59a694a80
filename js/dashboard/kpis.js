// The headline tiles: the whole page's traffic at a glance, before any table is read.
import { el, setText } from "./dom.js";
import { formatCount, formatDuration, formatPercent, formatRate } from "./format.js";

const TILES = [
  { key: "rps", label: "Requests / s" },
  { key: "count", label: "Calls in window" },
  { key: "errorRate", label: "Error rate" },
  { key: "worstP95", label: "Slowest p95" },
  { key: "hitRate", label: "Cache hit rate" },
  { key: "firing", label: "Alerts firing" },
];

export function createKpis() {
  const values = {};
  const notes = {};
  const tiles = {};
  const node = el(
    "div",
    { class: "aps-kpis" },
    TILES.map(({ key, label }) => {
      values[key] = el("div", { class: "aps-kpi-value" });
      notes[key] = el("div", { class: "aps-kpi-note" });
      return (tiles[key] = el("div", { class: "aps-kpi", dataset: { kpi: key } }, [el("div", { class: "aps-kpi-label", text: label }), values[key], notes[key]]));
    }),
  );
  return {
    node,
    /** `rows`: the table's rows; `hitRate`: 0..1 or NaN; `firing`: number of firing alerts. */
    update(rows, hitRate, firing) {
      let rps = 0;
      let count = 0;
      let errors = 0;
      let worst = null;
      for (const r of rows) {
        rps += Number.isFinite(r.rps) ? r.rps : 0;
        count += r.count || 0;
        errors += r.errors || 0;
        if (Number.isFinite(r.p95) && (!worst || r.p95 > worst.p95)) worst = r;
      }
      const errorRate = count ? errors / count : NaN;
      setText(values.rps, formatRate(rps));
      setText(values.count, formatCount(count));
      setText(values.errorRate, formatPercent(errorRate));
      setText(values.worstP95, formatDuration(worst?.p95));
      setText(notes.worstP95, worst ? worst.route : "");
      setText(values.hitRate, formatPercent(hitRate));
      setText(values.firing, String(firing));
      tiles.errorRate.classList.toggle("aps-alarm", errorRate >= 0.05);
      tiles.firing.classList.toggle("aps-alarm", firing > 0);
    },
  };
}
