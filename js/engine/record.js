// One batch as a storage record: what IndexedDB stores, the journal serialises and the memory
// store keeps. Round 1's format, plus two round-2 columns that older records lack:
//   { id, minStart, maxStart, count, start: Float64Array, duration: Float64Array,
//     status: Uint16Array, ok: Uint8Array, bytes: Float64Array, routeId: Uint32Array,
//     routes: string[] ("METHOD route"), ttfb: Float64Array (-1 unknown), flags: Uint8Array }
// minStart / maxStart / count are index keys, so they must agree with the start column: paging
// positions and the span bound rely on it. A record read back whose keys disagree with its
// columns is corrupt.

const COLUMNS = [
  ["start", Float64Array],
  ["duration", Float64Array],
  ["status", Uint16Array],
  ["ok", Uint8Array],
  ["bytes", Float64Array],
  ["routeId", Uint32Array],
];
/** Round-2 columns and the value a record without them decodes with. */
const ADDED = [
  ["ttfb", Float64Array, -1],
  ["flags", Uint8Array, 0],
];

/**
 * The record for writing: typed columns in buffers of their own (structured clone copies a
 * view's whole buffer, a wasm memory view would store all of wasm memory), index keys computed
 * from the columns. Throws a TypeError naming the field when `raw` is not a valid batch.
 */
export function encodeRecord(raw, field = "record") {
  const record = columns(raw);
  if (typeof record === "string") throw new TypeError(`${field}: ${record}`);
  return record;
}

/** A stored or journalled record validated and with typed columns, or null when corrupt. */
export function decodeRecord(raw) {
  const record = columns(raw);
  if (typeof record === "string") return null;
  const agrees = raw.minStart === record.minStart && raw.maxStart === record.maxStart && raw.count === record.count;
  return agrees ? record : null;
}

/** JSON text of a record with plain-array columns (numbers print in shortest round-trip form). */
export function recordJson(record) {
  return JSON.stringify(record, (key, value) => (ArrayBuffer.isView(value) ? Array.from(value) : value));
}

/** A validated copy of `raw`, or what is wrong with it. */
function columns(raw) {
  if (raw === null || typeof raw !== "object") return "must be an object";
  if (typeof raw.id !== "string") return "id: must be a string";
  const start = typed(raw.start, Float64Array);
  if (!start) return "start: must be an array";
  const count = start.length;
  if (count === 0) return "start: must not be empty";
  const record = { id: raw.id, minStart: 0, maxStart: 0, count, start };
  for (const [name, Type] of COLUMNS.slice(1)) {
    const column = typed(raw[name], Type);
    if (!column || column.length !== count) return `${name}: must be an array as long as start`;
    record[name] = column;
  }
  const routes = raw.routes;
  if (!Array.isArray(routes) || !routes.every((r) => typeof r === "string" && r.includes(" "))) {
    return 'routes: must be an array of "METHOD route" strings';
  }
  record.routes = routes;
  for (const [name, Type, unknown] of ADDED) {
    if (raw[name] === undefined) {
      record[name] = new Type(count).fill(unknown);
      continue;
    }
    const column = typed(raw[name], Type);
    if (!column || column.length !== count) return `${name}: must be an array as long as start`;
    record[name] = column;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const t = start[i];
    if (!Number.isFinite(t)) return "start: must hold finite times";
    if (t < min) min = t;
    if (t > max) max = t;
    if (record.routeId[i] >= routes.length) return "routeId: must index the routes";
  }
  record.minStart = min;
  record.maxStart = max;
  return record;
}

/** `value` as a compact `Type` array (copied when needed), or null when it is no array. */
function typed(value, Type) {
  if (value instanceof Type) {
    const compact = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
    return compact ? value : value.slice();
  }
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) return null;
  try {
    return Type.from(value);
  } catch {
    return null; // BigInt64Array and the like: not a column we wrote
  }
}
