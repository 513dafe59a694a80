// The engine's results as the public shapes (see js/index.d.ts): each arrives as one
// Float64Array starting with its row width, plus one string of tab-separated label lines
// (src/api/engine/encode.rs writes them, and src/api/history.rs the history part's). A width
// other than the one read here is a build mismatch, reported as such rather than misread.

function rowsOf(numbers, width, what) {
  if (numbers[0] !== width) throw new Error(`apiscope: engine ${what} rows are ${numbers[0]} wide, expected ${width}`);
  return (numbers.length - 1) / width;
}

const lines = (labels) => (labels === "" ? [] : labels.split("\n"));

const DELIVERIES = ["unknown", "network", "cache", "worker"];
const PROTOCOLS = ["unknown", "http/1.1", "h2", "h3"];
/** Numbers of a route's summary (src/api/rows.rs `SUMMARY`). */
const SUMMARY = 23;

/** `{ name: count / total }` of the counts at `at`. */
function shares(n, at, names, total) {
  const out = {};
  names.forEach((name, i) => (out[name] = total > 0 ? n[at + i] / total : 0));
  return out;
}

function summary(n, at, method, route) {
  const count = n[at];
  const protocols = PROTOCOLS.reduce((sum, _, i) => sum + n[at + 19 + i], 0);
  return {
    method,
    route,
    count: n[at],
    errors: n[at + 1],
    errorRate: n[at + 2],
    p50: n[at + 3],
    p90: n[at + 4],
    p95: n[at + 5],
    p99: n[at + 6],
    min: n[at + 7],
    max: n[at + 8],
    mean: n[at + 9],
    ttfb: { count: n[at + 10], p50: n[at + 11], p95: n[at + 12], p99: n[at + 13] },
    headersShare: count > 0 ? n[at + 14] / count : 0,
    delivery: shares(n, at + 15, DELIVERIES, count),
    protocols: shares(n, at + 19, PROTOCOLS, protocols),
  };
}

function trend(n, at) {
  return { baseline: n[at], current: n[at + 1], change: n[at + 2], pValue: n[at + 3], significant: n[at + 4] === 1 };
}

const SNAPSHOT = SUMMARY + 22;

/** `snapshot()` rows. */
export function snapshot(numbers, labels) {
  const rows = rowsOf(numbers, SNAPSHOT, "snapshot");
  const names = lines(labels);
  const out = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const at = 1 + i * SNAPSHOT;
    const [method, route] = names[i].split("\t");
    const row = summary(numbers, at, method, route);
    row.rps = numbers[at + SUMMARY];
    if (numbers[at + SUMMARY + 1] === 1) {
      const t = at + SUMMARY + 2;
      row.trend = {
        p50: trend(numbers, t),
        p95: trend(numbers, t + 5),
        p99: trend(numbers, t + 10),
        statistic: numbers[t + 15],
        critical: numbers[t + 16],
        distributionChanged: numbers[t + 17] === 1,
        baselineCount: numbers[t + 18],
        currentCount: numbers[t + 19],
      };
    }
    out[i] = row;
  }
  return out;
}

/** `query()` rows. */
export function summaries(numbers, labels) {
  const rows = rowsOf(numbers, SUMMARY, "summary");
  const names = lines(labels);
  const out = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const [method, route] = names[i].split("\t");
    const row = summary(numbers, 1 + i * SUMMARY, method, route);
    delete row.protocols; // history does not keep protocols
    out[i] = row;
  }
  return out;
}

/** `histogram()`: `{ lower, upper, counts }`. */
export function buckets(numbers) {
  const n = numbers[1];
  return {
    lower: numbers.slice(2, 2 + n),
    upper: numbers.slice(2 + n, 2 + 2 * n),
    counts: numbers.slice(2 + 2 * n, 2 + 3 * n),
  };
}

