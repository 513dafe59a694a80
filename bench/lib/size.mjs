// The size case, in node: gzipped bytes a page downloads for each way of using apiscope
// (bench/lib/apps.mjs: tiny apps bundled by esbuild with code splitting, as a frontend team
// builds them) beside the peers doing the same job, each bundled and minified by esbuild and
// gzipped at level 9.
import path from "node:path";
import { APPS, gzipBytes, measureApp } from "./apps.mjs";
import { bundle } from "./bundle.mjs";
import { row } from "../page/harness.js";

/** Peers of the whole profiler: what a page ships to measure its API calls with each. */
const MONITORING = {
  "web-vitals": "size-web-vitals.mjs",
  "OpenTelemetry web (sdk-trace-web + fetch + OTLP/HTTP)": "size-opentelemetry.mjs",
  "@sentry/browser + browserTracing": "size-sentry.mjs",
  "@datadog/browser-rum-slim": "size-datadog.mjs",
};

/** Each apiscope app and the peers it is set beside. */
const ROWS = [
  ["loader", MONITORING],
  ["lean", MONITORING],
  ["query", MONITORING],
  ["export", MONITORING],
  ["sketch", { "@datadog/sketches-js": "size-ddsketch.mjs", "hdr-histogram-js": "size-hdr.mjs", tdigest: "size-tdigest.mjs" }],
  ["cache", { "lru-cache": "size-lru-cache.mjs" }],
];

export async function sizeCase(root) {
  const peerBytes = new Map();
  const peer = async (file) => {
    if (!peerBytes.has(file)) {
      peerBytes.set(file, gzipBytes(await bundle(path.join(root, "bench/peers", file), { minify: true })));
    }
    return peerBytes.get(file);
  };
  const rows = [];
  for (const [app, peers] of ROWS) {
    const { js, wasm, total } = await measureApp(root, app);
    const values = { apiscope: total };
    for (const [name, file] of Object.entries(peers)) values[name] = await peer(file);
    const note = wasm ? `apiscope: wasm ${wasm} + JS ${js}` : `apiscope: JS only`;
    rows.push(row({ metric: `download, gzipped: ${APPS[app].about}`, unit: "bytes", better: "lower", values, note }));
  }
  return rows;
}
