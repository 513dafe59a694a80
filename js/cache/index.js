// `apiscope/cache`: `Cache` (any JS values by any key; S3-FIFO or LRU, TTL, byte budget) and
// `ResponseCache` (a `fetch` with a safe cache, in memory and optionally on disk), over the
// cache part's wasm (pkg/cache). Importing this touches no browser global; the classes need
// `await initialize()` first.
//
//   import { Cache, ResponseCache, initialize } from "apiscope/cache";
//   await initialize();
//   const users = new Cache({ maxEntries: 500, ttlMs: 30_000 });
export { initialize } from "./part.js";
export { Cache } from "./cache.js";
export { LATENCY, ResponseCache } from "./response_cache.js";