/** `timeline()`: parallel arrays, `t` the end of each step in epoch ms. */
export function timeline(numbers) {
  const rows = rowsOf(numbers, 5, "timeline");
  const t = new Float64Array(rows);
  const p50 = new Float64Array(rows);
  const p95 = new Float64Array(rows);
  const p99 = new Float64Array(rows);
  const count = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const at = 1 + i * 5;
    t[i] = numbers[at];
    p50[i] = numbers[at + 1];
    p95[i] = numbers[at + 2];
    p99[i] = numbers[at + 3];
    count[i] = numbers[at + 4];
  }
  return { t, p50, p95, p99, count };
}

const PHASES = ["dns", "connect", "tls", "ttfb", "download", "server", "transferSize"];

/** A breakdown from 7 phase numbers at `at`; unknown (NaN) phases are absent, not 0. */
function phases(numbers, at) {
  const out = {};
  for (let i = 0; i < PHASES.length; i++) {
    const v = numbers[at + i];
    if (!Number.isNaN(v)) out[PHASES[i]] = v;
  }
  return out;
}

/** `breakdown()`. */
export function breakdownMeans(numbers) {
  rowsOf(numbers, 8, "breakdown");
  const out = phases(numbers, 1);
  out.matched = numbers[8];
  return out;
}

/** `slowCalls()` rows of one route. */
export function slowCalls(numbers, labels, method, route) {
  const rows = rowsOf(numbers, 10, "slow call");
  const urls = lines(labels);
  const out = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const at = 1 + i * 10;
    out[i] = {
      url: urls[i],
      route,
      method,
      status: numbers[at],
      durationMs: numbers[at + 1],
      startTime: numbers[at + 2],
      breakdown: phases(numbers, at + 3),
    };
  }
  return out;
}

/** Alert transitions (`alert` / `resolved` events and the stored history). */
export function alertEvents(numbers, labels) {
  const rows = rowsOf(numbers, 7, "alert");
  const names = lines(labels);
  const out = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const at = 1 + i * 7;
    const [rule, method, route, metric] = names[i].split("\t");
    out[i] = {
      kind: numbers[at] === 1 ? "fired" : "resolved",
      rule,
      route,
      method,
      metric,
      value: numbers[at + 1],
      threshold: numbers[at + 2],
      windowMs: numbers[at + 3],
      samples: numbers[at + 4],
      firedAt: numbers[at + 5],
      at: numbers[at + 6],
    };
  }
  return out;
}

/** `rules()`: the installed rules with their defaults filled in. */
export function rules(numbers, labels) {
  const rows = rowsOf(numbers, 6, "rule");
  const names = lines(labels);
  const out = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const at = 1 + i * 6;
    const [name, route, method, metric] = names[i].split("\t");
    const rule = { name };
    if (numbers[at + 5] === 1) rule.route = route;
    if (method !== "") rule.method = method;
    rule.metric = metric;
    if (!Number.isNaN(numbers[at])) rule.above = numbers[at];
    if (!Number.isNaN(numbers[at + 1])) rule.below = numbers[at + 1];
    rule.windowMs = numbers[at + 2];
    rule.minSamples = numbers[at + 3];
    rule.cooldownMs = numbers[at + 4];
    out[i] = rule;
  }
  return out;
}

/**
 * A staged batch as its IndexedDB record (the round-1 format), and its sequence number for
 * `batchDone`/`batchFailed`.
 */
export function batchRecord(numbers, labels) {
  const n = numbers[0];
  const column = (k) => numbers.subarray(1 + k * n, 1 + (k + 1) * n);
  const names = labels.split("\n");
  const record = {
    id: names[0],
    minStart: numbers[1 + 8 * n],
    maxStart: numbers[2 + 8 * n],
    count: n,
    start: column(0).slice(),
    duration: column(1).slice(),
    status: Uint16Array.from(column(2)),
    ok: Uint8Array.from(column(3)),
    bytes: column(4).slice(),
    routeId: Uint32Array.from(column(5)),
    routes: names.slice(1),
    ttfb: column(6).slice(),
    flags: Uint8Array.from(column(7)),
  };
  return { record, seq: numbers[3 + 8 * n] };
}
