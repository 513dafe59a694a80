// Reads a Recorder the way the engine does (engine.md §1), so that tests see what the engine
// would: each take()'s site lines go into a table of `slots` slots (site id % slots, a newer
// id taking the slot over); each record resolves its site there, or waits for the next drain
// while the recorder is told which sites to list again (forget).
import { STRIDE } from "/js/loader/recorder.js";
import { forget, take } from "/js/loader/handover.js";

export class Drain {
  constructor(recorder, slots = 1 << 20) {
    this.recorder = recorder;
    this.slots = slots;
    this.table = new Map(); // slot -> { id, method, url, operation }
    this.waiting = []; // records whose site was unknown at their drain
    this.seen = []; // every resolved record, in drain order
    this.dropped = 0;
    this.drains = 0;
  }

  /** Takes everything pending; returns the records resolved by this drain. */
  drain() {
    const taken = take(this.recorder);
    this.drains++;
    this.dropped += taken.dropped;
    const lines = taken.sites === "" ? [] : taken.sites.split("\n");
    if (lines.length !== taken.siteIds.length) throw new Error(`${lines.length} lines for ${taken.siteIds.length} ids`);
    lines.forEach((line, i) => {
      const [method, url, operation] = line.split("\t");
      const id = taken.siteIds[i];
      this.table.set(id % this.slots, { id, method, url, operation });
    });
    const records = [...this.waiting];
    for (let i = 0; i < taken.count; i++) records.push(taken.records.subarray(i * STRIDE, (i + 1) * STRIDE));
    this.waiting = [];
    const unknown = new Set();
    const resolved = [];
    for (const r of records) {
      const site = this.table.get(r[1] % this.slots);
      if (site === undefined || site.id !== r[1]) {
        this.waiting.push(r);
        unknown.add(r[1]);
        continue;
      }
      const [transport, , status, outcome, start, headers, end] = r;
      resolved.push({ transport, method: site.method, url: site.url, operation: site.operation, status, outcome, start, headers, end });
    }
    if (unknown.size > 0) forget(this.recorder, [...unknown]);
    this.seen.push(...resolved);
    return resolved;
  }

  /** Drains until nothing waits (a bounded number of times); returns every record resolved. */
  all() {
    this.drain();
    for (let i = 0; i < 10 && this.waiting.length > 0; i++) this.drain();
    if (this.waiting.length > 0) throw new Error(`${this.waiting.length} records never resolved`);
    return this.seen;
  }
}

/** Outcome codes (engine.md §1). */
export const OK = 0;
export const HTTP_ERROR = 1;
export const NETWORK_ERROR = 2;
export const ABORTED = 3;
export const TIMEOUT = 4;
