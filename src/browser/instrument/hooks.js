// The fetch and XMLHttpRequest patches. They live in JS because a prototype method needs `this`
// and because the app must get back its own objects untouched: the wrappers return exactly what
// the originals returned and observe settlement on the side. Rust sees one call per settled
// request, with numbers only, through one long-lived callback: the request's (method, URL)
// pair crosses as a call-site id, its strings only the first time (`Shim.siteOf`).

// Transport and outcome codes; mirrored by `Transport::from_code` and `Outcome::from_code`.
const FETCH = 0;
const XHR = 1;
const OK = 0;
const HTTP_ERROR = 1;
const NETWORK_ERROR = 2;
const ABORTED = 3;
const TIMEOUT = 4;

const perf = globalThis.performance;
// Captured once so that a page replacing Promise.prototype.then cannot see our side handlers.
const then = Promise.prototype.then;

function httpOutcome(status) {
  return status === 0 || (status >= 200 && status < 300) ? OK : HTTP_ERROR;
}

// A fetch rejection: an aborted signal says why (its reason may be any value), else the error.
function failureOutcome(signal, error) {
  const cause = signal && signal.aborted ? signal.reason : error;
  const name = cause && cause.name;
  if (name === "TimeoutError") return TIMEOUT;
  if (name === "AbortError" || (signal && signal.aborted)) return ABORTED;
  return NETWORK_ERROR;
}

function isAbsolute(raw) {
  return raw.startsWith("https://") || raw.startsWith("http://");
}

// What relative URLs resolve against: the document base, or a worker's location.
function baseUri() {
  const doc = globalThis.document;
  return doc ? doc.baseURI : globalThis.location.href;
}

// Parses the URL as fetch and XHR would. The common absolute string skips the base (half
// the parsing cost), and a URL object needs no parsing at all.
function parseUrl(raw) {
  if (raw instanceof URL) return raw;
  if (typeof raw === "string" && isAbsolute(raw)) return new URL(raw);
  return new URL(raw, baseUri());
}

