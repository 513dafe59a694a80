// `apiscope`: the loader. Plain JS and a few KB, so that a page measures from its first request:
//
//   import { start } from "apiscope";
//   const profiler = await start({ routes: ["/api/orders/:id"] });
//
// `start()` installs the fetch/XHR hooks synchronously, before its promise settles; each
// settled request waits in a preallocated, bounded buffer. Meanwhile the engine chunk (its JS
// and its wasm, fetched in parallel) loads, at once or after the page's `load` and an idle
// moment (`load: "idle"`); the buffer is handed over and the promise resolves with the
// `Profiler`. A request made right after `start()` is measured exactly once, on any network.
import { options as checkOptions, number, string, boolean, typeError } from "./lib/errors.js";
import { installHooks } from "./loader/hooks.js";
import { Recorder } from "./loader/recorder.js";
import { explainLoadFailure } from "./lib/part.js";
import { unmeasured } from "./lib/unmeasured.js";
import { VERSION } from "./lib/version.js";

const METHOD = "start";
/** Every option `start()` knows; the engine chunk checks its own ones further. */
const KEYS = [
  "dbName",
  "batch",
  "retention",
  "windows",
  "alerts",
  "routes",
  "instrument",
  "sampleRate",
  "ignoreUrls",
  "graphql",
  "export",
  "persist",
  "load",
  "wasm",
  "historyWasm",
];

/** The package version, e.g. `"0.1.0"`. */
export function version() {
  return VERSION;
}

/** The engine parts, by whether OTLP export is configured. */
const ENGINES = {
  lean: {
    chunk: () => import("./engine/lean.js"),
    wasm: () => new URL("../pkg/engine/apiscope_engine_bg.wasm", import.meta.url),
  },
  export: {
    chunk: () => import("./engine/with-export.js"),
    wasm: () => new URL("../pkg/engine-export/apiscope_engine_export_bg.wasm", import.meta.url),
  },
};

/** `{ fetch, xhr, resourceTiming }` from `instrument` (true, false or an object). */
function instrumentOption(value) {
  if (value === undefined || value === true) return { fetch: true, xhr: true, resourceTiming: true };
  if (value === false) return { fetch: false, xhr: false, resourceTiming: false };
  const o = checkOptions(METHOD, "instrument", value, ["fetch", "xhr", "resourceTiming"]);
  const flag = (key) => (o[key] === undefined ? true : boolean(METHOD, `instrument.${key}`, o[key]));
  return { fetch: flag("fetch"), xhr: flag("xhr"), resourceTiming: flag("resourceTiming") };
}

/** Prefixes and RegExps from `ignoreUrls`; paths are taken on the page's origin. */
function ignoreOption(value, origin) {
  const ignore = { prefixes: [], patterns: [] };
  if (value === undefined) return ignore;
  if (!Array.isArray(value)) throw typeError(METHOD, "ignoreUrls", "an array", value);
  value.forEach((item, i) => {
    if (typeof item === "string") {
      ignore.prefixes.push(item.startsWith("/") && !item.startsWith("//") ? origin + item : item);
    } else if (item instanceof RegExp) {
      ignore.patterns.push(item);
    } else {
      throw typeError(METHOD, `ignoreUrls[${i}]`, "a string or a RegExp", item);
    }
  });
  return ignore;
}

function graphqlOption(value) {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw typeError(METHOD, "graphql", "an array of paths or URLs", value);
  return value.map((item, i) => string(METHOD, `graphql[${i}]`, item));
}

/** Resolves after the page's `load` event and then an idle moment. */
function afterLoadAndIdle() {
  const doc = globalThis.document;
  const loaded =
    !doc || doc.readyState === "complete"
      ? Promise.resolve()
      : new Promise((resolve) => globalThis.addEventListener("load", resolve, { once: true }));
  const idle = () =>
    new Promise((resolve) =>
      typeof globalThis.requestIdleCallback === "function"
        ? globalThis.requestIdleCallback(() => resolve(), { timeout: 2000 })
        : setTimeout(resolve, 1),
    );
  return loaded.then(idle);
}

/** Starts fetching and compiling the engine's wasm now, in parallel with its JS chunk. */
function compile(url) {
  const W = globalThis.WebAssembly;
  if (typeof globalThis.fetch !== "function" || !W || typeof W.compileStreaming !== "function") return undefined;
  // The engine's own download is not an API call of the page.
  const response = unmeasured(() => globalThis.fetch(url));
  // A server sending the wrong MIME type defeats streaming compilation; fall back to bytes.
  // A file the app's build did not ship is said as such, not as a CompileError of a 404 page.
  const compiled = W.compileStreaming(response).catch(() =>
    response.then((r) => {
      if (!r.ok) throw new Error(`${METHOD}: HTTP ${r.status} for the engine's wasm ${url}; serve it, or pass its URL as start({ wasm })`);
      return r.arrayBuffer().then((bytes) => W.compile(bytes));
    }),
  );
  // The engine chunk awaits it, maybe after it failed: not an unhandled rejection meanwhile.
  compiled.catch(() => {});
  return compiled;
}

