// Type declarations of `apiscope/cache` (js/cache/index.js; in Node, js/node/cache.js).
//
// Bad input throws a `TypeError` (wrong type, unknown key) or a `RangeError` (value out of
// range) whose message starts with the method, then the parameter or option, e.g.
// `RangeError: new Cache: maxEntries: must be an integer in [1, 16777216], got 0`; the object
// that threw is left unchanged. A method called after `free()` throws a `TypeError`.

/// <reference lib="esnext.disposable" />

/** Where the cache part's wasm comes from. */
export type WasmSource = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the cache part's wasm, once (later calls return the same promise; after a failure
 * the next call tries again). `Cache` and `ResponseCache` need it resolved first; before,
 * their constructors throw an `Error` that says so. In Node 18+ the wasm is read from the
 * package's own files; in a page it is fetched beside `pkg/cache/apiscope_cache.js`.
 *
 * @example
 * import { initialize, Cache } from "apiscope/cache";
 * await initialize();
 * const cache = new Cache({ maxEntries: 1000 });
 */
export function initialize(source?: WasmSource): Promise<unknown>;

/** Which entry goes when the cache is full. */
export type CachePolicyName = "s3-fifo" | "lru";

/**
 * Options shared by `Cache` and `ResponseCache`. A missing `maxEntries` or a non-number is a
 * `TypeError`, a value out of range a `RangeError`, each naming the option.
 */
export interface CacheOptions {
  /** Most entries held, an integer in [1, 16777216]. Memory for them is taken up front (about 50 bytes each). */
  maxEntries: number;
  /** Byte budget across entries, > 0; default unbounded. */
  maxBytes?: number;
  /**
   * Default time to live, ms ≥ 0 (`Infinity`: forever); default: entries never expire.
   * Deadlines are checked against a clock read at most once a millisecond, which stands still
   * within one synchronous run of code (as lru-cache's `ttlResolution`): an entry expiring
   * during a long loop of gets stays until the loop yields.
   */
  ttlMs?: number;
  /** How long past its TTL an entry is still served (as stale), ms ≥ 0; default 0. */
  staleWhileRevalidateMs?: number;
  /**
   * `"s3-fifo"` (default; SOSP'23): new entries pass through a small FIFO and stay only if
   * used again, so one-time keys (scans) do not push out the ones in use; a hit just bumps a
   * counter. `"lru"`: exact least recently used (a hit reorders; slower per hit).
   */
  policy?: CachePolicyName;
}

/** `Cache.stats()`. */
export interface CacheStats {
  /** Lookups (`get`) that found a live entry. */
  hits: number;
  /** Lookups that found nothing usable. */
  misses: number;
  /** `hits / (hits + misses)`, 0 before any lookup. */
  hitRate: number;
  /** Entries let go to make room (entry limit or byte budget). */
  evictions: number;
  /** Entries let go because they outlived their TTL and stale window. */
  expirations: number;
  /** Values refused because they alone exceed `maxBytes`. */
  rejected: number;
  /** Entries held now. */
  entries: number;
  /** Bytes held now. */
  bytes: number;
  policy: CachePolicyName;
}

/**
 * A cache of any JS values by any key, with an entry limit, an optional byte budget and TTLs.
 * Keys follow `Map`: any value, `42` and `"42"` are different keys, objects count by identity.
 * Values are held by reference (not copied). Needs `initialize()`.
 *
 * Without `set`'s `bytes`, a value counts: strings 2 per UTF-16 unit; ArrayBuffer, typed arrays
 * and DataView their `byteLength`; Blob its `size`; numbers and bigints 8; booleans 4;
 * `null`/`undefined` 0; any other object a flat 64.
 *
 * @example
 * const cache = new Cache<User, string>({ maxEntries: 500, maxBytes: 1 << 20, ttlMs: 30_000 });
 * cache.set("user:1", { name: "Ada" }, { bytes: 200 });
 * cache.get("user:1"); // the same object, until it expires or is evicted
 */
