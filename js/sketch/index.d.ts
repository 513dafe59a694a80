// Types of `apiscope/sketch`: the percentile sketch alone, on its own small wasm part.

// `Sketch` declares `[Symbol.dispose]`; this makes `Symbol.dispose` known whatever `lib` the
// consuming project compiles with.
/// <reference lib="esnext.disposable" />

/** Where the part's wasm comes from, as `WebAssembly.instantiateStreaming` takes it. */
export type WasmSource = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads and instantiates the sketch part's wasm, once: later calls return the same promise
 * (after a failure, the next call tries again). In a page it is fetched next to the package's
 * `pkg/sketch/apiscope_sketch.js` (bundlers that understand `new URL(..., import.meta.url)`
 * emit it as an asset); in Node it is read from the package's files.
 *
 * @returns The raw wasm exports (not part of the API; await it for readiness only).
 * @throws (rejects) an `Error` named `ApiscopeCspError` when the page's Content Security Policy
 *   lacks `'wasm-unsafe-eval'` in `script-src`; otherwise the runtime's own load error.
 *
 * @example
 * import { initialize, Sketch } from "apiscope/sketch";
 * await initialize();
 * const sketch = new Sketch();
 */
export function initialize(source?: WasmSource | Promise<WasmSource>): Promise<WebAssembly.Exports>;

/** Options of `new Sketch()`; unknown keys are a `TypeError`. */
export interface SketchOptions {
  /** Worst relative error of any quantile, in [3.3e-7, 1); default 0.01. */
  maxRelativeError?: number;
  /** Most buckets before the sketch halves its resolution, an integer in [2, 65536]; default 2048. */
  maxBuckets?: number;
}

/** Occupied histogram buckets as parallel arrays: `counts[i]` values in `(lower[i], upper[i]]` ms, the zero bucket first, ascending. */
export interface SketchBuckets {
  lower: Float64Array;
  upper: Float64Array;
  counts: Float64Array;
}

/**
 * An OTLP/JSON `ExponentialHistogramDataPoint` (without timestamps and attributes): 64-bit
 * integers are decimal strings, as OTLP/JSON requires.
 */
export interface OtlpExponentialHistogramDataPoint {
  count: string;
  sum: number;
  /** Resolution: bucket bounds are powers of `2^(2^−scale)`. */
  scale: number;
  zeroCount: string;
  positive: {
    /** Index of the first bucket. */
    offset: number;
    /** Counts from `offset` on, empty buckets included. */
    bucketCounts: string[];
  };
  /** Absent when empty. */
  min?: number;
  /** Absent when empty. */
  max?: number;
  /** Always 0: only exact zeros go to the zero bucket. */
  zeroThreshold: number;
}

/**
 * A mergeable percentile sketch of latencies in ms, in the OpenTelemetry exponential-histogram
 * layout: bounded memory, relative-error quantiles, lossless merges. Needs `initialize()`;
 * before it resolves, the constructor and `fromBytes` throw an `Error` that says so.
 *
 * `record(v)` costs a few JS operations: values wait in a small buffer and reach wasm in bulk
 * before anything reads the sketch, so every read is exact. A wrong type is a `TypeError`, a bad
 * value a `RangeError`, each naming the method and parameter; either leaves the sketch as it was.
 * After `free()` (or `using` disposal) every method throws a `TypeError`; a sketch the app drops
 * without `free()` is released by the garbage collector.
 *
 * @example
 * const sketch = new Sketch({ maxRelativeError: 0.01 });
 * sketch.recordMany(new Float64Array([12, 15, 230]));
 * sketch.record(18);
 * sketch.quantile(0.95); // ≈ 18 within 1% (lower rank: q·(count − 1))
 * sketch.free();
 */
export class Sketch {
  /** @throws `TypeError`/`RangeError` naming the option. */
  constructor(options?: SketchOptions);
  /** Decodes `toBytes()` output exactly. @throws `Error` for corrupt bytes. */
  static fromBytes(bytes: Uint8Array | ArrayBuffer | number[]): Sketch;
  /** Records one value. @throws `RangeError` for NaN, infinities and negatives (recording nothing). */
  record(value: number): void;
  /** Records every value, or none if one is bad (`RangeError` naming its index); at most 2^24 per call. */
  recordMany(values: Float64Array | number[]): void;
  /** The quantile `q` ∈ [0, 1] (`RangeError` otherwise); `NaN` when empty. */
  quantile(q: number): number;
  /** Several quantiles in one call, in the order asked. */
  quantiles(qs: Float64Array | number[]): Float64Array;
  /** Adds `other`'s values; the coarser scale wins. `other` is unchanged. @throws `TypeError` unless `other` is a live `Sketch` of this module. */
  merge(other: Sketch): void;
  /** Compact versioned bytes, for storage or transfer. */
  toBytes(): Uint8Array;
  /** This sketch as an OTLP data point. */
  toOtlp(): OtlpExponentialHistogramDataPoint;
  /** The occupied buckets, for drawing a histogram. */
  buckets(): SketchBuckets;
  /** Values recorded. */
  readonly count: number;
  /** Exact sum of the values. */
  readonly sum: number;
  /** `NaN` when empty. */
  readonly min: number;
  /** `NaN` when empty. */
  readonly max: number;
  /** `NaN` when empty. */
  readonly mean: number;
  /** The current OTel scale. */
  readonly scale: number;
  /** Worst relative error of any quantile at the current scale. */
  readonly relativeError: number;
  /** Releases the wasm memory now (the garbage collector does it otherwise); idempotent. */
  free(): void;
  /** `free()`, for `using sketch = new Sketch()`. */
  [Symbol.dispose](): void;
}
