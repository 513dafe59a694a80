// ResponseCache's persistent tier: responses in the Cache Storage API, so that a reload is
// served from disk.
//
// Each response is stored under a synthetic request URL whose query carries its key and
// metadata (deadlines, size, the response's URL, how long it took to fetch), so that opening
// the tier after a reload rebuilds the index from `keys()` alone, without reading a body.
// The index is a `Cache` bounded by the tier's bytes and entries; what it lets go is deleted
// from disk. Every disk operation runs in order on one queue, after the index is rebuilt, so a
// lookup sees every write and invalidation before it. Failures are contained: counted in
// `stats()`, never thrown at the app; a write refused for quota drops its entry.
import { createCache, ENTRIES, LOOKUP, ON_RELEASE } from "./cache.js";
import { now } from "./clock.js";
import { StoredResponse } from "./stored_response.js";

/** Never fetched: a name under which Cache Storage keeps our entries apart from the app's. */
const BASE = "https://apiscope.invalid/response?";

const isQuotaError = (error) => error?.name === "QuotaExceededError" || error?.code === 22;

/** The synthetic request URL of an entry. */
function requestUrl(entry) {
  const query = new URLSearchParams({
    k: entry.key,
    f: String(entry.freshUntil),
    s: String(entry.staleUntil),
    b: String(entry.bytes),
    u: entry.url,
    n: String(entry.networkMs),
    v: entry.vary,
  });
  return BASE + query;
}

/** The entry a synthetic request URL stands for, or null for anything else. */
function parseEntry(url) {
  if (!url.startsWith(BASE)) return null;
  const q = new URLSearchParams(url.slice(BASE.length));
  const entry = {
    key: q.get("k"),
    freshUntil: Number(q.get("f")),
    staleUntil: Number(q.get("s")),
    bytes: Number(q.get("b")),
    url: q.get("u") ?? "",
    networkMs: Number(q.get("n")),
    vary: q.get("v") ?? "",
    request: url,
  };
  const sound = entry.key !== null && entry.staleUntil >= entry.freshUntil && entry.bytes >= 0;
  return sound ? entry : null;
}

export class PersistedResponses {
  #name;
  #swrMs;
  #learn;
  #index;
  #opened = null;
  #queue = Promise.resolve();
  #available = null;
  #hits = 0;
  #writes = 0;
  #quotaErrors = 0;
  #errors = 0;
  #evictions = 0;

