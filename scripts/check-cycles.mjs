// Fails when two source files depend on each other, directly or through others: in src/
// (Rust: `crate::`, `super::` and `self::` paths, re-exports followed to the file that defines
// the item) and in js/ (static and dynamic relative imports). `npm test` runs it.
//
//   node scripts/check-cycles.mjs
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function files(dir, ext) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(full, ext)));
    else if (entry.name.endsWith(ext)) out.push(full);
  }
  return out;
}

/** Code without comments and string literals, which may mention paths that are not uses. */
const code = (text) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""');

/** `src/core/routes/capped.rs` → `crate::core::routes::capped` (mod.rs and lib.rs name their folder). */
function modulePath(file) {
  const rel = path.relative(path.join(root, "src"), file).replace(/\.rs$/, "").split(path.sep);
  if (rel.at(-1) === "mod" || rel.at(-1) === "lib") rel.pop();
  return ["crate", ...rel].join("::");
}

/** Every `a::b::c` path a file names, with `use` groups (`a::{b, c::d}`) expanded. */
function rustPaths(text) {
  const paths = [];
  const expand = (prefix, body) => {
    let depth = 0;
    let item = "";
    for (const ch of `${body},`) {
      if (ch === "{") depth++;
      if (ch === "}") depth--;
      if (ch === "," && depth === 0) {
        const t = item.trim();
        const brace = t.indexOf("{");
        if (brace >= 0) expand(`${prefix}${t.slice(0, brace)}`, t.slice(brace + 1, t.lastIndexOf("}")));
        else if (t) paths.push(`${prefix}${t.split(/\s+as\s+/)[0]}`);
        item = "";
      } else item += ch;
    }
  };
  for (const m of text.matchAll(/\buse\s+([^;]+);/g)) expand("", m[1].replace(/\s+/g, " "));
  for (const m of text.matchAll(/\b(?:crate|super|self)(?:::\w+)+/g)) paths.push(m[0]);
  return paths;
}

async function rustGraph() {
  const all = await files(path.join(root, "src"), ".rs");
  const byModule = new Map(all.map((f) => [modulePath(f), f]));
  const texts = new Map();
  for (const f of all) texts.set(f, code(await readFile(f, "utf8")));
  // Names a module file re-exports, and the path they come from (`pub use x::Item;`).
  const reexports = new Map();
  for (const f of all) {
    const map = new Map();
    for (const m of texts.get(f).matchAll(/\bpub(?:\([^)]*\))?\s+use\s+([^;]+);/g)) {
      for (const p of rustPaths(`use ${m[1]};`)) map.set(p.split("::").at(-1), p);
    }
    reexports.set(f, map);
  }
  const absolute = (from, p) => {
    const parts = p.split("::");
    const here = modulePath(from).split("::");
    // A non-mod file's `super` is its folder's module; `self` is its own module.
    if (parts[0] === "crate") return parts;
    let base = [...here];
    while (parts[0] === "super" || parts[0] === "self") {
      if (parts.shift() === "super") base.pop();
    }
    return [...base, ...parts];
  };
  const resolve = (from, p, seen = 0) => {
    const parts = absolute(from, p);
    for (let n = parts.length; n > 0; n--) {
      const file = byModule.get(parts.slice(0, n).join("::"));
      if (!file) continue;
      const item = parts[n];
      const via = item && reexports.get(file).get(item);
      if (via && seen < 8) return resolve(file, via, seen + 1);
      return file;
    }
    return null;
  };
  const graph = new Map();
  for (const f of all) {
    const deps = new Set();
    const ownFolder = path.dirname(f);
    const isParent = /(?:mod|lib)\.rs$/.test(f);
    for (const p of rustPaths(texts.get(f))) {
      const target = resolve(f, p);
      if (!target || target === f) continue;
      // A mod.rs declaring and re-exporting its own children does not depend on them.
      if (isParent && target.startsWith(ownFolder + path.sep)) continue;
      deps.add(target);
    }
    graph.set(f, deps);
  }
  return graph;
}

async function jsGraph() {
  const all = await files(path.join(root, "js"), ".js");
  const graph = new Map();
  for (const f of all) {
    const text = code((await readFile(f, "utf8")).replace(/(["'])(\.{1,2}\/[^"']+)\1/g, "`$2`"));
    const deps = new Set();
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)`(\.{1,2}\/[^`]+)`/g)) {
      deps.add(path.resolve(path.dirname(f), m[1]));
    }
    graph.set(f, deps);
  }
  return graph;
}

/** The cycles of `graph` (each once, as a list of files), by depth-first search. */
function cycles(graph) {
  const found = [];
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, "open");
    stack.push(node);
    for (const dep of graph.get(node) || []) {
      if (!graph.has(dep)) continue;
      if (state.get(dep) === "open") found.push(stack.slice(stack.indexOf(dep)));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

let failed = false;
for (const [name, graph] of [["src", await rustGraph()], ["js", await jsGraph()]]) {
  const found = cycles(graph);
  const edges = [...graph.values()].reduce((n, d) => n + d.size, 0);
  console.log(`check-cycles: ${name}: ${graph.size} files, ${edges} dependencies, ${found.length} cycles`);
  for (const c of found) {
    failed = true;
    console.error(`  cycle: ${[...c, c[0]].map((f) => path.relative(root, f)).join(" -> ")}`);
  }
}
process.exit(failed ? 1 : 0);
