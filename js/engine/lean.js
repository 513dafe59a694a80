// The engine chunk `start()` loads when no OTLP export is configured: the lean wasm part.
import init, { Engine } from "../../pkg/engine/apiscope_engine.js";
import { createProfiler } from "./create.js";

export function boot(context) {
  return createProfiler({ init, Engine }, context);
}
