// The fetch and XMLHttpRequest patches. The app must get back its own objects untouched: the
// wrappers return exactly what the originals returned and observe settlement on the side. Each
// settled request becomes one record in the recorder (numbers only; its (method, URL) pair is a
// call-site id, see sites.js). A failure inside the hooks is counted, never thrown into the app.

import { isOwnRequest } from "../lib/unmeasured.js";

// Transport and outcome codes of a record (engine.md §1).
export const FETCH = 0;
export const XHR = 1;
const OK = 0;
const HTTP_ERROR = 1;
const NETWORK_ERROR = 2;
const ABORTED = 3;
const TIMEOUT = 4;

// Captured once so that a page replacing Promise.prototype.then cannot see our side handlers.
const then = Promise.prototype.then;

// 2xx and 3xx (a 304 revalidation succeeded) are ok, and so is an opaque no-cors response (0).
export function httpOutcome(status) {
  return status === 0 || (status >= 200 && status < 400) ? OK : HTTP_ERROR;
}

// A fetch rejection: an aborted signal says why (its reason may be any value), else the error.
export function failureOutcome(signal, error) {
  const cause = signal && signal.aborted ? signal.reason : error;
  const name = cause && cause.name;
  if (name === "TimeoutError") return TIMEOUT;
  if (name === "AbortError" || (signal && signal.aborted)) return ABORTED;
  return NETWORK_ERROR;
}

// The XHR event that ended a request, as an outcome.
export function xhrOutcome(type, status) {
  if (type === "load") return httpOutcome(status);
  return type === "abort" ? ABORTED : type === "timeout" ? TIMEOUT : NETWORK_ERROR;
}

// The call site of a fetch, from a Request and/or an init object as fetch reads them (init
// wins). A Request's own body is never read.
export function fetchSite(recorder, input, init) {
  const request = input instanceof Request ? input : null;
  let method = request ? request.method : "GET";
  let body = null;
  if (init != null) {
    if (init.method !== undefined) method = String(init.method);
    body = init.body;
  }
  return recorder.site(method.toUpperCase(), request ? request.url : input, body);
}

// The signal that may abort a fetch, which tells an abort from a timeout.
export function fetchSignal(input, init) {
  if (init != null && init.signal != null) return init.signal;
  return input instanceof Request ? input.signal : null;
}

// A time taken from an event's timeStamp (performance.now()'s clock in current browsers),
// kept within [start, latest]; `latest` where it is not a plausible time at all.
export function plausible(time, start, latest) {
  return time > 0 && time <= latest ? Math.max(time, start) : latest;
}

// When an event happened: its own time, unaffected by listeners that ran before ours.
function eventTime(event, start, perf) {
  return plausible(event.timeStamp, start, perf.now());
}

// Replaces `target[key]` with a wrapper made by `wrap(patch)`; the wrapper calls
// `patch.original`, which `bypass` may change later (see snippet.js).
function patch(patches, target, key, wrap) {
  const p = { target, key, replaced: target[key], original: target[key], wrapper: null };
  p.wrapper = wrap(p);
  target[key] = p.wrapper;
  patches.push(p);
}

// Puts the original back unless someone wrapped ours meanwhile: then theirs stays, and ours is
// left as a pass-through (the hooks are inactive).
function restore(p) {
  if (p.target[p.key] === p.wrapper) p.target[p.key] = p.replaced;
}

class Hooks {
  constructor(recorder, sampleRate, perf) {
    this.recorder = recorder;
    this.perf = perf;
    this.sampleRate = sampleRate;
    this.active = true;
    this.errors = 0;
    this.patches = [];
    this.fetch = false;
    this.xhr = false;
  }

  /** Pass-through at once, for containment after an internal failure; nothing more is filed. */
  disable() {
    this.active = false;
  }

  /** Restores the originals exactly, or stays as pass-through where someone wrapped ours. */
  uninstall() {
    this.active = false;
    for (const p of this.patches) restore(p);
  }

  /**
   * `layer`, a wrapper our patch wrapped directly, passes through from now on: call `below`
   * (what it wraps) instead. Returns our wrapper, or null where we did not wrap `layer`.
   */
  bypass(layer, below) {
    for (const p of this.patches) {
      if (p.original === layer) {
        p.original = below;
        return p.wrapper;
      }
    }
    return null;
  }

  // Decided before any other work, so unsampled requests cost one Math.random.
  sampled() {
    return (
      this.active && !isOwnRequest() && (this.sampleRate >= 1 || Math.random() < this.sampleRate)
    );
  }

  /** Files a settled request, unless the hooks were switched off while it was in flight. */
  settle(transport, site, status, outcome, start, headers, end) {
    if (!this.active) return;
    try {
      this.recorder.push(transport, site, status, outcome, start, headers, end);
    } catch {
      this.errors++;
    }
  }

  hookFetch() {
    const hooks = this;
    const perf = this.perf;
    patch(this.patches, globalThis, "fetch", (p) => {
      // `input` only, so that `length` matches the native fetch; init and extras stay in `arguments`.
      return function fetch(input) {
        if (!hooks.sampled()) return p.original.apply(this, arguments);
        const start = perf.now();
        const promise = p.original.apply(this, arguments);
        try {
          hooks.watchFetch(promise, input, arguments[1], start);
        } catch {
          hooks.errors++;
        }
        return promise;
      };
    });
    this.fetch = true;
  }

