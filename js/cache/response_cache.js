// `ResponseCache`: a `fetch` look-alike that answers repeated GETs from memory (and, opted in,
// from disk across reloads), shares concurrent identical calls, serves stale while refreshing,
// and reports how each answer was served and the time the cache saved.
//
// The decisions are the wasm `ResponsePolicy`'s (src/core/cache/response_policy.rs): the plan
// and key of each request, whether and how long an answer is kept and whether it may go to
// disk, the counts and the time saved. This file fetches, reads bodies, and keeps them: in a
// `Cache` (memory) and a `PersistedResponses` (Cache Storage).
//
// Safety net: an internal failure (reading headers, rebuilding a response) falls back to a
// plain network fetch, so the app sees exactly what `fetch` would give. Only the `Request`
// constructor's own error (bad input) and network errors reach the app, as with `fetch`.
import { ResponsePolicy } from "../../pkg/cache/apiscope_cache.js";
import { boolean, func, named, number, options as checkOptions, string, typeError } from "../lib/errors.js";
import { createCache, freed, LOOKUP } from "./cache.js";
import { now } from "./clock.js";
import { ready } from "./part.js";
import { PersistedResponses } from "./persisted.js";
import { StoredResponse } from "./stored_response.js";

/**
 * `cache[LATENCY](typical)`: hands the cache a `(method, url) => number | undefined` giving a
 * route's typical network latency in ms (a profiler's), used for `savedMs` before its own.
 */
export const LATENCY = Symbol.for("apiscope.cache.latency");

const METHOD = "new ResponseCache";
const CACHE_OPTIONS = ["maxEntries", "maxBytes", "ttlMs", "staleWhileRevalidateMs", "policy"];
const OPTIONS = [...CACHE_OPTIONS, "onResult", "persist", "routes"];
const PERSIST_OPTIONS = ["maxBytes", "maxEntries", "name", "authorized"];
const DISPOSE = Symbol.dispose ?? Symbol.for("Symbol.dispose");

// Outcome codes, as src/core/cache/outcome.rs numbers them.
const HIT = 0;
const MISS = 1;
const STALE = 2;
const BYPASS = 3;
const ERROR = 4;
const OUTCOMES = ["hit", "miss", "stale", "bypass", "error"];

/** Where a flight's answer came from. */
const NETWORK = 0;
const DISK = 1;
const DISK_STALE = 2;

const isOpaque = (type) => type === "opaque" || type === "opaqueredirect";

/** Request headers as one string for the policy: `name\nvalue\n` each (names lower case). */
function headerList(headers) {
  let list = "";
  for (const [name, value] of headers) list += `${name}\n${value}\n`;
  return list;
}

function persistOptions(persist, maxEntries, swrMs) {
  if (persist === undefined || persist === null || persist === false) return null;
  if (typeof persist !== "object" || Array.isArray(persist)) {
    throw typeError(METHOD, "persist", "an object with maxBytes", persist);
  }
  checkOptions(METHOD, "persist", persist, PERSIST_OPTIONS);
  const maxBytes = number(METHOD, "persist.maxBytes", persist.maxBytes);
  const entries = persist.maxEntries === undefined ? maxEntries : number(METHOD, "persist.maxEntries", persist.maxEntries);
  const name = persist.name === undefined ? "apiscope-responses" : string(METHOD, "persist.name", persist.name);
  const authorized = persist.authorized === undefined ? false : boolean(METHOD, "persist.authorized", persist.authorized);
  return { maxBytes, maxEntries: entries, name, authorized, staleWhileRevalidateMs: swrMs };
}

function routeTemplates(routes) {
  if (routes === undefined) return [];
  if (!Array.isArray(routes)) throw typeError(METHOD, "routes", "an array of route templates", routes);
  return routes.map((route, i) => string(METHOD, `routes[${i}]`, route));
}

export class ResponseCache {
  #policy;
  #memory;
  #disk;
  #inFlight = new Map();
  #generation = 0;
  #onResult;
  #latency = null;
  #freed = false;

