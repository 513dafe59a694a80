// `apiscope` in Node (server-side rendering, unit tests): importing it is safe and touches no
// browser global, and `version()` works; `start()` rejects with an error that says what to use
// instead, since profiling needs a page (its fetch and XHR, IndexedDB, page lifecycle). Code
// shared between server and browser calls `start()` where it runs in the browser only.
import { VERSION } from "../lib/version.js";

/** The package version, e.g. `"0.1.0"`. */
export function version() {
  return VERSION;
}

/** Rejects with an `Error` named `ApiscopeUnsupportedError`: there is no page to profile. */
export function start() {
  const error = new Error(
    "start: apiscope profiles a browser page (fetch/XHR hooks, IndexedDB) and does not run in Node; " +
      'call start() in the browser only. In Node, "apiscope/sketch" (Sketch) and "apiscope/cache" ' +
      "(Cache, ResponseCache) work.",
  );
  error.name = "ApiscopeUnsupportedError";
  return Promise.reject(error);
}
