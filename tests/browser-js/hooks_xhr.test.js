// The loader's XMLHttpRequest hook in real Chromium against the real test server: the app sees
// its own events and bodies; each request is filed once, with its headers time at readyState
// HEADERS_RECEIVED and its end when the body is complete (tests/server/routes/hooks.mjs).
import { assert, origins, test } from "./lib/harness.js";
import { ABORTED, HTTP_ERROR, NETWORK_ERROR, OK, TIMEOUT } from "./lib/drain.js";
import { settle, withHooks, xhr } from "./lib/hooked.js";

const url = (path) => `${origins.test}${path}`;

test("load, error, abort and timeout are filed, and the app still sees them", () =>
  withHooks({}, async ({ seen }) => {
    const cases = [
      ["/inst/ok?q=1", "", "load", 200, OK],
      ["/inst/500", "", "load", 500, HTTP_ERROR],
      ["/inst/fail", "", "error", 0, NETWORK_ERROR],
      ["/inst/slow/200", "abort", "abort", 0, ABORTED],
      ["/inst/slow/200", "timeout", "timeout", 0, TIMEOUT],
    ];
    for (const [path, how, appSaw, status, outcome] of cases) {
      const app = await xhr("get", url(path), { how });
      assert.equal(app.seen, appSaw, path);
      const records = seen().splice(0);
      assert.equal(records.length, 1, `${path} ${how}: ${JSON.stringify(records)}`);
      const r = records[0];
      assert.deepEqual([r.transport, r.url, r.method], [1, url(path.split("?")[0]), "GET"]);
      assert.deepEqual([r.status, r.outcome], [status, outcome], `${path} ${how}`);
      assert.ok(r.start <= r.headers && r.headers <= r.end, JSON.stringify(r));
    }
    const app = await xhr("GET", url("/inst/ok"));
    assert.equal(app.text, "ok body");
  }));

test("an XHR ends when its body is complete, not at its headers", () =>
  withHooks({}, async ({ seen }) => {
    const app = await xhr("GET", url("/hooks/late-body/300"));
    assert.equal(app.text, "early;late");
    const [r] = seen();
    // The headers and first bytes come at once, the body's end 300 ms later.
    assert.ok(r.end - r.headers >= 295, `end - headers = ${r.end - r.headers} ms`);
    assert.ok(r.headers - r.start < 300, `headers - start = ${r.headers - r.start} ms`);
  }));

test("the times are the browser's, not those of app handlers that ran before ours", () =>
  withHooks({}, async ({ seen }) => {
    const x = new XMLHttpRequest();
    const busy = (ms) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    let handlersDone = 0;
    const done = new Promise((resolve) => x.addEventListener("loadend", resolve));
    // Registered before send(), so before the hook's own listeners.
    x.onreadystatechange = () => x.readyState === 4 && busy(50);
    x.onload = () => {
      busy(50);
      handlersDone = performance.now();
    };
    x.open("GET", url("/inst/ok"));
    x.send();
    await done;
    const [r] = seen();
    assert.ok(r.end < handlersDone - 95, `end ${r.end} vs handlers done at ${handlersDone}`);
  }));

test("synchronous XHR: a load and a failure are filed once each", () =>
  withHooks({}, async ({ seen }) => {
    const x = new XMLHttpRequest();
    x.open("GET", url("/inst/ok"), false);
    x.send();
    assert.equal(x.responseText, "ok body");
    const failing = new XMLHttpRequest();
    failing.open("GET", url("/inst/fail"), false);
    let thrown = null;
    try {
      failing.send();
    } catch (e) {
      thrown = e;
    }
    assert.equal(thrown && thrown.name, "NetworkError", "the app gets send()'s own exception");
    const records = seen().map((r) => [r.status, r.outcome, r.headers <= r.end && r.start <= r.headers]);
    assert.deepEqual(records, [[200, OK, true], [0, NETWORK_ERROR, true]]);
  }));

test("an instance re-opened from its load handler, or while in flight, files each request once", () =>
  withHooks({}, async ({ seen }) => {
    const x = new XMLHttpRequest();
    const statuses = [];
    await new Promise((resolve) => {
      x.onload = () => {
        statuses.push(x.status);
        if (statuses.length === 1) {
          x.open("GET", url("/inst/500"));
          x.send();
        } else resolve();
      };
      x.open("GET", url("/inst/ok"));
      x.send();
    });
    assert.deepEqual(statuses, [200, 500]);
    // Re-opened from its error handler (a retry).
    await new Promise((resolve) => {
      x.onload = resolve;
      x.onerror = () => {
        x.open("GET", url("/inst/echo"));
        x.send();
      };
      x.open("GET", url("/inst/fail"));
      x.send();
    });
    x.onerror = null;
    // Re-opened while in flight: the first request is cancelled, without any event.
    await new Promise((resolve) => {
      x.onload = null;
      x.onloadend = () => x.readyState === 4 && resolve();
      x.open("GET", url("/inst/slow/200"));
      x.send();
      x.open("GET", url("/inst/echo"));
      x.send();
    });
    const records = seen().map((r) => [r.url, r.status, r.outcome]);
    assert.deepEqual(records, [
      [url("/inst/ok"), 200, OK],
      [url("/inst/500"), 500, HTTP_ERROR],
      [url("/inst/fail"), 0, NETWORK_ERROR],
      [url("/inst/echo"), 200, OK],
      [url("/inst/slow/200"), 0, ABORTED],
      [url("/inst/echo"), 200, OK],
    ]);
  }));

test("methods and bodies go over the wire untouched; relative URLs resolve per document", () =>
  withHooks({}, async ({ seen }) => {
    const app = await xhr("post", url("/inst/echo?x=1"), { body: "payload" });
    assert.equal(app.text, "POST");
    await xhr("GET", "/inst-relative?y=2");
    const records = seen().map((r) => [r.method, r.url, r.status]);
    assert.deepEqual(records, [
      ["POST", url("/inst/echo"), 200],
      ["GET", `${location.origin}/inst-relative`, 404],
    ]);
  }));

test("ignored and unsampled XHRs pass through unfiled", async () => {
  await withHooks({ recorder: { ignore: { prefixes: [url("/inst/echo")], patterns: [] } } }, async ({ seen }) => {
    assert.equal((await xhr("GET", url("/inst/echo"))).text, "GET");
    assert.equal(seen().length, 0);
  });
  await withHooks({ hooks: { sampleRate: 1e-9 } }, async ({ seen }) => {
    assert.equal((await xhr("GET", url("/inst/ok"))).text, "ok body");
    assert.equal(seen().length, 0);
  });
});

test("open's own exceptions reach the app; the hook counts nothing as its error", () =>
  withHooks({}, async ({ hooks, seen }) => {
    const x = new XMLHttpRequest();
    const thrown = await settle(Promise.resolve().then(() => x.open("G E T", url("/inst/ok"))));
    assert.equal(thrown.error && thrown.error.name, "SyntaxError");
    assert.equal(hooks.errors, 0);
    assert.equal(seen().length, 0);
  }));