  constructor(options) {
    ready(METHOD);
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw typeError(METHOD, "options", "an object with maxEntries", options);
    }
    checkOptions(METHOD, "", options, OPTIONS);
    const cacheOptions = {};
    for (const name of CACHE_OPTIONS) if (options[name] !== undefined) cacheOptions[name] = options[name];
    const onResult = options.onResult;
    if (onResult !== undefined && onResult !== null) func(METHOD, "onResult", onResult);
    const routes = routeTemplates(options.routes);
    const persist = persistOptions(options.persist, cacheOptions.maxEntries, cacheOptions.staleWhileRevalidateMs);
    const memory = createCache(METHOD, "", cacheOptions);
    let disk = null;
    let policy = null;
    try {
      const origin = globalThis.location?.origin ?? "";
      policy = new ResponsePolicy(cacheOptions.ttlMs, cacheOptions.maxEntries, routes, origin, persist?.authorized === true);
      const learned = policy;
      if (persist) disk = new PersistedResponses(METHOD, persist, (key, vary) => learned.learn(key, vary));
    } catch (error) {
      memory.free();
      policy?.free();
      throw error instanceof RangeError && !error.message.startsWith(METHOD) ? named(METHOD, error) : error;
    }
    this.#memory = memory;
    this.#disk = disk;
    this.#policy = policy;
    this.#onResult = onResult ?? null;
  }

  /** `fetch(input, init)` through the cache: a `Promise<Response>` with fetch's semantics. */
  fetch(input, init) {
    if (this.#freed) return Promise.reject(freed("ResponseCache.fetch", "ResponseCache"));
    return this.#answer(input, init);
  }

  /** Fetches each URL through the cache; resolves (never rejects) once all have settled. */
  warm(urls) {
    if (this.#freed) throw freed("ResponseCache.warm", "ResponseCache");
    if (urls === null || urls === undefined || typeof urls[Symbol.iterator] !== "function" || typeof urls === "string") {
      throw typeError("ResponseCache.warm", "urls", "an iterable of URLs", urls);
    }
    const calls = [];
    for (const url of urls) calls.push(this.fetch(url));
    return Promise.allSettled(calls).then(() => undefined);
  }

  /**
   * Drops every entry whose URL starts with `urlPrefix` (resolved against the page), in memory
   * and on disk; returns how many went from memory. Answers in flight are delivered, not kept.
   */
  invalidate(urlPrefix) {
    string("ResponseCache.invalidate", "urlPrefix", urlPrefix);
    if (this.#freed) throw freed("ResponseCache.invalidate", "ResponseCache");
    let resolved;
    try {
      resolved = new URL(urlPrefix, globalThis.location?.href).href;
    } catch {
      throw typeError("ResponseCache.invalidate", "urlPrefix", "a URL (absolute, or relative to the page)", urlPrefix);
    }
    const prefix = this.#policy.prefix(resolved);
    this.#generation++;
    this.#disk?.invalidate(prefix);
    return this.#memory.invalidate(prefix);
  }

  /** Drops every entry, in memory and on disk. */
  clear() {
    if (this.#freed) throw freed("ResponseCache.clear", "ResponseCache");
    this.#generation++;
    this.#memory.clear();
    this.#policy.clear();
    this.#disk?.clear();
  }

  /** Answer counts, storage figures, the time saved (in all and per route), the disk tier's. */
  stats() {
    if (this.#freed) throw freed("ResponseCache.stats", "ResponseCache");
    const [hits, misses, stale, bypass, errors, coalesced, revalidations, hitRate, savedMs] = this.#policy.counts();
    const memory = this.#memory.stats();
    const names = this.#policy.routes().split("\n");
    const figures = this.#policy.routeFigures();
    const routes = [];
    for (let i = 0; 4 * i < figures.length; i++) {
      const networkMs = figures[4 * i + 2];
      routes.push({
        method: names[2 * i],
        route: names[2 * i + 1],
        calls: figures[4 * i],
        hits: figures[4 * i + 1],
        networkMs: Number.isNaN(networkMs) ? null : networkMs,
        savedMs: figures[4 * i + 3],
      });
    }
    return {
      hits,
      misses,
      stale,
      bypass,
      errors,
      coalesced,
      revalidations,
      hitRate,
      savedMs,
      evictions: memory.evictions,
      expirations: memory.expirations,
      rejected: memory.rejected,
      entries: memory.entries,
      bytes: memory.bytes,
      routes,
      persisted: this.#disk ? this.#disk.stats() : null,
    };
  }

  /** Releases the wasm memory and the responses held (the disk tier stays on disk). */
  free() {
    if (this.#freed) return;
    this.#freed = true;
    this.#memory.free();
    this.#disk?.free();
    this.#policy.free();
    this.#inFlight.clear();
  }

  [DISPOSE]() {
    this.free();
  }

  /** See `LATENCY`; `null` forgets a handed-over figure. */
  [LATENCY](typical) {
    if (this.#freed) throw freed("ResponseCache[LATENCY]", "ResponseCache");
    if (typical !== null) func("ResponseCache[LATENCY]", "typical", typical);
    this.#latency = typical;
  }

  async #answer(input, init) {
    // fetch would reject with this same error, so the app sees no difference.
    const request = new Request(input, init);
    const started = now();
    let route = null;
    try {
      route = this.#route(request);
    } catch {
      route = null; // a header that cannot be read: plain fetch
    }
    let response = null;
    let outcome = BYPASS;
    let entryMs = NaN;
    if (route?.cached) {
      response = rebuilt(route.cached);
      outcome = route.outcome;
      entryMs = route.cached.networkMs;
    } else if (route?.flight) {
      let landed;
      try {
        landed = await route.flight;
      } catch (error) {
        this.#report(request, ERROR, 0, started, NaN, false);
        throw error;
      }
      response = landed.stored ? rebuilt(landed.stored) : cloned(landed.passthrough);
      outcome = landed.source === NETWORK ? MISS : landed.source === DISK ? HIT : STALE;
      if (landed.source !== NETWORK) entryMs = landed.stored.networkMs;
    }
    if (response === null) {
      outcome = BYPASS;
      try {
        response = await globalThis.fetch(request);
      } catch (error) {
        this.#report(request, ERROR, 0, started, NaN, false);
        throw error;
      }
    }
    this.#report(request, outcome, response.status, started, entryMs, route?.joined === true);
    return response;
  }

  /** Memory hit, a flight to join or start, or null for a plain fetch. */
  #route(request) {
    const headers = headerList(request.headers);
    const planned = this.#policy.plan(request.method, request.url, request.cache, headers);
    if (planned === "") return null;
    const lookup = planned.charCodeAt(0) === 76; // "L"
    const key = planned.slice(1);
    if (lookup) {
      const hit = this.#memory[LOOKUP](key);
      if (hit !== undefined) {
        if (hit.fresh) return { cached: hit.value, outcome: HIT };
        if (!this.#inFlight.has(key)) this.#revalidate(key, request, headers);
        return { cached: hit.value, outcome: STALE };
      }
    }
    const flight = this.#inFlight.get(key);
    if (flight !== undefined) return { flight, joined: true };
    return { flight: this.#launch(key, request, headers, lookup && this.#disk !== null), joined: false };
  }

  #revalidate(key, request, headers) {
    this.#policy.revalidated();
    this.#launch(key, request, headers, false);
  }

  /** Starts the one call for `key`; it runs to the end even if every waiter leaves. */
  #launch(key, request, headers, fromDisk) {
    const generation = this.#generation;
    const flight = this.#land(key, request, headers, generation, fromDisk).then(
      (landed) => {
        this.#landed(key, flight);
        // Served stale from disk (after a reload): refresh it in the background.
        if (landed.source === DISK_STALE && !this.#inFlight.has(key)) this.#revalidate(key, request, headers);
        return landed;
      },
      (error) => {
        this.#landed(key, flight);
        throw error;
      },
    );
    this.#inFlight.set(key, flight);
    flight.catch(() => {}); // a refresh nobody awaits must not surface as unhandled
    return flight;
  }

  #landed(key, flight) {
    if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
  }

  async #land(key, request, headers, generation, fromDisk) {
    if (fromDisk) {
      // Keyed again once the disk is open: the Vary names it taught may change the key.
      const keyOf = () => (this.#freed ? null : this.#policy.plan(request.method, request.url, request.cache, headers).slice(1));
      const found = await this.#disk.lookup(keyOf);
      if (found !== undefined) {
        if (found.fresh && generation === this.#generation && !this.#freed) {
          const ttlMs = Math.max(0, found.freshUntil - now());
          this.#memory.set(found.key, found.stored, { ttlMs, bytes: found.stored.bytes });
        }
        return { stored: found.stored, source: found.fresh ? DISK : DISK_STALE };
      }
    }
    const started = now();
    const response = await globalThis.fetch(request);
    if (this.#freed) return { passthrough: response, source: NETWORK };
    const h = response.headers;
    const current = generation === this.#generation;
    const keptKey = this.#policy.keep(
      key,
      response.status,
      isOpaque(response.type),
      h.get("cache-control") ?? "",
      h.get("vary") ?? "",
      h.has("set-cookie"),
      headers,
      current,
    );
    if (keptKey === "") return { passthrough: response, source: NETWORK };
    const ttlMs = this.#policy.keptTtlMs;
    const persist = this.#policy.keptPersist;
    const vary = this.#policy.keptVary;
    // A body that fails mid-way is a network error: every waiter gets it, nothing is kept.
    const stored = await StoredResponse.read(response, started, now);
    if (this.#freed) return { stored, source: NETWORK };
    this.#policy.network(request.method, request.url, stored.networkMs);
    if (generation === this.#generation) {
      this.#memory.set(keptKey, stored, { ttlMs, bytes: stored.bytes });
      if (persist && this.#disk !== null) this.#disk.put(keptKey, vary, stored, ttlMs);
    }
    return { stored, source: NETWORK };
  }

  /** Counts the answer and tells `onResult`; a throwing callback is the app's bug, not ours. */
  #report(request, outcome, status, started, entryMs, joined) {
    if (this.#freed) return;
    const durationMs = now() - started;
    let known = NaN;
    if ((outcome === HIT || outcome === STALE) && this.#latency !== null) {
      try {
        const typical = this.#latency(request.method, request.url);
        if (typeof typical === "number") known = typical;
      } catch {
        // the profiler's figure is a nicety; our own stands in
      }
    }
    if (joined && outcome === MISS) this.#policy.coalesced();
    const savedMs = this.#policy.answered(outcome, request.method, request.url, durationMs, known, entryMs);
    if (this.#onResult === null) return;
    const info = { url: request.url, method: request.method, outcome: OUTCOMES[outcome], durationMs, status, savedMs };
    try {
      this.#onResult(info);
    } catch {
      // A throwing callback must not turn a good answer into a failure.
    }
  }
}

/** A fresh Response from a stored one; null (so: plain fetch) if that fails. */
function rebuilt(stored) {
  try {
    return stored.toResponse();
  } catch {
    return null;
  }
}

/** A waiter's own copy of a passthrough answer; null (so: plain fetch) if that fails. */
function cloned(response) {
  try {
    return response.clone();
  } catch {
    return null;
  }
}
