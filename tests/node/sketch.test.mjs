// `apiscope/sketch` in Node 18+: imported by the package's own name (so through package.json
// "exports" and its "node" condition), the wasm read from the package files, and sketches the
// app never frees released by the garbage collector.
//
//   node --test tests/node/
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import { initialize, Sketch } from "apiscope/sketch";

// A full collection on demand, so that what the app dropped is collected now.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("before initialize() the constructor says what to do", () => {
  assert.throws(() => new Sketch(), {
    name: "Error",
    message: 'new Sketch: apiscope/sketch is not loaded yet; call `await initialize()` (from "apiscope/sketch") first',
  });
  assert.throws(() => Sketch.fromBytes(new Uint8Array(0)), /Sketch.fromBytes: apiscope\/sketch is not loaded yet/);
});

test("the node entry loads the part from the package files, once", async () => {
  const exports = await initialize();
  assert.ok(exports.memory instanceof WebAssembly.Memory);
  assert.equal(await initialize(), exports);
});

test("records and reads quantiles", () => {
  const sketch = new Sketch();
  for (let i = 1; i <= 1000; i++) sketch.record(i);
  sketch.recordMany(new Float64Array([0, 5000]));
  assert.deepEqual([sketch.count, sketch.min, sketch.max], [1002, 0, 5000]);
  const [p50, p99] = sketch.quantiles([0.5, 0.99]);
  assert.ok(Math.abs(p50 / 500 - 1) <= sketch.relativeError, `p50 ${p50}`);
  assert.ok(Math.abs(p99 / 990 - 1) <= sketch.relativeError, `p99 ${p99}`);
  assert.equal(sketch.quantile(1), 5000);
  assert.throws(() => sketch.record(-1), {
    name: "RangeError",
    message: "Sketch.record: value: must be a finite number >= 0, got -1",
  });
  const copy = Sketch.fromBytes(sketch.toBytes());
  assert.equal(copy.toOtlp().count, "1002");
  copy.free();
  sketch.free();
});

test("sketches the app forgets to free are released by the garbage collector", async () => {
  const { memory } = await initialize();
  const collected = { count: 0 };
  const watch = new FinalizationRegistry(() => collected.count++);
  const rounds = 40;
  const perRound = 500;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < perRound; i++) {
      // 1 µs .. 1 h: about 2 KB of counters in wasm memory, plus values still buffered in JS.
      const sketch = new Sketch();
      sketch.recordMany(new Float64Array([0.001, 3_600_000]));
      sketch.record(42);
      watch.register(sketch, null);
    }
    gc();
    await settle();
  }
  for (let i = 0; i < 10 && collected.count < rounds * perRound * 0.9; i++) {
    gc();
    await settle();
  }
  assert.ok(collected.count >= rounds * perRound * 0.9, `${collected.count} of ${rounds * perRound} collected`);
  // 20 000 such sketches held at once would take over 40 MB of wasm memory.
  const mb = memory.buffer.byteLength / 2 ** 20;
  assert.ok(mb < 16, `wasm memory grew to ${mb.toFixed(1)} MB`);
});

test("Symbol.dispose frees, where the runtime has it", () => {
  const sketch = new Sketch();
  if (typeof Symbol.dispose === "symbol") {
    sketch[Symbol.dispose]();
    assert.throws(() => sketch.count, { name: "TypeError", message: /^Sketch.count: this Sketch was freed/ });
  } else {
    sketch.free();
  }
});
