// The package as npm publishes it: the tarball holds what the exports map, the wasm glue and
// the declarations point to and nothing else, `publint` and `@arethetypeswrong/cli` find no
// problem in it, and `npm publish --dry-run` is clean.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { root } from "./harness.mjs";
import { PARTS, install, pack, run, wasmOf } from "./packed.mjs";

const bin = (name) => path.join(root, "node_modules/.bin", name);
let work, packed, unpacked, manifest;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "apiscope-package-"));
  packed = await pack(work);
  unpacked = await install(packed.tarball, path.join(work, "app"));
  manifest = JSON.parse(await readFile(path.join(unpacked, "package.json"), "utf8"));
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Every file path an exports map (or a condition object in it) points to. */
const targets = (value) => (typeof value === "string" ? [value] : Object.values(value).flatMap(targets));

/** The relative modules a JS file imports statically or dynamically, resolved from `file`. */
async function importsOf(file) {
  const text = await readFile(path.join(unpacked, file), "utf8");
  const specifiers = [
    ...text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["'](\.[^"']+)["']/g),
    ...text.matchAll(/import\(\s*["'](\.[^"']+)["']\s*\)/g),
    ...text.matchAll(/^import\s*["'](\.[^"']+)["']/gm),
    ...text.matchAll(/new URL\(\s*["'](\.?\.?\/?[^"']+)["'],\s*import\.meta\.url\)/g),
  ].map((m) => m[1]);
  return specifiers.map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

test("the tarball holds every module the entries reach, and nothing else", async (t) => {
  const files = new Set(packed.files.map((f) => f.path));
  const entries = [...targets(manifest.exports), manifest.main, manifest.types].map((f) => path.posix.normalize(f));
  for (const part of PARTS) assert.ok(entries.includes(wasmOf(part)), `${wasmOf(part)} is exported`);
  // Walk every JS module reachable from the entries (the engines' dynamic imports, the glue,
  // the wasm each `new URL(..., import.meta.url)` names): each must be in the tarball.
  const seen = new Set();
  const queue = entries.filter((f) => f.endsWith(".js"));
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    assert.ok(files.has(file), `${file} (reached from the entries) is in the tarball`);
    if (file.endsWith(".js")) queue.push(...(await importsOf(file)));
  }
  for (const file of entries) assert.ok(files.has(file), `${file} is in the tarball`);
  for (const part of PARTS) {
    assert.ok(seen.has(`pkg/${part}/apiscope_${part.replace("-", "_")}.js`), `the ${part} glue is reached`);
    assert.ok(seen.has(wasmOf(part)), `the ${part} wasm is reached`);
  }
  // Declarations: each entry's types and the files they import.
  for (const file of [...files].filter((f) => f.endsWith(".d.ts"))) {
    const text = await readFile(path.join(unpacked, file), "utf8");
    for (const [, spec] of text.matchAll(/from\s+"(\.[^"]+)"/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, ".d.ts");
      assert.ok(files.has(target), `${file} imports ${target}, which is in the tarball`);
    }
  }
  // Each glue directory says its modules are ES modules (Node reads them as CommonJS otherwise).
  for (const part of PARTS) assert.ok(files.has(`pkg/${part}/package.json`), `pkg/${part}/package.json`);
  // Nothing but the package: no build leftovers, no unused generated declarations, no round-1 files.
  // The shipped parts only: not the test builds (pkg/engine-test/, ...) that test.sh adds.
  const part = `pkg\\/(${PARTS.join("|")})\\/(apiscope_[a-z_]+\\.js|apiscope_[a-z_]+_bg\\.wasm|package\\.json)`;
  const published = new RegExp(`^js\\/.+\\.(js|d\\.ts|css)$|^dist\\/index\\.js$|^${part}$|^(package\\.json|README\\.md|LICENSE-MIT|LICENSE-APACHE)$`);
  const strays = [...files].filter((f) => !published.test(f));
  assert.deepEqual(strays, [], "nothing but the package itself is published");
  assert.ok(files.has("LICENSE-MIT") && files.has("LICENSE-APACHE"), "both licenses of `MIT OR Apache-2.0`");
  t.diagnostic(`${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.size} files`);
});

test("publint finds nothing to report in the tarball", async () => {
  const { stdout, stderr } = await run(root, bin("publint"), "run", packed.tarball, "--strict", "--level", "suggestion");
  // publint exits 0 with suggestions; any message at all is a problem here.
  assert.match(stdout + stderr, /All good!/, `publint:\n${stdout}${stderr}`);
});

test("@arethetypeswrong/cli resolves types for every entry in every resolution mode", async () => {
  // The package is ESM-only (the wasm-bindgen glue uses `import.meta.url`, and there is no
  // CommonJS build): `require()` from a CommonJS module getting ES modules is what it is, so
  // that one rule is off; node10 (typesVersions), node16 ESM and bundler must all resolve.
  // The CSS and wasm exports are assets, not modules: they have no types to resolve.
  const assets = Object.keys(manifest.exports).filter((k) => /\.(css|wasm|json)$/.test(k));
  const { stdout } = await run(
    root,
    bin("attw"),
    packed.tarball,
    "--format",
    "table-flipped",
    "--no-color",
    "--no-definitely-typed", // offline: no @types/* lookup on the registry
    "--ignore-rules",
    "cjs-resolves-to-esm",
    "--exclude-entrypoints",
    ...assets,
  );
  assert.match(stdout, /No problems found/, stdout);
  for (const entry of ["apiscope", "apiscope/sketch", "apiscope/cache", "apiscope/dashboard"]) {
    assert.ok(stdout.includes(`"${entry}"`), `attw checked ${entry}:\n${stdout}`);
  }
});

test("npm publish --dry-run is clean", async () => {
  // Offline, against a registry that is not there: the dry run must depend neither on the
  // network nor on what others published (the name "apiscope" is taken on npmjs.org). It warns that nobody is logged in (a dry run is not); anything else, such
  // as package.json fields npm would auto-correct, is a problem.
  const { stdout, stderr } = await run(root, "npm", "publish", "--dry-run", "--ignore-scripts", "--json", "--offline", "--registry", "http://127.0.0.1:9/");
  const warnings = stderr
    .split("\n")
    .filter((line) => /\b(warn|error)\b/i.test(line) && !/requires you to be logged in .* \(dry-run\)$/.test(line));
  assert.deepEqual(warnings, [], `npm publish --dry-run warned:\n${stderr}`);
  const published = JSON.parse(stdout).apiscope;
  assert.equal(published.name, "apiscope");
  assert.deepEqual(published.files.map((f) => f.path).sort(), packed.files.map((f) => f.path).sort(), "it publishes what npm pack packs");
});
