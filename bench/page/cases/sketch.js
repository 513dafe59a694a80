// Percentile sketches: record (per call and batched), quantile queries, merge, serialized
// size and accuracy, apiscope's Sketch beside DDSketch, HdrHistogram (JS and wasm) and tdigest.
import { compare, mapValues, row } from "../harness.js";
import { exactQuantile, lognormal, logUniform, pareto } from "../data.js";
import { sketchAdapters } from "../sketches.js";
// apiscope's own entry for this: `apiscope/sketch`, on its own wasm part.
import * as sketchEntry from "/js/sketch/index.js";

const QUANTILES = [0.5, 0.9, 0.99, 0.999];
const BATCH_NOTE = "peers have no batch API: their per-call loop";

/** A sketch per adapter holding `values` (in the adapter's unit). */
function filled(adapters, values) {
  return adapters.map((a) => {
    const s = a.create();
    a.recordAll(s, a.load(values));
    return s;
  });
}

async function record(adapters, values, schedule) {
  const inputs = adapters.map((a) => a.load(values));
  const contestants = adapters.map((a, i) => ({
    name: a.name,
    setup: () => a.create(),
    run: (s) => a.recordAll(s, inputs[i]),
    teardown: (s) => a.free(s),
  }));
  const [apiscope] = adapters;
  contestants.push({
    name: "apiscope recordMany",
    setup: () => apiscope.create(),
    run: (s) => s.recordMany(values),
    teardown: (s) => apiscope.free(s),
  });
  const ns = mapValues((await compare(contestants, schedule)).wall, (ms) => (ms * 1e6) / values.length);
  const common = { unit: "ns/sample", better: "lower", values: ns };
  return [
    row({ metric: "record, per call", ...common }),
    row({ metric: "record, batched", apiscope: "apiscope recordMany", note: BATCH_NOTE, ...common }),
  ];
}

async function query(adapters, values, queries, schedule) {
  const sketches = filled(adapters, values);
  let sink = 0; // consumed below so no engine can drop the queries
  const contestants = adapters.map((a, i) => ({
    name: a.name,
    run: () => {
      for (let k = 0; k < queries; k++) for (const q of QUANTILES) sink += a.quantile(sketches[i], q);
    },
  }));
  const qs = Float64Array.from(QUANTILES);
  contestants.push({
    name: "apiscope quantiles",
    run: () => {
      for (let k = 0; k < queries; k++) sink += sketches[0].quantiles(qs)[0];
    },
  });
  const result = await compare(contestants, schedule);
  adapters.forEach((a, i) => a.free(sketches[i]));
  if (!Number.isFinite(sink)) throw new Error("quantile queries returned non-finite values");
  const ns = mapValues(result.wall, (ms) => (ms * 1e6) / (queries * QUANTILES.length));
  const common = { unit: "ns/quantile", better: "lower", values: ns };
  return [
    row({ metric: "quantile query", ...common }),
    row({ metric: "quantiles, 4 per call", apiscope: "apiscope quantiles", note: BATCH_NOTE, ...common }),
  ];
}

/**
 * Passes over the sources per timed round: one pass of a fast sketch takes tens of µs, under the
 * 100 µs resolution of `performance.now()` in a page that is not cross-origin isolated.
 */
const MERGE_PASSES = 100;

async function merge(adapters, { mergeSources, mergeN }, schedule) {
  const sources = Array.from({ length: mergeSources }, (_, k) =>
    filled(adapters, lognormal(mergeN, 100 + k)),
  );
  const contestants = adapters.map((a, i) => ({
    name: a.name,
    setup: () => a.create(),
    run: (target) => {
      for (let pass = 0; pass < MERGE_PASSES; pass++) for (const set of sources) a.merge(target, set[i]);
    },
    teardown: (target) => a.free(target),
  }));
  const result = await compare(contestants, schedule);
  for (const set of sources) adapters.forEach((a, i) => a.free(set[i]));
  const us = mapValues(result.wall, (ms) => (ms * 1e3) / (MERGE_PASSES * mergeSources));
  return [row({ metric: `merge (${mergeN} values each)`, unit: "µs/merge", better: "lower", values: us })];
}

/** Serialized bytes after values spread over 1 ms–10 s, the range the size target names. */
function bytes(adapters, n) {
  const sketches = filled(adapters, logUniform(n, 7, 1, 10_000));
  const values = Object.fromEntries(adapters.map((a, i) => [a.name, a.bytes(sketches[i])]));
  adapters.forEach((a, i) => a.free(sketches[i]));
  return row({ metric: "bytes per sketch, 1 ms–10 s", unit: "bytes", better: "lower", values });
}

/** Relative error against the exact quantile, per distribution and quantile. */
function accuracy(adapters, n) {
  const rows = [];
  for (const [label, values] of [
    ["lognormal", lognormal(n, 11)],
    ["Pareto", pareto(n, 13)],
  ]) {
    const sorted = Float64Array.from(values).sort();
    const sketches = filled(adapters, values);
    for (const q of QUANTILES) {
      const exact = exactQuantile(sorted, q);
      const errors = Object.fromEntries(
        adapters.map((a, i) => [a.name, Math.abs(a.quantile(sketches[i], q) - exact) / exact]),
      );
      rows.push(row({ metric: `rel. error p${q * 100}, ${label}`, unit: "ratio", better: "lower", values: errors }));
    }
    adapters.forEach((a, i) => a.free(sketches[i]));
  }
  return rows;
}

export default async function sketchCase({ sketch, schedule }, { peers }) {
  await sketchEntry.initialize();
  const adapters = sketchAdapters(sketchEntry, peers);
  const values = lognormal(sketch.n, 1);
  return [
    ...(await record(adapters, values, schedule)),
    ...(await query(adapters, values, sketch.queries, schedule)),
    ...(await merge(adapters, sketch, schedule)),
    bytes(adapters, sketch.accuracyN),
    ...accuracy(adapters, sketch.accuracyN),
  ];
}
