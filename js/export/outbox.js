// The export outbox: request bodies not yet delivered, kept so they survive a reload or a long
// offline spell, shared by the tabs of the origin (one of them sends, see drain_lock.js).
//
// IndexedDB database `<dbName>-outbox`, its own so that the history store's schema never
// changes for it. Store `entries`, out-of-line keys `[createdMs, session, seq]` (oldest first,
// unique across tabs), values `{ body, points, attempts }`: round 1's format, so bodies a
// round-1 page left behind are sent too; `sentAtExit` (epoch ms) marks a body a page sent
// with keepalive as it went away, taken as delivered (exporter.js). Version 2 adds store
// `lease` (the drain lease where Web Locks are missing) and `delivered`: a tombstone per body
// taken out of the outbox (by the same key, for `TOMBSTONE_MS`), so that a page-exit journal
// replayed late (exit_journal.js) never brings one back. Every write issues all of its
// requests at once, started before the call returns (a page hide cannot wait for a later
// task). Where IndexedDB is unusable the outbox lives in memory, for this page alone.

const VERSION = 2;
const ENTRIES = "entries";
const LEASE = "lease";
const DELIVERED = "delivered";
const LEASE_KEY = "drain";
/** How long tombstones are kept. A journal is replayed by the next drainer's next sync, so a
 * body only ever needs its tombstone for an interval or so; a day is far more. */
const TOMBSTONE_MS = 24 * 3600 * 1000;

const request = (r) =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

const committed = (tx) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = tx.onerror = () => reject(tx.error || new Error("outbox: transaction aborted"));
  });

/** An entry read back: `{ key, body, points, attempts, sentAtExit? }`, or null for a record
 * this code cannot read (a journalled one too). */
