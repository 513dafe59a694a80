// `Cache`: keys and values stay in JavaScript, the policy runs in wasm over slot numbers.
//
// A `Map` takes each key to its slot (Map's key semantics: any value, `42` and "42" apart,
// objects by identity) and an array by slot holds the values. The wasm `CachePolicy` keeps
// everything else per slot in its own memory: deadlines, sizes, use counters, the eviction
// queues. JS reads the deadlines and bumps the counters in place through typed-array views,
// so a hit under S3-FIFO makes no call into wasm; a set makes one, with numbers only, and
// reads back which slots went. See src/core/cache/slots.rs for the protocol.
//
// S3-FIFO remembers the keys it let go unused (its ghost list) by a 32-bit fingerprint each
// new key is stored with (./fingerprint.js), so the Map holds live entries only.
import { CachePolicy } from "../../pkg/cache/apiscope_cache.js";
import { named, number, options as checkOptions, string, typeError } from "../lib/errors.js";
import { coarseNow } from "./clock.js";
import {
  BYTES,
  CAN_EXPIRE,
  EVICTIONS,
  EXPIRATIONS,
  HEADER_LEN,
  INVALID,
  LEN,
  MAX_FREQUENCY,
  REJECTED,
  RELEASED,
  releasedLength,
} from "./layout.js";
import { buffer, ready } from "./part.js";
import { fingerprint } from "./fingerprint.js";
import { estimateBytes } from "./sizes.js";

const OPTIONS = ["maxEntries", "maxBytes", "ttlMs", "staleWhileRevalidateMs", "policy"];
const SET_OPTIONS = ["ttlMs", "bytes"];
const DISPOSE = Symbol.dispose ?? Symbol.for("Symbol.dispose");

/** Internal (ResponseCache, the persistent tier): a lookup that also says whether it is fresh. */
export const LOOKUP = Symbol("apiscope.cache.lookup");
/** Internal: `cache[ON_RELEASE](fn)` calls `fn(key, value)` for each entry the cache lets go by itself. */
export const ON_RELEASE = Symbol("apiscope.cache.onRelease");
/** Internal: the live entries as `[key, value]` pairs. */
export const ENTRIES = Symbol("apiscope.cache.entries");

/** The TypeError of a method called after `free()`. */
export function freed(method, what) {
  return new TypeError(`${method}: this ${what} was freed; make a new one`);
}

/** The wording of errors from `new Cache`, which `ResponseCache` borrows for its own options. */
let construction = { method: "new Cache", prefix: "" };

/** A `Cache` whose option errors read as `method`'s, each field prefixed with `prefix`. */
export function createCache(method, prefix, options) {
  const outer = construction;
  construction = { method, prefix };
  try {
    return new Cache(options);
  } finally {
    construction = outer;
  }
}

function optional(check, method, field, value) {
  return value === undefined ? undefined : check(method, field, value);
}

/** A cache of any JS values by any key: S3-FIFO (or exact LRU), TTL, byte budget. */
export class Cache {
  #policy;
  #lru;
  #capacity;
  #map = new Map();
  #keys;
  #values;
  // Views over the policy's columns in wasm memory, rebuilt when the memory grows (a grown
  // memory detaches the old buffer, and every view over it then has length 0).
  #header;
  #marks;
  #fresh;
  #stale;
  #sizes;
  #released;
  #pointers;
  #hits = 0;
  #misses = 0;
  #canExpire = false;
  #freed = false;
  #onRelease = null;

