// A synchronous localStorage journal for the batches still unwritten when the page goes away.
//
// Chromium commits an IndexedDB transaction started in `pagehide` all or nothing and loses
// large ones when the tab closes (measured in round 1: 50 000 puts lost 10 of 10 times, while a
// localStorage write made in the same handler survived 4 of 4); localStorage writes are
// synchronous. So the page journals every unconfirmed batch on page exit, also tries
// IndexedDB, and the next store open writes the journal into IndexedDB and removes it. One key
// per batch id (`apiscope:journal:<db>:<id>`, round 1's) keeps replays idempotent and lets
// tabs journal concurrently; JSON with plain-array columns keeps every number exact.

import { decodeRecord, recordJson } from "./record.js";

/** The journal of database `name`, or null where localStorage is unavailable (workers, opaque origins, storage disabled). */
export function openJournal(name) {
  let storage;
  try {
    storage = globalThis.localStorage;
  } catch {
    return null; // SecurityError: this document may not use storage
  }
  return storage ? new Journal(storage, `apiscope:journal:${name}:`) : null;
}

export class Journal {
  #storage;
  #prefix;

  constructor(storage, prefix) {
    this.#storage = storage;
    this.#prefix = prefix;
  }

  /** Journals records synchronously; `{ written, failed }` (localStorage holds a few MB per origin). */
  write(records) {
    let written = 0;
    for (const record of records) {
      try {
        this.#storage.setItem(this.#prefix + record.id, recordJson(record));
        written++;
      } catch {
        // QuotaExceededError: this batch is not journalled; the caller learns how many.
      }
    }
    return { written, failed: records.length - written };
  }

  /**
   * Every journalled record with its key. Entries that fail to parse are removed: they can never
   * be replayed and would otherwise hold quota forever.
   */
  pending() {
    const entries = [];
    for (const key of this.#keys()) {
      const record = parse(this.#storage.getItem(key));
      if (record) entries.push({ key, record });
      else this.#storage.removeItem(key);
    }
    return entries;
  }

  /** Removes entries by key (as `pending()` returns them). */
  remove(keys) {
    for (const key of keys) this.#storage.removeItem(key);
  }

  /** Removes the entries of these batch ids. */
  removeIds(ids) {
    for (const id of ids) this.#storage.removeItem(this.#prefix + id);
  }

  #keys() {
    const keys = [];
    for (let i = 0; i < this.#storage.length; i++) {
      const key = this.#storage.key(i);
      if (key !== null && key.startsWith(this.#prefix)) keys.push(key);
    }
    return keys;
  }
}

function parse(json) {
  try {
    return json === null ? null : decodeRecord(JSON.parse(json));
  } catch {
    return null;
  }
}
