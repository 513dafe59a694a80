// The OTLP exporter (the export variant only: js/engine/with-export.js). Every sample the
// engine accepts also goes into its per-route delta sketches (inside the wasm core, so nothing
// crosses twice); every `intervalMs` the exporter takes those deltas, writes them as OTLP/HTTP
// JSON bodies within the keepalive budget (bodies.js), keeps each body in the outbox (outbox.js)
// until a collector answers 2xx, and sends them one at a time, oldest first. The outbox policy
// (what next, what an answer means, backoff, the bound, what a page hide may send) is the
// core's `ExportQueue`, here as the wasm `OutboxQueue`; it knows bodies by their size only.
//
// The tabs of an origin share the outbox and one of them drains it (drain_lock.js): the others
// store their bodies and tell it. Every body goes once, but at a page's exit: what it sends
// with keepalive then is answered after it is gone, so the outbox keeps those bodies marked
// `sentAtExit`, and the next drainer takes them as delivered when the core said so at the
// time (the collector was answering: `exitSendsDelivered`), else sends them again. Every
// request carries `X-Apiscope-Batch: <id>` for collectors that dedupe that rare resend.
//
// The Profiler calls `pageHidden()` when the page may be going away (after draining its
// recorder into the engine, so those samples go too), `stats()`, and `await stop()`.
import { drainLock, lockName } from "./drain_lock.js";
import { forget, hold, journalled } from "./exit_journal.js";
import { exportOptions } from "./options.js";
import { decodePoints, pageOrigin, resourceAttributes } from "../engine/otlp.js";
import { encodeBodies, utf8Bytes } from "./bodies.js";
import { decodeEntry, openOutbox } from "./outbox.js";

const perf = globalThis.performance;
/** The idempotency header: the body's batch id, for collectors that dedupe resends. */
export const BATCH_HEADER = "X-Apiscope-Batch";
/** How much of an error response goes into `stats().lastError`. */
const DETAIL_CHARS = 200;

const idOf = (key) => `${key[0]}:${key[1]}:${key[2]}`;

/** The journalled entries that decode (a journal written by other code is skipped). */
const readable = (entries) => entries.map((e) => e && decodeEntry(e.key, e)).filter(Boolean);

/** A body's batch id: its session in hex, then its sequence number (`0000beef-7`). */
export function batchId(key) {
  return `${key[1].toString(16).padStart(8, "0")}-${key[2]}`;
}

/**
 * Checks `options` (the `export` option: TypeError/RangeError naming `export.<option>`),
 * turns the engine's delta aggregation on, opens the outbox of `dbName` and starts exporting.
 * `OutboxQueue` is the wasm class of the same part as `engine`.
 */
export async function startExporter(engine, options, { dbName, pageOrigin: origin, OutboxQueue }) {
  const o = exportOptions(options);
  engine.exportStart(...o.start, perf.now());
  const outbox = await openOutbox(`${dbName}-outbox`);
  const exporter = new Exporter({ engine, queue: new OutboxQueue(o.maxOutbox), options: o, outbox, dbName, origin });
  await exporter.lock.ready;
  return exporter;
}

export class Exporter {
  /** Use `startExporter`. */
  constructor({ engine, queue, options, outbox, dbName, origin }) {
    this.engine = engine;
    this.queue = queue;
    this.budget = queue.constructor.bodyBudget();
    this.url = options.href;
    this.headers = new Headers(options.headers);
    this.headers.set("Content-Type", "application/json");
    this.attributes = resourceAttributes(origin || pageOrigin(), options.resource);
    this.outbox = outbox;
    this.dbName = dbName;
    this.session = Math.floor(Math.random() * 2 ** 32);
    this.seq = 0;
    this.hides = 0;
    /** This page's exit journals not in IndexedDB yet (journal key -> its entries). */
    this.parked = new Map();
    /** The bodies the queue holds, by key: what this exporter sends while it drains. */
    this.entries = new Map();
    this.lastError = outbox.reason && `${outbox.reason} (the outbox is kept in memory)`;
    this.state = "running";
    this.draining = null;
    this.backoff = null;
    this.writes = new Set();
    this.final = null;
    /** Told of a trap inside the wasm, which the exporter shares with the profiler's engine. */
    this.onFailure = null;
    /** Set by `halt()`: the module failed, nothing may call into it any more. */
    this.failed = false;
    /** Bodies other pages sent with keepalive as they went away, taken as delivered. */
    this.deliveredAtExit = 0;
    // Tabs that store bodies tell the drainer at once instead of at its next interval.
    this.channel =
      outbox.shared && typeof BroadcastChannel === "function" ? new BroadcastChannel(lockName(dbName)) : null;
    if (this.channel) this.channel.onmessage = () => this.kick();
    this.lock = drainLock(lockName(dbName), outbox, this.session, () => this.kick());
    this.timer = setInterval(() => this.guard(() => this.tick()), options.intervalMs);
    this.onOnline = () =>
      this.guard(() => {
        this.queue.resetFailures();
        this.cancelBackoff();
        this.kick();
      });
    globalThis.addEventListener?.("online", this.onOnline);
  }

