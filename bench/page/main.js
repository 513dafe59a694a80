// The bench page: loads apiscope's loader and the peers bundle, then exposes `window.bench` for
// the runner (bench/run.mjs), which calls one case at a time and collects its rows. The sketch
// and cache cases import their own entries (apiscope/sketch, apiscope/cache).
import { start } from "/js/index.js";
import * as peers from "/bench/dist/peers.js";
import sketch from "./cases/sketch.js";
import cache from "./cases/cache.js";
import store from "./cases/store.js";
import instrumentation from "./cases/instrumentation.js";

const CASES = { sketch, cache, store, instrumentation };

await peers.hdr.initWebAssembly();

window.bench = {
  cases: Object.keys(CASES),
  run: (name, config) => CASES[name](config, { apiscope: { start }, peers }),
  info: () => ({ userAgent: navigator.userAgent, crossOriginIsolated: window.crossOriginIsolated }),
};
