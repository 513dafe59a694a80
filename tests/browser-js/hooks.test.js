// The loader's fetch hook in real Chromium against the real test server
// (tests/server/routes/instrument.mjs): the app sees exactly what it would without it, and
// every call is filed once with the right URL, method, status, outcome and times.
import { assert, origins, sleep, test } from "./lib/harness.js";
import { installHooks } from "/js/loader/hooks.js";
import { Recorder } from "/js/loader/recorder.js";
import { take } from "/js/loader/handover.js";
import { ABORTED, HTTP_ERROR, NETWORK_ERROR, OK, TIMEOUT } from "./lib/drain.js";
import { recordFetch, settle, withHooks } from "./lib/hooked.js";

const url = (path) => `${origins.test}${path}`;

function only(records) {
  assert.equal(records.length, 1, `one record, got ${JSON.stringify(records)}`);
  return records[0];
}

// The real fetch replaced by a recorder, hooks installed on top of it.
async function recorded(options, fn) {
  const rec = recordFetch();
  try {
    return await withHooks(options, (t) => fn({ ...t, rec }));
  } finally {
    rec.restore();
  }
}

test("fetch hands the app the original's promise, response and body", () =>
  recorded({}, async ({ rec, hooks, seen }) => {
    const before = performance.now();
    const promise = fetch(url("/inst/ok?user=alice#top"));
    assert.ok(promise === rec.promise, "the very promise");
    const response = await promise;
    assert.ok(response === rec.response, "the very response");
    const r = only(seen());
    assert.equal(await response.text(), "ok body", "body intact after observation");
    assert.deepEqual(
      [r.transport, r.method, r.url, r.operation, r.status, r.outcome],
      [0, "GET", url("/inst/ok"), "", 200, OK],
      "no query, no fragment",
    );
    assert.ok(r.start >= before && r.headers >= r.start, JSON.stringify(r));
    assert.ok(Number.isNaN(r.end), "fetch leaves the end to Resource Timing");
    assert.equal(hooks.errors, 0);
  }));

test("fetch forwards every argument untouched, and keeps its length", () =>
  recorded({}, async ({ rec, seen }) => {
    const extra = { polyfill: true };
    await fetch(url("/inst/ok"), {}, extra);
    assert.equal(rec.args.length, 3);
    assert.ok(rec.args[2] === extra, "a polyfill's 3rd argument");
    assert.equal(fetch.length, 1);
    assert.equal(only(seen()).status, 200);
  }));

test("a dropped connection rejects with the original's TypeError", () =>
  recorded({}, async ({ rec, seen }) => {
    const { error } = await settle(fetch(url("/inst/fail")));
    assert.ok(error instanceof TypeError, String(error));
    assert.ok(error === rec.error, "the very error");
    const r = only(seen());
    assert.deepEqual([r.status, r.outcome], [0, NETWORK_ERROR]);
    assert.ok(r.headers >= r.start, "the failure time");
  }));

test("observing a rejection raises no unhandled rejection", () =>
  withHooks({}, async ({ seen }) => {
    let count = 0;
    const onUnhandled = () => count++;
    addEventListener("unhandledrejection", onUnhandled);
    await fetch(url("/inst/fail")).catch(() => {});
    await sleep(100);
    removeEventListener("unhandledrejection", onUnhandled);
    assert.equal(count, 0);
    assert.equal(only(seen()).outcome, NETWORK_ERROR);
  }));

test("a page replacing Promise.prototype.then never sees the hook's handlers", () =>
  withHooks({}, async ({ seen }) => {
    const then = Promise.prototype.then;
    let calls = 0;
    Promise.prototype.then = function (...args) {
      calls++;
      return then.apply(this, args);
    };
    let promise;
    try {
      promise = fetch(url("/inst/ok"));
    } finally {
      Promise.prototype.then = then;
    }
    await promise;
    assert.equal(calls, 0);
    assert.equal(only(seen()).status, 200);
  }));

