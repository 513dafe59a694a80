// Shared by the export tests: a real engine (pkg/engine-export) with the real exporter, as
// js/engine/with-export.js builds them, aimed at the OTLP receiver (tests/otlp/receiver.py,
// which parses every body into the official protobuf `ExportMetricsServiceRequest`).
import init, { Engine, OutboxQueue } from "/pkg/engine-export/apiscope_engine_export.js";
import { engineOptions } from "/js/engine/options.js";
import { startExporter } from "/js/export/exporter.js";
import { origins, until } from "./harness.js";

export const collector = () => `${origins.otlp}/v1/metrics`;
/** A collector that refuses connections (Chromium also blocks the port outright). */
export const UNREACHABLE = "http://127.0.0.1:9/v1/metrics";

export const unique = (what) => `apiscope-export-${what}-${Math.random().toString(36).slice(2)}`;

let loading = null;
export const ready = () => (loading ||= init());

/** An engine for `options` (start()'s), as the loader's engine chunk makes it. */
export async function engineFor(options = {}) {
  await ready();
  const o = engineOptions(options, {
    resourceTiming: false,
    pageOrigin: location.origin,
    timeOrigin: performance.timeOrigin,
    callSites: 64,
  });
  return { engine: new Engine(o.config, o.text), exportOptions: o.exportOptions };
}

/**
 * `{ engine, exporter, service, dbName }`: an exporter to `url` (the receiver by default)
 * whose requests the receiver files under `service.name = service`, with its own outbox.
 */
export async function exporting({ url = collector(), dbName = unique("db"), service = unique("svc"), ...rest } = {}) {
  const options = { export: { url, ...rest, resource: { "service.name": service, ...rest.resource } } };
  const { engine, exportOptions } = await engineFor(options);
  const exporter = await startExporter(engine, exportOptions, { dbName, pageOrigin: location.origin, OutboxQueue });
  return { engine, exporter, service, dbName };
}

/** Deletes the outbox database of `dbName`. */
export function deleteOutbox(dbName) {
  return new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(`${dbName}-outbox`);
    r.onsuccess = r.onerror = r.onblocked = resolve;
  });
}

/** Stops the exporter, frees the engine and deletes the outbox database. */
export async function finish({ engine, exporter, dbName }) {
  await exporter.stop();
  engine.free();
  await deleteOutbox(dbName);
}

export async function receiver(method, path) {
  const response = await fetch(`${origins.otlp}${path}`, { method });
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

const serviceOf = (entry) =>
  entry.request.resourceMetrics?.[0]?.resource.attributes.find((kv) => kv.key === "service.name")?.value.stringValue;

/** Accepted requests of `service`, in arrival order. */
export async function received(service) {
  return (await receiver("GET", "/received")).filter((entry) => serviceOf(entry) === service);
}

export const rejectedCount = async () => (await receiver("GET", "/rejected")).length;

/** Polls the exporter's stats until `done(stats)` (a deadline, not a timing assertion). */
export function untilStats(exporter, what, done, ms = 20_000) {
  return until(() => done(exporter.stats()), ms, `${what}: ${JSON.stringify(exporter.stats())}`);
}

/** The metric called `name` in a received request. */
export function metric(entry, name) {
  return entry.request.resourceMetrics[0].scopeMetrics[0].metrics.find((m) => m.name === name);
}

const attribute = (point, key) => point.attributes.find((kv) => kv.key === key).value.stringValue;
const routeOf = (point) => `${attribute(point, "http.request.method")} ${attribute(point, "http.route")}`;

/**
 * A received histogram point (protobuf JSON: defaults left out, 64-bit integers as strings)
 * as plain numbers, comparable with the engine's own export points.
 */
export function histogramOf(point) {
  return {
    count: Number(point.count ?? 0),
    sum: point.sum ?? 0,
    min: point.min ?? 0,
    max: point.max ?? 0,
    scale: point.scale ?? 0,
    zeroCount: Number(point.zeroCount ?? 0),
    offset: point.positive?.offset ?? 0,
    bucketCounts: (point.positive?.bucketCounts ?? []).map(Number),
  };
}

/** Every route's histogram and error count across requests: `{ "GET /r": { histogram, errors } }`. */
export function pointsByRoute(entries) {
  const routes = {};
  for (const entry of entries) {
    const histograms = metric(entry, "apiscope.http.client.request.duration").exponentialHistogram;
    for (const point of histograms.dataPoints ?? []) {
      const route = routeOf(point);
      if (routes[route]) throw new Error(`${route} exported twice`);
      routes[route] = { histogram: histogramOf(point), errors: 0 };
    }
    for (const point of metric(entry, "apiscope.http.client.errors").sum.dataPoints ?? []) {
      routes[routeOf(point)].errors = Number(point.asInt ?? 0);
    }
  }
  return routes;
}

/**
 * Records `n` calls on each of `routes` (`[method, route]`) into `engines`, the same values
 * into each: a second engine is the expected side, its sketches made by the same code.
 */
export function record(engines, routes, n) {
  routes.forEach(([method, route], r) => {
    for (let i = 0; i < n; i++) {
      const duration = ((i * 37 + r * 11) % 500) * 1.7 + (i % 3);
      const status = i % 9 === r % 9 ? 503 : 200;
      for (const engine of engines) {
        engine.record(Date.now() - duration, duration, method, route, status, status < 400, undefined, performance.now());
      }
    }
  });
}

/** What an engine holds for export now, in `pointsByRoute`'s form (its deltas are taken). */
export async function expectedFrom(engine) {
  const { decodePoints } = await import("/js/engine/otlp.js");
  const numbers = engine.exportTake(performance.now());
  const routes = {};
  for (const p of numbers ? decodePoints(numbers, engine.labels()) : []) {
    routes[`${p.method} ${p.route}`] = { histogram: p.histograms[0], errors: p.errors };
  }
  return routes;
}

/** A second engine whose deltas are the expectation: export on, nothing else. */
export async function expectation() {
  const { engine } = await engineFor({ export: { url: collector() } });
  const { exportOptions } = await import("/js/export/options.js");
  engine.exportStart(...exportOptions({ url: collector() }).start, performance.now());
  return engine;
}
