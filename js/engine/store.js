// Latency history: one record per batch in IndexedDB, with a memory fallback that recovers.
//
// Where history goes: "persistent" (an open connection), "closed" (the connection was closed,
// by close() or under us for another tab's upgrade; the next call reopens it) or "memory"
// (IndexedDB could not be opened: blocked, unavailable, incompatible). Memory is not for the
// page's life: the next write retries the open, and a blocked open that later completes (the
// blocking tab closed) is taken up as it lands; either way what memory held moves into
// IndexedDB, and `stats().reopens` counts it. The store holds no policy: which batches expire
// is `policy.expired(...)`, the engine's retention (core batch::retention).
//
// Nothing here throws on storage trouble except the operation that hit it: a write out of
// quota after retention freed space and one retry ("storage quota exceeded: ..."), any other
// IndexedDB failure ("storage failed: ..."). Corrupt records are skipped and counted.

import { Failure, IdbStore } from "./idb_store.js";
import { openJournal } from "./journal.js";
import { MemoryStore } from "./memory_store.js";
import { parseCursor } from "./page.js";
import { encodeRecord } from "./record.js";
import { openDatabase } from "./schema.js";

/**
 * Opens (creating or migrating) database `name`, falling back to memory when IndexedDB is
 * unusable, then writes what the last page journalled at exit.
 *   policy           { expired(ids, maxStarts, counts, now, maxSamples?) -> ids }: the batches
 *                    retention deletes at `now` (epoch ms); `maxSamples` tightens the
 *                    configured budget (quota, memory cap), now = -Infinity leaves age out
 *   memoryMaxSamples cap of the memory fallback (default 100 000)
 *   persist          request navigator.storage.persist() (result in stats().persistence)
 *   stallMs          how long an open may take before the store starts in memory (default 5000)
 */
/** Deliveries by the code of a record's `flags` (src/core/delivery.rs). */
const DELIVERIES = ["unknown", "network", "cache", "worker"];

export function openStore(name, options) {
  return Store.open(name, options);
}

