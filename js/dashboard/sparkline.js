// A tiny uPlot line (no axes, cursor or legend) for the p95 trend in each table row.
import uPlot from "uplot";
import { el } from "./dom.js";
import { COLORS, faded } from "./theme.js";

export function createSparkline({ width = 120, height = 26 } = {}) {
  const node = el("div", { class: "aps-spark" });
  const plot = new uPlot(
    {
      width,
      height,
      pxAlign: false,
      cursor: { show: false },
      legend: { show: false },
      select: { show: false },
      axes: [{ show: false }, { show: false }],
      // Start at 0 so a flat line near the bottom means "fast", not "unchanged".
      scales: { x: { time: false }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      series: [
        {},
        { stroke: COLORS.p95, width: 1.5, fill: faded(COLORS.p95, 0.12), points: { show: false } },
      ],
    },
    [[], []],
    node,
  );
  return {
    node,
    setData(xs, ys) {
      plot.setData([xs, ys]);
    },
    destroy() {
      plot.destroy();
    },
  };
}
