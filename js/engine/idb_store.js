// Stored history in one open IndexedDB connection: the operations behind the store when it is
// persistent. Every write opens one transaction, issues every request and awaits only the
// commit (a transaction commits itself once no request of it is pending, so nothing else may
// be awaited in between). Failures are thrown as `Failure`s the store classifies: a lost
// connection, the quota, or anything else.
//
// Reads by time range need batches that start before `from` and end after it. The byStart
// index alone cannot find them without scanning all older history, so `meta` keeps an upper
// bound on every batch's span (maxStart - minStart): such a batch starts within that span of
// `from`. Every write raises the bound in its own transaction; a database without it (written
// by round 1) has it computed once from the two indexes' keys.

import { ALERTS, BATCHES, BY_AT, BY_END, BY_START, META, SPAN_KEY, describe } from "./schema.js";
import { PageFill } from "./page.js";
import { decodeRecord } from "./record.js";

/** Why an operation failed: `kind` is "lost", "quota" or "other"; the message says why. */
export class Failure extends Error {
  constructor(kind, reason) {
    super(reason);
    this.kind = kind;
  }
}

/** Float rounding of `from - span` must not drop a batch starting exactly at the bound. */
const MARGIN_MS = 1;

export class IdbStore {
  #db;
  #open = true;
  #onCorrupt;

