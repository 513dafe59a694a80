// Stored history kept in memory: the store's backend while IndexedDB is unusable, with the same
// semantics as the IndexedDB one (idempotent by batch id, range reads, lossless paging,
// retention) and hard caps, samples by the retention policy, alert events by count.

import { comparePosition, PageFill } from "./page.js";

/** Alert events kept in memory. */
const MEMORY_ALERTS = 1000;

export class MemoryStore {
  #policy;
  #maxSamples;
  /** Records in (minStart, id) order. */
  #ordered = [];
  #byId = new Map();
  #samples = 0;
  #alerts = [];

  /** `policy.expired(ids, maxStarts, counts, now, maxSamples)` decides which batches the cap evicts. */
  constructor(maxSamples, policy) {
    this.#maxSamples = maxSamples;
    this.#policy = policy;
  }

  /** Stores records (replacing those with the same id); returns the samples the cap evicted. */
  put(records) {
    for (const record of records) {
      this.#remove(record.id);
      this.#ordered.splice(this.#position(record), 0, record);
      this.#byId.set(record.id, record);
      this.#samples += record.count;
    }
    if (this.#samples <= this.#maxSamples) return 0;
    // At -Infinity nothing is too old: the sample budget alone decides.
    const { ids, maxStarts, counts } = this.extents();
    return this.delete(this.#policy.expired(ids, maxStarts, counts, -Infinity, this.#maxSamples));
  }

  /** Batches whose extent meets [from, to], in (minStart, id) order. */
  readRange(from, to) {
    return this.#ordered.filter((r) => r.minStart <= to && r.maxStart >= from);
  }

  /** One page of samples in [from, to) after `after` (see page.js). */
  readPage(after, limit, from, to) {
    const fill = new PageFill(after, limit, from, to);
    const first = after ? this.#position(after) : 0;
    for (let i = first; i < this.#ordered.length; i++) {
      const record = this.#ordered[i];
      if (record.minStart >= to) break;
      if (record.maxStart >= from && !fill.offer(record)) break;
    }
    return fill.finish();
  }

  /** `{ ids, maxStarts, counts }` of every batch. */
  extents() {
    const records = this.#ordered;
    return {
      ids: records.map((r) => r.id),
      maxStarts: Float64Array.from(records, (r) => r.maxStart),
      counts: Float64Array.from(records, (r) => r.count),
    };
  }

  /** Deletes batches by id; returns the samples deleted. */
  delete(ids) {
    let deleted = 0;
    for (const id of ids) deleted += this.#remove(id);
    return deleted;
  }

  clear() {
    this.#ordered = [];
    this.#byId.clear();
    this.#samples = 0;
  }

  /** Every record, for moving into IndexedDB. */
  records() {
    return this.#ordered.slice();
  }

  putAlerts(events) {
    this.#alerts.push(...events);
    if (this.#alerts.length > MEMORY_ALERTS) this.#alerts.splice(0, this.#alerts.length - MEMORY_ALERTS);
  }

  /** Alert events with `at` in [from, to], oldest first. */
  readAlerts(from, to) {
    return this.#alerts.filter((e) => e.at >= from && e.at <= to).sort((a, b) => a.at - b.at);
  }

  /** Every alert event, in the order put. */
  alerts() {
    return this.#alerts.slice();
  }

  #remove(id) {
    const old = this.#byId.get(id);
    if (!old) return 0;
    this.#ordered.splice(this.#position(old), 1);
    this.#byId.delete(id);
    this.#samples -= old.count;
    return old.count;
  }

  /** First index whose record is at or after position (minStart, id). */
  #position(at) {
    let lo = 0;
    let hi = this.#ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.#ordered[mid];
      if (comparePosition(r.minStart, r.id, at) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
