// The engine chunk `start()` loads when `export` is set: the engine wasm built with the OTLP
// exporter (pkg/engine-export) and the exporter's JS edge (js/export/).
import init, { Engine, OutboxQueue } from "../../pkg/engine-export/apiscope_engine_export.js";
import { startExporter } from "../export/exporter.js";
import { createProfiler } from "./create.js";

export function boot(context) {
  const exporter = (engine, options, where) => startExporter(engine, options, { ...where, OutboxQueue });
  return createProfiler({ init, Engine, startExporter: exporter }, context);
}
