// A panic inside the engine switches apiscope off cleanly. The engines here are the test
// builds (`scripts/build.sh engine-test engine-export-test`: the engine parts with
// `Engine.testPanic()`, shipped nowhere), mapped in place of the engine parts' glue. The panic
// happens where a bug would surface: in the drain a page's own fetch schedules, and in the
// exporter's timer. Afterwards the page's fetch and XHR work exactly as without apiscope,
// nothing calls into the failed module again (every wasm method is counted), timers and
// observers are gone, `stats()` says "failed" and why, there was exactly one `error` event
// (context "internal"), and later calls throw one clear Error.
import { assert, note, origins, sleep, test, until } from "./lib/harness.js";
import { start } from "/js/index.js";
import { initialize as initSketch, Sketch } from "/js/sketch/index.js";

const PARTS = {
  lean: { glue: "/pkg/engine/apiscope_engine.js", test: "/pkg/engine-test/apiscope_engine_test" },
  export: { glue: "/pkg/engine-export/apiscope_engine_export.js", test: "/pkg/engine-export-test/apiscope_engine_export_test" },
};
const present = await Promise.all(
  Object.values(PARTS).map((p) => fetch(`${p.test}.js`, { method: "HEAD" }).then((r) => r.ok, () => false)),
);
// The engine chunks are loaded by start(); before they are, their glue can be mapped.
document.head.append(
  Object.assign(document.createElement("script"), {
    type: "importmap",
    textContent: JSON.stringify({ imports: Object.fromEntries(Object.values(PARTS).map((p) => [p.glue, `${p.test}.js`])) }),
  }),
);

// The page's own fetch, under apiscope's hooks: every promise it made, to compare with what
// the page gets back.
const made = [];
const pageFetch = globalThis.fetch;
globalThis.fetch = function fetch(...args) {
  const promise = pageFetch.apply(this, args);
  made.push(promise);
  return promise;
};

const xhr = (url) =>
  new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("GET", url);
    request.onload = () => resolve(request);
    request.onerror = reject;
    request.send();
  });

/** Counts every call into the wasm through `object`'s methods (the glue's `__` ones are not). */
function counted(object, counter) {
  const proto = Object.getPrototypeOf(object);
  for (const key of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (key === "constructor" || key.startsWith("__") || typeof d.value !== "function") continue;
    Object.defineProperty(object, key, {
      configurable: true,
      value(...args) {
        counter.calls++;
        return d.value.apply(this, args);
      },
    });
  }
}