  /** Runs `fn` from a timer or event; a failure switches the exporter off, and a trap inside
   * the wasm the profiler too. */
  guard(fn) {
    try {
      fn();
    } catch (error) {
      this.failure(error);
      this.shutDown();
    }
  }

  /** Notes `error`; a trap inside the wasm is told to `onFailure` (which halts this). */
  failure(error) {
    this.note(error);
    if (error instanceof WebAssembly.RuntimeError) this.onFailure?.(error);
  }

  /** Stops at once after a failure inside the wasm: `shutDown` without calling into it. */
  halt() {
    this.failed = true;
    return this.shutDown();
  }

  note(error) {
    this.lastError = `${(error && error.message) || error}`;
  }

  tick() {
    if (this.state !== "running") return;
    this.exportPending();
    this.kick();
  }

  /** Takes the engine's deltas as outbox entries, their write (unless `store` is false)
   * started before this returns: `{ entries, stored }`, `stored` resolving whether it committed. */
  exportPending({ store = true } = {}) {
    const numbers = this.engine.exportTake(perf.now());
    if (numbers === undefined) return { entries: [], stored: Promise.resolve(true) };
    const points = decodePoints(numbers, this.engine.labels());
    const created = Date.now();
    const entries = encodeBodies(points, this.attributes, this.budget).map((b) => {
      const key = [created, this.session, this.seq];
      this.seq = (this.seq + 1) % 2 ** 32;
      return { key, body: b.json, points: b.points, attempts: 0, bytes: b.bytes };
    });
    const stored = store ? this.track(this.outbox.write(entries, [])) : Promise.resolve(false);
    if (this.lock.held) this.accept(entries);
    else if (store) stored.then((ok) => ok && this.channel?.postMessage("stored"));
    return { entries, stored };
  }

  /** Queues entries not queued yet; deletes those the bound drops. */
  accept(entries) {
    const fresh = entries.filter((e) => !this.entries.has(idOf(e.key)));
    if (fresh.length === 0) return;
    for (const e of fresh) this.entries.set(idOf(e.key), e);
    const keys = new Float64Array(fresh.flatMap((e) => e.key));
    const sizes = new Float64Array(fresh.flatMap((e) => [e.bytes ?? utf8Bytes(e.body), e.points, e.attempts]));
    const dropped = this.queue.add(keys, sizes);
    const deletes = [];
    for (let i = 0; i < dropped.length; i += 3) {
      const key = [dropped[i], dropped[i + 1], dropped[i + 2]];
      this.entries.delete(idOf(key));
      deletes.push(key);
    }
    if (deletes.length > 0) this.track(this.outbox.write([], deletes));
  }

  /** Queues what other tabs and earlier pages stored (their exit journals first); drops what a
   * page sent as it left. */
  async sync() {
    if (this.outbox.adopt) {
      const hides = journalled(this.dbName, this.session);
      if (hides.length > 0) {
        this.deliveredAtExit += await this.outbox.adopt(hides.flatMap((h) => readable(h.entries)));
        forget(hides.map((h) => h.key));
      }
    }
    const keys = await this.outbox.keys();
    const stored = await this.outbox.read(keys.filter((key) => !this.entries.has(idOf(key))));
    const sent = stored.filter((e) => e.sentAtExit !== undefined);
    if (sent.length > 0) {
      this.deliveredAtExit += sent.length;
      this.track(this.outbox.write([], sent.map((e) => e.key)));
    }
    this.accept(stored.filter((e) => e.sentAtExit === undefined));
  }

  /** Starts a drain unless one runs, a backoff wait is armed, or another tab drains. */
  kick() {
    if (this.state === "stopped" || !this.lock.held || this.draining || this.backoff !== null) return this.draining;
    this.draining = this.drain()
      .catch((error) => {
        this.failure(error);
        if (error instanceof WebAssembly.RuntimeError) this.shutDown();
      })
      .finally(() => {
        this.draining = null;
      });
    return this.draining;
  }

