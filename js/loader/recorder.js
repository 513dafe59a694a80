// The buffer between the hooks and the engine. The hooks write each settled request as STRIDE
// numbers into a preallocated Float64Array (a known site costs a few typed-array writes, no
// allocation); the engine, loaded later, takes everything pending in one call (handover.js,
// which the loader chunk does not need). Bounded: when full, requests are counted in
// `dropped`, never allocated.
import { Sites } from "./sites.js";

/** Numbers per settled request: transport, site, status, outcome, start, headers, end. */
export const STRIDE = 7;

export class Recorder {
  /**
   * `capacity`: requests held until the engine takes them; `sites`: call sites remembered
   * (the engine's site table should hold as many); `ignore`: `{ prefixes, patterns }` never
   * observed, tested against the full absolute URL (paths are on this origin); `graphql`:
   * endpoint paths or URLs whose requests are filed per operation name.
   */
  constructor({ capacity = 4096, sites = 1024, ignore = {}, graphql = [] } = {}) {
    this.capacity = Math.max(1, capacity);
    this.sites = new Sites(Math.max(1, sites), { prefixes: ignore.prefixes || [], patterns: ignore.patterns || [] }, graphql);
    this.records = new Float64Array(this.capacity * STRIDE);
    // The site of each pending record, then of each record the last take handed over (for
    // forget): two arrays swapped at every take.
    this.owners = new Array(this.capacity).fill(null);
    this.taken = new Array(this.capacity).fill(null);
    this.count = 0;
    this.takenCount = 0;
    this.dropped = 0;
    this.takes = 0;
    // Sites the engine lost, listed again by the next take; the sites the last take listed.
    this.resend = [];
    this.listed = [];
    /** Called when something becomes pending (records or sites to re-register). */
    this.onPending = null;
    /** Called when the buffer is full, or its records name half a site table of sites the
     * engine has not been told about: a take must come now (before their ids wrap). */
    this.onFull = null;
    this.unsent = 0;
  }

  /** The call site `{ id }` of a request, or null when it is not observed. */
  site(method, rawUrl, body) {
    return this.sites.get(method, rawUrl, body);
  }

  /** Files one settled request (times are performance.now() values). */
  push(transport, site, status, outcome, start, headers, end) {
    // Full: the engine, once here, takes the buffer at once; until then the request is lost
    // (and counted), never allocated.
    if (this.count === this.capacity && this.onFull !== null) this.onFull();
    const n = this.count;
    if (n === this.capacity) {
      this.dropped++;
      return;
    }
    const r = this.records;
    const i = n * STRIDE;
    r[i] = transport;
    r[i + 1] = site.id;
    r[i + 2] = status;
    r[i + 3] = outcome;
    r[i + 4] = start;
    r[i + 5] = headers;
    r[i + 6] = end;
    this.owners[n] = site;
    this.count = n + 1;
    if (!site.sent && site.counted !== this.takes) {
      site.counted = this.takes;
      if (++this.unsent >= this.sites.limit >> 1 && this.onFull !== null) return this.onFull();
    }
    if (n === 0 && this.resend.length === 0) this.announce();
  }

  /** Calls onPending (set by the engine; until then records wait unannounced). */
  announce() {
    const onPending = this.onPending;
    if (onPending !== null) onPending();
  }
}
