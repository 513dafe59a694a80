// Builds a running Profiler once the engine's wasm is here: the engine from the options, the
// store, the page-exit listener, and (with-export.js only) the OTLP exporter. The loader
// (js/index.js) calls it through one of the engine entry chunks with the buffer it kept.
import { named } from "../lib/errors.js";
import { explainLoadFailure } from "../lib/part.js";
import { unmeasured } from "../lib/unmeasured.js";
import { onPageExit } from "./lifecycle.js";
import { engineOptions } from "./options.js";
import { Profiler } from "./profiler.js";
import { openStore } from "./store.js";

/**
 * The engine glues whose module trapped in this page, with the failure. The glue keeps its
 * instance, whose memory a trap may have left half-updated: a later start() on it refuses.
 */
const trapped = new WeakMap();

/**
 * `{ init, Engine }` is the engine part's wasm-bindgen glue; `startExporter(engine, options,
 * context)` is given by the export variant only. `source` is what the loader fetched or
 * compiled (or undefined: the glue fetches its own file), or a promise of it: the store opens
 * while it is still on its way.
 */
export async function createProfiler({ init, Engine, startExporter }, { source, options, recorder, hooks, resourceTiming, pageOrigin }) {
  if (trapped.has(init)) {
    throw new Error(`start: apiscope switched itself off earlier in this page after an internal failure (${trapped.get(init)}); it stays off until the page reloads`);
  }
  const o = engineOptions(options, {
    resourceTiming,
    pageOrigin,
    timeOrigin: globalThis.performance.timeOrigin,
    callSites: recorder.sites.limit,
  });
  if (o.exportOptions && !startExporter) {
    throw new Error("start: export: this engine chunk has no exporter (load js/engine/with-export.js)");
  }
  let engine;
  let profiler = null;
  const policy = {
    // Nothing expires before the engine is here (a journal replay's quota retry then fails and
    // leaves the journal for the next page), nor once the profiler failed.
    expired: (ids, maxStarts, counts, now, maxSamples) =>
      engine === undefined || profiler?.state === "failed"
        ? []
        : engine.expired(ids.join("\n"), maxStarts, counts, now, maxSamples ?? NaN).split("\n").filter(Boolean),
  };
  // IndexedDB opens while the wasm is still on its way (~50 ms on a slow phone).
  const opening = openStore(o.dbName, { policy, persist: o.persist });
  try {
    engine = await loadEngine(init, Engine, source, o.config, o.text, o.alerts);
  } catch (error) {
    opening.then((store) => store.close(), () => {});
    throw error;
  }
  let store;
  try {
    store = await opening;
  } catch (error) {
    engine.free();
    throw error;
  }
  let exporter = null;
  try {
    exporter = o.exportOptions ? await startExporter(engine, o.exportOptions, { dbName: o.dbName, pageOrigin }) : null;
  } catch (error) {
    store.close();
    engine.free();
    throw named("start", error);
  }
  const onFail = (failure) => trapped.set(init, failure);
  const historyWasm = options.historyWasm; // loaded by the first query()
  profiler = new Profiler({ engine, store, recorder, hooks, resourceTiming, exporter, lifecycle: onPageExit, onFail, historyWasm });
  return profiler;
}

/** Instantiates the glue from `source` and builds the engine with its alerts; frees it on failure. */
async function loadEngine(init, Engine, source, config, text, alerts) {
  try {
    const wasm = await source;
    // Without a source the glue fetches its own file: not an API call of the page.
    await unmeasured(() => init(wasm === undefined ? undefined : { module_or_path: wasm }));
  } catch (error) {
    throw explainLoadFailure(error);
  }
  let engine;
  try {
    engine = new Engine(config, text);
    alerts.forEach((args, i) => {
      try {
        engine.addAlert(...args);
      } catch (error) {
        if (error instanceof RangeError) throw new RangeError(`alerts[${i}].${error.message}`);
        throw error;
      }
    });
    return engine;
  } catch (error) {
    engine?.free();
    throw named("start", error);
  }
}
