// The `<head>` snippet (docs/snippet.md) and its adoption by start(): requests made before the
// loader, in flight when it adopts the queue, and through a fetch captured before it, are each
// filed exactly once. The snippet cannot be removed from a page, so the cases build on each other.
import { assert, origins, test } from "./lib/harness.js";
import { Drain, NETWORK_ERROR, OK } from "./lib/drain.js";
import { recordFetch, settle, xhr } from "./lib/hooked.js";
import { installHooks } from "/js/loader/hooks.js";
import { Recorder } from "/js/loader/recorder.js";
import { take } from "/js/loader/handover.js";
import { adoptSnippet, snippet } from "/js/loader/snippet.js";

const url = (path) => `${origins.test}${path}`;
const paths = (records) => records.map((r) => new URL(r.url).pathname).sort();

// As a page has it: an inline classic script (pasted twice here: it must act once).
function paste() {
  const script = document.createElement("script");
  script.textContent = `(${snippet})(self,"__apiscope")`;
  document.head.append(script);
}

const realFetch = globalThis.fetch;
let early; // a fetch an app captured before start(): the snippet's wrapper
let hooks;

test("every request queued, in flight or made through an early-captured fetch is filed once", async () => {
  paste();
  paste();
  early = globalThis.fetch;
  assert.ok(early !== realFetch, "the snippet wrapped fetch");
  // Before start(): settled, and still in flight when the queue is adopted.
  await (await fetch(url("/inst/ok?before"))).text();
  await settle(fetch(url("/inst/fail")));
  await xhr("GET", url("/inst/echo"));
  const inFlight = [fetch(url("/inst/slow/150")).then((r) => r.text()), xhr("GET", url("/inst/slow/151"))];
  const recorder = new Recorder();
  hooks = installHooks(recorder);
  adoptSnippet(recorder, hooks);
  // After: through the hooks, through the early-captured fetch, and XHR.
  await Promise.all([
    fetch(url("/inst/slow/1")).then((r) => r.text()),
    early(url("/inst/slow/2")).then((r) => r.text()),
    xhr("POST", url("/inst/slow/3")).catch(() => {}),
    ...inFlight,
  ]);
  const records = new Drain(recorder).all();
  assert.deepEqual(paths(records), [
    "/inst/echo", "/inst/fail", "/inst/ok", "/inst/slow/1", "/inst/slow/150", "/inst/slow/151", "/inst/slow/2", "/inst/slow/3",
  ]);
  const byPath = Object.fromEntries(records.map((r) => [new URL(r.url).pathname, r]));
  assert.deepEqual([byPath["/inst/ok"].transport, byPath["/inst/ok"].status, byPath["/inst/ok"].outcome], [0, 200, OK]);
  assert.deepEqual([byPath["/inst/fail"].status, byPath["/inst/fail"].outcome], [0, NETWORK_ERROR]);
  const queuedXhr = byPath["/inst/slow/151"];
  assert.deepEqual([queuedXhr.transport, queuedXhr.method, queuedXhr.status], [1, "GET", 200]);
  assert.ok(queuedXhr.start <= queuedXhr.headers && queuedXhr.headers <= queuedXhr.end, JSON.stringify(queuedXhr));
  assert.ok(queuedXhr.headers - queuedXhr.start >= 150, "filed with the snippet's own times");
  assert.equal(byPath["/inst/slow/3"].method, "POST");
  assert.equal(hooks.errors, 0);
});

test("after uninstall the snippet's wrappers pass through; a new start() adopts again", async () => {
  const state = globalThis.__apiscope;
  hooks.uninstall();
  assert.ok(globalThis.fetch === state.w.fetch, "restored to what the hooks wrapped: the snippet");
  assert.equal(await (await early(url("/inst/ok"))).text(), "ok body");
  assert.equal(await (await fetch(url("/inst/ok"))).text(), "ok body");
  assert.equal((await xhr("GET", url("/inst/ok"))).text, "ok body");
  assert.equal(state.q.length, undefined, "nothing queued once adopted");

  const recorder = new Recorder();
  hooks = installHooks(recorder);
  adoptSnippet(recorder, hooks);
  await early(url("/inst/slow/4"));
  await fetch(url("/inst/slow/5"));
  await xhr("GET", url("/inst/slow/6"));
  assert.deepEqual(paths(new Drain(recorder).all()), ["/inst/slow/4", "/inst/slow/5", "/inst/slow/6"]);
  hooks.uninstall();
});

test("with another library's wrapper between the snippet and the hooks, nothing counts twice", async () => {
  const theirs = recordFetch(); // wraps the snippet's wrapper
  const recorder = new Recorder();
  const own = installHooks(recorder);
  try {
    adoptSnippet(recorder, own);
    await fetch(url("/inst/slow/7")); // hooks -> theirs -> snippet (passing through)
    assert.ok(theirs.args !== null, "through their wrapper");
    assert.deepEqual(paths(new Drain(recorder).all()), ["/inst/slow/7"]);
  } finally {
    own.uninstall();
    theirs.restore();
  }
});

test("the queue is bounded: past 1000 waiting requests the snippet counts, adoption reports them", async () => {
  // A snippet of its own, on a scope object of its own, so that this page's stays as it is.
  const scope = { performance, fetch: realFetch.bind(globalThis) };
  snippet(scope, "__apiscope");
  await Promise.all(Array.from({ length: 1003 }, (_, i) => scope.fetch(url(`/inst/ok?${i}`)).then((r) => r.text())));
  assert.deepEqual([scope.__apiscope.q.length, scope.__apiscope.x], [1000, 3]);
  const recorder = new Recorder({ capacity: 10 });
  const own = installHooks(recorder);
  try {
    adoptSnippet(recorder, own, scope);
    const taken = take(recorder);
    assert.deepEqual([taken.count, taken.dropped], [10, 3 + 990], "3 by the snippet, 990 past the recorder's capacity");
  } finally {
    own.uninstall();
  }
});
