// Range selector, exports, clear button and the status line that reports profiler failures.
import { el, setText } from "./dom.js";

const MINUTE = 60_000;

/** "live" reads the in-memory sketches; the others ask the store with `query({ from, to })`. */
export const RANGES = [
  { key: "live", label: "Live · 1 min", ms: MINUTE },
  { key: "5m", label: "5 min", ms: 5 * MINUTE },
  { key: "1h", label: "Hour", ms: 60 * MINUTE },
  { key: "1d", label: "Day", ms: 24 * 60 * MINUTE },
  { key: "1w", label: "Week", ms: 7 * 24 * 60 * MINUTE },
];

const CONFIRM_MS = 3000;

export function createToolbar({ onRange, onExportSnapshot, onExportOtlp, onClear }) {
  const buttons = new Map();
  const ranges = el(
    "div",
    { class: "aps-segmented", role: "radiogroup", "aria-label": "Time range" },
    RANGES.map((range) => {
      const button = el("button", { type: "button", role: "radio", text: range.label, dataset: { range: range.key }, onclick: () => onRange(range) });
      buttons.set(range.key, button);
      return button;
    }),
  );
  // Clearing is destructive and has no undo: the first click arms it, a second one confirms.
  let armed = 0;
  const clear = el("button", {
    type: "button",
    class: "aps-btn aps-btn-danger",
    text: "Clear data",
    onclick: () => {
      if (armed) {
        clearTimeout(armed);
        armed = 0;
        setText(clear, "Clear data");
        onClear();
        return;
      }
      setText(clear, "Click again to clear");
      armed = setTimeout(() => {
        armed = 0;
        setText(clear, "Clear data");
      }, CONFIRM_MS);
    },
  });
  const status = el("span", { class: "aps-status-line", role: "status" });
  const node = el("div", { class: "aps-toolbar" }, [
    ranges,
    el("div", { class: "aps-actions" }, [
      el("button", { type: "button", class: "aps-btn", text: "Export JSON", onclick: onExportSnapshot }),
      el("button", { type: "button", class: "aps-btn", text: "Export OTLP", onclick: onExportOtlp }),
      clear,
    ]),
    status,
  ]);
  return {
    node,
    setRange(key) {
      for (const [k, button] of buttons) button.setAttribute("aria-checked", String(k === key));
    },
    setStatus(text, bad = false) {
      setText(status, text);
      status.classList.toggle("aps-bad", bad);
    },
    destroy() {
      clearTimeout(armed);
    },
  };
}