  watchFetch(promise, input, init, start) {
    const perf = this.perf;
    const site = fetchSite(this.recorder, input, init);
    if (site === null) return;
    const signal = fetchSignal(input, init);
    // Neither handler can throw (settle contains its failures), so the derived promise always
    // fulfils: observing a rejection raises no unhandledrejection.
    then.call(
      promise,
      (response) => {
        const now = perf.now();
        let status = 0;
        try {
          status = response.status;
        } catch {
          this.errors++;
          return;
        }
        this.settle(FETCH, site, status, httpOutcome(status), start, now, NaN);
      },
      (error) => {
        const now = perf.now();
        let outcome = NETWORK_ERROR;
        try {
          outcome = failureOutcome(signal, error);
        } catch {
          this.errors++;
        }
        this.settle(FETCH, site, 0, outcome, start, now, NaN);
      },
    );
  }

  hookXhr() {
    const hooks = this;
    const perf = this.perf;
    const proto = globalThis.XMLHttpRequest.prototype;
    // Per instance: its request in progress; a WeakMap, so the app sees no new property.
    const pending = new WeakMap();

    // Files `rec`, which `type` (an event type) ended at `time`.
    function finish(rec, type, status, time) {
      const end = rec.end || time;
      hooks.settle(XHR, rec.site, status, xhrOutcome(type, status), rec.start, rec.headers || end, end);
    }

    // One listener for every event we need. Its times are the events' own (timeStamp), so the
    // app's handlers that ran before ours are not counted. readyState DONE is when the body
    // was complete (or the request failed); loadend would come after the app's load handlers.
    function onEvent(event) {
      const rec = pending.get(this);
      if (rec === undefined || rec.start < 0) return;
      try {
        const state = this.readyState;
        if (event.type === "readystatechange") {
          if (state >= 2 && rec.headers === 0) rec.headers = eventTime(event, rec.start, perf);
          if (state === 4 && rec.end === 0) rec.end = eventTime(event, rec.start, perf);
        } else if (state === 4) {
          // (Not DONE: the event of a request before this one, the app having re-opened the
          // instance from its own handler for that event.)
          pending.delete(this);
          finish(rec, event.type, event.type === "load" ? this.status : 0, eventTime(event, rec.start, perf));
        }
      } catch {
        hooks.errors++;
      }
    }
    const capture = { capture: true };
    const events = ["readystatechange", "load", "error", "abort", "timeout"];

    patch(this.patches, proto, "open", (p) => {
      return function open(method, url) {
        const before = pending.get(this);
        // Read before open() resets them: whether the request before this one had ended.
        const done = before !== undefined && this.readyState === 4;
        const status = done ? this.status : 0;
        const result = p.original.apply(this, arguments);
        try {
          if (before !== undefined) {
            pending.delete(this);
            // Re-opened from an app handler that ran before ours: that request had ended. Or
            // re-opened in flight: open() cancelled it, without any event.
            if (before.start >= 0) {
              const now = perf.now();
              const timedOut = this.timeout > 0 && now - before.start >= this.timeout;
              const type = !done ? "abort" : status > 0 ? "load" : timedOut ? "timeout" : "error";
              finish(before, type, status, now);
            }
          }
          if (hooks.sampled()) {
            pending.set(this, { method: String(method).toUpperCase(), url, site: null, start: -1, headers: 0, end: 0 });
          }
        } catch {
          hooks.errors++;
        }
        return result;
      };
    });

    patch(this.patches, proto, "send", (p) => {
      // No named parameter, so that `length` matches the native send.
      return function send() {
        const rec = pending.get(this);
        if (rec !== undefined && rec.start < 0 && hooks.active) {
          try {
            rec.site = hooks.recorder.site(rec.method, rec.url, arguments[0]);
            if (rec.site === null) {
              pending.delete(this);
            } else {
              for (const type of events) this.addEventListener(type, onEvent, capture);
              rec.start = perf.now();
            }
          } catch {
            pending.delete(this);
            hooks.errors++;
          }
        }
        try {
          return p.original.apply(this, arguments);
        } catch (error) {
          // A synchronous XHR that fails throws from send() and fires no event at all.
          if (rec !== undefined && pending.get(this) === rec && rec.start >= 0) {
            pending.delete(this);
            finish(rec, error && error.name === "TimeoutError" ? "timeout" : "error", 0, perf.now());
          }
          throw error;
        }
      };
    });
    this.xhr = true;
  }
}

/**
 * Installs the fetch and/or XHR hooks (where this global scope has them) writing into
 * `recorder`. `sampleRate` in (0, 1] is the share of requests observed, decided first.
 * Returns the handle: `fetch`/`xhr` (whether hooked), `errors` (failures contained), `active`,
 * `disable()`, `uninstall()`, and for snippet.js `bypass()`, `sampled()`, `settle()`. Throws
 * (with nothing left patched) if patching fails.
 */
export function installHooks(recorder, { fetch = true, xhr = true, sampleRate = 1 } = {}) {
  const hooks = new Hooks(recorder, sampleRate, globalThis.performance);
  try {
    if (fetch && typeof globalThis.fetch === "function") hooks.hookFetch();
    if (xhr && typeof globalThis.XMLHttpRequest === "function") hooks.hookXhr();
  } catch (error) {
    for (const p of hooks.patches) restore(p);
    throw error;
  }
  return hooks;
}
