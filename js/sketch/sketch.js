// The `Sketch` class pages use, around the wasm-bindgen class of a part that exports one (the
// sketch part, or the monolith). It checks every argument's type before wasm sees it, and
// keeps per-call `record(v)` on the JS side: values land in a typed-array buffer, checked as
// they come, and go into wasm in one `recordMany` before anything reads the sketch (and when
// the buffer is full). So a call costs a few JS operations instead of a wasm call, and every
// read is exact: what it reads has every value recorded so far.
import { named, options as optionKeys, rangeError, typeError } from "../lib/errors.js";
import { plainView } from "../lib/typed.js";

const OPTIONS = ["maxRelativeError", "maxBuckets"];
const ARRAY_OF_NUMBERS = "a Float64Array or an array of numbers";
/**
 * The most elements one call hands to wasm (128 MiB of values): past it a copy into wasm memory
 * could exhaust that memory, which traps instead of throwing.
 */
const MAX_LENGTH = 2 ** 24;
/**
 * Values a sketch buffers before handing them over: the buffer starts small (a page may hold
 * thousands of sketches) and grows fourfold per hand-over up to the most, where a hand-over's
 * cost is spread over enough values.
 */
const FIRST_BUFFER = 64;
const MOST_BUFFER = 1024;
/** `Symbol.dispose` where the runtime has it (Node 18 may not). */
const DISPOSE = typeof Symbol.dispose === "symbol" ? Symbol.dispose : undefined;

/** How src/api/sketch.rs leaves a number in a message: `\u0001` and the hex digits of its bits. */
const NUMBER_MARK = /\u0001([0-9a-f]{16})/g;
const FLOAT = new DataView(new ArrayBuffer(8));

/** The number a mark stands for, as JavaScript writes it. */
function markedNumber(_mark, hex) {
  FLOAT.setBigUint64(0, BigInt(`0x${hex}`));
  return String(FLOAT.getFloat64(0));
}

/** An error the wasm part threw, as the caller sees it: its numbers written, the method first. */
function rethrown(method, error) {
  if (error instanceof Error) error.message = error.message.replace(NUMBER_MARK, markedNumber);
  return named(method, error);
}

/** Throws a RangeError if `length` is more than one call may hand to wasm. */
function bounded(method, field, length) {
  if (length > MAX_LENGTH) throw rangeError(method, field, `must hold at most ${MAX_LENGTH} elements, got ${length}`);
  return length;
}

/** A `Float64Array` of `values` (one, or an array of numbers), checked element by element. */
function floats(method, field, values) {
  const view = plainView(values, Float64Array);
  if (view !== null) {
    bounded(method, field, view.length);
    return view;
  }
  if (!Array.isArray(values)) throw typeError(method, field, ARRAY_OF_NUMBERS, values);
  const out = new Float64Array(bounded(method, field, values.length));
  for (let i = 0; i < out.length; i++) {
    const v = values[i]; // read once: a getter or proxy sees one read per element
    if (typeof v !== "number") throw typeError(method, `${field}[${i}]`, "a number", v);
    out[i] = v;
  }
  return out;
}

/** A `Uint8Array` of `bytes` (one, an ArrayBuffer, or an array of byte values). */
function byteArray(method, bytes) {
  const view = plainView(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes, Uint8Array);
  if (view !== null) {
    bounded(method, "bytes", view.length);
    return view;
  }
  if (!Array.isArray(bytes)) throw typeError(method, "bytes", "a Uint8Array or an array of bytes", bytes);
  const out = new Uint8Array(bounded(method, "bytes", bytes.length));
  for (let i = 0; i < out.length; i++) {
    const b = bytes[i];
    if (typeof b !== "number") throw typeError(method, `bytes[${i}]`, "a number", b);
    if (!(Number.isInteger(b) && b >= 0 && b <= 255)) {
      throw rangeError(method, `bytes[${i}]`, `must be a byte (an integer in [0, 255]), got ${b}`);
    }
    out[i] = b;
  }
  return out;
}

/** `value` must be undefined or a number. */
function option(field, value) {
  if (value !== undefined && typeof value !== "number") throw typeError("new Sketch", field, "a number", value);
  return value;
}