// A URL string that needs no parsing: http(s), a lowercase host name, an optional port, then
// printable ASCII without `\\` (read as `/`) or `@` (credentials). Anything else — IPv6,
// uppercase hosts, non-ASCII, relative URLs — is parsed for real.
const PLAIN_URL = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?(?:[\/?#][\x21-\x3f\x41-\x5b\x5d-\x7e]*)?$/;

function isPlainAbsolute(raw) {
  return PLAIN_URL.test(raw);
}

// Where the path ends: at the query or the fragment, whichever comes first.
function pathEnd(raw) {
  const query = raw.indexOf("?");
  const fragment = raw.indexOf("#");
  if (query < 0) return fragment < 0 ? raw.length : fragment;
  return fragment < 0 ? query : Math.min(query, fragment);
}

// Replaces `target[key]` (which was `original`) with `wrapper`; returns what `restore` needs.
function patch(target, key, original, wrapper) {
  target[key] = wrapper;
  return { target, key, original, wrapper };
}

// Puts the original back unless someone wrapped ours meanwhile: then theirs stays, and ours is
// left as a pass-through (the shim is inactive).
function restore(p) {
  if (p.target[p.key] === p.wrapper) p.target[p.key] = p.original;
}

/** One installation: options, the Rust callbacks, the patches it made and its error count. */
export class Shim {
  constructor(sampleRate, prefixes, patterns, report, register, capacity) {
    this.active = true;
    this.sampleRate = sampleRate;
    this.prefixes = prefixes;
    this.patterns = patterns;
    this.report = report;
    this.register = register;
    this.errors = 0;
    this.patches = [];
    // Call sites: method -> URL as the app gave it -> { id, method, url } (or null when not
    // observed). Absolute URLs key `sites`; relative strings key `relativeSites`, which holds
    // only while the base they resolve against (`relativeBase`) stays the same. Ids count up
    // (mod 2^32); Rust keeps site `id` in slot `id % capacity`, so at most `capacity` keys are
    // kept here before both maps start over.
    this.sites = new Map();
    this.relativeSites = new Map();
    this.relativeBase = "";
    this.siteCount = 0;
    this.nextSite = 0;
    this.capacity = capacity;
  }

  /** Patches what is asked for and exists; returns [fetchHooked, xhrHooked]. Throws on failure, undone. */
  install(fetch, xhr) {
    try {
      const fetchHooked = fetch && typeof globalThis.fetch === "function";
      if (fetchHooked) this.hookFetch();
      const xhrHooked = xhr && typeof globalThis.XMLHttpRequest === "function";
      if (xhrHooked) this.hookXhr();
      return [fetchHooked, xhrHooked];
    } catch (error) {
      this.uninstall();
      throw error;
    }
  }

  uninstall() {
    this.active = false;
    this.report = null;
    this.register = null;
    this.forgetSites();
    for (const p of this.patches) restore(p);
    this.patches = [];
  }

  // Decided before any other work, so unsampled requests cost one Math.random.
  sampled() {
    return this.active && (this.sampleRate >= 1 || Math.random() < this.sampleRate);
  }

  // The absolute http(s) URL without credentials, query or fragment; null when the request is
  // not an API call (data:, blob:) or an ignore rule matches its full absolute URL.
  target(raw) {
    // Most calls pass a plain absolute URL string: cut it without parsing (URL parsing was
    // half the hook's cost). Anything unusual (credentials, spaces, non-ASCII, backslashes,
    // relative URLs, URL and Request objects) takes the parsing path below.
    if (typeof raw === "string" && isPlainAbsolute(raw)) {
      return this.ignored(raw) ? null : raw.slice(0, pathEnd(raw));
    }
    const url = parseUrl(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return this.ignored(url.href) ? null : url.origin + url.pathname;
  }

  ignored(href) {
    for (const prefix of this.prefixes) if (href.startsWith(prefix)) return true;
    for (const pattern of this.patterns) {
      pattern.lastIndex = 0; // a global or sticky RegExp would otherwise remember the last match
      if (pattern.test(href)) return true;
    }
    return false;
  }

  // The call site `{ id, method, url }` of a request, registered with Rust when new; null
  // when the request is not observed. A repeated call costs two Map lookups: no parsing, no
  // ignore rules, no string for Rust.
  siteOf(method, input) {
    let sites = this.sites;
    let key = input;
    if (typeof input !== "string") {
      key = input instanceof URL ? input.href : parseUrl(input).href;
    } else if (!isAbsolute(input)) {
      // A relative URL means something else once history.pushState or a <base> moves the base.
      const base = baseUri();
      if (base !== this.relativeBase) {
        this.relativeBase = base;
        for (const byKey of this.relativeSites.values()) this.siteCount -= byKey.size;
        this.relativeSites.clear();
      }
      sites = this.relativeSites;
    }
    let byKey = sites.get(method);
    let site = byKey === undefined ? undefined : byKey.get(key);
    if (site !== undefined) return site;
    const url = this.target(input);
    if (this.siteCount >= this.capacity) {
      this.forgetSites();
      byKey = undefined;
    }
    if (byKey === undefined) sites.set(method, (byKey = new Map()));
    site = null;
    if (url !== null) {
      site = { id: this.nextSite, method, url };
      this.nextSite = (site.id + 1) >>> 0;
      this.register(site.id, method, url);
    }
    byKey.set(key, site);
    this.siteCount++;
    return site;
  }

  forgetSites() {
    this.sites.clear();
    this.relativeSites.clear();
    this.siteCount = 0;
  }

  settle(transport, site, status, outcome, start, end) {
    const report = this.report;
    if (report === null) return; // uninstalled while the request was in flight
    try {
      // False: Rust gave the id's slot to a newer site meanwhile; tell it again.
      if (!report(transport, site.id, status, outcome, start, end)) {
        this.register(site.id, site.method, site.url);
        report(transport, site.id, status, outcome, start, end);
      }
    } catch {
      this.errors++;
    }
  }

  hookFetch() {
    const shim = this;
    const original = globalThis.fetch;
    // `input` only, so that `length` matches the native fetch; init and extras stay in `arguments`.
    function fetch(input) {
      if (!shim.sampled()) return original.apply(this, arguments);
      const start = perf.now();
      const promise = original.apply(this, arguments);
      try {
        shim.watchFetch(promise, input, arguments[1], start);
      } catch {
        shim.errors++;
      }
      return promise;
    }
    this.patches.push(patch(globalThis, "fetch", original, fetch));
  }

  watchFetch(promise, input, init, start) {
    const request = input instanceof Request ? input : null;
    let method = request ? request.method.toUpperCase() : "GET";
    let signal = request ? request.signal : null;
    if (init != null) {
      if (init.method !== undefined) method = String(init.method).toUpperCase();
      if (init.signal != null) signal = init.signal;
    }
    const site = this.siteOf(method, request ? request.url : input);
    if (site === null) return;
    // Both handlers swallow their own failures, so the derived promise always fulfils.
    then.call(
      promise,
      (response) => {
        try {
          const status = response.status;
          this.settle(FETCH, site, status, httpOutcome(status), start, perf.now());
        } catch {
          this.errors++;
        }
      },
      (error) => {
        try {
          const outcome = failureOutcome(signal, error);
          this.settle(FETCH, site, 0, outcome, start, perf.now());
        } catch {
          this.errors++;
        }
      },
    );
  }

  hookXhr() {
    const shim = this;
    const proto = globalThis.XMLHttpRequest.prototype;
    // Per instance: { site, start, headers }; a WeakMap, so the app sees no new property.
    const pending = new WeakMap();

    function onReadyStateChange() {
      const rec = pending.get(this);
      if (rec !== undefined && rec.headers === 0 && this.readyState >= 2) rec.headers = perf.now();
    }
    function onEnd(event) {
      const rec = pending.get(this);
      if (rec === undefined || rec.start < 0) return;
      pending.delete(this);
      try {
        const end = rec.headers || perf.now(); // synchronous XHR has no HEADERS_RECEIVED event
        const type = event.type;
        const status = type === "load" ? this.status : 0;
        const outcome =
          type === "load" ? httpOutcome(status)
          : type === "abort" ? ABORTED
          : type === "timeout" ? TIMEOUT
          : NETWORK_ERROR;
        shim.settle(XHR, rec.site, status, outcome, rec.start, end);
      } catch {
        shim.errors++;
      }
    }
    // Capturing listeners at the target run before the app's own, so an app that re-opens the
    // same instance from its load handler cannot replace the record before we read it.
    const capture = { capture: true };
    const events = ["load", "error", "abort", "timeout"];

    const originalOpen = proto.open;
    function open(method, url) {
      const result = originalOpen.apply(this, arguments);
      pending.delete(this); // a re-opened instance starts a new request
      if (shim.sampled()) {
        try {
          const site = shim.siteOf(String(method).toUpperCase(), url);
          if (site !== null) {
            const rec = { site, start: -1, headers: 0 };
            pending.set(this, rec);
          }
        } catch {
          shim.errors++;
        }
      }
      return result;
    }
    this.patches.push(patch(proto, "open", originalOpen, open));

    const originalSend = proto.send;
    function send() {
      const rec = pending.get(this);
      if (rec !== undefined && rec.start < 0 && shim.active) {
        try {
          this.addEventListener("readystatechange", onReadyStateChange, capture);
          for (const type of events) this.addEventListener(type, onEnd, capture);
          rec.start = perf.now();
        } catch {
          shim.errors++;
        }
      }
      return originalSend.apply(this, arguments);
    }
    this.patches.push(patch(proto, "send", originalSend, send));
  }
}
