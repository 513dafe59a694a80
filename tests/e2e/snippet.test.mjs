// The `<head>` snippet as documented (docs/snippet.md) is exactly what js/loader/snippet.js
// minifies to, with its stated size and CSP hash, and that very text runs in Chromium under a
// CSP that allows it by hash. (Its adoption is tested by tests/browser-js/snippet.test.js.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { transformSync } from "esbuild";
import { launchBrowser, openPage, root, startServer } from "./harness.mjs";
import { snippet } from "../../js/loader/snippet.js";

const minified = transformSync(`(${snippet})(self,"__apiscope")`, { minify: true }).code.trim();

test("docs/snippet.md holds the snippet's minified text, its size and its CSP hash", async () => {
  const doc = await readFile(path.join(root, "docs/snippet.md"), "utf8");
  const documented = doc.match(/<script>(.*)<\/script>/)?.[1];
  assert.equal(documented, minified, "paste the new minified text (this assertion's 'expected') into docs/snippet.md");
  const bytes = Buffer.byteLength(minified);
  const gzipped = gzipSync(minified, { level: 9 }).length;
  assert.match(doc, new RegExp(`${bytes} bytes, ${gzipped} gzipped`));
  const hash = createHash("sha256").update(minified).digest("base64");
  assert.ok(doc.includes(`'sha256-${hash}'`), `CSP hash 'sha256-${hash}'`);
});

test("the loader's modules import in Node without touching a browser global", async () => {
  for (const file of ["hooks", "recorder", "sites", "handover", "snippet"]) {
    await import(`../../js/loader/${file}.js`);
  }
  assert.equal(typeof snippet, "function");
  assert.equal(globalThis.__apiscope, undefined);
});

test("the documented text runs under a CSP allowing it by hash, and queues a page's first requests", async () => {
  const hash = createHash("sha256").update(minified).digest("base64");
  const page = `<!doctype html><head><script>${minified}</script></head><body><script src="/app.js"></script></body>`;
  const api = async (req, res, url) => {
    if (url.pathname === "/page.html") {
      res.writeHead(200, { "Content-Type": "text/html", "Content-Security-Policy": `script-src 'self' 'sha256-${hash}'` });
      res.end(page);
    } else if (url.pathname === "/app.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" });
      res.end("window.first = fetch('/first?x=1').then((r) => r.status);");
    } else if (url.pathname === "/favicon.ico") {
      res.writeHead(204).end();
    } else if (url.pathname === "/first") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("first");
    } else return false;
    return true;
  };
  const server = await startServer({ port: 0, api });
  const browser = await launchBrowser();
  try {
    const tab = await openPage(browser);
    await tab.goto(`${server.url}/page.html`);
    const queued = await tab.evaluate(async () => {
      const status = await window.first;
      await new Promise((resolve) => setTimeout(resolve, 0));
      const q = window.__apiscope.q;
      return { status, length: q.length, kind: q[0][0], url: q[0][1][0], timed: q[0][3] >= q[0][2], recorded: q[0][4] };
    });
    assert.deepEqual(queued, { status: 200, length: 1, kind: 0, url: "/first?x=1", timed: true, recorded: 200 });
    assert.deepEqual(tab.errors, [], "no CSP violation, no error");
  } finally {
    await browser.close();
    await server.close();
  }
});
