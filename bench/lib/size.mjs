// The size case, in node: gzipped bytes a page downloads for apiscope and for each peer, all
// bundled and minified by esbuild and gzipped at level 9.
import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { bundle } from "./bundle.mjs";
import { row } from "../page/harness.js";

const gzipBytes = (data) => gzipSync(data, { level: 9 }).length;

const PEERS = [
  ["web-vitals", "size-web-vitals.mjs"],
  ["OpenTelemetry web (sdk-trace-web + fetch + OTLP/HTTP)", "size-opentelemetry.mjs"],
  ["@sentry/browser + browserTracing", "size-sentry.mjs"],
];

export async function sizeCase(root) {
  const entry = (file) => path.join(root, "bench/peers", file);
  const js = await bundle(entry("size-apiscope.mjs"), { minify: true });
  const wasm = await readFile(path.join(root, "pkg/apiscope_bg.wasm"));
  const values = { apiscope: gzipBytes(js) + gzipBytes(wasm) };
  for (const [name, file] of PEERS) values[name] = gzipBytes(await bundle(entry(file), { minify: true }));
  const note = `apiscope: wasm ${gzipBytes(wasm)} + JS ${gzipBytes(js)}`;
  return [row({ metric: "download, gzipped", unit: "bytes", better: "lower", values, note })];
}
