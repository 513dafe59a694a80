// The first slice through every layer: the page served by `npm start` renders the version the
// loader reports, which is the package's and the crate's.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { launchBrowser, openPage, screenshot, startServer, root } from "./harness.mjs";
import { demoApi } from "../../demo/api.mjs";

let browser, server;
before(async () => {
  // As `npm start` serves it: the page starts its demo load against the demo API at once.
  server = await startServer({ port: 0, api: demoApi });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the page shows the package version, the same in package.json and Cargo.toml", async () => {
  const cargo = await readFile(path.join(root, "Cargo.toml"), "utf8");
  const version = cargo.match(/^version = "(.+)"$/m)[1];
  const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));
  assert.equal(pkg.version, version);
  const page = await openPage(browser);
  await page.goto(`${server.url}/`);
  const output = page.locator("#wasm-version");
  await output.filter({ hasText: "apiscope" }).waitFor();
  assert.equal(await output.textContent(), `apiscope ${version}`);
  await screenshot(page, "smoke");
  assert.deepEqual(page.errors, []);
});
