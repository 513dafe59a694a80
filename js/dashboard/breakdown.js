// Where the time of a call goes: DNS, connect, TLS, server, network wait and download, as one
// stacked bar (CSS widths) plus a legend with the figures. Unknown phases say so.
import { el, setText } from "./dom.js";
import { formatDuration } from "./format.js";

const PHASES = [
  { key: "dns", label: "DNS" },
  { key: "connect", label: "Connect" },
  { key: "tls", label: "TLS" },
  { key: "server", label: "Server" },
  { key: "wait", label: "Wait" },
  { key: "download", label: "Download" },
];

const known = (v) => typeof v === "number" && Number.isFinite(v) && v >= 0;

/**
 * Turns the profiler's mean breakdown into stackable phases. `ttfb` includes the server's own
 * time (Server-Timing), so the wait is what remains of it: request/response travel and queueing.
 */
export function phases(b = {}) {
  const wait = known(b.ttfb) ? Math.max(0, b.ttfb - (known(b.server) ? b.server : 0)) : undefined;
  return { dns: b.dns, connect: b.connect, tls: b.tls, server: b.server, wait, download: b.download };
}

export function createBreakdown() {
  const bar = el("div", { class: "aps-stack" });
  const legend = el("dl", { class: "aps-stack-legend" });
  const views = PHASES.map(({ key, label }) => {
    const segment = el("span", { class: `aps-seg aps-seg-${key}`, title: label });
    const value = el("dd", {});
    bar.append(segment);
    legend.append(el("div", { class: "aps-legend-item" }, [el("dt", {}, [el("i", { class: `aps-swatch aps-seg-${key}` }), label]), value]));
    return { key, segment, value };
  });
  const note = el("p", { class: "aps-note" });
  return {
    node: el("div", { class: "aps-breakdown" }, [bar, legend, note]),
    update(breakdown) {
      const parts = phases(breakdown);
      const total = PHASES.reduce((sum, { key }) => sum + (known(parts[key]) ? parts[key] : 0), 0);
      let unknown = 0;
      for (const { key, segment, value } of views) {
        const v = parts[key];
        if (!known(v)) unknown++;
        const width = total > 0 && known(v) ? `${(v / total) * 100}%` : "0%";
        if (segment.style.width !== width) segment.style.width = width;
        setText(value, known(v) ? formatDuration(v) : "unknown");
      }
      setText(
        note,
        total === 0
          ? "No timing data for this route in this window yet."
          : unknown
            ? "Unknown phases: the browser hides them (cross-origin without Timing-Allow-Origin, or a reused connection)."
            : "",
      );
    },
  };
}
