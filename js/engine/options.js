// The engine's half of `start(options)`: types are checked here (TypeError naming the option),
// values by the Rust core when the engine is built (RangeError naming the option). The loader
// checked its own options (instrument, sampleRate, ignoreUrls, graphql, load, wasm) and the
// top-level keys before any of this runs.
import { number, options, rangeError, string, typeError } from "../lib/errors.js";

const METHOD = "start";

// Positions in the engine's config array: src/api/engine/config.rs `at` has the same order.
const AT = {
  timeOrigin: 0,
  session: 1,
  slotMs: 2,
  windowRetentionMs: 3,
  maxRoutes: 4,
  batchMaxSize: 5,
  batchMinSize: 6,
  batchMaxDelayMs: 7,
  batchMaxBuffered: 8,
  batchSlowMs: 9,
  resourceTiming: 10,
  callSites: 11,
  maxAgeMs: 12,
  maxSamples: 13,
  fineMs: 14,
  maxBytes: 15,
};
const LEN = 16;

const RULE_KEYS = ["name", "route", "method", "metric", "above", "below", "windowMs", "minSamples", "cooldownMs"];
const EXPORT_KEYS = ["url", "intervalMs", "headers", "resource", "maxOutbox"];

/** Copies the numbers of `group.keys` into `config` at `AT[slot]`, type-checked, NaN refused. */
function numbers(config, value, field, slots) {
  const group = options(METHOD, field, value, Object.keys(slots));
  for (const [key, slot] of Object.entries(slots)) {
    if (group[key] === undefined) continue;
    const n = number(METHOD, `${field}.${key}`, group[key]);
    // NaN is the array's "not given": refused here, or it would pass as the default.
    if (Number.isNaN(n)) throw rangeError(METHOD, `${field}.${key}`, "must be a number, got NaN");
    config[AT[slot]] = n;
  }
}

function stringArray(field, value) {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw typeError(METHOD, field, "an array of strings", value);
  return value.map((item, i) => string(METHOD, `${field}[${i}]`, item));
}

/** One alert rule's fields, type-checked, in `Engine.addAlert`'s argument order. */
export function ruleArguments(rule, field, method = METHOD) {
  if (rule === undefined || rule === null) throw typeError(method, field, "an object", rule);
  const r = options(method, field, rule, RULE_KEYS);
  const text = (key, required) =>
    r[key] === undefined && !required ? undefined : string(method, `${field}.${key}`, r[key]);
  const num = (key, required) =>
    r[key] === undefined && !required ? undefined : number(method, `${field}.${key}`, r[key]);
  return [
    text("name", true),
    text("route"),
    text("method"),
    text("metric", true),
    num("above"),
    num("below"),
    num("windowMs", true),
    num("minSamples"),
    num("cooldownMs"),
  ];
}

/**
 * The engine's configuration from `start()`'s options: `{ config, text, alerts, dbName,
 * exportOptions, persist }`. `resourceTiming` and `pageOrigin` come from the loader.
 */
export function engineOptions(opts, { resourceTiming, pageOrigin, timeOrigin, callSites }) {
  const config = new Float64Array(LEN).fill(NaN);
  config[AT.timeOrigin] = timeOrigin;
  // Random per page load, below 2^53 so it survives as a double.
  config[AT.session] = Math.floor(Math.random() * 2 ** 53);
  config[AT.resourceTiming] = resourceTiming ? 1 : 0;
  config[AT.callSites] = callSites;
  numbers(config, opts.windows, "windows", { slotMs: "slotMs", retentionMs: "windowRetentionMs", maxRoutes: "maxRoutes", fineMs: "fineMs", maxBytes: "maxBytes" });
  numbers(config, opts.batch, "batch", {
    maxSize: "batchMaxSize",
    minSize: "batchMinSize",
    maxDelayMs: "batchMaxDelayMs",
    maxBuffered: "batchMaxBuffered",
    slowMs: "batchSlowMs",
  });
  numbers(config, opts.retention, "retention", { maxAgeMs: "maxAgeMs", maxSamples: "maxSamples" });

  const routes = stringArray("routes", opts.routes);
  routes.forEach((route, i) => {
    if (route.includes("\n")) throw new RangeError(`${METHOD}: routes[${i}]: must be a path without line breaks`);
  });
  const text = [pageOrigin, ...routes].join("\n");

  if (opts.alerts !== undefined && !Array.isArray(opts.alerts)) {
    throw typeError(METHOD, "alerts", "an array of rules", opts.alerts);
  }
  const alerts = (opts.alerts || []).map((rule, i) => ruleArguments(rule, `alerts[${i}]`));

  const dbName = opts.dbName === undefined ? "apiscope" : string(METHOD, "dbName", opts.dbName);
  if (dbName === "") throw new RangeError(`${METHOD}: dbName: must not be empty`);

  let exportOptions;
  if (opts.export !== undefined) {
    const e = options(METHOD, "export", opts.export, EXPORT_KEYS);
    if (opts.export === null) throw typeError(METHOD, "export", "an object", null);
    exportOptions = { ...e, url: string(METHOD, "export.url", e.url) };
  }
  const persist = opts.persist === undefined ? false : opts.persist;
  if (typeof persist !== "boolean") throw typeError(METHOD, "persist", "a boolean", persist);
  return { config, text, alerts, dbName, exportOptions, persist };
}