test("an abort or a timeout rejects with the original's error and is filed as such", () =>
  recorded({}, async ({ rec, seen }) => {
    const controller = new AbortController();
    const aborted = fetch(url("/inst/slow/200"), { signal: controller.signal });
    controller.abort();
    const { error } = await settle(aborted);
    assert.equal(error.name, "AbortError");
    assert.ok(error === rec.error, "the very error");
    const timedOut = await settle(fetch(url("/inst/slow/200"), { signal: AbortSignal.timeout(20) }));
    assert.equal(timedOut.error.name, "TimeoutError");
    // A Request's own signal counts too.
    const request = new Request(url("/inst/slow/200"), { signal: AbortSignal.timeout(20) });
    await settle(fetch(request));
    const outcomes = seen().map((r) => [r.status, r.outcome]);
    assert.deepEqual(outcomes, [[0, ABORTED], [0, TIMEOUT], [0, TIMEOUT]]);
  }));

test("HTTP errors are filed with their status, bodies intact", () =>
  withHooks({}, async ({ seen }) => {
    const response = await fetch(url("/inst/500"));
    assert.equal(await response.text(), "boom");
    const r = only(seen());
    assert.deepEqual([r.status, r.outcome], [500, HTTP_ERROR]);
  }));

test("a fetch's headers time is when its promise resolved", () =>
  withHooks({}, async ({ seen }) => {
    await fetch(url("/inst/slow/200"));
    const r = only(seen());
    // The server waits 200 ms before its headers.
    assert.ok(r.headers - r.start >= 195, `${r.headers - r.start} ms`);
  }));

test("streamed bodies still reach the app chunk by chunk", () =>
  withHooks({}, async ({ seen }) => {
    const response = await fetch(url("/inst/stream"));
    assert.equal(only(seen()).status, 200, "filed at the headers");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    assert.equal(chunks.join(""), "chunk0;chunk1;chunk2;chunk3;chunk4;");
    assert.ok(chunks.length > 1, `still streamed: ${chunks.length} chunk(s)`);
  }));

test("strings, URLs, Requests and their methods", () =>
  withHooks({}, async ({ seen }) => {
    const echo = url("/inst/echo?token=secret");
    const cases = [
      ["POST", () => fetch(echo, { method: "post" })],
      ["GET", () => fetch(new URL(echo))],
      ["POST", () => fetch(new Request(echo, { method: "POST" }))],
      ["DELETE", () => fetch(new Request(echo, { method: "PUT" }), { method: "DELETE" })],
      ["PUT", () => fetch(new Request(echo, { method: "PUT" }), {})],
    ];
    for (const [expected, call] of cases) {
      const response = await call();
      assert.equal(await response.text(), expected, "what went over the wire");
      const r = only(seen().splice(0));
      assert.deepEqual([r.method, r.url], [expected, url("/inst/echo")]);
    }
  }));

test("relative URLs resolve against the document base, also after history.pushState", () =>
  withHooks({}, async ({ seen }) => {
    // Relative to the test page, whose server answers 404 here.
    await fetch("/inst-relative?x=1#y");
    const r = only(seen().splice(0));
    assert.deepEqual([r.url, r.status, r.outcome], [`${location.origin}/inst-relative`, 404, HTTP_ERROR]);
    // The same relative string after pushState means another URL, though the recorder
    // remembers its call site from before.
    for (const path of ["/app/one", "/app/deep/two"]) {
      const before = location.href;
      history.pushState(null, "", path);
      try {
        await fetch("inst-relative");
        await fetch("inst-relative");
      } finally {
        history.pushState(null, "", before);
      }
      const dir = path.slice(0, path.lastIndexOf("/"));
      const expected = `${location.origin}${dir}/inst-relative`;
      assert.deepEqual(seen().splice(0).map((r) => r.url), [expected, expected], `after pushState to ${path}`);
    }
  }));

test("sampling files a plausible share, decided per request", async () => {
  for (const [rate, low, high] of [[0.5, 50, 150], [1, 200, 200]]) {
    await withHooks({ hooks: { sampleRate: rate } }, async ({ seen }) => {
      await Promise.all(Array.from({ length: 200 }, () => fetch(url("/inst/ok")).then((r) => r.text())));
      const n = seen().length;
      assert.ok(n >= low && n <= high, `rate ${rate}: ${n} of 200`);
    });
  }
});

