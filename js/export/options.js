// The `export` option of `start()`: types are checked here (a TypeError naming
// `export.<option>`), values by the Rust core in `Engine.exportStart` (a RangeError naming it),
// which takes them as numbers and one string cut by UTF-16 lengths (src/api/engine/export.rs).
import { number, string, typeError } from "../lib/errors.js";

const METHOD = "start";
const DEFAULT_INTERVAL_MS = 10_000;
const DEFAULT_MAX_OUTBOX = 200;
/** Resource attribute kinds, as export.rs reads them. */
const KIND = { string: 0, boolean: 1, number: 2 };

/** A plain object of `export.<field>` entries, or a TypeError. */
function entries(field, value) {
  if (value === undefined) return [];
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw typeError(METHOD, `export.${field}`, "an object", value);
  }
  return Object.entries(value);
}

/**
 * `{ url, href, intervalMs, maxOutbox, headers, resource, start }` from the `export` option
 * (its keys and `url`'s type already checked by js/engine/options.js): `href` is the URL as
 * fetch parses it, `start` the arguments of `Engine.exportStart(...start, now)`.
 */
export function exportOptions(options) {
  const url = string(METHOD, "export.url", options.url);
  const intervalMs =
    options.intervalMs === undefined ? DEFAULT_INTERVAL_MS : number(METHOD, "export.intervalMs", options.intervalMs);
  const maxOutbox =
    options.maxOutbox === undefined ? DEFAULT_MAX_OUTBOX : number(METHOD, "export.maxOutbox", options.maxOutbox);
  const headers = entries("headers", options.headers).map(([name, value]) => [
    name,
    string(METHOD, `export.headers.${name}`, value),
  ]);
  const resource = {};
  const kinds = [];
  for (const [key, value] of entries("resource", options.resource)) {
    if (!(typeof value in KIND)) {
      throw typeError(METHOD, `export.resource.${key}`, "a string, a number or a boolean", value);
    }
    resource[key] = value;
    kinds.push([key, value]);
  }
  let href = null;
  try {
    href = new URL(url).href;
  } catch {
    // The core words the problem (export.url).
  }
  const numbers = [intervalMs, maxOutbox, href === null ? 0 : 1, headers.length];
  const strings = [url, ...headers.flat()];
  for (const [key, value] of kinds) {
    numbers.push(KIND[typeof value], typeof value === "string" ? NaN : Number(value));
    strings.push(key);
    if (typeof value === "string") strings.push(value);
  }
  const start = [new Float64Array(numbers), strings.join(""), new Float64Array(strings.map((s) => s.length))];
  return { url, href, intervalMs, maxOutbox, headers, resource, start };
}
