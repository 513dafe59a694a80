import { defineConfig, type Connect } from "vite";
import { itemsApi } from "./api.mjs";

const api: Connect.NextHandleFunction = (req, res, next) => {
  if (!itemsApi(req, res, new URL(req.url ?? "/", "http://localhost"))) next();
};

export default defineConfig({
  // Dependency pre-bundling would move apiscope's loader away from its wasm parts and break
  // `new URL("../pkg/engine/apiscope_engine_bg.wasm", import.meta.url)` in `npm run dev`;
  // serve the package as is.
  optimizeDeps: { exclude: ["apiscope"] },
  // The app awaits the profiler at the top level of its module.
  build: { target: "es2022" },
  plugins: [
    {
      name: "items-api",
      configureServer: (server) => void server.middlewares.use(api),
      configurePreviewServer: (server) => void server.middlewares.use(api),
    },
  ],
});
