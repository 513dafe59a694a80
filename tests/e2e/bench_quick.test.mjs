// Smoke run of `npm run bench` in quick mode: every case must produce finite figures. Nothing
// about speed is asserted (no timed assertions); the figures of a quick run mean nothing.
// test.sh builds pkg/ just before the end-to-end tests, so the bench skips its own build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { root } from "./harness.mjs";

test("the quick bench gives finite numbers for every case", { timeout: 180_000 }, async () => {
  await promisify(execFile)("node", ["bench/run.mjs", "--quick", "--skip-build"], { cwd: root });
  const results = JSON.parse(await readFile(path.join(root, "bench/dist/results-quick.json"), "utf8"));
  assert.deepEqual(Object.keys(results.cases), ["sketch", "cache", "store", "instrumentation", "size", "startup"]);
  for (const [name, rows] of Object.entries(results.cases)) {
    assert.ok(rows.length > 0, `${name} has rows`);
    for (const row of rows) {
      const figures = [...Object.values(row.peers), ...(row.pending ? [] : [row.apiscope])];
      for (const value of figures) assert.ok(Number.isFinite(value), `${name} / ${row.metric}: ${value}`);
    }
  }
});
