// The panic case of tests/browser-js/containment*.test.js: a profiler on the test builds
// (`scripts/build.sh engine-test engine-export-test history-test`: the parts with
// `testPanic()`, shipped nowhere), mapped in place of the shipped parts' glue, made to panic
// where a bug would surface, then everything the page must see afterwards checked. Each test
// file is a page of its own, so each gets untrapped parts.
import { assert, origins, sleep, until } from "./harness.js";
import { start } from "/js/index.js";

export const PARTS = {
  lean: { glue: "/pkg/engine/apiscope_engine.js", test: "/pkg/engine-test/apiscope_engine_test" },
  export: { glue: "/pkg/engine-export/apiscope_engine_export.js", test: "/pkg/engine-export-test/apiscope_engine_export_test" },
  history: { glue: "/pkg/history/apiscope_history.js", test: "/pkg/history-test/apiscope_history_test" },
};
const present = await Promise.all(
  Object.values(PARTS).map((p) => fetch(`${p.test}.js`, { method: "HEAD" }).then((r) => r.ok, () => false)),
);
// The engine chunks are loaded by start(), the history glue by the first query(); before they
// are, their glue can be mapped.
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

/**
 * Starts a profiler on the test build of engine `part`, panics inside by `arm({ profiler,
 * counter, panic })` (`panic()`: the engine's; a panic elsewhere counts its call in
 * `counter.calls` and sets `counter.beforePanic` first), and checks it all.
 */
export async function panicCase({ part, options, arm }) {
  assert.ok(present.every(Boolean), "the test parts are missing: run scripts/build.sh engine-test engine-export-test history-test");
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
  await arm({ profiler, counter, panic });
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

