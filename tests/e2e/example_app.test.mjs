// The npm package as a user gets it: `npm pack` of the repo root, installed from the tarball
// into a copy of examples/vite-app, type-checked with tsc, bundled by Vite, and run in Chromium
// against a local API, where the app's own fetch calls must show up in `profiler.snapshot()`.
// (What the tarball holds is tests/e2e/package.test.mjs's to check.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { launchBrowser, openPage, startServer, root } from "./harness.mjs";
import { pack, run } from "./packed.mjs";

const exampleDir = path.join(root, "examples/vite-app");
const ITEM_IDS = [1, 2, 3, 4, 5, 6, 7, 8]; // what examples/vite-app/src/main.ts loads

let work, app, packed;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "apiscope-example-"));
  packed = await pack(work);
  app = path.join(work, "app");
  await cp(exampleDir, app, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|dist)$/.test(src),
  });
  await run(app, "npm", "install", "--no-audit", "--no-fund", packed.tarball);
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test("the example type-checks against the packaged declarations", async () => {
  // The contract file adds lines that must NOT compile, so the declarations cannot be `any`.
  await cp(path.join(root, "tests/e2e/example_app.types.ts"), path.join(app, "src/contract.ts"));
  await run(app, path.join(app, "node_modules/.bin/tsc"), "-p", ".");
});

test("the Vite build of the example measures its own fetch calls", async () => {
  await run(app, path.join(app, "node_modules/.bin/vite"), "build", "--logLevel", "warn");
  const assets = await readdir(path.join(app, "dist/assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `Vite emitted the wasm: ${assets}`);

  const { itemsApi } = await import(pathToFileURL(path.join(app, "api.mjs")).href);
  const served = [];
  const server = await startServer({
    port: 0,
    mounts: [["/", path.join(app, "dist")]],
    api: (req, res, url) => {
      const handled = itemsApi(req, res, url);
      if (handled) served.push(url.pathname);
      return handled;
    },
  });
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser);
    const wasm = [];
    page.on("response", (r) => {
      if (r.url().endsWith(".wasm")) wasm.push([r.status(), r.headers()["content-type"]]);
    });
    await page.goto(`${server.url}/`);
    await page.locator("#status[data-state=done]").waitFor();
    assert.deepEqual(wasm, [[200, "application/wasm"]], "the page loaded the bundled engine wasm once");
    assert.ok(assets.some((f) => /^apiscope_engine_bg-.*\.wasm$/.test(f)), `the lean engine is emitted: ${assets}`);
    assert.equal(served.length, ITEM_IDS.length);

    const rows = await page.locator("#routes tr").evaluateAll((trs) =>
      trs.map((tr) => [...tr.cells].map((td) => td.textContent)),
    );
    const items = rows.filter(([, route]) => route === "/api/items/:id");
    assert.equal(items.length, 1, `one templated route: ${JSON.stringify(rows)}`);
    const [method, , count, p50, p95] = items[0];
    assert.equal(method, "GET");
    assert.equal(Number(count), ITEM_IDS.length);
    assert.ok(Number(p50) > 0 && Number(p50) <= Number(p95), `p50 ${p50} ≤ p95 ${p95}`);
    assert.deepEqual(page.errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