export class Store {
  #name;
  #policy;
  #memoryMax;
  #stallMs;
  /** The connection while persistent (or closed: then not open). */
  #idb = null;
  /** The memory backend while memory-only. */
  #memory = null;
  #reason;
  /** Retrying the open cannot help (no IndexedDB, or it refuses this origin). */
  #permanent = false;
  #connecting = null;
  #recovering = null;
  /** A blocked open request is still pending: its connection is taken up when it lands. */
  #waitingLate = false;
  /** close() was called: a late connection is not taken up. */
  #closed = false;
  #journal;
  /** Ids this page journalled whose entries go once a write of them commits. */
  #journaled = new Set();
  #stats = {
    opens: 0,
    connectionsLost: 0,
    blocked: 0,
    quotaErrors: 0,
    corruptSkipped: 0,
    journalReplayed: 0,
    memoryEvicted: 0,
    reopens: 0,
    persistence: "not requested",
  };

  /** See openStore(); a store made with `new` connects on first use and replays no journal. */
  constructor(name, { policy, memoryMaxSamples = 100_000, persist = false, stallMs = 5000 } = {}) {
    if (typeof name !== "string" || name === "") throw new RangeError("dbName: must not be empty");
    if (typeof policy?.expired !== "function") {
      throw new TypeError("policy: must have an expired(ids, maxStarts, counts, now, maxSamples) method");
    }
    this.#name = name;
    this.#policy = policy;
    this.#memoryMax = memoryMaxSamples;
    this.#stallMs = stallMs;
    this.#journal = openJournal(name);
    if (persist) this.#requestPersistence();
  }

  static async open(name, options) {
    const store = new Store(name, options);
    const idb = await store.#connect();
    if (idb) await store.#replay(idb);
    return store;
  }

  /** `{ storage: "persistent" | "memory" | "closed", reason? }` (reason while memory-only). */
  state() {
    if (this.#memory) return { storage: "memory", reason: this.#reason };
    return { storage: this.#idb?.isOpen ? "persistent" : "closed" };
  }

  /**
   * `{ opens, connectionsLost, blocked, quotaErrors, corruptSkipped, journalReplayed,
   *    memoryEvicted, reopens, persistence }`; persistence is "not requested", "pending",
   * "granted", "denied", "unsupported" or "failed".
   */
  stats() {
    return { ...this.#stats };
  }

  /**
   * Writes batch records in one transaction; a stored id is overwritten, so a replayed batch is
   * never duplicated. On quota: retention keeps at most half of what is stored, then one retry.
   * Journal entries of these ids (journal()) go once the write commits.
   */
  async putBatches(records) {
    const normalized = records.map((r, i) => encodeRecord(r, `records[${i}]`));
    if (normalized.length === 0) return;
    await this.#run(true, (backend) =>
      backend === this.#memory ? this.#putMemory(normalized) : this.#putIdb(backend, normalized),
    );
  }

  /** Every batch whose extent meets [from, to] (so every batch with a sample there), in (minStart, id) order. */
  readRange(from, to) {
    return this.#run(false, (backend) => backend.readRange(from, to));
  }

  /**
   * Up to `limit` samples in [from, to) after `cursor` (null for the first page; a cursor
   * continues the range it was made for, whatever `from` and `to` say):
   * `{ parts: [{ record, indices: Uint32Array }], count, cursor: string | null }`. Across pages
   * every sample in range comes exactly once, batches straddling an edge included; batches in
   * (minStart, id) order, samples in their order within a batch.
   */
  readPage(cursor, limit, from = -Infinity, to = Infinity) {
    const after = cursor === null || cursor === undefined ? null : parseCursor(cursor);
    if (!after && cursor !== null && cursor !== undefined) {
      return Promise.reject(new TypeError("options.cursor: is not a cursor returned by samples()"));
    }
    const range = after ?? { from, to };
    return this.#run(false, (backend) => backend.readPage(after, limit, range.from, range.to));
  }

  /**
   * `samples()`' page: `{ samples: [{ startTime, durationMs, method, route, status, ok, bytes? }],
   * cursor? }` (see readPage; `cursor` absent after the last page).
   */
  async readSamples({ from = 0, to = Infinity, limit = 1000, cursor } = {}) {
    const page = await this.readPage(cursor, limit, from, to);
    const samples = [];
    for (const { record: r, indices } of page.parts) {
      const names = r.routes.map((name) => {
        const space = name.indexOf(" ");
        return [name.slice(0, space), name.slice(space + 1)];
      });
      for (const i of indices) {
        const [method, route] = names[r.routeId[i]];
        const row = { startTime: r.start[i], durationMs: r.duration[i], method, route, status: r.status[i], ok: r.ok[i] === 1 };
        if (r.bytes[i] >= 0) row.bytes = r.bytes[i];
        if (r.ttfb[i] >= 0) row.ttfbMs = r.ttfb[i];
        row.timing = (r.flags[i] & 3) === 1 ? "headers" : "full";
        row.delivery = DELIVERIES[(r.flags[i] >> 2) & 3];
        samples.push(row);
      }
    }
    return page.cursor ? { samples, cursor: page.cursor } : { samples };
  }

  /** `{ ids: string[], maxStarts: Float64Array, counts: Float64Array }` of every stored batch. */
  extents() {
    return this.#run(false, (backend) => backend.extents());
  }

  async deleteBatches(ids) {
    await this.#run(true, (backend) => backend.delete(ids));
  }

  /** Deletes what the policy expires at `now` (epoch ms); resolves to the samples deleted. */
  applyRetention(now) {
    return this.#run(true, async (backend) => {
      const extents = await backend.extents();
      const expired = this.#policy.expired(extents.ids, extents.maxStarts, extents.counts, now);
      await backend.delete(expired);
      return samplesOf(extents, expired);
    });
  }

  /** Deletes every batch (alert history stays). */
  async clear() {
    await this.#run(true, (backend) => backend.clear());
  }

  /** Appends alert events (plain objects with a numeric `at`, epoch ms). */
  async putAlerts(events) {
    if (events.length === 0) return;
    await this.#run(true, (backend) => backend.putAlerts(events));
  }

  /** Alert events with `at` in [from, to], oldest first. */
  readAlerts(from, to) {
    return this.#run(false, (backend) => backend.readAlerts(from, to));
  }

  /**
   * Journals records synchronously in localStorage (page exit): `{ written, failed }`. The next
   * open writes them to IndexedDB; a putBatches of them that commits first removes them.
   */
  journal(records) {
    const normalized = records.map((r, i) => encodeRecord(r, `records[${i}]`));
    if (!this.#journal) return { written: 0, failed: normalized.length };
    for (const record of normalized) this.#journaled.add(record.id);
    return this.#journal.write(normalized);
  }

  /** Removes the journal entries of these records now (a write of them committed elsewhere). */
  unjournal(records) {
    const ids = records.map((r) => r.id);
    for (const id of ids) this.#journaled.delete(id);
    this.#journal?.removeIds(ids);
  }

  /** Counts records found corrupt by their reader (one that failed to decode in the engine). */
  countCorrupt(n) {
    this.#stats.corruptSkipped += n;
  }

  /** Closes the connection; the next call reopens it. */
  close() {
    this.#closed = true;
    this.#idb?.close();
    this.#idb = null;
  }

  /** Runs `op` on the backend; a connection lost on the way is reopened once. */
  async #run(write, op) {
    for (let attempt = 0; ; attempt++) {
      const backend = await this.#backend(write);
      try {
        return await op(backend);
      } catch (error) {
        if (!(error instanceof Failure)) throw error;
        if (error.kind === "lost" && attempt === 0) {
          backend.markLost();
          continue;
        }
        throw new Error(`${error.kind === "quota" ? "storage quota exceeded" : "storage failed"}: ${error.message}`);
      }
    }
  }

  /** The backend for the next operation; a write first tries to leave memory. */
  async #backend(write) {
    if (write) {
      await this.#recovering;
      if (this.#memory && !this.#waitingLate && !this.#permanent) await this.#retry();
    }
    if (this.#memory) return this.#memory;
    if (this.#idb?.isOpen) return this.#idb;
    return (await this.#connect()) ?? this.#memory;
  }

  #connect() {
    this.#connecting ??= this.#tryOpen()
      .then((db) => db && this.#adopt(db))
      .finally(() => (this.#connecting = null));
    return this.#connecting;
  }

  #retry() {
    this.#recovering ??= this.#tryOpen()
      .then((db) => db && this.#recover(db))
      .finally(() => (this.#recovering = null));
    return this.#recovering;
  }

  /** A connection, or null with history in memory and the reason recorded. */
  async #tryOpen() {
    this.#closed = false;
    const outcome = await openDatabase(this.#name, this.#stallMs).catch((error) => ({
      reason: `unavailable: ${error}`,
    }));
    if (outcome.db) return outcome.db;
    if (outcome.late) {
      this.#stats.blocked++;
      this.#awaitLate(outcome.late);
    }
    this.#permanent = outcome.permanent === true;
    this.#reason = outcome.reason;
    this.#memory ??= new MemoryStore(this.#memoryMax, this.#policy);
    return null;
  }

  #adopt(db) {
    this.#idb = this.#wrap(db);
    this.#stats.opens++;
    return this.#idb;
  }

  #wrap(db) {
    return new IdbStore(db, {
      onLost: () => this.#stats.connectionsLost++,
      onCorrupt: () => this.#stats.corruptSkipped++,
    });
  }

  /** Takes up the connection a blocked open yields once the blocking tab lets go. */
  #awaitLate(late) {
    this.#waitingLate = true;
    late.then((db) => {
      this.#waitingLate = false;
      if (!db) return; // failed after all: the next write retries
      if (this.#closed || !this.#memory || this.#recovering) {
        db.close();
        return;
      }
      this.#recovering = this.#recover(db).finally(() => (this.#recovering = null));
    });
  }

  /** Moves what memory holds into IndexedDB, then becomes persistent and replays the journal. */
  async #recover(db) {
    const idb = this.#wrap(db);
    try {
      const records = this.#memory.records();
      if (records.length > 0) await this.#putIdb(idb, records);
      const alerts = this.#memory.alerts();
      if (alerts.length > 0) await idb.putAlerts(alerts);
    } catch (error) {
      idb.close();
      this.#reason = `unavailable: moving history into IndexedDB failed: ${error.message}`;
      return;
    }
    if (this.#closed || !idb.isOpen) {
      idb.close();
      return;
    }
    this.#memory = null;
    this.#reason = undefined;
    this.#idb = idb;
    this.#stats.opens++;
    this.#stats.reopens++;
    await this.#replay(idb);
  }

  #putMemory(records) {
    this.#stats.memoryEvicted += this.#memory.put(records);
  }

  async #putIdb(idb, records) {
    for (let retried = false; ; retried = true) {
      try {
        await idb.put(records);
        break;
      } catch (error) {
        if (!(error instanceof Failure && error.kind === "quota")) throw error;
        this.#stats.quotaErrors++;
        if (retried) throw error;
        await this.#freeSpace(idb);
      }
    }
    this.#forgetJournaled(records);
  }

  /** After a quota error: retention tightened to half the stored samples, so the retry has room. */
  async #freeSpace(idb) {
    const extents = await idb.extents();
    const stored = extents.counts.reduce((sum, n) => sum + n, 0);
    const keep = Math.floor(stored / 2);
    await idb.delete(this.#policy.expired(extents.ids, extents.maxStarts, extents.counts, Date.now(), keep));
  }

  /** Writes what a previous page journalled, then removes exactly those entries. */
  async #replay(idb) {
    const entries = this.#journal?.pending() ?? [];
    if (entries.length === 0) return;
    try {
      await this.#putIdb(
        idb,
        entries.map((e) => e.record),
      );
    } catch {
      return; // left for the next open
    }
    this.#journal.remove(entries.map((e) => e.key));
    this.#stats.journalReplayed += entries.length;
  }

  #forgetJournaled(records) {
    if (this.#journaled.size === 0) return;
    const ids = records.map((r) => r.id).filter((id) => this.#journaled.delete(id));
    this.#journal.removeIds(ids);
  }

  #requestPersistence() {
    const storage = globalThis.navigator?.storage;
    if (typeof storage?.persist !== "function") {
      this.#stats.persistence = "unsupported";
      return;
    }
    this.#stats.persistence = "pending";
    new Promise((resolve) => resolve(storage.persist())).then(
      (granted) => (this.#stats.persistence = granted ? "granted" : "denied"),
      () => (this.#stats.persistence = "failed"),
    );
  }
}

function samplesOf(extents, ids) {
  const gone = new Set(ids);
  let samples = 0;
  extents.ids.forEach((id, i) => {
    if (gone.has(id)) samples += extents.counts[i];
  });
  return samples;
}
