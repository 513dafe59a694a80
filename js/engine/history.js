// `Profiler.query()`'s per-route figures of stored history come from a wasm part of their own
// (pkg/history/, src/api/history.rs): its glue and its wasm are imported on the first query,
// so the engine every page loads does not carry them. (This module stays in the engine's
// chunk: as a chunk of its own it would share decode.js and part.js with it, which esbuild
// then splits into one more chunk, 0.2 KB gzipped more for every page.)
import { part } from "../lib/part.js";
import { summaries } from "./decode.js";

/** The part, made on the first query: part() loads it once and tries a failed load again. */
let history = null;

/** The part's `History` class, loaded. */
async function historyClass(source) {
  const glue = await import("../../pkg/history/apiscope_history.js");
  history ??= part("apiscope's history part", glue.default);
  await history.initialize(source);
  return glue.History;
}

/**
 * The `RouteSummary` rows of `records` (the store's decoded batches) with samples starting in
 * `[from, to)` on routes matching `glob` (every route when ""). A record the part refuses as
 * corrupt is skipped and counted by `onCorrupt`. A trap is rethrown and nothing calls into the
 * part again: the Profiler switches itself off on it, and start() refuses from then on.
 * `source` is `start({ historyWasm })`, or undefined: the file beside the glue.
 */
export async function summarize(records, { from, to, glob, source, onCorrupt }) {
  const History = await historyClass(source);
  const gathered = new History();
  try {
    for (const r of records) {
      try {
        gathered.add(r.id, r.start, r.duration, r.status, r.ok, r.bytes, r.routeId, r.routes.join("\n"), r.ttfb, r.flags);
      } catch (error) {
        if (error instanceof WebAssembly.RuntimeError) throw error;
        onCorrupt();
      }
    }
    const rows = summaries(gathered.summary(from, to, glob), gathered.labels());
    gathered.free();
    return rows;
  } catch (error) {
    if (!(error instanceof WebAssembly.RuntimeError)) gathered.free();
    throw error;
  }
}
