// The first slice through every layer: the page served by `npm start` loads the wasm package
// and renders what the exported `version()` returns.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { launchBrowser, openPage, screenshot, startServer, root } from "./harness.mjs";

let browser, server;
before(async () => {
  server = await startServer({ port: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the page shows the version computed by the wasm module", async () => {
  const cargo = await readFile(path.join(root, "Cargo.toml"), "utf8");
  const version = cargo.match(/^version = "(.+)"$/m)[1];
  const page = await openPage(browser);
  await page.goto(`${server.url}/`);
  const output = page.locator("#wasm-version");
  await output.filter({ hasText: "apiscope" }).waitFor();
  assert.equal(await output.textContent(), `apiscope ${version}`);
  await screenshot(page, "smoke");
  assert.deepEqual(page.errors, []);
});
