import { unmeasured } from "./unmeasured.js";

// One wasm part (the engine, the sketch, the cache) as its npm entry loads it: once, on the
// first `initialize()`, from wherever the caller says or else from the file beside the
// wasm-bindgen glue. Node entries (js/node/*.js) pass the file's bytes instead, since Node's
// fetch cannot read a file: URL.

/**
 * Returns `{ initialize, ready }` for a part whose wasm-bindgen glue default export is `init`.
 * `name` is the entry's import path, for messages ("apiscope/sketch").
 */
export function part(name, init) {
  let loading = null;
  let loaded = false;
  return {
    /** Loads and instantiates the part once; later calls return the same promise. */
    initialize(source) {
      if (!loading) {
        const options = source === undefined ? undefined : { module_or_path: source };
        // The part's own download is not an API call of the page.
        loading = unmeasured(() => init(options)).then(
          (exports) => {
            loaded = true;
            return exports;
          },
          (err) => {
            loading = null; // a later call may succeed (e.g. after the CSP is fixed)
            throw explainLoadFailure(err);
          },
        );
      }
      return loading;
    },
    /** Throws a clear Error when `method` is called before `initialize()` resolved. */
    ready(method) {
      if (!loaded) {
        throw new Error(
          `${method}: ${name} is not loaded yet; call \`await initialize()\` (from "${name}") first`,
        );
      }
    },
  };
}

// A page whose Content Security Policy lacks 'wasm-unsafe-eval' cannot compile WebAssembly;
// say which directive to add instead of surfacing the browser's generic CompileError.
export function explainLoadFailure(err) {
  const text = String(err && err.message ? err.message : err);
  if (/Content Security Policy|wasm-unsafe-eval|unsafe-eval/i.test(text)) {
    const error = new Error(
      "apiscope: this page's Content Security Policy forbids WebAssembly; add " +
        "'wasm-unsafe-eval' to the script-src directive to enable profiling " +
        `(the page keeps working unprofiled). Browser said: ${text}`,
    );
    error.name = "ApiscopeCspError";
    error.cause = err;
    return error;
  }
  return err;
}
