// Colours shared by charts and CSS-drawn bars, so p50/p95/p99 look the same everywhere.
export const COLORS = {
  accent: "#2563eb",
  p50: "#0d9488",
  p95: "#d97706",
  p99: "#dc2626",
  threshold: "#7c3aed",
  axis: "#4b5563",
  grid: "#e5e7eb",
};

/** A CSS colour with alpha, for chart fills under a stroke colour. */
export const faded = (hex, alpha = 0.15) =>
  `${hex}${Math.round(alpha * 255).toString(16).padStart(2, "0")}`;