  constructor(options) {
    const { method, prefix } = construction;
    ready(method);
    if (options === null || typeof options !== "object" || Array.isArray(options)) {
      throw typeError(method, prefix ? prefix.slice(0, -1) : "options", "an object with maxEntries", options);
    }
    checkOptions(method, prefix.slice(0, -1), options, OPTIONS);
    const maxEntries = number(method, `${prefix}maxEntries`, options.maxEntries);
    const maxBytes = optional(number, method, `${prefix}maxBytes`, options.maxBytes);
    const ttlMs = optional(number, method, `${prefix}ttlMs`, options.ttlMs);
    const swrMs = optional(number, method, `${prefix}staleWhileRevalidateMs`, options.staleWhileRevalidateMs);
    const policy = optional(string, method, `${prefix}policy`, options.policy) ?? "s3-fifo";
    let wasmPolicy;
    try {
      wasmPolicy = new CachePolicy(maxEntries, maxBytes, ttlMs, swrMs, policy);
    } catch (error) {
      throw prefixed(method, prefix, error);
    }
    this.#policy = wasmPolicy;
    this.#lru = policy === "lru";
    const capacity = wasmPolicy.capacity();
    this.#capacity = capacity;
    this.#keys = new Array(capacity).fill(undefined);
    this.#values = new Array(capacity).fill(undefined);
    this.#pointers = [
      wasmPolicy.headerPtr(),
      wasmPolicy.marksPtr(),
      wasmPolicy.freshPtr(),
      wasmPolicy.stalePtr(),
      wasmPolicy.sizesPtr(),
      wasmPolicy.releasedPtr(),
    ];
    this.#views();
    this.#canExpire = this.#header[CAN_EXPIRE] !== 0;
  }

  /** The value under `key` (also while stale), or `undefined`; counts a hit or a miss. */
  get(key) {
    const slot = this.#map.get(key);
    if (slot !== undefined) {
      if (this.#canExpire && this.#lapsed(slot)) return this.#expire(key, slot);
      this.#use(slot);
      this.#hits++;
      return this.#values[slot];
    }
    if (this.#freed) throw freed("Cache.get", "Cache");
    this.#misses++;
    return undefined;
  }

  /** Whether `get(key)` would return a value; touches neither the policy nor the stats. */
  has(key) {
    const slot = this.#map.get(key);
    if (slot !== undefined) return !(this.#canExpire && this.#lapsed(slot));
    if (this.#freed) throw freed("Cache.has", "Cache");
    return false;
  }

  /** `get(key)` without touching the policy or the stats. */
  peek(key) {
    const slot = this.#map.get(key);
    if (slot !== undefined) return this.#canExpire && this.#lapsed(slot) ? undefined : this.#values[slot];
    if (this.#freed) throw freed("Cache.peek", "Cache");
    return undefined;
  }

  /**
   * Stores `value` under `key`; `options` `{ ttlMs?, bytes? }`. Returns whether it was stored
   * (`false` when it alone exceeds `maxBytes`; an older value under `key` then goes too).
   */
  set(key, value, options) {
    let ttlMs;
    let bytes;
    if (options !== undefined && options !== null) {
      checkOptions("Cache.set", "options", options, SET_OPTIONS);
      ttlMs = optional(number, "Cache.set", "options.ttlMs", options.ttlMs);
      bytes = optional(number, "Cache.set", "options.bytes", options.bytes);
    }
    if (this.#freed) throw freed("Cache.set", "Cache");
    if (bytes === undefined) bytes = estimateBytes(value);
    const held = this.#map.get(key);
    if (held !== undefined && ttlMs === undefined && !this.#canExpire) {
      // A same-size update while nothing can expire is a use and nothing else (slots.rs).
      let sizes = this.#sizes;
      if (sizes.length === 0) {
        this.#views();
        sizes = this.#sizes;
      }
      if (sizes[held] === bytes) {
        this.#use(held);
        this.#values[held] = value;
        return true;
      }
    }
    const code = held === undefined ? -1 : held;
    const print = held === undefined ? fingerprint(key) : 0;
    const slot =
      ttlMs === undefined
        ? this.#policy.store(code, bytes, this.#canExpire ? coarseNow() : 0, print)
        : this.#policy.storeFor(code, bytes, ttlMs, coarseNow(), print);
    if (slot === INVALID) throw named("Cache.set", this.#policy.explain(bytes, ttlMs));
    let header = this.#header;
    if (header.length === 0) {
      this.#views();
      header = this.#header;
    }
    const released = header[RELEASED];
    if (released !== 0) this.#release(released);
    this.#canExpire = header[CAN_EXPIRE] !== 0;
    if (slot < 0) return false;
    this.#keys[slot] = key;
    this.#values[slot] = value;
    if (held !== slot) this.#map.set(key, slot);
    return true;
  }

  /** Removes `key`; whether it held a value. */
  delete(key) {
    const slot = this.#map.get(key);
    if (slot === undefined) {
      if (this.#freed) throw freed("Cache.delete", "Cache");
      return false;
    }
    this.#map.delete(key);
    this.#policy.remove(slot);
    this.#forget(slot);
    return true;
  }

  /** Removes every entry whose key is a string starting with `prefix`; how many went. */
  invalidate(prefix) {
    string("Cache.invalidate", "prefix", prefix);
    if (this.#freed) throw freed("Cache.invalidate", "Cache");
    const doomed = [];
    for (const key of this.#map.keys()) {
      if (typeof key === "string" && key.startsWith(prefix)) doomed.push(key);
    }
    for (const key of doomed) this.delete(key);
    return doomed.length;
  }

  /** Removes every entry. */
  clear() {
    if (this.#freed) throw freed("Cache.clear", "Cache");
    this.#policy.clear();
    this.#map.clear();
    this.#keys.fill(undefined);
    this.#values.fill(undefined);
    this.#canExpire = this.#figures()[CAN_EXPIRE] !== 0;
  }

  /** Entries held (expired ones count until touched or swept). */
  get size() {
    if (this.#freed) throw freed("Cache.size", "Cache");
    return this.#figures()[LEN];
  }

  /** `{ hits, misses, hitRate, evictions, expirations, rejected, entries, bytes, policy }`. */
  stats() {
    if (this.#freed) throw freed("Cache.stats", "Cache");
    const h = this.#figures();
    const lookups = this.#hits + this.#misses;
    return {
      hits: this.#hits,
      misses: this.#misses,
      hitRate: lookups === 0 ? 0 : this.#hits / lookups,
      evictions: h[EVICTIONS],
      expirations: h[EXPIRATIONS],
      rejected: h[REJECTED],
      entries: h[LEN],
      bytes: h[BYTES],
      policy: this.#lru ? "lru" : "s3-fifo",
    };
  }

  /** Releases the wasm memory and the values held; later calls throw a TypeError. */
  free() {
    if (this.#freed) return;
    this.#freed = true;
    this.#policy.free();
    // Empty stand-ins: every lookup now misses (and the miss path throws), nothing reads
    // memory that is no longer this cache's.
    this.#map = new Map();
    this.#keys = this.#values = [];
    this.#header = new Float64Array(HEADER_LEN);
    this.#marks = new Uint8Array(0);
    this.#fresh = this.#stale = this.#sizes = new Float64Array(0);
    this.#released = new Uint32Array(0);
  }

  [DISPOSE]() {
    this.free();
  }

  /** `{ value, fresh }` for a live entry (counted and used as by `get`), else undefined. */
  [LOOKUP](key) {
    const slot = this.#map.get(key);
    const value = this.get(key);
    if (slot === undefined || this.#map.get(key) !== slot) return undefined; // absent, or it had expired
    let fresh = this.#fresh;
    if (fresh.length === 0) {
      this.#views();
      fresh = this.#fresh;
    }
    return { value, fresh: !this.#canExpire || coarseNow() < fresh[slot] };
  }

  [ON_RELEASE](listener) {
    this.#onRelease = listener;
  }

  [ENTRIES]() {
    const live = [];
    for (const [key, slot] of this.#map) live.push([key, this.#values[slot]]);
    return live;
  }

  /** Builds the views over the policy's columns; returns the use counters. */
  #views() {
    const memory = buffer();
    const [header, marks, fresh, stale, sizes, released] = this.#pointers;
    const capacity = this.#capacity;
    this.#header = new Float64Array(memory, header, HEADER_LEN);
    this.#marks = new Uint8Array(memory, marks, capacity);
    this.#fresh = new Float64Array(memory, fresh, capacity);
    this.#stale = new Float64Array(memory, stale, capacity);
    this.#sizes = new Float64Array(memory, sizes, capacity);
    this.#released = new Uint32Array(memory, released, releasedLength(capacity));
    return this.#marks;
  }

  /** A use of a live slot: one more count (S3-FIFO, in place) or most recent (LRU, a call). */
  #use(slot) {
    if (this.#lru) {
      this.#policy.touch(slot);
      return;
    }
    let marks = this.#marks;
    if (marks.length === 0) marks = this.#views();
    const uses = marks[slot];
    if (uses < MAX_FREQUENCY) marks[slot] = uses + 1;
  }

  #figures() {
    if (this.#header.length === 0) this.#views();
    return this.#header;
  }

  /** Whether the entry in `slot` is past its stale window. */
  #lapsed(slot) {
    let stale = this.#stale;
    if (stale.length === 0) {
      this.#views();
      stale = this.#stale;
    }
    return coarseNow() >= stale[slot];
  }

  #expire(key, slot) {
    const value = this.#values[slot];
    this.#policy.expire(slot);
    this.#map.delete(key);
    this.#forget(slot);
    this.#misses++;
    if (this.#onRelease !== null) this.#onRelease(key, value);
    return undefined;
  }

  /** Forgets the keys of the `count` slots the last store let go. */
  #release(count) {
    const released = this.#released;
    const keys = this.#keys;
    const values = this.#values;
    const map = this.#map;
    const gone = this.#onRelease === null ? null : [];
    for (let i = 0; i < count; i++) {
      const slot = released[i];
      const key = keys[slot];
      if (gone !== null) gone.push(key, values[slot]);
      keys[slot] = undefined;
      values[slot] = undefined;
      map.delete(key);
    }
    // Told after the books balance, since a listener may call back in.
    if (gone !== null) for (let i = 0; i < gone.length; i += 2) this.#onRelease(gone[i], gone[i + 1]);
  }

  #forget(slot) {
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
  }
}

/** A wasm RangeError as `method`'s, its field prefixed (`persist.maxBytes: ...`). */
function prefixed(method, prefix, error) {
  if (!prefix || !(error instanceof RangeError)) return named(method, error);
  return new RangeError(`${method}: ${prefix}${error.message}`);
}