/** Starts a profiler on the test build of `part`, panics inside it by `arm`, checks it all. */
async function panicCase({ part, options, arm }) {
  assert.ok(present.every(Boolean), "the test engine parts are missing: run scripts/build.sh engine-test engine-export-test");
  const profiler = await start({
    dbName: `apiscope-containment-${Math.random()}`,
    routes: ["/delay/:ms"],
    wasm: `${PARTS[part].test}_bg.wasm`,
    ...options,
  });
  const events = [];
  profiler.on("error", (e) => events.push(e));
  const domEvents = [];
  const onDomError = (e) => domEvents.push(e.detail);
  globalThis.addEventListener("apiscope:error", onDomError);

  // It records, as usual.
  await (await fetch(`${origins.test}/delay/0?before`)).text();
  await until(() => profiler.stats().accepted >= 1, 5000, "the fetch before the panic recorded");

  // Every call into the module from here on is counted; then it panics where `arm` says.
  const counter = { calls: 0 };
  counted(profiler.engine, counter);
  if (profiler.exporter) counted(profiler.exporter.queue, counter);
  const panic = () => {
    counter.beforePanic = counter.calls;
    profiler.engine.testPanic();
  };
  await arm(profiler.engine, panic);
  await until(() => profiler.stats().state === "failed", 5000, "the profiler switched off");
  const callsAtFailure = counter.calls;
  // The panicking call was the last one: switching off called nothing in the module.
  assert.equal(callsAtFailure, counter.beforePanic + 1, "no call into the module while switching off");

  const stats = profiler.stats();
  assert.equal(stats.state, "failed");
  assert.ok(/^RuntimeError: panicked at .*apiscope test panic/s.test(stats.failure), `stats().failure: ${stats.failure}`);
  assert.equal(events.length, 1, `one error event, got ${JSON.stringify(events)}`);
  assert.equal(events[0].context, "internal");
  assert.ok(events[0].message.includes("apiscope test panic"), events[0].message);
  assert.deepEqual(domEvents, events, "the DOM event too, once");
  if (profiler.exporter) assert.equal(profiler.exporter.state, "stopped", "the exporter stopped");

  // The page's fetch now passes through: the page gets the very promise (and Response) its
  // own fetch made, for every kind of answer, and apiscope files none of them.
  const filed = profiler.recorder.count;
  for (const path of ["/delay/0?after", "/status/503", "/delay/1"]) {
    const promise = fetch(`${origins.test}${path}`);
    assert.equal(promise, made.at(-1), `${path}: the page's own promise`);
    const answer = await promise;
    assert.equal(answer, await made.at(-1));
    assert.equal(answer.status, path === "/status/503" ? 503 : 200);
    await answer.text();
  }
  await assert.rejects(fetch("http://127.0.0.1:1/refused"), TypeError);
  const request = await xhr(`${origins.test}/delay/0?xhr`);
  assert.equal(request.status, 200);
  assert.equal(profiler.recorder.count, filed, "nothing filed after the failure");

  // Timers, observers and page-exit listeners are gone: through ticks, a page exit and a
  // visibility change, nothing calls into the failed module.
  assert.equal(profiler.timing, null, "the Resource Timing observer disconnected");
  assert.equal(profiler.lifecycle, null, "the page-exit listeners removed");
  globalThis.dispatchEvent(new Event("pagehide"));
  document.dispatchEvent(new Event("visibilitychange"));
  await sleep(2500); // more than two alert ticks and two export intervals
  assert.equal(counter.calls, callsAtFailure, "no call into the module after the failure");

  // Later calls throw one clear Error (never the trap, never a second one), or do nothing.
  const clear = /^Profiler\.\w+: apiscope switched itself off after an internal failure \(RuntimeError: panicked at /;
  for (const call of [
    () => profiler.snapshot(),
    () => profiler.record({ route: "/x", durationMs: 1 }),
    () => profiler.recordMany({ routes: ["/x"], durationMs: new Float64Array(1) }),
    () => profiler.histogram("GET", "/delay/:ms"),
    () => profiler.rules(),
    () => profiler.addAlert({ name: "a", metric: "p95", above: 1, windowMs: 1000 }),
    () => profiler.exportOtlp(),
  ]) {
    const error = assert.throws(call, Error, clear);
    assert.ok(!(error instanceof WebAssembly.RuntimeError), error.message);
  }
  for (const call of [() => profiler.flush(), () => profiler.query(), () => profiler.samples(), () => profiler.stop(), () => profiler.clear()]) {
    await assert.rejects(call, Error, clear);
  }
  assert.equal(profiler.stats().state, "failed");
  if (profiler.exporter) assert.equal(typeof profiler.stats().export.lastError, "string");
  profiler.free();
  profiler.free();
  assert.equal(counter.calls, callsAtFailure, "free() leaves the failed module alone");
  assert.equal(events.length, 1, "still one error event");
  assert.equal(domEvents.length, 1);

  // A new start() on the trapped module refuses, clearly, and leaves no hook behind.
  const hooked = globalThis.fetch;
  await assert.rejects(
    start({ dbName: `apiscope-containment-${Math.random()}`, wasm: `${PARTS[part].test}_bg.wasm`, ...options }),
    Error,
    /^start: apiscope switched itself off earlier in this page after an internal failure \(RuntimeError: panicked at /,
  );
  assert.equal(globalThis.fetch, hooked, "the refused start() left no hook");
  globalThis.removeEventListener("apiscope:error", onDomError);
}

test("a panic in the drain a page fetch schedules switches apiscope off; the page keeps working", () =>
  panicCase({
    part: "lean",
    arm: async (engine, panic) => {
      Object.defineProperty(engine, "ingest", { value: panic });
      const response = await fetch(`${origins.test}/delay/0?panics`);
      assert.equal(response.status, 200);
    },
  }));

test("a panic in the exporter's timer switches the whole of apiscope off", () =>
  panicCase({
    part: "export",
    options: { export: { url: `${origins.otlp}/v1/metrics`, intervalMs: 1000 } },
    // The next export interval takes the deltas, and panics.
    arm: (engine, panic) => Object.defineProperty(engine, "exportTake", { value: panic }),
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
