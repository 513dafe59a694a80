// The page-exit listener: real unloads (an iframe removed or navigated fires pagehide, then
// visibilitychange to hidden), a handle that removes it, nothing in a worker.
import { assert, test } from "./lib/harness.js";
import { onPageExit } from "/js/engine/lifecycle.js";
import { pageErrors } from "./lib/store-fixtures.js";

/** An iframe listening for page exits; what its callback saw lands in `window[key]`. */
async function listeningFrame(key) {
  window[key] = [];
  const frame = document.createElement("iframe");
  frame.srcdoc = `<script type="module">
    import { onPageExit } from "/js/engine/lifecycle.js";
import { pageErrors } from "./lib/store-fixtures.js";
    onPageExit((why) => parent[${JSON.stringify(key)}].push(why + ":" + document.visibilityState));
    parent.postMessage(${JSON.stringify(key)}, "*");
  </script>`;
  const ready = new Promise((resolve) => addEventListener("message", (e) => e.data === key && resolve()));
  document.body.append(frame);
  await ready;
  return frame;
}

test("an unloading document calls back on pagehide and on becoming hidden", async () => {
  const removed = await listeningFrame("exitsRemoved");
  removed.remove();
  assert.deepEqual(window.exitsRemoved, ["pagehide:visible", "hidden:hidden"]);

  const navigated = await listeningFrame("exitsNavigated");
  const unloaded = new Promise((resolve) => (navigated.onload = resolve));
  navigated.removeAttribute("srcdoc");
  navigated.src = "about:blank";
  await unloaded;
  assert.deepEqual(window.exitsNavigated, ["pagehide:visible", "hidden:hidden"]);
  navigated.remove();
});

test("the listener fires until removed, and only for hidden", () => {
  const calls = [];
  const handle = onPageExit((why) => calls.push(why));
  dispatchEvent(new Event("pagehide"));
  assert.deepEqual(calls, ["pagehide"]);
  // This page is visible: a visibilitychange to visible is no exit.
  assert.equal(document.visibilityState, "visible");
  document.dispatchEvent(new Event("visibilitychange"));
  assert.deepEqual(calls, ["pagehide"]);
  handle.remove();
  dispatchEvent(new Event("pagehide"));
  assert.deepEqual(calls, ["pagehide"]);
});

test("the handle is disposable, and a re-entering callback is skipped", () => {
  let calls = 0;
  {
    using handle = onPageExit(() => {
      calls++;
      dispatchEvent(new Event("pagehide")); // re-enters: skipped
    });
    assert.equal(typeof handle[Symbol.dispose], "function");
    dispatchEvent(new Event("pagehide"));
  }
  dispatchEvent(new Event("pagehide"));
  assert.equal(calls, 1);
});

test("nothing listens in a worker", async () => {
  const source = `import { onPageExit } from "${location.origin}/js/engine/lifecycle.js";
    import { openJournal } from "${location.origin}/js/engine/journal.js";
    postMessage({ exit: onPageExit(() => {}), journal: openJournal("w") });`;
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
  const result = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
  });
  worker.terminate();
  assert.deepEqual(result, { exit: null, journal: null });
});

test("nothing surfaced as an uncaught error or unhandled rejection", () => {
  assert.deepEqual(pageErrors(), []);
});