/**
 * Starts profiling the page. Resolves with the `Profiler` once the engine has loaded; rejects
 * with a `TypeError`/`RangeError` naming the option on bad options (nothing stays installed),
 * and with an error naming 'wasm-unsafe-eval' where the page's CSP forbids WebAssembly (the
 * page keeps working unprofiled).
 */
export function start(options) {
  let setup;
  try {
    setup = prepare(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const { opts, recorder, resourceTiming, pageOrigin, engine } = setup;
  let { hooks } = setup;
  const begin = opts.load === "idle" ? afterLoadAndIdle() : Promise.resolve();
  return begin
    .then(() => {
      const source = opts.wasm !== undefined ? opts.wasm : compile(engine.wasm());
      // The engine's shared code is asked for beside its variant's chunk, which imports it: a
      // bundler's chunks then download in parallel, not one after the other.
      import("./engine/create.js");
      // The chunk boots as soon as it is here (its store opens), while the wasm still loads.
      return Promise.all([engine.chunk(), setup.adopt && setup.adopt()]).then(([chunk, adopted]) => {
        if (adopted) hooks = adopted;
        return chunk.boot({ source, options: opts, recorder, hooks, resourceTiming, pageOrigin });
      });
    })
    .catch((error) => {
      hooks?.uninstall();
      throw explainLoadFailure(error);
    });
}

/** `url` as the URL parser (fetch's) writes it; unparsable ones are the exporter's to refuse. */
function parsedHref(url) {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** The synchronous part of `start()`: options checked, hooks installed, buffer ready. */
function prepare(options) {
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw typeError(METHOD, "options", "an object", options);
  }
  const opts = checkOptions(METHOD, "", options, KEYS);
  const instrument = instrumentOption(opts.instrument);
  const sampleRate = opts.sampleRate === undefined ? 1 : number(METHOD, "sampleRate", opts.sampleRate);
  if (!(sampleRate > 0 && sampleRate <= 1)) {
    throw new RangeError(`${METHOD}: sampleRate: must be in (0, 1], got ${sampleRate}`);
  }
  if (opts.load !== undefined && opts.load !== "now" && opts.load !== "idle") {
    throw new RangeError(`${METHOD}: load: must be one of now, idle, got ${String(opts.load)}`);
  }
  // (An object of the wrong kind is the browser's own load error.)
  for (const key of ["wasm", "historyWasm"]) {
    const v = opts[key];
    if (v !== undefined && (v === null || !/^(string|object)$/.test(typeof v))) {
      throw typeError(METHOD, key, "a URL, Response, BufferSource or WebAssembly.Module", v);
    }
  }
  const pageOrigin = (globalThis.location && globalThis.location.origin) || "";
  const ignore = ignoreOption(opts.ignoreUrls, pageOrigin);
  const graphql = graphqlOption(opts.graphql);
  if (opts.export !== undefined && opts.export !== null && typeof opts.export === "object") {
    // The exporter's own requests are never measured: it sends to the URL as fetch parses it.
    const url = opts.export.url;
    if (typeof url === "string") ignore.prefixes.push(parsedHref(url));
  }
  const engine = opts.export === undefined ? ENGINES.lean : ENGINES.export;
  const recorder = new Recorder({ ignore, graphql });
  // Resource Timing entries from here on may belong to measured calls (from the page's start
  // with the <head> snippet, which measured from then).
  recorder.startedAt = globalThis.__apiscope ? 0 : globalThis.performance.now() - 1;
  const wantsHooks = instrument.fetch || instrument.xhr;
  const install = () => installHooks(recorder, { fetch: instrument.fetch, xhr: instrument.xhr, sampleRate });
  const resourceTiming = instrument.resourceTiming && wantsHooks;
  // With the <head> snippet on the page, it keeps measuring until its adoption code (kept out
  // of this chunk) arrives beside the engine; then the hooks go in and adopt its queue at once.
  if (wantsHooks && globalThis.__apiscope) {
    const adopt = () =>
      import("./loader/snippet.js").then(({ adoptSnippet }) => {
        const hooks = install();
        adoptSnippet(recorder, hooks);
        return hooks;
      });
    return { opts, recorder, hooks: null, resourceTiming, pageOrigin, engine, adopt };
  }
  return { opts, recorder, hooks: wantsHooks ? install() : null, resourceTiming, pageOrigin, engine };
}
