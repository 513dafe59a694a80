// Shared by the hook tests: hooks installed on a fresh recorder, read through a Drain, always
// uninstalled afterwards; and a stand-in for the browser's fetch that remembers what the real
// one returned, so that tests can prove the hooks hand the app those very objects.
import { Recorder } from "/js/loader/recorder.js";
import { installHooks } from "/js/loader/hooks.js";
import { Drain } from "./drain.js";

/**
 * Runs `fn({ recorder, hooks, drain, seen })` with hooks installed (`options.recorder` and
 * `options.hooks` are their options); `seen()` drains and returns every record so far.
 */
export async function withHooks(options, fn) {
  const recorder = new Recorder(options.recorder);
  const hooks = installHooks(recorder, options.hooks);
  const drain = new Drain(recorder, options.slots);
  try {
    return await fn({ recorder, hooks, drain, seen: () => drain.all() });
  } finally {
    hooks.uninstall();
  }
}

/** Replaces globalThis.fetch with a recording pass-through; `restore()` puts the real one back. */
export function recordFetch() {
  const real = globalThis.fetch;
  const rec = { real, promise: null, response: null, error: null, args: null };
  rec.fake = function fetch(...args) {
    rec.args = args;
    const p = real.apply(this, args);
    rec.promise = p;
    p.then(
      (r) => (rec.response = r),
      (e) => (rec.error = e),
    );
    return p;
  };
  rec.restore = () => (globalThis.fetch = real);
  globalThis.fetch = rec.fake;
  return rec;
}

/** `{ value }` or `{ error }`: awaits a promise without letting a rejection fail the test. */
export async function settle(promise) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

/** An app's XHR with all four handlers; resolves at loadend with what the app saw. */
export function xhr(method, url, { how = "", body = null, async = true } = {}) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    const seen = [];
    x.onload = () => seen.push("load");
    x.onerror = () => seen.push("error");
    x.onabort = () => seen.push("abort");
    x.ontimeout = () => seen.push("timeout");
    x.addEventListener("loadend", () => resolve({ seen: seen.join(","), status: x.status, text: x.responseText }));
    x.open(method, url, async);
    if (how === "timeout") x.timeout = 20;
    x.send(body);
    if (how === "abort") x.abort();
  });
}