  /**
   * `persist` options already type-checked by ResponseCache; `method` words the errors.
   * `learn(key, vary)` is told, on opening, the `Vary` names of each entry found on disk.
   */
  constructor(method, { name, maxBytes, maxEntries, staleWhileRevalidateMs }, learn) {
    this.#name = name;
    this.#learn = learn;
    this.#swrMs = staleWhileRevalidateMs ?? 0;
    const bounds = { maxEntries, maxBytes };
    if (staleWhileRevalidateMs !== undefined) bounds.staleWhileRevalidateMs = staleWhileRevalidateMs;
    this.#index = createCache(method, "persist.", bounds);
    this.#index[ON_RELEASE]((key, entry) => {
      this.#evictions++;
      this.#run((disk) => disk.delete(entry.request));
    });
  }

  /**
   * The stored answer as `{ key, stored, fresh, freshUntil }`, or undefined (absent, past its
   * stale window, gone from disk, or the disk failed). `keyOf()` gives the key to look for,
   * once the tier is open (opening teaches the `Vary` names that keys depend on).
   */
  lookup(keyOf) {
    return this.#run(async (disk) => {
      const key = keyOf();
      if (key === null) return undefined;
      const hit = this.#index[LOOKUP](key);
      if (hit === undefined) return undefined;
      const entry = hit.value;
      const t = now();
      if (t >= entry.staleUntil) {
        this.#index.delete(key);
        await disk.delete(entry.request);
        return undefined;
      }
      const response = await disk.match(entry.request, { ignoreVary: true });
      if (response === undefined) {
        this.#index.delete(key); // removed behind our back (site data cleared)
        return undefined;
      }
      const body = await response.blob();
      this.#hits++;
      const stored = new StoredResponse(body, response.status, response.statusText, response.headers, entry.url, entry.networkMs);
      return { key, stored, fresh: t < entry.freshUntil, freshUntil: entry.freshUntil };
    }).catch(() => undefined);
  }

  /**
   * Writes `stored` to disk under `key` (varying on the `vary` request headers), fresh for
   * `ttlMs`; resolves when done (never rejects).
   */
  put(key, vary, stored, ttlMs) {
    const freshUntil = now() + ttlMs;
    const entry = {
      key,
      vary,
      freshUntil,
      staleUntil: freshUntil + this.#swrMs,
      bytes: stored.bytes,
      url: stored.url,
      networkMs: stored.networkMs,
    };
    entry.request = requestUrl(entry);
    return this.#run(async (disk) => {
      const previous = this.#index.peek(key);
      // Refused when it alone exceeds the tier's bytes; an older copy then went (and is deleted).
      if (!this.#index.set(key, entry, { ttlMs, bytes: entry.bytes })) return;
      if (previous !== undefined) await disk.delete(previous.request);
      try {
        await disk.put(entry.request, stored.toResponse());
        this.#writes++;
      } catch (error) {
        this.#index.delete(key);
        if (!isQuotaError(error)) throw error;
        this.#quotaErrors++;
      }
    }).catch(() => {});
  }

  /** Deletes every entry whose key starts with `prefix` (after the writes before it). */
  invalidate(prefix) {
    return this.#run(async (disk) => {
      const doomed = this.#index[ENTRIES]().filter(([key]) => key.startsWith(prefix));
      for (const [key] of doomed) this.#index.delete(key);
      await Promise.all(doomed.map(([, entry]) => disk.delete(entry.request)));
    }).catch(() => {});
  }

  /** Deletes every entry. */
  clear() {
    return this.#run(async (disk) => {
      this.#index.clear();
      const requests = await disk.keys();
      await Promise.all(requests.map((request) => disk.delete(request)));
    }).catch(() => {});
  }

  /** `{ available, entries, bytes, hits, writes, quotaErrors, errors, evictions }`. */
  stats() {
    const index = this.#index.stats();
    return {
      available: this.#available,
      entries: index.entries,
      bytes: index.bytes,
      hits: this.#hits,
      writes: this.#writes,
      quotaErrors: this.#quotaErrors,
      errors: this.#errors,
      evictions: this.#evictions,
    };
  }

  free() {
    this.#index.free();
  }

  /** Runs `op(disk)` after every operation before it, once the tier is open. */
  #run(op) {
    const result = this.#queue.then(() => (this.#opened ??= this.#open())).then((disk) => (disk === null ? undefined : op(disk)));
    this.#queue = result.catch(() => {
      this.#errors++;
    });
    return result;
  }

  /** Opens the tier and rebuilds the index from the stored request URLs; null if unavailable. */
  async #open() {
    if (typeof caches === "undefined") {
      this.#available = false; // Node, or a page that is not a secure context
      return null;
    }
    try {
      const disk = await caches.open(this.#name);
      const t = now();
      const stale = [];
      for (const request of await disk.keys()) {
        const entry = parseEntry(request.url);
        if (entry === null || t >= entry.staleUntil) {
          stale.push(request);
          continue;
        }
        const ttlMs = Math.max(0, entry.freshUntil - t);
        this.#index.set(entry.key, entry, { ttlMs, bytes: entry.bytes });
        this.#learn(entry.key, entry.vary);
      }
      await Promise.all(stale.map((request) => disk.delete(request)));
      this.#available = true;
      return disk;
    } catch {
      this.#available = false;
      this.#errors++;
      return null;
    }
  }
}
