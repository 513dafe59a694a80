// The cache part's wasm (pkg/cache), loaded once by `initialize()`. Its memory is kept here:
// `Cache` reads and writes its policy's columns in place through views over `memory.buffer`.
import init from "../../pkg/cache/apiscope_cache.js";
import { part } from "../lib/part.js";

let memory = null;

const cachePart = part("apiscope/cache", (options) =>
  init(options).then((exports) => {
    memory = exports.memory;
    return exports;
  }),
);

/** Loads the part; `source` as in `apiscope/cache`'s `initialize`. */
export const initialize = cachePart.initialize;

/** Throws a clear Error when `method` is called before `initialize()` resolved. */
export const ready = cachePart.ready;

/** The part's current memory buffer (a new one each time the memory grows). */
export function buffer() {
  return memory.buffer;
}
