// The selected route in depth: histogram, percentiles over time, timing breakdown, TTFB and
// delivery, slow calls.
import { card, el, setText } from "./dom.js";
import { formatCount, formatDuration, formatPercent } from "./format.js";
import { createHistogram } from "./histogram.js";
import { createTimeline } from "./timeline.js";
import { createBreakdown } from "./breakdown.js";
import { createDelivery } from "./delivery.js";
import { createSlowLog } from "./slowLog.js";

function chip(label, className) {
  const value = el("b", {});
  return { node: el("span", { class: `aps-chip ${className}` }, [label, " ", value]), value };
}

export function createDetail() {
  const title = el("span", { class: "aps-detail-route" });
  const chips = {
    count: chip("calls", ""),
    errorRate: chip("errors", "aps-chip-err"),
    p50: chip("p50", "aps-chip-p50"),
    p95: chip("p95", "aps-chip-p95"),
    p99: chip("p99", "aps-chip-p99"),
  };
  const header = el("div", { class: "aps-detail-head" }, [title, el("div", { class: "aps-chips" }, Object.values(chips).map((c) => c.node))]);
  const histogram = createHistogram();
  const timeline = createTimeline();
  const breakdown = createBreakdown();
  const delivery = createDelivery();
  const slowLog = createSlowLog();
  const histCard = card("Latency distribution", "aps-hist-card");
  histCard.body.append(histogram.node);
  const timeCard = card("Percentiles over time", "aps-time-card");
  timeCard.body.append(timeline.node);
  const breakCard = card("Timing breakdown (mean)", "aps-break-card");
  breakCard.body.append(breakdown.node);
  const deliveryCard = card("TTFB and delivery", "aps-delivery-card");
  deliveryCard.body.append(delivery.node);
  const slowCard = card("Slowest calls", "aps-slow-card");
  slowCard.body.append(slowLog.node);
  const node = el("div", { class: "aps-detail" }, [
    header,
    el("div", { class: "aps-grid-2" }, [histCard.node, timeCard.node]),
    el("div", { class: "aps-grid-2 aps-grid-wide-right" }, [
      el("div", { class: "aps-column" }, [breakCard.node, deliveryCard.node]),
      slowCard.node,
    ]),
  ]);
  return {
    node,
    /** `data`: `{ row, histogram, timeline, breakdown, slowCalls, threshold }` for one route. */
    update({ row, histogram: hist, timeline: tl, breakdown: bd = {}, slowCalls = [], threshold }) {
      setText(title, row ? `${row.method} ${row.route}` : "Select a route in the table");
      setText(chips.count.value, formatCount(row?.count));
      setText(chips.errorRate.value, formatPercent(row?.errorRate));
      for (const p of ["p50", "p95", "p99"]) setText(chips[p].value, formatDuration(row?.[p]));
      histogram.update(hist, row);
      timeline.update(tl, threshold);
      breakdown.update(bd);
      delivery.update(row);
      slowLog.update(slowCalls);
    },
    destroy() {
      histogram.destroy();
      timeline.destroy();
    },
  };
}
