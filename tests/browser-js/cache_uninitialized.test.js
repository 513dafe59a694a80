// apiscope/cache imported but never initialized: the constructors say what to do, instead of
// failing inside the wasm glue (`Cannot read properties of undefined`).
import { Cache, ResponseCache } from "/js/cache/index.js";
import { assert, test } from "./lib/harness.js";

test("new Cache / new ResponseCache before initialize() say to await it", () => {
  const hint = 'apiscope/cache is not loaded yet; call `await initialize()` (from "apiscope/cache") first';
  assert.throws(() => new Cache({ maxEntries: 1 }), Error, `new Cache: ${hint}`);
  assert.throws(() => new ResponseCache({ maxEntries: 1 }), Error, `new ResponseCache: ${hint}`);
});
