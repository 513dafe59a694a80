// What a page downloads for each way of using apiscope, as a frontend team would measure it:
// a tiny app per use, installed from a package directory (the repository, or the packed
// tarball extracted), bundled by esbuild with code splitting and minified, gzipped at level 9.
// Static imports of a chunk load with it; dynamic imports load when start() needs them; the
// wasm parts are files beside the package (bundlers emit them as assets).
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";

export const gzipBytes = (data) => gzipSync(data, { level: 9 }).length;

/** The apps: the module text, the wasm part(s) they load, what the row says. */
export const APPS = {
  loader: {
    about: "entry chunk a page loads before its first request is measured",
    code: `import { start } from "apiscope"; start();`,
    chunks: "entry",
    wasm: [],
  },
  lean: {
    about: "everything a page using instrumentation + store + alerts downloads",
    code: `import { start } from "apiscope"; start({ alerts: [{ name: "slow", metric: "p95", above: 800, windowMs: 60000 }] });`,
    chunks: "lean",
    wasm: ["pkg/engine/apiscope_engine_bg.wasm"],
  },
  query: {
    about: "the same, once it queries stored history (query() loads the history part)",
    code: `import { start } from "apiscope"; const profiler = await start(); await profiler.query();`,
    chunks: "query",
    wasm: ["pkg/engine/apiscope_engine_bg.wasm", "pkg/history/apiscope_history_bg.wasm"],
  },
  export: {
    about: "the same with OTLP export",
    code: `import { start } from "apiscope"; start({ export: { url: "https://collector.example/v1/metrics" } });`,
    chunks: "export",
    wasm: ["pkg/engine-export/apiscope_engine_export_bg.wasm"],
  },
  sketch: {
    about: "apiscope/sketch, wasm + JS",
    code: `import { Sketch, initialize } from "apiscope/sketch"; await initialize(); new Sketch().record(1);`,
    chunks: "all",
    wasm: ["pkg/sketch/apiscope_sketch_bg.wasm"],
  },
  cache: {
    about: "apiscope/cache (Cache + ResponseCache), wasm + JS",
    code: `import { Cache, ResponseCache, initialize } from "apiscope/cache"; await initialize(); new Cache({ maxEntries: 10 }); new ResponseCache({ maxEntries: 10 });`,
    chunks: "all",
    wasm: ["pkg/cache/apiscope_cache_bg.wasm"],
  },
};

/** esbuild's options for a frontend app build: split at dynamic imports, minified, ES2022. */
export const ESBUILD_APP = {
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  logLevel: "error",
};

/** Which dynamic-import chunks an app loads: its `start()`'s engine, and what it calls later. */
const ENGINE_CHUNKS = {
  lean: ["js/engine/lean.js"],
  export: ["js/engine/with-export.js"],
  query: ["js/engine/lean.js", "pkg/history/apiscope_history.js"],
};

/**
 * Bundles the module text `code` as an app installing the package in `packageDir`, into
 * `work/out/`. Returns esbuild's metafile outputs and the entry chunk's path (relative to
 * `work`). A page served from `work/` also needs the wasm parts in `work/pkg/`, where the
 * chunks' `new URL("../pkg/...", import.meta.url)` looks for them.
 */
export async function buildApp(packageDir, code, work) {
  // The app installs the package as node_modules/apiscope (a link to packageDir).
  await mkdir(path.join(work, "node_modules"), { recursive: true });
  await symlink(packageDir, path.join(work, "node_modules/apiscope"), "dir");
  await writeFile(path.join(work, "app.mjs"), code);
  const result = await build({
    entryPoints: [path.join(work, "app.mjs")],
    absWorkingDir: work,
    ...ESBUILD_APP,
    outdir: path.join(work, "out"),
    metafile: true,
    write: true,
    external: ["uplot"],
    define: { "process.env.NODE_ENV": '"production"' },
    preserveSymlinks: false,
  });
  const outputs = result.metafile.outputs;
  return { outputs, entry: Object.keys(outputs).find((f) => outputs[f].entryPoint) };
}

/**
 * Bundles app `name` against the package in `packageDir` into `work` and returns what its page
 * downloads, as absolute paths: `js` (the entry chunk and its static imports, plus the chunks
 * its `start()` and later calls import, ENGINE_CHUNKS, or every chunk for the entries used
 * whole) and `wasm` (its parts).
 */
export async function pageFiles(packageDir, name, work) {
  const app = APPS[name];
  const { outputs, entry } = await buildApp(packageDir, app.code, work);
  const wanted = new Set();
  const addWithStatic = (file) => {
    if (wanted.has(file)) return;
    wanted.add(file);
    for (const imp of outputs[file].imports) if (imp.kind === "import-statement") addWithStatic(imp.path);
  };
  addWithStatic(entry);
  if (app.chunks === "all") {
    for (const f of Object.keys(outputs)) if (f.endsWith(".js")) addWithStatic(f);
  } else if (app.chunks !== "entry") {
    for (const source of ENGINE_CHUNKS[app.chunks]) {
      const chunk = Object.keys(outputs).find((f) =>
        Object.keys(outputs[f].inputs).some((input) => input.endsWith(source)),
      );
      if (!chunk) throw new Error(`${name}: no chunk holds ${source}`);
      addWithStatic(chunk);
    }
  }
  return {
    js: [...wanted].map((f) => path.join(work, f)),
    wasm: app.wasm.map((f) => path.join(packageDir, f)),
  };
}

/**
 * Bundles app `name` against the package in `packageDir` and returns `{ js, wasm, total, files }`:
 * gzipped bytes of the JS the page loads for it, of its wasm, and the output files counted.
 */
export async function measureApp(packageDir, name) {
  const work = await mkdtemp(path.join(os.tmpdir(), `apiscope-size-${name}-`));
  try {
    const files = await pageFiles(packageDir, name, work);
    const gz = async (list) => {
      let bytes = 0;
      for (const file of list) bytes += gzipBytes(await readFile(file));
      return bytes;
    };
    const js = await gz(files.js);
    const wasm = await gz(files.wasm);
    return { js, wasm, total: js + wasm, files: files.js.map((f) => path.basename(f)) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
