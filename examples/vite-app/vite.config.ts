import { defineConfig } from "vite";

export default defineConfig({
  // The dev server's dependency pre-bundling would move apiscope's glue away from its .wasm
  // file and break `new URL("apiscope_bg.wasm", import.meta.url)`; serve the package as is.
  optimizeDeps: { exclude: ["apiscope"] },
  // The app awaits the profiler at the top level of its module.
  build: { target: "es2022" },
});
