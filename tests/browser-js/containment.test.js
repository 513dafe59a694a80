// A panic inside the engine switches apiscope off cleanly. The engines here are the test
// builds (lib/panic_case.js: the engine parts with `Engine.testPanic()`, shipped nowhere),
// mapped in place of the engine parts' glue. The panic happens where a bug would surface: in the drain a page's own fetch schedules, and in the
// exporter's timer. Afterwards the page's fetch and XHR work exactly as without apiscope,
// nothing calls into the failed module again (every wasm method is counted), timers and
// observers are gone, `stats()` says "failed" and why, there was exactly one `error` event
// (context "internal"), and later calls throw one clear Error.
import { assert, note, origins, sleep, test } from "./lib/harness.js";
import { panicCase } from "./lib/panic_case.js";
import { initialize as initSketch, Sketch } from "/js/sketch/index.js";

test("a panic in the drain a page fetch schedules switches apiscope off; the page keeps working", () =>
  panicCase({
    part: "lean",
    arm: async ({ profiler, panic }) => {
      Object.defineProperty(profiler.engine, "ingest", { value: panic });
      const response = await fetch(`${origins.test}/delay/0?panics`);
      assert.equal(response.status, 200);
    },
  }));

test("a panic in the exporter's timer switches the whole of apiscope off", () =>
  panicCase({
    part: "export",
    options: { export: { url: `${origins.otlp}/v1/metrics`, intervalMs: 1000 } },
    // The next export interval takes the deltas, and panics.
    arm: ({ profiler, panic }) => Object.defineProperty(profiler.engine, "exportTake", { value: panic }),
  }));

/** A full collection, and the finalization callbacks it queued. */
async function collect() {
  await globalThis.collectGarbage();
  await sleep(20); // FinalizationRegistry callbacks run as tasks
}

test("sketches the app forgets to free() are released by the garbage collector", async () => {
  // (Cache and ResponseCache: tests/e2e/cache.test.mjs, "caches the app forgets to free()".)
  const { memory } = await initSketch();
  let collected = 0;
  const registry = new FinalizationRegistry(() => collected++);
  const values = Float64Array.from({ length: 2000 }, (_, i) => 0.01 * 1.01 ** i);
  const round = () => {
    for (let i = 0; i < 500; i++) {
      const sketch = new Sketch();
      sketch.recordMany(values); // its buckets, in wasm memory
      registry.register(sketch, null);
    }
  };
  round();
  await collect();
  const first = memory.buffer.byteLength;
  for (let r = 1; r < 30; r++) {
    round();
    await collect();
  }
  for (let i = 0; i < 50 && collected < 30 * 500; i++) await collect();
  assert.equal(collected, 30 * 500, "every forgotten Sketch was collected");
  note(`sketch part wasm memory: ${first} B after one round of 500 sketches, ${memory.buffer.byteLength} B after 30`);
  // Wasm memory never shrinks; a leak would have grown it about 30-fold.
  assert.ok(memory.buffer.byteLength <= 2 * first, `wasm memory ${memory.buffer.byteLength} B after 30 rounds, ${first} B after one`);
});

test("Symbol.dispose exists and disposes; `using` where it parses", async () => {
  assert.equal(typeof Symbol.dispose, "symbol");
  await initSketch();
  const sketch = new Sketch();
  sketch.record(1);
  sketch[Symbol.dispose]();
  assert.throws(() => sketch.count, TypeError, "Sketch.count: this Sketch was freed");
  sketch[Symbol.dispose](); // twice is safe
  let scoped;
  try {
    scoped = new Function("Sketch", "{ using s = new Sketch(); s.record(2); return s; }");
  } catch (error) {
    assert.ok(error instanceof SyntaxError, String(error));
    note("`using` does not parse in this Chromium");
    return; // `using` does not parse in this Chromium; the method is what it calls
  }
  note("`using` parses: checked");
  const left = scoped(Sketch);
  assert.throws(() => left.record(3), TypeError, "Sketch.record: this Sketch was freed");
});
