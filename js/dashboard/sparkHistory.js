// The p95 of each route as sampled from successive live snapshots: the data of the table's
// sparklines. Sampled every 2 s, so the line's pace does not depend on the frame rate.
import { rowKey } from "./rows.js";

const EVERY_MS = 2000;
const KEEP = 90; // three minutes of history per route

export function createSparkHistory() {
  const series = new Map(); // key -> { xs, ys, version }
  let last = -Infinity;
  return {
    record(rows, now) {
      if (now - last < EVERY_MS) return;
      last = now;
      for (const row of rows) {
        if (row.source === "stored" || !Number.isFinite(row.p95)) continue;
        const key = rowKey(row);
        let s = series.get(key);
        if (!s) series.set(key, (s = { xs: [], ys: [], version: 0 }));
        s.xs.push(now / 1000);
        s.ys.push(row.p95);
        if (s.xs.length > KEEP) s.xs.shift(), s.ys.shift();
        s.version++;
      }
    },
    get: (key) => series.get(key),
    clear: () => series.clear(),
  };
}