  /** Sends the outbox oldest first, one request at a time (a failing collector sees no burst,
   * and the app keeps its connections), until it is empty or a send fails. */
  async drain() {
    await this.sync();
    while (this.state !== "stopped" && (await this.lock.confirm())) {
      const next = this.queue.next();
      if (next === undefined) return;
      const entry = this.entries.get(idOf(next));
      if (entry === undefined) throw new Error("export: the outbox queue and its bodies disagree");
      if (this.settle(entry, await this.post(entry, false))) {
        this.armBackoff();
        return;
      }
    }
  }

  /** POSTs one body; `{ status, message }` with status 0 for a network error (a refused
   * keepalive and a CORS failure look the same). The answer is read to free the connection. */
  async post(entry, keepalive) {
    const headers = new Headers(this.headers);
    headers.set(BATCH_HEADER, batchId(entry.key));
    let response;
    try {
      response = await globalThis.fetch(this.url, { method: "POST", headers, body: entry.body, keepalive });
    } catch (error) {
      return { status: 0, message: `network error: ${(error && error.message) || error}` };
    }
    let detail = "";
    try {
      detail = (await response.text()).slice(0, DETAIL_CHARS).trim();
    } catch {
      // The status says enough.
    }
    return { status: response.status, message: `HTTP ${response.status} ${detail}`.trim() };
  }

  /** Applies an answer to the queue and the outbox; true if the body waits for a retry. */
  settle(entry, answer) {
    if (this.state === "stopped") return false;
    const [created, session, seq] = entry.key;
    const attempts = this.queue.settle(created, session, seq, answer.status);
    if (!(answer.status >= 200 && answer.status < 300)) this.lastError = answer.message;
    if (attempts < 0) return false;
    if (attempts === 0) {
      this.entries.delete(idOf(entry.key));
      this.track(this.outbox.write([], [entry.key]));
      return false;
    }
    entry.attempts = attempts;
    this.track(this.outbox.write([entry], []));
    return true;
  }

  armBackoff() {
    const delay = this.queue.retryDelay(Math.random());
    this.backoff = setTimeout(() => {
      this.backoff = null;
      this.guard(() => this.kick());
    }, delay);
  }

  cancelBackoff() {
    clearTimeout(this.backoff);
    this.backoff = null;
  }

  /** An outbox write, counted until it settles; resolves whether it committed (a failure
   * shows in `lastError`). */
  track(write) {
    const tracked = write.then(
      () => true,
      (error) => {
        this.note(error);
        return false;
      },
    );
    this.writes.add(tracked);
    tracked.then(() => this.writes.delete(tracked));
    return tracked;
  }

  /**
   * The page may be going away (the Profiler calls this with `why` "hidden" on
   * visibilitychange to hidden and "pagehide" on pagehide, after draining its recorder):
   * exports what is pending into the outbox (its write starts now, and a journal keeps it
   * should the page be gone first) and, when this exporter drains, sends the newest bodies
   * with `keepalive` at once, as many as the keepalive quota takes, marked `sentAtExit` when
   * they count as delivered should the page be gone before their answer. If the page stays,
   * the answers settle them as usual (a failed one waits for the next drain). At pagehide the
   * drain is let go, so the page may enter the back/forward cache.
   */
  pageHidden(why) {
    if (this.state !== "running") return;
    // At pagehide the page may be going into the back/forward cache, which evicts it when an
    // IndexedDB write it started completes there: its bodies go to the journal alone then,
    // moved in by the drainer, or by this page if it comes back.
    const shared = Boolean(this.outbox.adopt);
    const journalOnly = shared && why === "pagehide";
    const fresh = this.exportPending({ store: !journalOnly });
    const sends = [];
    if (this.lock.held) {
      const keys = this.queue.keepalive();
      for (let i = 0; i < keys.length; i += 3) sends.push(this.entries.get(idOf([keys[i], keys[i + 1], keys[i + 2]])));
    }
    let marked = [];
    let stored = fresh.stored;
    if (sends.length > 0 && this.queue.exitSendsDelivered(globalThis.navigator?.onLine !== false)) {
      const sentAtExit = Date.now();
      marked = sends.map((e) => ({ ...e, sentAtExit }));
      if (!journalOnly) {
        const written = this.track(this.outbox.write(marked, []));
        stored = Promise.all([stored, written]).then((all) => all.every(Boolean));
      }
    }
    if (shared) {
      // Should the page be gone before its writes commit: journalled, marks included.
      const journal = new Map(fresh.entries.map((e) => [idOf(e.key), e]));
      for (const e of marked) journal.set(idOf(e.key), e);
      const entries = [...journal.values()];
      const key = hold(this.dbName, this.session, this.hides++, entries);
      if (!journalOnly) stored.then((ok) => ok && forget([key]));
      else if (key === null) this.track(this.outbox.write(entries, [])); // no journal: IndexedDB it is
      else {
        this.parked.set(key, entries);
        this.channel?.postMessage("stored");
      }
    }
    for (const entry of sends) {
      this.post(entry, true).then((answer) => this.guard(() => this.settle(entry, answer)));
    }
    if (why === "pagehide") this.leave();
  }

