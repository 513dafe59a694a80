// apiscope's own requests (a wasm part's download) are never measured: the hooks pass through
// while `unmeasured(fn)` runs fn, which must start its requests synchronously (fetch() is
// called before any await). A counter on the global scope, so that hooks and parts loaded as
// separate chunks, or twice, agree.
const KEY = Symbol.for("apiscope.unmeasured");

/** Runs `fn()` with the hooks passing through; returns what it returns. */
export function unmeasured(fn) {
  globalThis[KEY] = (globalThis[KEY] || 0) + 1;
  try {
    return fn();
  } finally {
    globalThis[KEY]--;
  }
}

/** Whether a request made now is apiscope's own. */
export function isOwnRequest() {
  return globalThis[KEY] > 0;
}
