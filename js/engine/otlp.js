// OTLP/HTTP JSON from the engine's export points: `Profiler.exportOtlp()` (the lean engine's
// live windows) and the exporter (the deltas since its last export) both write their requests
// here, so the metric names and attributes exist once. The engine hands the points over as
// numbers (src/api/engine/otlp_points.rs has the layout); numbers print as JSON.stringify
// prints them, and the 64-bit integers OTLP/JSON wants as decimal strings are written as such.
//
// A request: one resource (`service.name`, the page origin, `telemetry.sdk.*`, then the user's
// `resource`, which wins), one scope, and per route one data point in each metric, with delta
// temporality: the duration histogram (and each further histogram the engine sends), then the
// failed-call count.

// The package version is `telemetry.sdk.version` and the scope version.
import { VERSION } from "../lib/version.js";

export { VERSION };

/** `service.name` when `export.resource` does not set one. */
export const DEFAULT_SERVICE_NAME = "apiscope-browser";

/** The resource attribute holding the origin of the page that made the calls. */
export const PAGE_ORIGIN_ATTRIBUTE = "apiscope.page.origin";

/** `AGGREGATION_TEMPORALITY_DELTA`. */
const DELTA = 1;

/**
 * The histogram metrics, by their index in each export point. Adding one (TTFB, issue 17) is
 * one more entry here and one more sketch per point in the engine (otlp_points.rs
 * `HISTOGRAMS`); the encoder and the split by bytes take any number.
 */
export const HISTOGRAMS = [
  {
    name: "apiscope.http.client.request.duration",
    unit: "ms",
    description: "Duration of HTTP client requests made by the page.",
  },
];

const ERRORS = {
  name: "apiscope.http.client.errors",
  unit: "{request}",
  description: "HTTP client requests that failed (network error or status >= 400).",
};

/**
 * The engine's export points (`exportPoints` / `exportTake` numbers and its `labels()`) as
 * `{ method, route, startMs, endMs, errors, histograms: [{ count, sum, min, max, scale,
 * zeroCount, offset, bucketCounts }] }`. Throws when numbers and labels disagree (a label with
 * a line break in it), so no route is ever exported under another's name.
 */
export function decodePoints(numbers, labels) {
  const histograms = numbers[0];
  if (!(histograms >= 1 && histograms <= HISTOGRAMS.length)) {
    throw new Error(`export points: ${histograms} histograms per point, this encoder knows ${HISTOGRAMS.length}`);
  }
  const lines = labels === "" ? [] : labels.split("\n");
  const points = [];
  let i = 1;
  for (const line of lines) {
    const tab = line.indexOf("\t");
    const point = {
      method: line.slice(0, tab),
      route: line.slice(tab + 1),
      startMs: numbers[i],
      endMs: numbers[i + 1],
      errors: numbers[i + 2],
      histograms: [],
    };
    i += 3;
    for (let h = 0; h < histograms; h++) {
      const n = numbers[i + 7];
      point.histograms.push({
        count: numbers[i],
        sum: numbers[i + 1],
        min: numbers[i + 2],
        max: numbers[i + 3],
        scale: numbers[i + 4],
        zeroCount: numbers[i + 5],
        offset: numbers[i + 6],
        bucketCounts: Array.from(numbers.subarray(i + 8, i + 8 + n)),
      });
      i += 8 + n;
    }
    points.push(point);
  }
  if (i !== numbers.length || lines.some((line) => !line.includes("\t"))) {
    throw new Error("export points: numbers and labels do not match");
  }
  return points;
}

function anyValue(value) {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  // int64 as OTLP/JSON writes it: a decimal string, for integers a double holds exactly.
  if (Number.isSafeInteger(value)) return { intValue: String(value) };
  return { doubleValue: value };
}

/** The page's origin, as the exporter's resource names it ("null" where there is none). */
export function pageOrigin() {
  return (globalThis.location && globalThis.location.origin) || "null";
}

/**
 * The resource attributes, sorted by key: the defaults, then `resource` (string, number or
 * boolean values, already type-checked), which wins over them.
 */
export function resourceAttributes(origin, resource = {}) {
  const values = new Map([
    ["service.name", DEFAULT_SERVICE_NAME],
    [PAGE_ORIGIN_ATTRIBUTE, origin],
    ["telemetry.sdk.name", "apiscope"],
    ["telemetry.sdk.language", "webjs"],
    ["telemetry.sdk.version", VERSION],
  ]);
  for (const [key, value] of Object.entries(resource)) values.set(key, value);
  return [...values.keys()].sort().map((key) => ({ key, value: anyValue(values.get(key)) }));
}

/** Epoch ms as the decimal nanoseconds OTLP wants; whole milliseconds convert exactly. */
export function unixNanos(ms) {
  if (!(ms > 0)) return "0";
  let whole = Math.trunc(ms);
  let nanos = Math.round((ms - whole) * 1e6);
  if (nanos === 1e6) {
    whole += 1;
    nanos = 0;
  }
  return whole === 0 ? String(nanos) : `${whole}${String(nanos).padStart(6, "0")}`;
}

function head(point) {
  return {
    attributes: [
      { key: "http.request.method", value: { stringValue: point.method } },
      { key: "http.route", value: { stringValue: point.route } },
    ],
    startTimeUnixNano: unixNanos(point.startMs),
    timeUnixNano: unixNanos(point.endMs),
  };
}

/** One route's data point in each metric, `HISTOGRAMS` then the errors (`null` where a
 * histogram is empty). */
export function dataPoints(point) {
  const histograms = point.histograms.map((h) =>
    h.count === 0
      ? null
      : {
          ...head(point),
          count: String(h.count),
          sum: h.sum,
          scale: h.scale,
          zeroCount: String(h.zeroCount),
          positive: { offset: h.offset, bucketCounts: h.bucketCounts.map(String) },
          min: h.min,
          max: h.max,
          zeroThreshold: 0,
        },
  );
  return [...histograms, { ...head(point), asInt: String(point.errors) }];
}

/** `{ resourceMetrics: [...] }` with `lists[m]` the data points of metric `m` (as `dataPoints`
 * orders them). */
export function request(attributes, lists) {
  const metrics = HISTOGRAMS.map((metric, m) => ({
    ...metric,
    exponentialHistogram: { dataPoints: lists[m], aggregationTemporality: DELTA },
  }));
  metrics.push({
    ...ERRORS,
    sum: { dataPoints: lists[HISTOGRAMS.length], aggregationTemporality: DELTA, isMonotonic: true },
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes },
        scopeMetrics: [{ scope: { name: "apiscope", version: VERSION }, metrics }],
      },
    ],
  };
}

/** The points as one `ExportMetricsServiceRequest` object; `{ resourceMetrics: [] }` when none. */
export function otlpRequest(points, attributes) {
  if (points.length === 0) return { resourceMetrics: [] };
  const lists = [...HISTOGRAMS, ERRORS].map(() => []);
  for (const point of points) {
    dataPoints(point).forEach((p, m) => p && lists[m].push(p));
  }
  return request(attributes, lists);
}