test("ignore rules keep requests unobserved: prefixes, paths on this origin, patterns", () =>
  withHooks(
    { recorder: { ignore: { prefixes: [url("/inst/echo"), "/inst-ignored"], patterns: [/\/inst\/5\d\d$/g] } } },
    async ({ seen }) => {
      for (const target of [url("/inst/echo?x=1"), url("/inst/500"), url("/inst/500"), "/inst-ignored/x", url("/inst/ok")]) {
        await settle(fetch(target));
      }
      assert.equal(only(seen()).url, url("/inst/ok"));
    },
  ));

test("a failure inside the hook is counted, not thrown", () =>
  recorded({}, async ({ rec, hooks, seen }) => {
    const { error } = await settle(fetch("http://[::1"));
    assert.ok(error instanceof TypeError, String(error));
    assert.ok(error === rec.error, "the app's own rejection");
    assert.equal(seen().length, 0);
    assert.equal(hooks.errors, 1);
  }));

test("a method fetch rejects is not filed", () =>
  withHooks({}, async ({ hooks, seen }) => {
    const { error } = await settle(fetch(url("/inst/echo"), { method: "GE\tT" }));
    assert.ok(error instanceof TypeError, String(error));
    assert.deepEqual([seen().length, hooks.errors], [0, 0]);
  }));

test("a throwing onPending is contained: the app's fetch is untouched", () =>
  withHooks({}, async ({ recorder, hooks, seen }) => {
    recorder.onPending = () => {
      throw new Error("engine failed");
    };
    const response = await fetch(url("/inst/ok"));
    assert.equal(await response.text(), "ok body");
    await sleep(0);
    assert.equal(hooks.errors, 1);
    assert.equal(seen().length, 1, "the record was written before the failure");
  }));

test("uninstall restores fetch, open and send exactly", async () => {
  const originals = [globalThis.fetch, XMLHttpRequest.prototype.open, XMLHttpRequest.prototype.send];
  const current = () => [globalThis.fetch, XMLHttpRequest.prototype.open, XMLHttpRequest.prototype.send];
  const recorder = new Recorder();
  const hooks = installHooks(recorder);
  assert.ok(hooks.fetch && hooks.xhr, "both hooked");
  assert.ok(current().every((f, i) => f !== originals[i]), "all three wrapped");
  hooks.uninstall();
  assert.ok(current().every((f, i) => f === originals[i]), "all three restored");
  await fetch(url("/inst/ok"));
  assert.equal(take(recorder).count, 0);
});

test("a wrapper installed on top stays, and ours passes through", async () => {
  const recorder = new Recorder();
  const hooks = installHooks(recorder);
  const theirs = recordFetch(); // another library wraps ours
  try {
    hooks.uninstall();
    assert.ok(globalThis.fetch === theirs.fake, "theirs stays");
    const response = await fetch(url("/inst/ok"));
    assert.equal(await response.text(), "ok body");
    assert.equal(take(recorder).count, 0, "ours no longer files anything");
  } finally {
    theirs.restore();
  }
});

test("disable() makes the hooks pass-through at once, in flight too", () =>
  withHooks({}, async ({ hooks, seen }) => {
    const inFlight = fetch(url("/inst/slow/100"));
    const x = new XMLHttpRequest();
    const loaded = new Promise((resolve) => x.addEventListener("loadend", resolve));
    x.open("GET", url("/inst/slow/100"));
    x.send();
    hooks.disable();
    const wrapped = globalThis.fetch;
    const response = await fetch(url("/inst/ok"));
    assert.equal(await response.text(), "ok body");
    assert.equal((await inFlight).status, 200);
    await loaded;
    assert.equal(x.responseText, "slow");
    assert.equal(seen().length, 0, "nothing filed after disable()");
    assert.ok(globalThis.fetch === wrapped, "still installed, as a pass-through");
  }));
