// `apiscope/sketch`: the percentile sketch alone, for pages and workers that want only that.
// It loads its own small wasm part (pkg/sketch, built by `scripts/build.sh sketch`).
//
//   import { initialize, Sketch } from "apiscope/sketch";
//   await initialize();
//   const sketch = new Sketch();
import init, { Sketch as RawSketch } from "../../pkg/sketch/apiscope_sketch.js";
import { part } from "../lib/part.js";
import { sketchClass } from "./sketch.js";

const sketchPart = part("apiscope/sketch", init);

/** Loads the wasm part once (later calls return the same promise); `source` as `WebAssembly.instantiateStreaming` takes it. */
export const initialize = sketchPart.initialize;

/** A mergeable percentile sketch of latencies in ms; usable once `initialize()` resolved. */
export const Sketch = sketchClass(RawSketch, sketchPart.ready);
