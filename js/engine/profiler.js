// `Profiler`: the running profiler a page gets from `start()`. A JS class over the wasm
// `Engine` (src/api/engine): the engine decides (templating, windows, batching, alerts,
// retention), this class does the browser's part (timers, the store, page lifecycle, events)
// and keeps the no-loss contract:
//
// - every request the hooks saw is in the recorder, drained into the engine in bulk;
// - every sample the engine accepted is written to IndexedDB by size, age or priority, by
//   `flush()` and `stop()`, and on page exit (journalled synchronously to localStorage first,
//   since a transaction started while a page goes away may never commit);
// - any failure inside apiscope is contained: a trap or panic in the wasm switches the
//   profiler off (hooks pass through, timers stop, `stats().state === "failed"`, one `error`
//   event), and the page never sees an exception it did not cause.
import { decodePoints, otlpRequest, pageOrigin, resourceAttributes } from "./otlp.js";
import { boolean, func, named, number, options, string, typeError } from "../lib/errors.js";
import * as decode from "./decode.js";
import { Emitter, EVENT_NAMES } from "./events.js";
import { ruleArguments } from "./options.js";
import { forget, take } from "../loader/handover.js";
import { plainView } from "../lib/typed.js";
import { observeResources } from "./timing.js";
import { summarize } from "./history.js";

const ALERT_INTERVAL_MS = 1000;
/** Retention runs on this many alert ticks (about once a minute). */
const RETENTION_EVERY_TICKS = 60;
const perf = globalThis.performance;

const SAMPLE_KEYS = ["url", "route", "method", "status", "durationMs", "startTime", "ok", "bytes"];
const BATCH_KEYS = ["durationMs", "routes", "routeIndex", "methods", "status", "startTime"];
/** The symbol a ResponseCache takes its per-route latency source under (js/cache). */
const LATENCY = Symbol.for("apiscope.cache.latency");
/** Deliveries by their engine code; 0 (unknown) is also "every call" for `snapshot`'s filter. */
const DELIVERIES = ["any", "network", "cache", "worker", "unknown"];

/** `undefined`, or a positive finite number. */
function windowOption(method, opts, key = "windowMs") {
  const value = opts[key];
  if (value === undefined) return undefined;
  number(method, `options.${key}`, value);
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`${method}: options.${key}: must be a finite number > 0, got ${value}`);
  }
  return value;
}

function timeRange(method, opts) {
  const from = opts.from === undefined ? 0 : number(method, "options.from", opts.from);
  const to = opts.to === undefined ? Infinity : number(method, "options.to", opts.to);
  return { from, to };
}

/** The most elements one call hands to wasm: past it the copy could exhaust wasm memory. */
const MAX_LENGTH = 2 ** 24;

/** A plain typed array of `Type` (see lib/typed.js), or a TypeError naming `batch.<key>`. */
function typed(method, field, value, Type) {
  if (value === undefined) return undefined;
  const view = plainView(value, Type);
  if (view === null) throw typeError(method, field, `a ${Type.name}`, value);
  if (view.length > MAX_LENGTH) {
    throw new RangeError(`${method}: ${field}: must hold at most ${MAX_LENGTH} elements, got ${view.length}`);
  }
  return view;
}

/** Every element of `value` (holes too) is a string; a TypeError naming the first that is not. */
function strings(method, field, value) {
  for (let i = 0; i < value.length; i++) string(method, `${field}[${i}]`, value[i]);
  return value;
}

