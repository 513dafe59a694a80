// `apiscope/cache` in Node 18+ (server-side rendering, unit tests): the same classes, with the
// wasm bytes read from the package's own files, since Node's fetch cannot read a file: URL.
import { readFile } from "node:fs/promises";
import { initialize as load } from "../cache/part.js";

export { Cache } from "../cache/cache.js";
export { LATENCY, ResponseCache } from "../cache/response_cache.js";

let bytes = null;

/** Loads the part once; `source` (bytes, a `WebAssembly.Module`, a Response) overrides the file. */
export function initialize(source) {
  bytes ??= source === undefined ? readFile(new URL("../../pkg/cache/apiscope_cache_bg.wasm", import.meta.url)) : null;
  return load(source ?? bytes);
}