  /** Lets the drain go (a held or requested Web Lock keeps a page out of the back/forward
   * cache); competes again if the page comes back from it. */
  leave() {
    this.lock.release();
    globalThis.addEventListener?.("pageshow", this.onReturn, { once: true });
  }

  /** Back from the back/forward cache: another tab may have drained meanwhile, so what this
   * exporter held is read from the outbox again once it drains. */
  onReturn = (event) =>
    this.guard(() => {
      if (!event.persisted || this.state !== "running") return;
      const keys = this.queue.forgetIdle();
      for (let i = 0; i < keys.length; i += 3) this.entries.delete(idOf([keys[i], keys[i + 1], keys[i + 2]]));
      this.unpark().finally(() => this.lock.resume());
    });

  /** Moves this page's exit journals into the outbox (unless another tab did: tombstones), its
   * keepalive sends unmarked (their answers reach this page now). */
  async unpark() {
    const keys = [...this.parked.keys()];
    const entries = [...this.parked.values()].flat().map(({ sentAtExit, ...e }) => e);
    this.parked.clear();
    if (keys.length === 0) return;
    try {
      await this.outbox.adopt(entries);
      forget(keys);
    } catch (error) {
      this.note(error); // the journals stay, for the next drainer
    }
  }

  /**
   * Exports what is pending and sends the outbox now, cancelling any backoff wait; resolves
   * with `stats()` once every body was tried or a send failed (the backoff is armed again).
   * An exporter that does not drain resolves once its bodies are stored for the one that does.
   */
  async flush() {
    if (this.state !== "running") return this.stopping || this.stats();
    this.exportPending();
    this.cancelBackoff();
    await this.sendNow();
    return this.stats();
  }

  async sendNow() {
    await Promise.all(this.writes);
    while (this.draining) await this.draining;
    await this.kick();
  }

  /**
   * Exports what is pending and tries to send the outbox once more (the engine is not used
   * after this call returns, so it may be freed at once); resolves with the final `stats()`
   * once the outbox writes committed. What the collector did not take stays in the outbox for
   * the next page, and another tab of the origin takes over the drain.
   */
  stop() {
    if (this.stopping) return this.stopping;
    if (this.final) return Promise.resolve(this.stats());
    clearInterval(this.timer);
    globalThis.removeEventListener?.("online", this.onOnline);
    try {
      this.exportPending();
    } catch (error) {
      this.note(error);
    }
    this.state = "stopping";
    this.cancelBackoff();
    this.stopping = this.sendNow()
      .catch((error) => this.note(error))
      .then(() => Promise.all(this.writes))
      .then(() => this.shutDown());
    return this.stopping;
  }

  /** Timers, listeners, the lock, the channel and the outbox go; the stats stay readable. */
  shutDown() {
    if (this.final) return this.final;
    clearInterval(this.timer);
    this.cancelBackoff();
    globalThis.removeEventListener?.("online", this.onOnline);
    globalThis.removeEventListener?.("pageshow", this.onReturn);
    this.state = "stopped";
    this.lock.release();
    this.channel?.close();
    this.outbox.close();
    this.final = this.stats();
    // A failed module is left alone, even by the glue's finalizer (detached, not freed).
    if (this.failed) this.queue.__destroy_into_raw();
    else this.queue.free();
    return this.final;
  }

  /** The counters (core `ExportStats`), whether this tab drains, and the last failure. */
  stats() {
    if (this.final) return { ...this.final };
    // Once the module failed (the profiler switched itself off), nothing is counted any more.
    const s = this.failed ? new Float64Array(7) : this.queue.stats();
    const out = {
      exportedPoints: s[0],
      requestsSent: s[1],
      requestsFailed: s[2],
      retries: s[3],
      dropped: s[4],
      rejected: s[5],
      outboxLen: s[6],
      deliveredAtExit: this.deliveredAtExit,
      drainer: this.lock.held,
    };
    if (this.lastError !== undefined) out.lastError = this.lastError;
    return out;
  }
}