export class Profiler {
  /** Use `start()`; this wires up parts the loader and the engine chunk made. */
  constructor({ engine, store, recorder, hooks, resourceTiming, exporter, lifecycle, onFail, historyWasm }) {
    this.engine = engine;
    this.historyWasm = historyWasm;
    this.onFail = onFail;
    this.store = store;
    this.recorder = recorder;
    this.hooks = hooks;
    this.exporter = exporter || null;
    if (this.exporter) this.exporter.onFailure = (error) => this.fail(error);
    this.events = new Emitter();
    this.state = "running";
    this.failure = undefined;
    this.counters = { persistedDirectly: 0, flushes: 0, samplesWritten: 0, errors: 0, refused: 0, dropped: 0 };
    this.flushing = null; // the running flush loop's promise: flush() waits on it, never polls
    this.flushTimer = null;
    this.flushAt = Infinity;
    this.drainTimer = null;
    this.ticks = 0;
    this.cache = null; // a WeakRef to a watched ResponseCache

    recorder.onPending = () => {
      if (this.drainTimer === null && this.state === "running") {
        this.drainTimer = setTimeout(() => {
          this.drainTimer = null;
          this.ingest();
        }, 0);
      }
    };
    // Many new URLs settling in one task (a burst of requests answered at once) are taken
    // at once, so that their call sites never outnumber the engine's table.
    recorder.onFull = () => {
      if (this.state === "running") this.ingest();
    };
    this.ticker = setInterval(() => this.tick(), ALERT_INTERVAL_MS);
    this.timing = resourceTiming
      ? observeResources((numbers, strings) => {
          this.schedule(this.guard("instrument", () => this.engine.offerTimings(numbers, strings, perf.now()), NaN));
        }, recorder.startedAt)
      : null;
    this.lifecycle = lifecycle ? lifecycle((why) => this.onPageExit(why)) : null;
    // What arrived before the engine (the loader's buffer, the head snippet's queue).
    this.ingest();
    this.applyRetention();
  }

  // ───────────────────────────── containment ─────────────────────────────

  /**
   * Runs `fn`; a failure is contained: reported as an `error` event with `context`, and a
   * trap inside the wasm (a panic ends in one) switches the profiler off for good.
   */
  guard(context, fn, fallback) {
    if (this.state === "failed") return fallback;
    try {
      return fn();
    } catch (error) {
      this.contain(context, error);
      return fallback;
    }
  }

  /** A failure from `context`: a trap inside the wasm (a panic ends in one) switches the
   * profiler off for good; anything else is reported. */
  contain(context, error) {
    if (error instanceof WebAssembly.RuntimeError) this.fail(error);
    else this.report(context, error);
  }

  /** Switches everything off after an internal failure: hooks pass through, timers stop. */
  fail(error) {
    if (this.state === "failed") return;
    this.state = "failed";
    this.failure = `${error && error.name}: ${error && error.message}`;
    try {
      this.hooks?.disable();
      this.exporter?.halt();
    } catch {
      // Plain JS, never into the module; a failure here must not hide the original one.
    }
    this.stopTimers();
    this.onFail?.(this.failure);
    this.report("internal", error);
  }

  /** Throws the one clear Error public methods give once the profiler failed, and the
   * TypeError of a method called after `free()`. */
  live(method) {
    if (this.state === "failed") {
      throw new Error(`${method}: apiscope switched itself off after an internal failure (${this.failure})`);
    }
    if (this.state === "freed") throw new TypeError(`${method}: this Profiler was freed; start() a new one`);
  }

  /** Drains the recorder for a read: the read sees every call so far, and none runs on a
   * profiler the drain switched off. */
  ingested(method) {
    this.ingest();
    this.live(method);
  }

  /** Calls the engine for a public method: a wasm trap fails the profiler, and the caller
   * gets one clear Error instead of the trap; the core's RangeErrors name the method. */
  call(method, fn) {
    this.live(method);
    try {
      return fn();
    } catch (error) {
      throw this.thrown(method, error);
    }
  }

  /** What public method `method` throws for `error` (see `call`). */
  thrown(method, error) {
    if (error instanceof WebAssembly.RuntimeError) {
      this.fail(error);
      this.live(method);
    }
    return named(method, error);
  }

  /** Counts a contained problem and tells `error` listeners; never throws. */
  report(context, error) {
    this.counters.errors++;
    const message = error instanceof Error ? error.message : String(error);
    this.events.emit("error", { context, message });
  }

  // ───────────────────────────── intake ─────────────────────────────

