// The batcher and storage: what is buffered, persisted, dropped, and whether storage is on at all.
import { card, el, setText } from "./dom.js";
import { formatBytes, formatCount } from "./format.js";
import { createFigures } from "./figures.js";

export function createStoragePanel() {
  const { node, body } = card("Batching & storage", "aps-storage-card");
  const state = el("div", { class: "aps-pill", dataset: { storage: "unknown" } });
  const reason = el("p", { class: "aps-note" });
  const figures = createFigures({
    buffered: "Buffered",
    persisted: "Persisted",
    dropped: "Dropped",
    flushes: "Flushes",
    retries: "Retries",
    meanBatchSize: "Mean batch",
  });
  const usageFill = el("span", { class: "aps-bar-fill aps-fill-accent" });
  const usageText = el("span", { class: "aps-muted" });
  body.append(
    state,
    reason,
    figures.node,
    el("h3", { class: "aps-sub", text: "Origin storage used" }),
    el("div", { class: "aps-usage" }, [el("span", { class: "aps-bar" }, usageFill), usageText]),
  );
  return {
    node,
    update(stats) {
      const persistent = stats.storage === "persistent";
      const label = persistent ? "persistent" : stats.storage === "memory" ? "memory only — storage is off" : "starting…";
      setText(state, label);
      state.dataset.storage = stats.storage ?? "unknown";
      setText(reason, !persistent && stats.storageReason ? String(stats.storageReason) : "");
      figures.set(
        {
          buffered: formatCount(stats.buffered),
          persisted: formatCount(stats.persisted),
          dropped: formatCount(stats.dropped),
          flushes: formatCount(stats.flushes),
          retries: formatCount(stats.retries),
          meanBatchSize: Number.isFinite(stats.meanBatchSize) ? stats.meanBatchSize.toFixed(1) : "—",
        },
        { dropped: stats.dropped > 0 },
      );
    },
    /** `estimate`: the result of `navigator.storage.estimate()`, or null when unavailable. */
    updateUsage(estimate) {
      const { usage, quota } = estimate ?? {};
      usageFill.style.width = quota > 0 ? `${Math.max(0.5, (usage / quota) * 100)}%` : "0%";
      setText(usageText, quota > 0 ? `${formatBytes(usage)} of ${formatBytes(quota)}` : "not available");
    },
  };
}
