// A dedicated module Worker for hooks_worker.test.js: the hooks installed in a
// DedicatedWorkerGlobalScope (no document; relative URLs resolve against the worker's URL).
import { Drain } from "./drain.js";
import { Recorder } from "/js/loader/recorder.js";
import { installHooks } from "/js/loader/hooks.js";

onmessage = async ({ data: { origin } }) => {
  try {
    const original = fetch;
    const recorder = new Recorder();
    const hooks = installHooks(recorder);
    const ok = `${origin}/inst/ok`;
    const body = await (await fetch(`${ok}?q=1`)).text();
    const status = await new Promise((resolve) => {
      const x = new XMLHttpRequest();
      x.onloadend = () => resolve(x.status);
      x.open("GET", ok);
      x.send();
    });
    await (await fetch("/inst-relative?x=1")).text();
    const records = new Drain(recorder).all().map((r) => [r.transport, r.url, r.status, r.outcome]);
    const hooked = [hooks.fetch, hooks.xhr];
    hooks.uninstall();
    postMessage({
      inWorker: typeof document === "undefined" && typeof WorkerGlobalScope === "function",
      origin: location.origin,
      body,
      status,
      hooked,
      records,
      restored: fetch === original,
    });
  } catch (e) {
    postMessage({ error: `${e.name}: ${e.message}` });
  }
};
