// Shared by the store, journal and lifecycle tests: batch records built like the engine builds
// them, a faithful stand-in for the engine's retention policy, and raw IndexedDB access as
// another tab (or round 1's code) would have it.
import { openStore } from "/js/engine/store.js";

export const T0 = 1.7e12;

// What the page reports as uncaught: the store must never add to it (see `pageErrors`).
const uncaught = [];
addEventListener("error", (e) => uncaught.push(`error: ${e.message}`));
addEventListener("unhandledrejection", (e) => uncaught.push(`unhandled rejection: ${e.reason}`));

/** Uncaught errors and unhandled rejections this page has seen so far. */
export const pageErrors = () => uncaught.slice();

export const uniqueName = (test) => `apiscope-test-${test}-${Math.random()}`;

const METHODS = ["GET", "POST"];
const ROUTES = ["/api/users/:id", "/api/orders", "/health"];
const STATUSES = [200, 201, 404, 500];

/**
 * A batch record of samples starting at `starts` (epoch ms), columns derived from `seed + i`
 * so every sample differs. `round1: true` leaves out the round-2 columns (ttfb, flags).
 */
export function record(id, starts, { seed = 0, round1 = false } = {}) {
  const n = starts.length;
  const routes = [];
  const routeIds = new Map();
  const r = {
    id,
    minStart: starts.reduce((a, b) => Math.min(a, b)),
    maxStart: starts.reduce((a, b) => Math.max(a, b)),
    count: n,
    start: Float64Array.from(starts),
    duration: new Float64Array(n),
    status: new Uint16Array(n),
    ok: new Uint8Array(n),
    bytes: new Float64Array(n),
    routeId: new Uint32Array(n),
    routes,
  };
  if (!round1) {
    r.ttfb = new Float64Array(n);
    r.flags = new Uint8Array(n);
  }
  for (let i = 0; i < n; i++) {
    const k = seed + i;
    const name = `${METHODS[k % 2]} ${ROUTES[k % 3]}`;
    if (!routeIds.has(name)) {
      routeIds.set(name, routes.length);
      routes.push(name);
    }
    r.routeId[i] = routeIds.get(name);
    r.duration[i] = (k % 997) * 1.25 + 0.1; // not all integers: JSON must keep them exact
    r.status[i] = STATUSES[k % 4];
    r.ok[i] = r.status[i] < 400 ? 1 : 0;
    r.bytes[i] = k % 3 === 0 ? k : -1;
    if (!round1) {
      r.ttfb[i] = k % 5 === 0 ? -1 : (k % 331) / 3;
      r.flags[i] = k % 16;
    }
  }
  return r;
}

/** Batch ids like the engine's: session and sequence in hex. */
export const batchId = (session, seq) => `${session.toString(16).padStart(16, "0")}-${seq.toString(16).padStart(12, "0")}`;

/** `n` samples 0.5 ms apart from `t0`, cut into batches of `perBatch` with ids of `session`. */
export function batches(n, perBatch, session, t0 = T0) {
  const out = [];
  for (let first = 0, seq = 0; first < n; first += perBatch, seq++) {
    const starts = Array.from({ length: Math.min(perBatch, n - first) }, (_, i) => t0 + (first + i) * 0.5);
    out.push(record(batchId(session, seq), starts, { seed: first }));
  }
  return out;
}

/** Each sample of `records` as one comparable string, in record then sample order. */
export function samplesOf(records) {
  const out = [];
  for (const r of records) for (let i = 0; i < r.count; i++) out.push(sample(r, i));
  return out;
}

/** Sample `i` of record `r` as a string holding every column. */
export function sample(r, i) {
  const ttfb = r.ttfb ? r.ttfb[i] : -1;
  const flags = r.flags ? r.flags[i] : 0;
  return `${r.start[i]}|${r.duration[i]}|${r.status[i]}|${r.ok[i]}|${r.bytes[i]}|${r.routes[r.routeId[i]]}|${ttfb}|${flags}`;
}

export const total = (records) => records.reduce((sum, r) => sum + r.count, 0);

/**
 * The engine's retention decision (`Engine.expired`, core batch::retention::Retention::expired)
 * in JS, for these tests only: newest batch first by (maxStart, id); a batch goes when it is
 * older than `maxAgeMs` or would exceed the budget, and every older one with it (no gaps). A
 * `budget` given tightens the configured `maxSamples`.
 */
export function retentionPolicy(maxAgeMs = Infinity, maxSamples = 2_000_000) {
  return {
    calls: 0,
    expired(ids, maxStarts, counts, now, budget) {
      this.calls++;
      const limit = budget === undefined || Number.isNaN(budget) ? maxSamples : Math.min(maxSamples, budget);
      const order = ids.map((_, i) => i);
      order.sort((a, b) => maxStarts[b] - maxStarts[a] || (ids[b] > ids[a] ? 1 : ids[b] < ids[a] ? -1 : 0));
      const cutoff = now - maxAgeMs;
      let kept = 0;
      const expired = [];
      for (const i of order) {
        if (kept + counts[i] > limit || maxStarts[i] < cutoff || expired.length > 0) expired.push(ids[i]);
        else kept += counts[i];
      }
      return expired;
    },
  };
}

/** Resolves with an IDB request's result. */
export const request = (req) =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

/** A connection of another tab that ignores versionchange; `upgrade(db, tx, oldVersion)` runs on upgrade. */
export function rawOpen(name, version, upgrade) {
  const req = version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
  if (upgrade) req.onupgradeneeded = (e) => upgrade(req.result, req.transaction, e.oldVersion);
  return request(req);
}

/**
 * A store held memory-only: an old tab (`old`) keeps version 1 of database `name` open and
 * ignores versionchange, which blocks the store's upgrade; `old.close()` lets it recover.
 */
export async function blockedStore(test, options = {}) {
  const name = uniqueName(test);
  const old = await rawOpen(name, 1);
  const store = await openStore(name, { policy: retentionPolicy(), ...options });
  if (store.state().storage !== "memory") throw new Error(`expected a blocked store, got ${JSON.stringify(store.state())}`);
  return { name, old, store };
}

export function deleteDb(name) {
  return request(indexedDB.deleteDatabase(name));
}

/** Every value of a store, read over a fresh raw connection (what really is in IndexedDB). */
export async function rawRecords(name, storeName = "batches") {
  const db = await rawOpen(name);
  try {
    if (!db.objectStoreNames.contains(storeName)) return [];
    return await request(db.transaction(storeName).objectStore(storeName).getAll());
  } finally {
    db.close();
  }
}

/** Journal keys of database `name` in localStorage. */
export function journalKeys(name) {
  const prefix = `apiscope:journal:${name}:`;
  return Object.keys(localStorage).filter((k) => k.startsWith(prefix));
}
