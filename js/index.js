// The npm entry of apiscope: initialises the wasm module once and hands out the classes.
//
//   import { start } from "apiscope";
//   const profiler = await start({ instrument: { fetch: true } });
//
// Everything measurable happens in Rust/wasm; this file only loads it.
import init, * as wasm from "../pkg/apiscope.js";

let ready = null;
let loaded = false;

/**
 * Loads and instantiates the wasm module (once; later calls return the same promise).
 * `source` is optional: a URL, Response or compiled `WebAssembly.Module` of `apiscope_bg.wasm`
 * for setups that serve it from elsewhere; by default it is fetched next to `pkg/apiscope.js`.
 */
export function initialize(source) {
  if (!ready) {
    ready = init(source === undefined ? undefined : { module_or_path: source }).then(
      (exports) => {
        loaded = true;
        return exports;
      },
    ).catch((err) => {
      ready = null; // a later call may succeed (e.g. after the CSP is fixed in development)
      throw explainLoadFailure(err);
    });
  }
  return ready;
}

// A page whose Content Security Policy lacks 'wasm-unsafe-eval' cannot compile WebAssembly;
// say which directive to add instead of surfacing the browser's generic CompileError.
function explainLoadFailure(err) {
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

/**
 * Initialises apiscope and starts a `Profiler` with `options` (see index.d.ts). Rejects with a
 * `TypeError`/`RangeError` naming the option on bad options, and with an error naming
 * 'wasm-unsafe-eval' where the page's CSP forbids WebAssembly.
 */
export async function start(options) {
  await initialize();
  return wasm.Profiler.start(options);
}

/** The library version; call after `initialize()` (or `start()`) has resolved. */
export function version() {
  if (!loaded) throw new Error("apiscope: call initialize() (and await it) or start() first");
  return wasm.version();
}

// The classes; usable once `initialize()` (or `start()`) has resolved.
export { Sketch, Profiler } from "../pkg/apiscope.js";
// Cache and ResponseCache are apiscope/cache's, over their own wasm part, which a page loads
// only when it uses them: `await initialize()` from "apiscope/cache" first.
export { Cache, LATENCY, ResponseCache } from "./cache/index.js";