  /**
   * `onLost()` runs when the connection closes under us: another tab's upgrade (`versionchange`:
   * we close so it can proceed) or the browser (`close`). `onCorrupt()` once per record skipped.
   */
  constructor(db, { onLost, onCorrupt }) {
    this.#db = db;
    this.#onCorrupt = onCorrupt;
    const lost = () => {
      if (!this.#open) return;
      this.#open = false;
      db.close();
      onLost();
    };
    db.onversionchange = lost;
    db.onclose = lost;
  }

  get isOpen() {
    return this.#open;
  }

  /** Marks the connection unusable (a transaction found it closed). */
  markLost() {
    this.#open = false;
  }

  close() {
    this.#open = false;
    this.#db.onversionchange = null;
    this.#db.onclose = null;
    this.#db.close();
  }

  /** Puts normalised records in one transaction (a stored id is overwritten) and raises the span bound. */
  put(records) {
    return this.#write([BATCHES, META], (tx) => {
      const batches = tx.objectStore(BATCHES);
      let span = 0;
      for (const record of records) {
        batches.put(record);
        span = Math.max(span, record.maxStart - record.minStart);
      }
      if (span > 0) {
        const meta = tx.objectStore(META);
        const bound = meta.get(SPAN_KEY);
        // Absent (a round-1 database): left for the first read to compute over everything.
        bound.onsuccess = () => {
          if (typeof bound.result === "number" && bound.result < span) meta.put(span, SPAN_KEY);
        };
      }
    });
  }

  /** Batches whose extent meets [from, to], in (minStart, id) order. */
  async readRange(from, to) {
    if (!(from <= to)) return [];
    const span = await this.#span();
    return this.#guard(async () => {
      const index = this.#tx([BATCHES]).objectStore(BATCHES).index(BY_START);
      const raw = await done(index.getAll(IDBKeyRange.bound(from - span - MARGIN_MS, to)));
      return this.#decodeAll(raw).filter((r) => r.maxStart >= from && r.minStart <= to);
    });
  }

  /** One page of samples in [from, to) after `after` (see page.js). */
  async readPage(after, limit, from, to) {
    const fill = new PageFill(after, limit, from, to);
    if (!(from < to)) return fill.finish();
    const span = await this.#span();
    return this.#guard(async () => {
      const batches = this.#tx([BATCHES]).objectStore(BATCHES);
      const byStart = batches.index(BY_START);
      const resume = after ? after.minStart : -Infinity;
      // 1. Batches starting before `from` and ending at or after it: keys first, values of those only.
      const lower = Math.max(from - span - MARGIN_MS, resume);
      if (span > 0 && lower < from) {
        const endRange = IDBKeyRange.bound([from], [from + span + MARGIN_MS, Infinity]);
        const ending = new Set(await done(batches.index(BY_END).getAllKeys(endRange)));
        const straddling = [];
        await walk(byStart.openKeyCursor(IDBKeyRange.bound(lower, from, false, true)), (cursor) => {
          const id = cursor.primaryKey;
          if (ending.has(id) && !fill.skips(cursor.key, id)) straddling.push(id);
        });
        for (const id of straddling) {
          const record = this.#decode(await done(batches.get(id)));
          if (record && !fill.offer(record)) return fill.finish();
        }
      }
      // 2. Batches starting in [from, to), in index order.
      const first = Math.max(from, resume);
      if (first < to) {
        await walk(byStart.openCursor(IDBKeyRange.bound(first, to, false, true)), (cursor) => {
          const record = this.#decode(cursor.value);
          return !record || fill.offer(record);
        });
      }
      return fill.finish();
    });
  }

  /** `{ ids, maxStarts, counts }` of every batch, from the byEnd index keys alone. */
  extents() {
    return this.#guard(async () => {
      const ids = [];
      const maxStarts = [];
      const counts = [];
      const index = this.#tx([BATCHES]).objectStore(BATCHES).index(BY_END);
      await walk(index.openKeyCursor(), (cursor) => {
        ids.push(cursor.primaryKey);
        maxStarts.push(cursor.key[0]);
        counts.push(cursor.key[1]);
      });
      return { ids, maxStarts: Float64Array.from(maxStarts), counts: Float64Array.from(counts) };
    });
  }

  /** Deletes batches by id in one transaction (the span bound stays an upper bound). */
  delete(ids) {
    if (ids.length === 0) return Promise.resolve();
    return this.#write([BATCHES], (tx) => {
      const batches = tx.objectStore(BATCHES);
      for (const id of ids) batches.delete(id);
    });
  }

  /** Deletes every batch; with nothing stored the span bound starts again from 0. */
  clear() {
    return this.#write([BATCHES, META], (tx) => {
      tx.objectStore(BATCHES).clear();
      tx.objectStore(META).put(0, SPAN_KEY);
    });
  }

  /** Appends alert events (plain objects with a numeric `at`) in one transaction. */
  putAlerts(events) {
    return this.#write([ALERTS], (tx) => {
      const alerts = tx.objectStore(ALERTS);
      for (const event of events) alerts.add(event);
    });
  }

  /** Alert events with `at` in [from, to], oldest first. */
  readAlerts(from, to) {
    if (!(from <= to)) return Promise.resolve([]);
    return this.#guard(() => done(this.#tx([ALERTS]).objectStore(ALERTS).index(BY_AT).getAll(IDBKeyRange.bound(from, to))));
  }

  /** The span bound, computed (and stored) first if this database has none. */
  async #span() {
    const stored = await this.#guard(() => done(this.#tx([META]).objectStore(META).get(SPAN_KEY)));
    return typeof stored === "number" ? stored : this.#computeSpan();
  }

  /** The widest span over every batch, joined from the two indexes' keys in one transaction. */
  #computeSpan() {
    let span = 0;
    return this.#write([BATCHES, META], async (tx) => {
      const batches = tx.objectStore(BATCHES);
      const starts = new Map();
      await walk(batches.index(BY_START).openKeyCursor(), (c) => void starts.set(c.primaryKey, c.key));
      await walk(batches.index(BY_END).openKeyCursor(), (c) => {
        const s = c.key[0] - starts.get(c.primaryKey);
        if (s > span) span = s;
      });
      const meta = tx.objectStore(META);
      const current = await done(meta.get(SPAN_KEY));
      if (typeof current === "number" && current > span) span = current;
      meta.put(span, SPAN_KEY);
    }).then(() => span);
  }

  #decode(raw) {
    const record = decodeRecord(raw);
    if (!record) this.#onCorrupt();
    return record;
  }

  #decodeAll(raws) {
    const records = [];
    for (const raw of raws) {
      const record = this.#decode(raw);
      if (record) records.push(record);
    }
    return records;
  }

  #tx(stores, mode = "readonly") {
    return this.#db.transaction(stores, mode);
  }

  /** Runs `issue(tx)` (it may await its own requests) on a new read-write transaction; resolves once committed. */
  #write(stores, issue) {
    return this.#guard(async () => {
      const tx = this.#tx(stores, "readwrite");
      const committed = new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(this.#classify(tx.error ? describe(tx.error) : "AbortError: transaction aborted"));
      });
      try {
        await issue(tx);
      } catch (error) {
        committed.catch(() => {}); // the abort below is this error's consequence, not news
        abort(tx);
        throw error;
      }
      await committed;
    });
  }

  /** Runs `fn`, turning any error into a classified Failure. */
  async #guard(fn) {
    try {
      return await fn();
    } catch (error) {
      throw error instanceof Failure ? error : this.#classify(describe(error));
    }
  }

  /**
   * A closed connection fails new transactions with InvalidStateError and aborts running ones;
   * with the connection still open, a bare AbortError on a write is how Chromium may report quota.
   */
  #classify(reason) {
    if (!this.#open || reason.includes("InvalidStateError")) return new Failure("lost", reason);
    if (reason.includes("QuotaExceededError") || reason.startsWith("AbortError")) return new Failure("quota", reason);
    return new Failure("other", reason);
  }
}

function abort(tx) {
  try {
    tx.abort();
  } catch {
    // already finished
  }
}

/** A request's result. */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = (event) => {
      event.preventDefault();
      reject(request.error);
    };
  });
}

/** Walks a cursor request, calling `visit(cursor)` for each entry until it returns false. */
function walk(request, visit) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return resolve();
      try {
        if (visit(cursor) === false) resolve();
        else cursor.continue();
      } catch (error) {
        reject(error);
      }
    };
    request.onerror = (event) => {
      event.preventDefault();
      reject(request.error);
    };
  });
}