export class Cache<V = unknown, K = unknown> {
  /** @throws `TypeError`/`RangeError` naming the option. */
  constructor(options: CacheOptions);
  /** The value under `key` (also while stale), or `undefined`; counts a hit or a miss. */
  get(key: K): V | undefined;
  /**
   * Stores `value`. `ttlMs` overrides the default TTL; `bytes` its size (else estimated).
   * @returns whether it was stored (`false` when it alone exceeds `maxBytes`; an older value
   *   under `key` is then dropped too, so a stale answer never outlives a newer one).
   * @throws `TypeError`/`RangeError` naming `options.ttlMs` or `options.bytes`.
   */
  set(key: K, value: V, options?: { ttlMs?: number; bytes?: number }): boolean;
  /** Whether `get(key)` would return a value; touches neither the policy nor the stats. */
  has(key: K): boolean;
  /** `get(key)` without touching the policy or the stats. */
  peek(key: K): V | undefined;
  /** Removes `key`; whether it held a value. */
  delete(key: K): boolean;
  /** Removes every entry whose key is a string starting with `prefix`; how many went. */
  invalidate(prefix: string): number;
  /** Removes every entry (counters keep counting). */
  clear(): void;
  /** Entries held (expired ones count until touched or swept). */
  readonly size: number;
  stats(): CacheStats;
  /** Releases the wasm memory and the values held (the garbage collector does it too). */
  free(): void;
  [Symbol.dispose](): void;
}

/** How a `ResponseCache` answered a request. */
export type ResponseCacheOutcome = "hit" | "miss" | "stale" | "bypass" | "error";

/** What `ResponseCacheOptions.onResult` gets for every answer. */
export interface ResponseCacheResult {
  /** The absolute request URL. */
  url: string;
  method: string;
  /**
   * `hit`: fresh from memory or disk; `miss`: from the network (possibly sharing an identical
   * call in flight); `stale`: from the cache while it refreshes; `bypass`: not cacheable, plain
   * fetch; `error`: the network call failed.
   */
  outcome: ResponseCacheOutcome;
  /** Time to the answer, ms. */
  durationMs: number;
  /** HTTP status; 0 on error. */
  status: number;
  /** What this answer saved against the route's network latency, ms (0 unless from the cache). */
  savedMs: number;
}

/** The opt-in persistent tier: responses in Cache Storage, served again after a reload. */
export interface PersistOptions {
  /** Byte budget on disk, > 0 (bodies + URLs + 512 per entry); oldest-policy entries go first. */
  maxBytes: number;
  /** Most entries on disk; default the cache's `maxEntries`. */
  maxEntries?: number;
  /** The Cache Storage cache to use; default `"apiscope-responses"`. */
  name?: string;
  /**
   * Whether answers to requests that carried `Authorization` may go to disk too; default
   * `false`, since they would outlive a logout there. (In memory they are always kept apart by
   * a SHA-256 of the header.)
   */
  authorized?: boolean;
}

/** Options of `new ResponseCache()`. */
export interface ResponseCacheOptions extends CacheOptions {
  /** Called with every answer; an exception it throws is ignored. @throws `TypeError` naming `onResult` if not a function. */
  onResult?: (result: ResponseCacheResult) => void;
  /**
   * Keep kept responses in Cache Storage too, so that a reload is served from disk. Never
   * persisted: opaque responses, `no-store` ones (they are never kept at all), and answers to
   * requests with `Authorization` unless `authorized` is set. Quota errors are contained
   * (the entry is dropped) and counted in `stats().persisted.quotaErrors`.
   */
  persist?: PersistOptions;
  /** Route templates (`/api/users/:id`) for the per-route figures; ids, UUIDs and hashes are templated anyway. */
  routes?: string[];
}

/** One route's line in `ResponseCacheStats.routes`. */
export interface ResponseCacheRoute {
  method: string;
  /** The route template (path alone on the page's own origin). */
  route: string;
  /** Network calls this cache made for the route (misses that fetched and kept a body). */
  calls: number;
  /** Answers served from the cache. */
  hits: number;
  /** Median latency of the route's last 15 network calls, ms; `null` before any. */
  networkMs: number | null;
  /** Time the route's answers from the cache saved, ms. */
  savedMs: number;
}

/** `ResponseCache.persisted` figures of the disk tier. */
export interface PersistedStats {
  /** `true` once Cache Storage opened, `false` when unavailable (Node, insecure page), `null` before the first use. */
  available: boolean | null;
  entries: number;
  bytes: number;
  /** Answers read back from disk. */
  hits: number;
  /** Responses written. */
  writes: number;
  /** Writes refused for quota (their entries were dropped). */
  quotaErrors: number;
  /** Other disk failures, contained. */
  errors: number;
  /** Entries dropped to stay within `maxBytes`/`maxEntries` or past their deadlines. */
  evictions: number;
}

