// The `<head>` snippet (docs/snippet.md) and its adoption by start(). The snippet measures a
// page's first requests, before the package's entry chunk has loaded: it wraps fetch and XHR
// minimally and queues each settled request raw in `self.__apiscope.q`. start() installs the
// real hooks, then adopts the queue: each queued request is filed once, requests still in
// flight are filed as they settle, and from then on the snippet's wrappers hand every call to
// the real hooks (a fetch captured before start() is still measured) without counting twice.

import { FETCH, XHR, failureOutcome, fetchSignal, fetchSite, httpOutcome, plausible, xhrOutcome } from "./hooks.js";

/**
 * The snippet's source. It runs as an inline classic script, so it refers to nothing outside
 * itself. docs/snippet.md holds its minified text; tests/e2e/snippet.test.mjs checks that the
 * two agree. Queue entries, one array per settled request (times are performance.now(),
 * `args` the arguments the app passed):
 *   fetch  [0, args, start, headers, status (-1: rejected), error]
 *   XHR    [1, open's args, send's args, start, headers, end, the event that ended it
 *          (0: re-opened before that event), status]
 * At most 1000 entries wait; more are counted in `x`. The originals are kept in `r`, the
 * wrappers in `w` (by name: fetch, open, send); adoption sets `h`, the functions the wrappers
 * call from then on, and replaces `q` with a sink that files each entry at once.
 */
export function snippet(scope, name) {
  if (scope[name]) return; // pasted twice: measured once
  var perf = scope.performance;
  var then = Promise.prototype.then;
  var state = (scope[name] = { q: [], x: 0, r: {}, w: {} });
  var queue = (entry) => (state.q[999] ? state.x++ : state.q.push(entry));
  var pending = new WeakMap();
  var wrap = (target, key, measure) => {
    var real = (state.r[key] = target[key]);
    if (real) {
      target[key] = state.w[key] = function () {
        return state.h ? state.h[key].apply(this, arguments) : measure(this, arguments, real);
      };
    }
  };
  // Times are the events' own, like the real hooks': the app's handlers that ran before ours
  // do not count. A terminal event when not DONE belongs to a request before this one.
  var listen = function (event) {
    var rec = pending.get(this);
    var ready = this.readyState;
    if (!rec) return; // a request of this instance that we do not watch
    if (event.type[0] === "r") {
      if (ready === 2) rec[4] = event.timeStamp;
      if (ready === 4) rec[5] = event.timeStamp;
    } else if (ready === 4) {
      pending.delete(this);
      rec[6] = event.type;
      rec[7] = this.status;
      queue(rec);
    }
  };

  wrap(scope, "fetch", (self, args, real) => {
    var start = perf.now();
    var promise = real.apply(self, args);
    then.call(
      promise,
      (response) => queue([0, args, start, perf.now(), (response || 0).status]),
      (error) => queue([0, args, start, perf.now(), -1, error]),
    );
    return promise;
  });
  if (scope.XMLHttpRequest) {
    var proto = scope.XMLHttpRequest.prototype;
    wrap(proto, "open", (self, args, real) => {
      // Re-opened before our listener saw the request end (status kept), or in flight (0).
      var before = pending.get(self);
      if (before && before[3]) (before[7] = self.readyState > 3 && self.status), pending.delete(self), queue(before);
      var result = real.apply(self, args);
      pending.set(self, [1, args, 0, 0, 0, 0, 0, 0]);
      return result;
    });
    wrap(proto, "send", (self, args, real) => {
      var rec = pending.get(self);
      if (rec && !rec[3]) {
        rec[2] = args;
        rec[3] = perf.now();
        for (var type of ["readystatechange", "load", "error", "abort", "timeout"]) {
          self.addEventListener(type, listen, true);
        }
      }
      return real.apply(self, args);
    });
  }
}

/** The global the snippet fills. */
const GLOBAL = "__apiscope";

/**
 * Adopts the snippet's queue, if the page has the snippet: call once `hooks` (installHooks on
 * `recorder`) are in place, synchronously, so no request falls between the two. Again after a
 * new installHooks (start() after stop()): the snippet then hands over to the new hooks.
 */
export function adoptSnippet(recorder, hooks, scope = globalThis) {
  const state = scope[GLOBAL];
  if (state === null || typeof state !== "object" || typeof state.w !== "object") return; // not the snippet
  // Where our hooks wrapped a snippet wrapper directly, they now skip it and the snippet hands
  // its callers to them; elsewhere the snippet passes through to what it wrapped.
  const handOver = {};
  for (const key of ["fetch", "open", "send"]) {
    const wrapper = state.w[key];
    if (wrapper) handOver[key] = hooks.bypass(wrapper, state.r[key]) || state.r[key];
  }
  state.h = handOver;
  const queued = state.q;
  state.q = { push: (entry) => file(hooks, entry) };
  recorder.dropped += state.x;
  state.x = 0;
  if (Array.isArray(queued)) for (const entry of queued) file(hooks, entry);
}

// Files one queue entry as the hooks would have; never throws into the snippet's handlers.
function file(hooks, e) {
  try {
    if (e[0] === 0 ? !hooks.fetch : !hooks.xhr) return;
    if (!hooks.sampled()) return;
    if (e[0] === 0) {
      const [, [input, init], start, headers, status, error] = e;
      const site = fetchSite(hooks.recorder, input, init);
      if (site === null) return;
      const outcome = status < 0 ? failureOutcome(fetchSignal(input, init), error) : httpOutcome(status);
      hooks.settle(FETCH, site, Math.max(0, status), outcome, start, headers, NaN);
    } else {
      const [, [method, url], sent, start, headers, end, ended, status] = e;
      const type = ended || (status ? "load" : "abort"); // re-opened before our listener saw the end
      const site = hooks.recorder.site(String(method).toUpperCase(), url, sent && sent[0]);
      if (site === null) return;
      // Event timeStamps, 0 where the event never came.
      const last = plausible(end, start, hooks.perf.now());
      const first = headers > 0 ? plausible(headers, start, last) : last;
      hooks.settle(XHR, site, type === "load" ? +status : 0, xhrOutcome(type, +status), start, first, last);
    }
  } catch {
    hooks.errors++;
  }
}
