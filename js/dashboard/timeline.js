// p50/p95/p99 of one route over time as uPlot lines, plus the alert threshold when a rule
// watches this route.
import { createChart, axis, withGaps } from "./chart.js";
import { formatDuration, formatTick } from "./format.js";
import { COLORS } from "./theme.js";

const line = (label, stroke, extra = {}) => ({
  label,
  stroke,
  width: 2,
  spanGaps: false,
  value: (u, v) => formatDuration(v),
  points: { show: false },
  ...extra,
});

export function createTimeline() {
  const chart = createChart({
    height: 220,
    className: "aps-timeline",
    options: {
      ms: 1, // timestamps are epoch milliseconds
      legend: { live: false }, // a key to the lines; values would be dashes until hovered
      cursor: { points: { size: 6 } },
      scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [axis(), axis(formatTick, { size: 60 })],
      series: [
        {},
        line("p50", COLORS.p50),
        line("p95", COLORS.p95),
        line("p99", COLORS.p99),
        line("alert above", COLORS.threshold, { width: 1.5, dash: [6, 4] }),
      ],
    },
    data: [[], [], [], [], []],
  });
  return {
    node: chart.node,
    /** `threshold`: the alert rule's `above` in ms, or undefined when no rule watches the route. */
    update(timeline, threshold) {
      // Start at the first step with calls, so young data is not squeezed against the right edge.
      const counts = timeline?.count ?? [];
      const first = Math.max(0, Array.prototype.findIndex.call(counts, (n) => n > 0));
      const cut = (values) => withGaps(values).slice(first);
      const t = Array.from(timeline?.t ?? []).slice(first);
      const limit = Number.isFinite(threshold) ? threshold : null;
      chart.plot.setData([
        t,
        cut(timeline?.p50),
        cut(timeline?.p95),
        cut(timeline?.p99),
        t.map(() => limit),
      ]);
      chart.node.dataset.points = String(t.length);
    },
    destroy: chart.destroy,
  };
}