/**
 * `ResponseCache.stats()`. `hits`/`misses`/`hitRate` count answers (stale answers count as
 * served from cache), not raw lookups.
 */
export interface ResponseCacheStats {
  hits: number;
  misses: number;
  /** Answers served stale while refreshing. */
  stale: number;
  /** Requests that went around the cache. */
  bypass: number;
  /** Network calls that failed. */
  errors: number;
  /** Misses that joined an identical call already in flight. */
  coalesced: number;
  /** Background refreshes started by stale answers. */
  revalidations: number;
  /** `(hits + stale) / (hits + stale + misses)`, 0 before any. */
  hitRate: number;
  /**
   * Time the cache saved in all, ms: for each answer from the cache, the route's network
   * latency minus the answer's own time. The route's latency is the watching profiler's
   * figure (see `LATENCY`), else the median of this cache's own recent misses of the route,
   * else (an entry read from disk before any miss) the time that entry took to fetch.
   */
  savedMs: number;
  /** Memory entries let go to make room. */
  evictions: number;
  expirations: number;
  rejected: number;
  /** Memory entries and bytes held now. */
  entries: number;
  bytes: number;
  /** Per route (at most 200; the rest share the route `(other)`), sorted by method then route. */
  routes: ResponseCacheRoute[];
  /** The disk tier's figures; `null` without `persist`. */
  persisted: PersistedStats | null;
}

/**
 * `cache[LATENCY](typical)` hands a `ResponseCache` a function giving a route's typical
 * network latency, `(method, url) => ms | undefined`; `savedMs` then uses it first. A profiler
 * watching the cache does this; `null` removes it. `Symbol.for("apiscope.cache.latency")`.
 */
export const LATENCY: unique symbol;

/**
 * A `fetch` look-alike that answers repeated GETs from memory, shares concurrent identical
 * calls, serves stale while refreshing, reports how each answer was served and the time it
 * saved, and (opt-in) keeps answers on disk across reloads. Needs `initialize()`.
 *
 * It follows HTTP caching rules: only `GET`/`HEAD`; `ttlMs` is the default freshness, capped
 * by `max-age`, and a response with neither is not kept; `no-store`/`no-cache` responses,
 * non-2xx, 206, opaque and `Vary: *` ones are never kept; `Range` requests and
 * `cache: "no-store"` go around it; `Vary` splits entries by the request headers named.
 *
 * Identity: keys include a SHA-256 of `Authorization`, never the token itself, so different
 * credentials never share an entry. Cookies are another matter: browsers never show
 * `Set-Cookie` (nor the request's `Cookie`) to `fetch`, so in a page a response that sets a
 * cookie is kept like any other when its `Cache-Control` allows, and answers for two users
 * signed in by cookie share one key. Mark per-user responses `Cache-Control: private,
 * no-store` (or `no-cache`) on the server, or call `clear()` when the signed-in user changes.
 * (Node's fetch does show `Set-Cookie`; there such responses are never kept.)
 *
 * @example
 * const api = new ResponseCache({ maxEntries: 200, ttlMs: 10_000, staleWhileRevalidateMs: 30_000,
 *   persist: { maxBytes: 5 << 20 } });
 * const res = await api.fetch("/api/users/1"); // same arguments and result as fetch
 * api.invalidate("/api/users/");               // after a write
 * api.stats().savedMs;                          // time saved so far
 */
export class ResponseCache {
  /** @throws `RangeError`/`TypeError` naming the option. */
  constructor(options: ResponseCacheOptions);
  /** `fetch(input, init)` through the cache; rejects exactly as `fetch` would. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Fetches each URL through the cache; resolves (never rejects) once all have settled. @throws `TypeError` naming `urls` if not iterable. */
  warm(urls: Iterable<RequestInfo | URL>): Promise<void>;
  /**
   * Drops every entry whose URL starts with `urlPrefix` (resolved against the page), in
   * memory and on disk; calls in flight are delivered but not kept.
   * @returns how many entries went from memory. @throws `TypeError` naming `urlPrefix`.
   */
  invalidate(urlPrefix: string): number;
  /** Drops every entry, in memory and on disk. */
  clear(): void;
  stats(): ResponseCacheStats;
  /** See `LATENCY`. @throws `TypeError` unless a function or `null`. */
  [LATENCY](typical: ((method: string, url: string) => number | undefined) | null): void;
  /** Releases the wasm memory and the responses held in memory (what is on disk stays). */
  free(): void;
  [Symbol.dispose](): void;
}