/**
 * Returns the `Sketch` class over `Raw`, a wasm-bindgen `Sketch` (src/api/sketch.rs);
 * `ready(method)` throws until that part's wasm is loaded.
 */
export function sketchClass(Raw, ready) {
  /** Passed to the constructor, only from this module, to wrap a decoded `Raw`. */
  const ADOPT = Symbol("adopt");
  let adopted = null;

  class Sketch {
    /** The wasm-side sketch; `null` once freed. */
    #raw;
    /** Values recorded but not yet handed over: `#buffer[0 .. #n]`. */
    #buffer = null;
    #n = 0;
    /** How many values `record` may buffer before the slow path: 0 until the buffer exists, -1 once freed. */
    #room = 0;

    constructor(options) {
      if (options === ADOPT) {
        this.#raw = adopted;
        adopted = null;
        return;
      }
      ready("new Sketch");
      if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) {
        throw typeError("new Sketch", "options", "an object", options);
      }
      const given = optionKeys("new Sketch", "", options, OPTIONS);
      const maxRelativeError = option("maxRelativeError", given.maxRelativeError);
      const maxBuckets = option("maxBuckets", given.maxBuckets);
      try {
        this.#raw = new Raw(maxRelativeError, maxBuckets);
      } catch (e) {
        throw rethrown("new Sketch", e);
      }
    }

    /** Decodes `toBytes()` output exactly; corrupt bytes are an `Error`. */
    static fromBytes(bytes) {
      ready("Sketch.fromBytes");
      const checked = byteArray("Sketch.fromBytes", bytes);
      try {
        adopted = Raw.fromBytes(checked);
      } catch (e) {
        throw rethrown("Sketch.fromBytes", e);
      }
      return new Sketch(ADOPT);
    }

    /** Records one value; NaN, infinities and negatives are a `RangeError` and record nothing. */
    record(value) {
      // The hot path: a finite number >= 0 (so neither NaN nor ±Infinity) into the buffer.
      if (typeof value === "number" && value >= 0 && value <= Number.MAX_VALUE) {
        const n = this.#n;
        if (n < this.#room) {
          this.#buffer[n] = value;
          this.#n = n + 1;
          return;
        }
      }
      this.#recordSlowly(value);
    }

    /** `record` when the buffer is full or missing, the sketch freed, or `value` bad. */
    #recordSlowly(value) {
      const raw = this.#live("Sketch.record");
      if (typeof value !== "number") throw typeError("Sketch.record", "value", "a number", value);
      if (!(value >= 0 && value <= Number.MAX_VALUE)) {
        // The core words the rule (and refuses the value: nothing is recorded).
        try {
          raw.record(value);
        } catch (e) {
          throw rethrown("Sketch.record", e);
        }
        return;
      }
      if (this.#n > 0) this.#drain();
      const size = this.#buffer === null ? FIRST_BUFFER : Math.min(MOST_BUFFER, 4 * this.#buffer.length);
      if (this.#buffer === null || size > this.#buffer.length) {
        this.#buffer = new Float64Array(size);
        this.#room = size;
      }
      this.#buffer[this.#n++] = value;
    }

    /** Records every value, or none if one is bad (the `RangeError` names its index). */
    recordMany(values) {
      const raw = this.#read("Sketch.recordMany");
      const checked = floats("Sketch.recordMany", "values", values);
      try {
        raw.recordMany(checked);
      } catch (e) {
        throw rethrown("Sketch.recordMany", e);
      }
    }

    /** The quantile `q` in [0, 1]; NaN when empty. */
    quantile(q) {
      const raw = this.#read("Sketch.quantile");
      if (typeof q !== "number") throw typeError("Sketch.quantile", "q", "a number", q);
      try {
        return raw.quantile(q);
      } catch (e) {
        throw rethrown("Sketch.quantile", e);
      }
    }

    /** Several quantiles in one call, in the order asked. */
    quantiles(qs) {
      const raw = this.#read("Sketch.quantiles");
      const checked = floats("Sketch.quantiles", "qs", qs);
      try {
        return raw.quantiles(checked);
      } catch (e) {
        throw rethrown("Sketch.quantiles", e);
      }
    }

    /** Adds `other`'s values (lossless; the coarser scale wins); `other` is unchanged. */
    merge(other) {
      const raw = this.#read("Sketch.merge");
      if (typeof other !== "object" || other === null || !(#raw in other)) {
        throw typeError("Sketch.merge", "other", "a Sketch", other);
      }
      if (other.#raw === null) throw new TypeError("Sketch.merge: other: must be a live Sketch, got a freed one");
      const source = other.#read("Sketch.merge");
      if (source === raw) {
        // Rust cannot borrow one sketch as both sides: merge a copy.
        const copy = Raw.fromBytes(raw.toBytes());
        raw.merge(copy);
        copy.free();
      } else {
        raw.merge(source);
      }
    }

    /** Compact versioned bytes; `Sketch.fromBytes` restores them exactly. */
    toBytes() {
      return this.#read("Sketch.toBytes").toBytes();
    }

    /** This sketch as an OTLP/JSON `ExponentialHistogramDataPoint` (integers as decimal strings). */
    toOtlp() {
      const raw = this.#read("Sketch.toOtlp");
      const integers = raw.otlpIntegers(); // [count, zeroCount, offset, ...bucketCounts]
      const point = {
        count: String(integers[0]),
        sum: raw.sum,
        scale: raw.scale,
        zeroCount: String(integers[1]),
        positive: {
          offset: Number(BigInt.asIntN(64, integers[2])),
          bucketCounts: Array.from(integers.subarray(3), String),
        },
      };
      if (integers[0] > 0n) {
        point.min = raw.min;
        point.max = raw.max;
      }
      point.zeroThreshold = 0;
      return point;
    }

    /** The occupied buckets as parallel arrays: `counts[i]` values in `(lower[i], upper[i]]`. */
    buckets() {
      const columns = this.#read("Sketch.buckets").bucketColumns();
      const n = columns.length / 3;
      return { lower: columns.slice(0, n), upper: columns.slice(n, 2 * n), counts: columns.slice(2 * n) };
    }

    /** Values recorded. */
    get count() {
      return this.#read("Sketch.count").count;
    }

    /** Exact sum of the values. */
    get sum() {
      return this.#read("Sketch.sum").sum;
    }

    /** Smallest value; NaN when empty. */
    get min() {
      return this.#read("Sketch.min").min;
    }

    /** Largest value; NaN when empty. */
    get max() {
      return this.#read("Sketch.max").max;
    }

    /** Mean value; NaN when empty (0 / 0). The same division as the core's `Sketch::mean`. */
    get mean() {
      const raw = this.#read("Sketch.mean");
      return raw.sum / raw.count;
    }

    /** The current OTel scale. */
    get scale() {
      return this.#read("Sketch.scale").scale;
    }

    /** Worst relative error of any quantile at the current scale. */
    get relativeError() {
      return this.#read("Sketch.relativeError").relativeError;
    }

    /** Releases the wasm memory now (the garbage collector does it otherwise); idempotent. */
    free() {
      const raw = this.#raw;
      if (raw === null) return;
      this.#raw = null;
      this.#buffer = null;
      this.#n = 0;
      this.#room = -1;
      raw.free();
    }

    /** The wasm-side sketch, or a TypeError naming `method` once freed. */
    #live(method) {
      const raw = this.#raw;
      if (raw === null) throw new TypeError(`${method}: this Sketch was freed; free() ends its use`);
      return raw;
    }

    /** The wasm-side sketch with every buffered value handed over: what every read starts with. */
    #read(method) {
      const raw = this.#live(method);
      if (this.#n > 0) this.#drain();
      return raw;
    }

    /** Hands the buffered values over in one call (they were checked as they came). */
    #drain() {
      this.#raw.recordMany(this.#buffer.subarray(0, this.#n));
      this.#n = 0;
    }
  }
  if (DISPOSE) Sketch.prototype[DISPOSE] = Sketch.prototype.free;
  return Sketch;
}
