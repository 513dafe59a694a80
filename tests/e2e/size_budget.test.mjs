// The size budget of every entry, from the packed tarball: each app of bench/lib/apps.mjs (the
// loader alone, the lean profiler, the profiler with export, apiscope/sketch, apiscope/cache)
// is bundled by esbuild against the unpacked package, the files its page downloads (the JS it
// loads, the wasm part it fetches) are staged one directory per app, and size-limit measures
// them (gzip -9) against the budgets in .size-limit.json. Bytes, not time: deterministic.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { APPS } from "../../bench/lib/apps.mjs";
import { root } from "./harness.mjs";
import { ESBUILD_APP, install, pack, run } from "./packed.mjs";

/** The module whose chunk (with its static imports) an app's `start()` loads lazily. */
const ENGINE_CHUNK = { lean: "js/engine/lean.js", export: "js/engine/with-export.js" };

let work, packageDir, budgets;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "apiscope-size-"));
  const packed = await pack(work);
  packageDir = await install(packed.tarball, path.join(work, "app"));
  budgets = JSON.parse(await readFile(path.join(root, ".size-limit.json"), "utf8"));
  for (const name of Object.keys(APPS)) await stage(name, path.join(work, "measure", name));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * Bundles app `name` as a frontend build would (esbuild, code splitting, minified) and copies
 * what its page downloads into `dir`: the entry chunk and its static imports, the engine chunk
 * `start()` imports (or every chunk, for the entries used whole), and its wasm part.
 */
async function stage(name, dir) {
  const app = APPS[name];
  const appDir = path.dirname(path.dirname(packageDir)); // <app>/node_modules/apiscope
  const source = path.join(appDir, `${name}.mjs`);
  await writeFile(source, app.code);
  const out = path.join(appDir, "out", name);
  const { metafile } = await build({
    entryPoints: [source],
    absWorkingDir: appDir,
    ...ESBUILD_APP,
    outdir: out,
    metafile: true,
    external: ["uplot"],
  });
  const outputs = metafile.outputs;
  const wanted = new Set();
  const withStatic = (file) => {
    if (wanted.has(file)) return;
    wanted.add(file);
    for (const imp of outputs[file].imports) if (imp.kind === "import-statement") withStatic(imp.path);
  };
  withStatic(Object.keys(outputs).find((f) => outputs[f].entryPoint));
  if (app.chunks === "all") {
    for (const f of Object.keys(outputs)) if (f.endsWith(".js")) withStatic(f);
  } else if (app.chunks !== "entry") {
    const chunk = Object.keys(outputs).find((f) => Object.keys(outputs[f].inputs).some((i) => i.endsWith(ENGINE_CHUNK[app.chunks])));
    assert.ok(chunk, `${name}: a chunk holds ${ENGINE_CHUNK[app.chunks]}`);
    withStatic(chunk);
  }
  await mkdir(dir, { recursive: true });
  for (const file of wanted) await copyFile(path.join(appDir, file), path.join(dir, path.basename(file)));
  for (const file of app.wasm) await copyFile(path.join(packageDir, file), path.join(dir, path.basename(file)));
}

/** Runs size-limit on the staged files with `checks`; returns its JSON report and exit status. */
async function sizeLimit(checks) {
  const config = path.join(work, "measure", ".size-limit.json");
  await writeFile(config, JSON.stringify(checks));
  // From the repository, where size-limit finds its plugin (@size-limit/file) in package.json.
  try {
    const { stdout } = await run(root, path.join(root, "node_modules/.bin/size-limit"), "--json", "--config", config);
    return { ok: true, report: JSON.parse(stdout) };
  } catch (err) {
    return { ok: false, report: JSON.parse(err.stdout) };
  }
}

test("every entry has a gzip budget and is within it", async (t) => {
  const staged = new Set(Object.keys(APPS).map((name) => `${name}/*`));
  assert.deepEqual(new Set(budgets.map((b) => b.path)), staged, "one budget per app of bench/lib/apps.mjs");
  for (const b of budgets) assert.equal(b.gzip, true, `${b.name}: measured gzipped`);
  const { ok, report } = await sizeLimit(budgets);
  for (const r of report) t.diagnostic(`${r.name}: ${r.size} bytes gzipped${r.passed ? "" : " — OVER BUDGET"}`);
  assert.equal(report.length, budgets.length);
  assert.deepEqual(report.filter((r) => !r.passed).map((r) => r.name), [], "entries over budget");
  assert.ok(ok, "size-limit passed");
});

test("an entry one byte over its budget fails size-limit", async () => {
  // The budget check itself can fail: the loader measured again with its exact size minus one.
  const { report } = await sizeLimit(budgets);
  const loader = report.find((r) => budgets.find((b) => b.name === r.name).path === "loader/*");
  const tight = budgets.map((b) => (b.path === "loader/*" ? { ...b, limit: `${loader.size - 1} B` } : b));
  const result = await sizeLimit(tight);
  assert.equal(result.ok, false, "size-limit exits non-zero");
  assert.equal(result.report.find((r) => r.name === loader.name).passed, false);
});