export function decodeEntry(key, value) {
  const whole = (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
  if (!Array.isArray(key) || key.length !== 3 || !(key[0] >= 0) || !whole(key[1]) || !whole(key[2])) return null;
  if (!value || typeof value.body !== "string" || !whole(value.points) || !whole(value.attempts)) return null;
  const entry = { key, body: value.body, points: value.points, attempts: value.attempts };
  if (typeof value.sentAtExit === "number") entry.sentAtExit = value.sentAtExit;
  return entry;
}

/** What is stored of an entry. */
function record(e) {
  const value = { body: e.body, points: e.points, attempts: e.attempts };
  if (e.sentAtExit !== undefined) value.sentAtExit = e.sentAtExit;
  return value;
}

class IdbOutbox {
  constructor(db) {
    this.db = db;
    this.shared = true;
    // Closing lets another tab's future upgrade proceed instead of being blocked by us; the
    // next call finds the connection gone and fails, which the exporter reports.
    db.onversionchange = () => db.close();
  }

  /** Every stored key, oldest first. */
  keys() {
    return request(this.db.transaction(ENTRIES).objectStore(ENTRIES).getAllKeys());
  }

  /** The entries stored under `keys` (those still there and readable). */
  async read(keys) {
    if (keys.length === 0) return [];
    const store = this.db.transaction(ENTRIES).objectStore(ENTRIES);
    const values = await Promise.all(keys.map((key) => request(store.get(key))));
    return values.map((value, i) => decodeEntry(keys[i], value)).filter(Boolean);
  }

  /** Stores `puts` (`{ key, body, points, attempts, sentAtExit? }`) and takes `deletes`
   * (keys) out for good (tombstoned), in one transaction started now; resolves once it
   * committed. */
  write(puts, deletes) {
    if (puts.length === 0 && deletes.length === 0) return Promise.resolve();
    let tx;
    try {
      tx = this.db.transaction([ENTRIES, DELIVERED], "readwrite");
      const store = tx.objectStore(ENTRIES);
      const delivered = tx.objectStore(DELIVERED);
      const now = Date.now();
      for (const e of puts) store.put(record(e), e.key);
      for (const key of deletes) {
        store.delete(key);
        delivered.put(now, key);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return committed(tx);
  }

  /**
   * Moves journalled entries in, in one transaction: those with a tombstone are skipped, those
   * sent at a page's exit are tombstoned instead (delivered), the others stored. Tombstones of
   * bodies older than `TOMBSTONE_MS` go. Resolves with how many were taken as delivered.
   */
  async adopt(entries) {
    const tx = this.db.transaction([ENTRIES, DELIVERED], "readwrite");
    const store = tx.objectStore(ENTRIES);
    const delivered = tx.objectStore(DELIVERED);
    const now = Date.now();
    delivered.delete(IDBKeyRange.upperBound([now - TOMBSTONE_MS]));
    const done = await Promise.all(entries.map((e) => request(delivered.getKey(e.key))));
    let sentAtExit = 0;
    entries.forEach((e, i) => {
      if (done[i] !== undefined) return;
      if (e.sentAtExit !== undefined) {
        sentAtExit++;
        store.delete(e.key);
        delivered.put(now, e.key);
      } else {
        store.put(record(e), e.key);
      }
    });
    await committed(tx);
    return sentAtExit;
  }

  /** Takes or renews the drain lease for `holder` until `now + ms` unless another holder's is
   * still running; resolves whether `holder` holds it. One transaction: tabs never both win. */
  async lease(holder, now, ms) {
    const tx = this.db.transaction(LEASE, "readwrite");
    const store = tx.objectStore(LEASE);
    const current = await request(store.get(LEASE_KEY));
    const free = !current || current.holder === holder || !(current.until > now);
    if (free) store.put({ holder, until: now + ms }, LEASE_KEY);
    await committed(tx);
    return free;
  }

  /** Gives the lease up if `holder` has it. */
  async release(holder) {
    const tx = this.db.transaction(LEASE, "readwrite");
    const store = tx.objectStore(LEASE);
    const current = await request(store.get(LEASE_KEY));
    if (current && current.holder === holder) store.delete(LEASE_KEY);
    await committed(tx);
  }

  close() {
    this.db.onversionchange = null;
    this.db.close();
  }
}

/** The outbox of a page without IndexedDB: its own, so no other tab competes for it, and
 * nothing of it outlives the page (no journal either). */
class MemoryOutbox {
  constructor(reason) {
    this.entries = new Map();
    this.shared = false;
    this.reason = reason;
  }

  keys() {
    return Promise.resolve([...this.entries.values()].map((e) => e.key));
  }

  read(keys) {
    return Promise.resolve(keys.map((key) => this.entries.get(String(key))).filter(Boolean));
  }

  write(puts, deletes) {
    for (const e of puts) this.entries.set(String(e.key), { ...e });
    for (const key of deletes) this.entries.delete(String(key));
    return Promise.resolve();
  }

  close() {}
}

/**
 * Opens (creating or upgrading) outbox database `name`; resolves with an in-memory outbox
 * (`reason` says why) when IndexedDB is missing, refuses, or the open is blocked by a tab
 * that keeps an older version open.
 */
export function openOutbox(name) {
  const idb = globalThis.indexedDB;
  if (!idb) return Promise.resolve(new MemoryOutbox("IndexedDB is not available"));
  return new Promise((resolve) => {
    let open;
    try {
      open = idb.open(name, VERSION);
    } catch (error) {
      resolve(new MemoryOutbox(`outbox: ${error.message}`));
      return;
    }
    let settled = false;
    open.onupgradeneeded = () => {
      const db = open.result;
      for (const store of [ENTRIES, LEASE, DELIVERED]) {
        if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
      }
    };
    open.onsuccess = () => {
      if (settled) open.result.close();
      else resolve(new IdbOutbox(open.result));
      settled = true;
    };
    open.onerror = () => {
      if (!settled) resolve(new MemoryOutbox(`outbox: ${open.error && open.error.message}`));
      settled = true;
    };
    open.onblocked = () => {
      if (!settled) resolve(new MemoryOutbox("outbox: the database is blocked by another tab"));
      settled = true;
    };
  });
}
