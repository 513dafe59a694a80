// A uPlot chart that follows its container's width. uPlot needs a pixel width up front, so the
// chart starts at a guess and a ResizeObserver corrects it once the card is laid out.
import uPlot from "uplot";
import { el } from "./dom.js";
import { COLORS } from "./theme.js";

export function createChart({ height, className, options, data }) {
  const node = el("div", { class: `aps-chart ${className}` });
  const plot = new uPlot({ width: 400, height, ...options }, data, node);
  let raf = 0;
  // Resize on the next frame: resizing inside the observer callback can re-trigger it.
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(raf);
    raf = requestAnimationFrame(() => {
      const width = Math.floor(node.clientWidth);
      if (width > 0 && width !== plot.width) plot.setSize({ width, height });
    });
  });
  observer.observe(node);
  return {
    node,
    plot,
    destroy() {
      observer.disconnect();
      cancelAnimationFrame(raf);
      plot.destroy();
    },
  };
}

/**
 * An axis in the dashboard's style; `format` turns tick values into labels (omit it to keep
 * uPlot's own labels, e.g. for time).
 */
export function axis(format, extra = {}) {
  const style = {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1 },
    ticks: { stroke: COLORS.grid, width: 1 },
    font: "11px system-ui, sans-serif",
    ...extra,
  };
  if (format) style.values = (u, splits) => splits.map((v) => (v == null ? "" : format(v)));
  return style;
}

/** Typed arrays with NaN for "no data" become plain arrays with null, which uPlot draws as gaps. */
export function withGaps(values) {
  return Array.from(values ?? [], (v) => (Number.isFinite(v) ? v : null));
}
