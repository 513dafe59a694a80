// Number formatting for the dashboard: every figure carries its unit and stays short.

const DASH = "—";

/** Milliseconds as µs / ms / s with about three significant digits. */
export function formatDuration(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return DASH;
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Axis ticks are round numbers: "1.00 ms" -> "1 ms", "2.50 ms" -> "2.5 ms", 0 -> "0". */
export function formatTick(ms) {
  return ms === 0 ? "0" : formatDuration(ms).replace(/\.(\d*?)0+(?= )/, (_, d) => (d ? `.${d}` : ""));
}

/** A window length such as an alert's `windowMs`: "30 s", "5 min", "2 h". */
export function formatWindow(ms) {
  if (!Number.isFinite(ms)) return DASH;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** A 0..1 ratio as a percentage; tiny non-zero rates stay visible instead of rounding to 0. */
export function formatPercent(ratio) {
  if (typeof ratio !== "number" || !Number.isFinite(ratio)) return DASH;
  if (ratio > 0 && ratio < 0.001) return "<0.1%";
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
}

export function formatRate(perSecond) {
  if (typeof perSecond !== "number" || !Number.isFinite(perSecond)) return DASH;
  return `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)}/s`;
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

export function formatCount(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return DASH;
  return n < 10_000 ? String(Math.round(n)) : compact.format(n);
}

export function formatBytes(bytes) {
  if (typeof bytes !== "number" || !Number.isFinite(bytes)) return DASH;
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) (bytes /= 1024), i++;
  return `${i === 0 ? bytes : bytes.toFixed(bytes < 10 ? 1 : 0)} ${units[i]}`;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** Epoch ms as a wall-clock time of day. */
export function formatTime(epochMs) {
  return Number.isFinite(epochMs) ? clock.format(epochMs) : DASH;
}
