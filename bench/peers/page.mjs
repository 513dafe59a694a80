// The peers the bench page runs beside apiscope, bundled by esbuild into bench/dist/peers.js.
export { DDSketch } from "@datadog/sketches-js";
export * as hdr from "hdr-histogram-js";
export { default as tdigest } from "tdigest";
export { LRUCache } from "lru-cache";
export { default as Dexie } from "dexie";
export { openDB, deleteDB } from "idb";
export { WebTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-web";
export { FetchInstrumentation } from "@opentelemetry/instrumentation-fetch";
export { registerInstrumentations } from "@opentelemetry/instrumentation";