  /** Drains the recorder into the engine (one crossing), then schedules a flush if due. */
  ingest() {
    if (this.state !== "running") return;
    // Entries the browser queued but has not delivered yet: a read right after a request
    // (or a flush) finds its call complete.
    this.timing?.take();
    const batch = take(this.recorder);
    this.counters.dropped += batch.dropped;
    if (batch.count === 0 && batch.siteIds.length === 0) return;
    const deadline = this.guard(
      "instrument",
      () => {
        const d = this.engine.ingest(batch.records, batch.siteIds, batch.sites, perf.now());
        this.counters.refused += this.engine.refused();
        // Sites whose slots newer ones took: the engine keeps their requests until the next
        // ingest, which lists the sites again (forget announces it).
        const unknown = this.engine.unknownSites();
        if (unknown.length > 0) forget(this.recorder, unknown);
        return d;
      },
      NaN,
    );
    this.schedule(deadline);
  }

  /** Acts on a flush deadline from the engine (perf time; NaN: none; -Infinity: now). */
  schedule(deadline) {
    if (this.state !== "running" || Number.isNaN(deadline)) return;
    if (deadline === -Infinity) return void this.startFlush();
    if (this.flushing || (this.flushTimer !== null && this.flushAt <= deadline)) return;
    clearTimeout(this.flushTimer);
    this.flushAt = deadline;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushAt = Infinity;
      this.startFlush();
    }, Math.max(0, deadline - perf.now()));
  }

  startFlush() {
    if (this.flushing) return this.flushing; // the running loop picks up what is due
    clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushAt = Infinity;
    this.flushing = this.flushDue().finally(() => {
      this.flushing = null;
      // What became due while the loop ran, or later (the next batch's age).
      this.scheduleNext("storage");
    });
    return this.flushing;
  }

  /** Schedules the engine's next flush deadline: after a flush loop, and after the alert
   * tick filed the calls whose entry wait ran out (one of which may have opened a new batch
   * whose age no one would otherwise time). */
  scheduleNext(context) {
    this.schedule(this.guard(context, () => this.engine.nextDeadline(), NaN));
  }

  /** Writes batches while the engine has one due; one write in flight at a time. */
  async flushDue() {
    for (;;) {
      const staged = this.guard("storage", () => this.engine.pollBatch(perf.now()) && this.takeBatch(), null);
      if (!staged) break;
      const { record, seq } = staged;
      const started = perf.now();
      let deadline;
      try {
        await this.write([record]);
        deadline = this.guard("storage", () => this.engine.batchDone(seq, perf.now() - started, perf.now()), NaN);
      } catch (error) {
        this.contain("storage", error);
        deadline = this.guard("storage", () => this.engine.batchFailed(seq, perf.now()), NaN);
      }
      if (deadline !== -Infinity) break;
    }
    this.tick();
  }

  /** The next staged batch as its record. */
  takeBatch() {
    const numbers = this.engine.nextBatch();
    return decode.batchRecord(numbers, this.engine.labels());
  }

  /** Every staged batch as records. */
  takeBatches(count) {
    const out = [];
    for (let i = 0; i < count; i++) out.push(this.takeBatch().record);
    return out;
  }

  async write(records) {
    await this.store.putBatches(records);
    const samples = records.reduce((sum, r) => sum + r.count, 0);
    this.counters.flushes++;
    this.counters.samplesWritten += samples;
    this.events.emit("flush", { samples });
    return samples;
  }

  /** Hidden or unloading: journal synchronously, then write; the journal entry goes once the
   * write commits (the store removes it). */
  onPageExit(why) {
    if (this.state !== "running") return;
    this.ingest();
    // After the drain above, so the export takes those requests too.
    if (this.exporter) this.guard("export", () => this.exporter.pageHidden(why));
    const count = this.guard("storage", () => this.engine.drainBatches(perf.now()), 0);
    if (count === 0) return;
    const records = this.guard("storage", () => this.takeBatches(count), []);
    this.store.journal(records);
    this.store.putBatches(records).then(
      () => {
        const samples = records.reduce((sum, r) => sum + r.count, 0);
        this.counters.persistedDirectly += samples;
        this.counters.flushes++;
        this.counters.samplesWritten += samples;
        this.store.unjournal(records);
      },
      (error) => this.contain("storage", error),
    );
  }

  /** Evaluates alerts; now and then applies retention. */
  tick() {
    if (this.state !== "running") return;
    this.ingest();
    const cache = this.cache && this.cache.deref();
    let hitRate = NaN;
    if (cache) {
      try {
        const rate = cache.stats().hitRate;
        if (typeof rate === "number") hitRate = rate;
      } catch (error) {
        this.report("alerts", error);
      }
    }
    const events = this.guard("alerts", () => {
      const numbers = this.engine.evaluateAlerts(perf.now(), hitRate);
      return numbers ? decode.alertEvents(numbers, this.engine.labels()) : null;
    });
    // Evaluating first files the calls whose entry wait ran out.
    this.scheduleNext("alerts");
    if (events) {
      for (const event of events) this.events.emit(event.kind === "fired" ? "alert" : "resolved", event);
      if (events.length > 0) this.store.putAlerts(events).catch((error) => this.report("alerts", error));
    }
    this.ticks++;
    if (this.ticks % RETENTION_EVERY_TICKS === 0) this.applyRetention();
  }

  applyRetention() {
    this.store.applyRetention(Date.now()).catch((error) => this.contain("retention", error));
  }

  stopTimers() {
    clearInterval(this.ticker);
    clearTimeout(this.flushTimer);
    clearTimeout(this.drainTimer);
    this.flushTimer = null;
    this.drainTimer = null;
    this.timing?.disconnect();
    this.timing = null;
    this.lifecycle?.remove();
    this.lifecycle = null;
  }

  // ───────────────────────────── recording ─────────────────────────────

  /** Records one call the app measured itself; a bad sample throws, naming the field. */
  record(sample) {
    const m = "Profiler.record";
    this.live(m);
    const s = options(m, "sample", sample, SAMPLE_KEYS);
    if (sample === undefined || sample === null) throw typeError(m, "sample", "an object", sample);
    const duration = number(m, "durationMs", s.durationMs);
    let route;
    let url;
    if (s.route !== undefined) route = string(m, "route", s.route);
    else if (s.url !== undefined) url = absoluteUrl(m, string(m, "url", s.url));
    else throw new TypeError(`${m}: route: a sample needs a route or a url`);
    const method = s.method === undefined ? "GET" : string(m, "method", s.method).toUpperCase();
    const status = s.status === undefined ? undefined : integer(m, "status", s.status, 0, 999);
    const start = s.startTime === undefined ? Date.now() - duration : number(m, "startTime", s.startTime);
    const ok = s.ok === undefined ? status === undefined || (status >= 200 && status < 400) : boolean(m, "ok", s.ok);
    const bytes = s.bytes === undefined ? undefined : integer(m, "bytes", s.bytes, 0, 2 ** 32 - 1);
    // Every field checked: only now may the engine learn the URL's route.
    const deadline = this.call(m, () =>
      this.engine.record(start, duration, method, route ?? this.engine.routeOf(url), status ?? 0, ok, bytes, perf.now()),
    );
    this.schedule(deadline);
  }

  /** Records many calls in one crossing; everything is checked first. */
  recordMany(batch) {
    const m = "Profiler.recordMany";
    this.live(m);
    if (batch === undefined || batch === null) throw typeError(m, "batch", "an object", batch);
    const b = options(m, "batch", batch, BATCH_KEYS);
    const durations = typed(m, "batch.durationMs", b.durationMs, Float64Array);
    if (!durations) throw typeError(m, "batch.durationMs", "a Float64Array", undefined);
    if (!Array.isArray(b.routes) || b.routes.length === 0) {
      throw typeError(m, "batch.routes", "a non-empty array of strings", b.routes);
    }
    strings(m, "batch.routes", b.routes).forEach((r, i) => {
      if (r.includes("\n")) throw new RangeError(`${m}: batch.routes[${i}]: must not contain a line break`);
    });
    let methods;
    if (b.methods !== undefined) {
      if (!Array.isArray(b.methods)) throw typeError(m, "batch.methods", "an array of strings", b.methods);
      methods = strings(m, "batch.methods", b.methods).join("\n");
    }
    const deadline = this.call(m, () =>
      this.engine.recordMany(
        durations,
        typed(m, "batch.startTime", b.startTime, Float64Array),
        typed(m, "batch.status", b.status, Uint16Array),
        typed(m, "batch.routeIndex", b.routeIndex, Uint32Array),
        b.routes.join("\n"),
        methods,
        perf.now(),
      ),
    );
    this.schedule(deadline);
  }

  /** Times `fn` as a sample of route `name` (method `FN`); returns what `fn` returns. */
  measure(name, fn) {
    const m = "Profiler.measure";
    this.live(m);
    string(m, "name", name);
    func(m, "fn", fn);
    const started = Date.now();
    const startedPerf = perf.now();
    const settle = (ok) => {
      if (this.state !== "running") return;
      const duration = perf.now() - startedPerf;
      this.guard("measure", () => this.schedule(this.engine.record(started, duration, "FN", name, 0, ok, undefined, perf.now())));
    };
    let result;
    try {
      result = fn();
    } catch (error) {
      settle(false);
      throw error;
    }
    if (result && typeof result.then === "function") {
      // Observe settlement on the side; the caller gets the very same promise.
      Promise.prototype.then.call(result, () => settle(true), () => settle(false));
    } else {
      settle(true);
    }
    return result;
  }

  // ───────────────────────────── live figures ─────────────────────────────

  snapshot(opts) {
    const m = "Profiler.snapshot";
    this.live(m);
    const o = options(m, "options", opts, ["windowMs", "delivery"]);
    const window = windowOption(m, o);
    let delivery = 0;
    if (o.delivery !== undefined) {
      string(m, "options.delivery", o.delivery);
      delivery = DELIVERIES.indexOf(o.delivery);
      if (delivery < 1) {
        throw new RangeError(`${m}: options.delivery: must be one of network, cache, worker, unknown, got ${JSON.stringify(o.delivery)}`);
      }
    }
    return this.call(m, () => {
      this.ingested(m);
      const numbers = this.engine.snapshot(perf.now(), window ?? NaN, delivery);
      return decode.snapshot(numbers, this.engine.labels());
    });
  }

  histogram(method, route, opts) {
    const m = "Profiler.histogram";
    this.live(m);
    string(m, "method", method);
    string(m, "route", route);
    const window = windowOption(m, options(m, "options", opts, ["windowMs"])) ?? 3_600_000;
    return this.call(m, () => {
      this.ingested(m);
      return decode.buckets(this.engine.histogram(method, route, perf.now(), window));
    });
  }

  timeline(method, route, opts) {
    const m = "Profiler.timeline";
    this.live(m);
    string(m, "method", method);
    string(m, "route", route);
    const o = options(m, "options", opts, ["windowMs", "stepMs"]);
    const window = windowOption(m, o) ?? 300_000;
    const step = windowOption(m, o, "stepMs") ?? 10_000;
    return this.call(m, () => {
      this.ingested(m);
      return decode.timeline(this.engine.timeline(method, route, perf.now(), window, step));
    });
  }

  slowCalls(method, route) {
    const m = "Profiler.slowCalls";
    this.live(m);
    string(m, "method", method);
    string(m, "route", route);
    return this.call(m, () => {
      this.ingested(m);
      const numbers = this.engine.slowCalls(method, route, perf.now());
      return decode.slowCalls(numbers, this.engine.labels(), method.toUpperCase(), route);
    });
  }

  breakdown(method, route) {
    const m = "Profiler.breakdown";
    this.live(m);
    string(m, "method", method);
    string(m, "route", route);
    return this.call(m, () => {
      this.ingested(m);
      return decode.breakdownMeans(this.engine.breakdown(method, route));
    });
  }

  // ───────────────────────────── history ─────────────────────────────

  async query(opts) {
    const m = "Profiler.query";
    this.live(m);
    const o = options(m, "options", opts, ["route", "from", "to"]);
    const { from, to } = timeRange(m, o);
    const glob = o.route === undefined ? "" : string(m, "options.route", o.route);
    const records = await this.store.readRange(from, to);
    this.live(m);
    // A record that does not decode is skipped, not fatal; a trap of the history part
    // switches the profiler off, as the engine's does.
    const onCorrupt = () => this.store.countCorrupt?.(1);
    try {
      return await summarize(records, { from, to, glob, source: this.historyWasm, onCorrupt });
    } catch (error) {
      throw this.thrown(m, error);
    }
  }

  async samples(opts) {
    const m = "Profiler.samples";
    this.live(m);
    const o = options(m, "options", opts, ["from", "to", "limit", "cursor"]);
    const { from, to } = timeRange(m, o);
    const limit = o.limit === undefined ? 1000 : integer(m, "options.limit", o.limit, 1, 1e6);
    const cursor = o.cursor === undefined ? undefined : string(m, "options.cursor", o.cursor);
    try {
      return await this.store.readSamples({ from, to, limit, cursor });
    } catch (error) {
      throw named(m, error);
    }
  }

  async alerts(opts) {
    const m = "Profiler.alerts";
    this.live(m);
    const { from, to } = timeRange(m, options(m, "options", opts, ["from", "to"]));
    return this.store.readAlerts(from, to);
  }

  // ───────────────────────────── lifecycle ─────────────────────────────

  /** Writes every recorded sample; resolves once IndexedDB committed them, with how many
   * were waiting (buffered or being written) when it was called. */
  async flush() {
    const m = "Profiler.flush";
    this.live(m);
    this.ingested(m);
    const waiting = this.call(m, () => this.engine.stats()[1]);
    // Let a running write finish first, so no batch is both in flight and drained.
    while (this.flushing) await this.flushing;
    const count = this.call(m, () => this.engine.drainBatches(perf.now()));
    if (count === 0) return { persisted: waiting };
    const records = this.call(m, () => this.takeBatches(count));
    try {
      const samples = await this.write(records);
      this.counters.persistedDirectly += samples;
      return { persisted: waiting };
    } catch (error) {
      // The engine handed these off: keep them in the journal for the next start.
      this.store.journal(records);
      this.report("storage", error);
      throw error;
    }
  }

  stats() {
    const m = "Profiler.stats";
    if (this.state === "freed") this.live(m);
    const e = this.state === "failed" ? new Float64Array(8) : this.call(m, () => this.engine.stats());
    const c = this.counters;
    const storage = this.store.state();
    const store = this.store.stats();
    const out = {
      state: this.state,
      accepted: e[0],
      buffered: e[1],
      persisted: e[2] + c.persistedDirectly,
      dropped: e[3] + c.dropped + this.recorder.dropped,
      flushes: c.flushes,
      retries: e[4],
      meanBatchSize: c.flushes === 0 ? 0 : c.samplesWritten / c.flushes,
      batchSize: e[5],
      overflow: e[7],
      refused: c.refused,
      storage: storage.storage,
      errors: c.errors + this.events.listenerErrors + (this.hooks ? this.hooks.errors : 0),
      journalReplayed: store.journalReplayed,
      quotaErrors: store.quotaErrors,
    };
    if (storage.reason !== undefined) out.storageReason = storage.reason;
    if (this.failure !== undefined) out.failure = this.failure;
    if (this.exporter) out.export = this.exporter.stats();
    return out;
  }

  async clear() {
    const m = "Profiler.clear";
    this.live(m);
    this.call(m, () => this.engine.clear());
    await this.store.clear();
  }

  /** Unhooks fetch/XHR, stops timers and listeners, writes everything recorded. */
  async stop() {
    const m = "Profiler.stop";
    this.live(m);
    if (this.state === "stopped") return { persisted: 0 };
    this.ingest();
    this.hooks?.uninstall();
    this.hooks = null;
    this.stopTimers();
    const written = await this.flush();
    this.state = "stopped";
    this.store.close();
    // What the collector does not take now stays in the outbox for the next start.
    if (this.exporter) await this.exporter.stop();
    return written;
  }

  on(event, callback) {
    const m = "Profiler.on";
    this.live(m);
    string(m, "event", event);
    if (!EVENT_NAMES.includes(event)) {
      throw new RangeError(`${m}: event: must be one of ${EVENT_NAMES.join(", ")}, got ${JSON.stringify(event)}`);
    }
    func(m, "callback", callback);
    return this.events.on(event, callback);
  }

  addAlert(rule) {
    const m = "Profiler.addAlert";
    this.live(m);
    const args = ruleArguments(rule, "rule", m);
    this.call(m, () => {
      try {
        this.engine.addAlert(...args);
      } catch (error) {
        // The core names the rule's field; say it is the rule's.
        if (error instanceof RangeError) throw new RangeError(`rule.${error.message}`);
        throw error;
      }
    });
  }

  removeAlert(name) {
    const m = "Profiler.removeAlert";
    this.live(m);
    string(m, "name", name);
    return this.call(m, () => this.engine.removeAlert(name));
  }

  rules() {
    const m = "Profiler.rules";
    this.live(m);
    return this.call(m, () => decode.rules(this.engine.rules(), this.engine.labels()));
  }

  /** Lets `cacheHitRate` rules watch `cache`'s hit rate, and gives the cache this profiler's
   * per-route latency for its time-saved figure. The cache is not kept alive. */
  watchCache(cache) {
    const m = "Profiler.watchCache";
    this.live(m);
    if (cache === null || typeof cache !== "object" || typeof cache.stats !== "function") {
      throw typeError(m, "cache", "a ResponseCache", cache);
    }
    this.cache = new WeakRef(cache);
    if (typeof cache[LATENCY] === "function") {
      const engine = new WeakRef(this);
      cache[LATENCY]((method, url) => {
        const self = engine.deref();
        if (!self || self.state !== "running") return undefined;
        return self.guard("cache", () => {
          const value = self.engine.typicalLatency(method, self.engine.routeOf(url), perf.now(), 300_000);
          return Number.isNaN(value) ? undefined : value;
        });
      });
    }
  }

  /** The live per-route histograms of the last `windowMs` (default 1 h) as one OTLP/HTTP JSON
   * request object: what `export` sends, for downloads or a collector the app talks to. */
  exportOtlp(opts) {
    const m = "Profiler.exportOtlp";
    this.live(m);
    const window = windowOption(m, options(m, "options", opts, ["windowMs"])) ?? 3_600_000;
    return this.call(m, () => {
      this.ingested(m);
      const points = decodePoints(this.engine.exportPoints(perf.now(), window), this.engine.labels());
      return otlpRequest(points, resourceAttributes(pageOrigin()));
    });
  }

  /** Releases the engine's wasm memory; call `stop()` first. Idempotent. */
  free() {
    if (this.state === "freed") return;
    this.stopTimers();
    this.hooks?.uninstall();
    this.hooks = null;
    const failed = this.state === "failed";
    this.state = "freed";
    // A failed module is never called again, not even by the glue's finalizer: its memory is
    // in whatever state the trap left it (`__destroy_into_raw` detaches without freeing).
    if (failed) this.engine.__destroy_into_raw();
    else this.engine.free();
  }

  [Symbol.dispose]() {
    this.free();
  }
}

function integer(method, field, value, min, max) {
  number(method, field, value);
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`${method}: ${field}: must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** `url` made absolute against the page (or worker) location, as fetch would. */
function absoluteUrl(method, url) {
  if (url.startsWith("https://") || url.startsWith("http://")) return url;
  try {
    return new URL(url, globalThis.location && globalThis.location.href).href;
  } catch {
    throw new RangeError(`${method}: url: must be a URL, got ${JSON.stringify(url)}`);
  }
}
