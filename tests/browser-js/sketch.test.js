// `apiscope/sketch` in Chromium: values, bulk calls, bytes, OTLP objects, the errors bad input
// throws, per-call records buffered in JS (reads exact at every moment, the same sketch as one
// bulk record), use after free, and merges of the wrong class.
import { assert, test } from "./lib/harness.js";
import { random } from "./lib/random.js";
import { initialize, Sketch } from "/js/sketch/index.js";
import { sketchClass } from "/js/sketch/sketch.js";
import { Sketch as RawSketch } from "/pkg/sketch/apiscope_sketch.js";

/** Latency-like values (log-uniform over 1 µs .. 1 h), zeros among them. */
function latencies(n, seed) {
  const next = random(seed);
  return Array.from({ length: n }, () => (next() < 0.02 ? 0 : Math.exp(Math.log(0.001) + next() * 22)));
}

/** Whole milliseconds, so that every sum is exact whatever order it is added in. */
function wholeMs(n, seed) {
  const next = random(seed);
  return Array.from({ length: n }, () => Math.floor(next() * 10_000));
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

test("before initialize() the constructor and fromBytes say what to do", () => {
  assert.throws(() => new Sketch(), Error, 'new Sketch: apiscope/sketch is not loaded yet; call `await initialize()` (from "apiscope/sketch") first');
  assert.throws(() => Sketch.fromBytes(new Uint8Array(0)), Error, "Sketch.fromBytes: apiscope/sketch is not loaded yet");
});

test("initialize() loads the part once", async () => {
  const exports = await initialize();
  assert.ok(exports.memory instanceof WebAssembly.Memory);
  assert.equal(await initialize(), exports);
});

test("records and reads quantiles", () => {
  const sketch = new Sketch();
  assert.ok(Number.isNaN(sketch.quantile(0.5)));
  sketch.recordMany(new Float64Array([1, 10, 100, 1000]));
  sketch.record(0);
  assert.deepEqual([sketch.count, sketch.min, sketch.max], [5, 0, 1000]);
  assert.equal(sketch.sum, 1111);
  assert.equal(sketch.mean, 1111 / 5);
  assert.equal(sketch.scale, 6);
  const qs = sketch.quantiles(new Float64Array([0, 0.5, 1]));
  assert.ok(qs instanceof Float64Array);
  assert.deepEqual([qs[0], qs[2]], [0, 1000]);
  assert.ok(Math.abs(qs[1] / 10 - 1) <= sketch.relativeError, `p50 ${qs[1]}`);
  assert.deepEqual(Array.from(sketch.quantiles([0, 1])), [0, 1000]);
  sketch.free();
});

test("bad values throw RangeErrors naming the method and the value, recording nothing", () => {
  const sketch = new Sketch(null);
  assert.throws(() => sketch.record(NaN), RangeError, /^Sketch\.record: value: must be a finite number >= 0, got NaN$/);
  for (const bad of [-1, -Infinity, Infinity, -1e-300]) {
    assert.throws(() => sketch.record(bad), RangeError, `Sketch.record: value: must be a finite number >= 0, got ${bad}`);
  }
  assert.throws(() => sketch.recordMany([1, -5]), RangeError, /^Sketch\.recordMany: values\[1\]: must be a finite number >= 0, got -5$/);
  assert.throws(() => sketch.quantile(1.5), RangeError, /^Sketch\.quantile: q: must be in \[0, 1\], got 1\.5$/);
  assert.throws(() => sketch.quantiles([0.5, -0.25]), RangeError, /^Sketch\.quantiles: qs\[1\]: must be in \[0, 1\], got -0\.25$/);
  assert.equal(sketch.count, 0);
  sketch.record(-0);
  assert.equal(sketch.count, 1);
  assert.ok(Object.is(sketch.min, 0), "-0 reads back as 0");
  sketch.free();
});

test("wrong types are TypeErrors naming the method and parameter", () => {
  const sketch = new Sketch();
  assert.throws(() => sketch.record("5"), TypeError, 'Sketch.record: value: must be a number, got the string "5"');
  assert.throws(() => sketch.record(5n), TypeError, "Sketch.record: value: must be a number, got a bigint");
  assert.throws(() => sketch.recordMany(new Float32Array(2)), TypeError, "Sketch.recordMany: values: must be a Float64Array or an array of numbers, got an object");
  assert.throws(() => sketch.recordMany([1, "2"]), TypeError, 'Sketch.recordMany: values[1]: must be a number, got the string "2"');
  assert.throws(() => sketch.quantile(undefined), TypeError, "Sketch.quantile: q: must be a number, got undefined");
  assert.throws(() => sketch.quantiles("0.5"), TypeError, "Sketch.quantiles: qs: must be a Float64Array or an array of numbers");
  assert.throws(() => Sketch.fromBytes("AQ=="), TypeError, "Sketch.fromBytes: bytes: must be a Uint8Array or an array of bytes");
  assert.throws(() => Sketch.fromBytes([1, 300]), RangeError, "Sketch.fromBytes: bytes[1]: must be a byte (an integer in [0, 255]), got 300");
  assert.equal(sketch.count, 0);
  sketch.free();
});

test("options are validated by name", () => {
  const coarse = new Sketch({ maxRelativeError: 0.02 });
  assert.equal(coarse.scale, 5);
  coarse.free();
  assert.throws(() => new Sketch({ maxBuckets: 1 }), RangeError, "new Sketch: maxBuckets: must be an integer in [2, 65536], got 1");
  assert.throws(() => new Sketch({ maxBuckets: 3.5 }), RangeError, "new Sketch: maxBuckets: ");
  assert.throws(() => new Sketch({ maxRelativeError: 0 }), RangeError, /^new Sketch: maxRelativeError: must be in \[3\.3\d*e-7, 1\), got 0$/);
  assert.throws(() => new Sketch({ accuracy: 0.01 }), TypeError, "new Sketch: accuracy: unknown option (expected one of maxRelativeError, maxBuckets)");
  assert.throws(() => new Sketch({ maxBuckets: "many" }), TypeError, 'new Sketch: maxBuckets: must be a number, got the string "many"');
  assert.throws(() => new Sketch(7), TypeError, "new Sketch: options: must be an object, got the number 7");
  assert.throws(() => new Sketch([]), TypeError, "new Sketch: options: must be an object, got an array");
  const defaults = new Sketch({ maxRelativeError: undefined });
  assert.equal(defaults.scale, 6);
  defaults.free();
});

test("bytes round-trip exactly; garbage is an Error, not a RangeError", () => {
  const sketch = new Sketch();
  sketch.recordMany([3, 4, 5000]);
  const copy = Sketch.fromBytes(sketch.toBytes());
  assert.ok(same(copy.toBytes(), sketch.toBytes()));
  assert.deepEqual([copy.count, copy.sum, copy.max], [3, 5007, 5000]);
  assert.ok(same(Sketch.fromBytes(sketch.toBytes().buffer).toBytes(), sketch.toBytes()), "an ArrayBuffer decodes too");
  assert.ok(same(Sketch.fromBytes(Array.from(sketch.toBytes())).toBytes(), sketch.toBytes()), "and an array of bytes");
  const error = assert.throws(() => Sketch.fromBytes([9, 9, 9]), Error, /^Sketch\.fromBytes: bytes: does not decode: unsupported format version, got 9$/);
  assert.ok(!(error instanceof RangeError) && !(error instanceof TypeError));
  assert.throws(() => Sketch.fromBytes([]), Error, "Sketch.fromBytes: bytes: does not decode: truncated");
  sketch.free();
  copy.free();
});

test("merges take the coarser scale", () => {
  const a = new Sketch();
  const b = new Sketch({ maxRelativeError: 0.05 });
  a.record(1);
  b.record(2);
  a.merge(b);
  assert.deepEqual([a.count, a.scale, b.count], [2, b.scale, 1]);
  a.free();
  b.free();
});

test("OTLP is a plain object with string integers, exact past 2^53", () => {
  const sketch = new Sketch();
  sketch.recordMany([0, 1, 1]);
  const point = sketch.toOtlp();
  assert.equal(point.count, "3");
  assert.equal(point.zeroCount, "1");
  assert.equal(point.scale, 6);
  assert.equal(point.positive.offset, -1);
  assert.equal(point.positive.bucketCounts[0], "2");
  assert.equal(point.max, 1);
  const json = JSON.stringify(point);
  assert.equal(json, '{"count":"3","sum":2,"scale":6,"zeroCount":"1","positive":{"offset":-1,"bucketCounts":["2"]},"min":0,"max":1,"zeroThreshold":0}');
  const empty = new Sketch();
  assert.equal(JSON.stringify(empty.toOtlp()), '{"count":"0","sum":0,"scale":6,"zeroCount":"0","positive":{"offset":0,"bucketCounts":[]},"zeroThreshold":0}');
  // Merging a sketch into itself doubles it: 60 times makes counts of 3 * 2^60.
  for (let i = 0; i < 60; i++) sketch.merge(sketch);
  const big = sketch.toOtlp();
  assert.equal(big.count, String(3n * 2n ** 60n));
  assert.equal(big.positive.bucketCounts[0], String(2n ** 61n));
  sketch.free();
  empty.free();
});

test("buckets are parallel Float64Arrays", () => {
  const sketch = new Sketch();
  sketch.recordMany([0, 2, 2, 64]);
  const { lower, upper, counts } = sketch.buckets();
  assert.ok(lower instanceof Float64Array && upper instanceof Float64Array && counts instanceof Float64Array);
  assert.deepEqual(Array.from(counts), [1, 2, 1]);
  assert.deepEqual(Array.from(upper.subarray(0, 2)), [0, 2]);
  assert.ok(lower[2] < 64 && upper[2] === 64);
  sketch.free();
});

test("quantiles in any order match single queries; a bad batch records nothing", () => {
  const sketch = new Sketch();
  sketch.recordMany(Float64Array.from({ length: 2000 }, (_, i) => 0.5 * 1.003 ** i));
  sketch.recordMany([0, -0]);
  for (const qs of [[0.5, 0.9, 0.99, 0.999], [0.999, 0.001, 0.5, 0]]) {
    const all = Array.from(sketch.quantiles(qs));
    assert.deepEqual(all, qs.map((q) => sketch.quantile(q)));
  }
  assert.equal(sketch.quantile(0), 0);
  const before = sketch.toBytes();
  assert.throws(() => sketch.recordMany([1, -0, NaN, -1]), RangeError, /^Sketch\.recordMany: values\[2\]: must be a finite number >= 0, got NaN$/);
  assert.ok(same(sketch.toBytes(), before));
  sketch.free();
});

test("per-call records equal one bulk record, to the last bit", () => {
  // Around each hand-over: the buffer holds 64, then 256, then 1024 values.
  for (const [n, seed] of [[1, 1], [64, 2], [65, 3], [320, 4], [321, 5], [1344, 6], [1345, 7], [20_000, 8]]) {
    const values = latencies(n, seed);
    const bulk = new Sketch();
    bulk.recordMany(values);
    const calls = new Sketch();
    for (const v of values) calls.record(v);
    assert.ok(same(calls.toBytes(), bulk.toBytes()), `${n} values`);
    // Interleaved with reads and bulk calls, in any cut.
    const mixed = new Sketch();
    const next = random(seed);
    for (let i = 0; i < values.length; ) {
      const run = Math.ceil(next() * 3000);
      if (next() < 0.3) {
        mixed.recordMany(values.slice(i, i + run));
      } else {
        for (const v of values.slice(i, i + run)) mixed.record(v);
      }
      if (next() < 0.5) mixed.quantile(next());
      i += run;
    }
    assert.ok(same(mixed.toBytes(), bulk.toBytes()), `${n} values, mixed`);
    for (const s of [bulk, calls, mixed]) s.free();
  }
});

test("merging buffered and handed-over values equals recording them all at once", () => {
  const values = wholeMs(30_000, 7);
  const next = random(8);
  const target = new Sketch();
  const parts = [];
  for (let i = 0; i < values.length; ) {
    const run = 1 + Math.floor(next() * 4000);
    const chunk = values.slice(i, i + run);
    if (next() < 0.3) {
      chunk.forEach((v) => target.record(v)); // the target buffers values of its own
    } else {
      const part = new Sketch();
      const cut = Math.floor(next() * chunk.length);
      chunk.slice(0, cut).forEach((v) => part.record(v));
      if (next() < 0.5) assert.equal(part.count, cut); // a read hands these over
      chunk.slice(cut).forEach((v) => part.record(v)); // these are still buffered at the merge
      parts.push([part, chunk.length]);
    }
    i += run;
  }
  for (const [part] of parts) target.merge(part);
  const all = new Sketch();
  all.recordMany(values);
  assert.ok(same(target.toBytes(), all.toBytes()));
  for (const [part, n] of parts) {
    assert.equal(part.count, n, "merge leaves its argument as it was");
    part.free();
  }
  target.free();
  all.free();
});

test("count, min, max and sum are exact at every read", () => {
  const values = latencies(5000, 9);
  const sketch = new Sketch();
  let [min, max, sum] = [Infinity, -Infinity, 0];
  const next = random(10);
  for (let i = 0; i < values.length; i++) {
    sketch.record(values[i]);
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
    sum += values[i];
    if (i < 100 || next() < 0.2) {
      assert.equal(sketch.count, i + 1);
      assert.equal(sketch.min, min);
      assert.equal(sketch.max, max);
      assert.equal(sketch.sum, sum);
      assert.equal(sketch.quantile(0), min);
      assert.equal(sketch.quantile(1), max);
    }
  }
  sketch.free();
});

test("after free() every method is a TypeError naming it; free() is idempotent", () => {
  const sketch = new Sketch();
  sketch.record(1); // buffered when freed
  sketch.free();
  sketch.free();
  const calls = {
    record: () => sketch.record(1),
    recordMany: () => sketch.recordMany([1]),
    quantile: () => sketch.quantile(0.5),
    quantiles: () => sketch.quantiles([0.5]),
    merge: () => sketch.merge(new Sketch()),
    toBytes: () => sketch.toBytes(),
    toOtlp: () => sketch.toOtlp(),
    buckets: () => sketch.buckets(),
    count: () => sketch.count,
    sum: () => sketch.sum,
    min: () => sketch.min,
    max: () => sketch.max,
    mean: () => sketch.mean,
    scale: () => sketch.scale,
    relativeError: () => sketch.relativeError,
  };
  for (const [name, call] of Object.entries(calls)) {
    assert.throws(call, TypeError, `Sketch.${name}: this Sketch was freed; free() ends its use`);
  }
  const live = new Sketch();
  assert.throws(() => live.merge(sketch), TypeError, "Sketch.merge: other: must be a live Sketch, got a freed one");
  assert.equal(live.count, 0);
  live.free();
});

test("merge of anything but a live Sketch of this module is a TypeError", async () => {
  const sketch = new Sketch();
  sketch.record(3);
  // Another wrapper class over the same wasm, the wasm-bindgen class itself, and lookalikes.
  const foreign = new (sketchClass(RawSketch, () => {}))();
  const raw = new RawSketch(undefined, undefined);
  const wrongs = [undefined, null, {}, [], 1, "s", Symbol("s"), 1n, () => {}, new Proxy(new Sketch(), {}), foreign, raw, Object.create(Sketch.prototype)];
  for (const other of wrongs) {
    assert.throws(() => sketch.merge(other), TypeError, "Sketch.merge: other: must be a Sketch, got ");
  }
  assert.equal(sketch.count, 1);
  sketch.free();
  foreign.free();
  raw.free();
});

test("`using` frees the sketch at the end of its block", () => {
  let escaped;
  {
    using sketch = new Sketch();
    sketch.record(1);
    escaped = sketch;
    assert.equal(sketch.count, 1);
  }
  assert.throws(() => escaped.count, TypeError, "Sketch.count: this Sketch was freed");
  assert.equal(Sketch.prototype[Symbol.dispose], Sketch.prototype.free);
});
