// `apiscope/sketch` in Node 18+ (server-side rendering, unit tests): the same API, with the
// wasm part read from the package's own files, since Node's fetch cannot read a file: URL.
import { readFile } from "node:fs/promises";
import init, { Sketch as RawSketch } from "../../pkg/sketch/apiscope_sketch.js";
import { part } from "../lib/part.js";
import { sketchClass } from "../sketch/sketch.js";

const wasmFile = new URL("../../pkg/sketch/apiscope_sketch_bg.wasm", import.meta.url);
const sketchPart = part("apiscope/sketch", (options) => init(options ?? { module_or_path: readFile(wasmFile) }));

/** Loads the wasm part once (from the package unless `source` says otherwise). */
export const initialize = sketchPart.initialize;

/** A mergeable percentile sketch of latencies in ms; usable once `initialize()` resolved. */
export const Sketch = sketchClass(RawSketch, sketchPart.ready);
