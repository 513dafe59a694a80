// The size budget of every entry, from the packed tarball: each app of bench/lib/apps.mjs (the
// loader alone, the lean profiler, the same once it queries history, the profiler with export,
// apiscope/sketch, apiscope/cache)
// is bundled by esbuild against the unpacked package, the files its page downloads (the JS it
// loads, the wasm part it fetches) are staged one directory per app, and size-limit measures
// them (gzip -9) against the budgets in .size-limit.json. Bytes, not time: deterministic.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { APPS, pageFiles } from "../../bench/lib/apps.mjs";
import { root } from "./harness.mjs";
import { install, pack, run } from "./packed.mjs";

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
 * Bundles app `name` as a frontend build would (bench/lib/apps.mjs: esbuild, code splitting,
 * minified) and copies what its page downloads into `dir`.
 */
async function stage(name, dir) {
  const files = await pageFiles(packageDir, name, path.join(work, "build", name));
  await mkdir(dir, { recursive: true });
  for (const file of [...files.js, ...files.wasm]) await copyFile(file, path.join(dir, path.basename(file)));
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
