// The hooks inside a dedicated Web Worker (module worker, real Chromium): fetch and XHR filed
// there, relative URLs against the worker's location, uninstalled cleanly.
import { assert, origins, test } from "./lib/harness.js";
import { HTTP_ERROR, OK } from "./lib/drain.js";

test("fetch and XHR are filed in a worker, and uninstall cleanly", async () => {
  const worker = new Worker(new URL("./lib/hooks_worker.js", import.meta.url), { type: "module" });
  const result = await new Promise((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage({ origin: origins.test });
  });
  worker.terminate();
  assert.equal(result.error, undefined);
  assert.ok(result.inWorker, "ran in a DedicatedWorkerGlobalScope");
  assert.deepEqual([result.body, result.status, result.hooked], ["ok body", 200, [true, true]]);
  const ok = `${origins.test}/inst/ok`;
  assert.deepEqual(result.records, [
    [0, ok, 200, OK],
    [1, ok, 200, OK],
    // Relative to the worker script's URL (the page server answers 404).
    [0, `${result.origin}/inst-relative`, 404, HTTP_ERROR],
  ]);
  assert.ok(result.restored, "the worker's own fetch is back");
});
