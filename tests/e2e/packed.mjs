// The npm package as a user gets it, for the tests that check what is published (package lint,
// size budget, bundlers, the example app, Node): `npm pack` of the repository, and the tarball
// unpacked as an installed package, `<app>/node_modules/apiscope`.
import { execFile } from "node:child_process";
import { access, mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { root } from "./harness.mjs";

/** The wasm parts scripts/build.sh writes to pkg/<part>/. */
export const PARTS = ["engine", "engine-export", "sketch", "cache", "history"];

/** `pkg/<part>/apiscope_<part>_bg.wasm`, the file a part's glue loads. */
export const wasmOf = (part) => `pkg/${part}/apiscope_${part.replace("-", "_")}_bg.wasm`;

/** Runs a command; on failure the error carries its output (tsc and attw report on stdout). */
export async function run(cwd, command, ...args) {
  try {
    return await promisify(execFile)(command, args, { cwd, maxBuffer: 64 << 20 });
  } catch (err) {
    err.message += `\n--- stdout\n${err.stdout}\n--- stderr\n${err.stderr}`;
    throw err;
  }
}

/** Builds the wasm parts that are missing (`npm test` has built them all by then). */
async function buildMissingParts() {
  const missing = [];
  for (const part of PARTS) {
    try {
      await access(path.join(root, wasmOf(part)));
    } catch {
      missing.push(part);
    }
  }
  if (missing.length > 0) await run(root, "bash", "scripts/build.sh", ...missing);
}

/**
 * Packs the repository into `dir`; returns npm's description of the tarball (`filename`,
 * `files`, `size`, `unpackedSize`) with `tarball`, its path.
 */
export async function pack(dir) {
  await buildMissingParts();
  // --ignore-scripts: `prepack` would rebuild pkg/, which is built already.
  const { stdout } = await run(root, "npm", "pack", "--json", "--ignore-scripts", "--pack-destination", dir);
  const [packed] = JSON.parse(stdout);
  return { ...packed, tarball: path.join(dir, packed.filename) };
}

/** Unpacks `tarball` as `<app>/node_modules/apiscope` (the package has no dependencies an app
 * using these entries needs); returns that directory. */
export async function install(tarball, app) {
  const dir = path.join(app, "node_modules/apiscope");
  await mkdir(dir, { recursive: true });
  await run(app, "tar", "-xzf", tarball, "-C", dir, "--strip-components=1");
  return dir;
}
