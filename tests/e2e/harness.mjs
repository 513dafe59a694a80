// Shared by the end-to-end tests: Debian's Chromium driven by playwright-core, and the project's
// own server on a free port. Every page records console errors and uncaught exceptions so a test
// can fail on any of them.
import { chromium } from "playwright-core";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../scripts/serve.mjs";
import { startTestServer } from "../server/server.mjs";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const screenshotDir = path.join(root, "test-results");

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}

/** Opens a new page that collects `errors` (console errors and uncaught exceptions). */
export async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.errors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") page.errors.push(`console.error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => page.errors.push(`uncaught: ${err.message}`));
  return page;
}

export async function screenshot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The HTTP test server (tests/server) on two consecutive free ports of its own (primary and
 * cross-origin peer), so that runs beside other checkouts never collide.
 */
export async function startApiServer() {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000) * 2;
    try {
      return await startTestServer({ port });
    } catch (e) {
      if (attempt > 20) throw e;
    }
  }
}

export { startServer };

/** DevTools' "Fast 3G" as Lighthouse throttles it: 150 ms RTT, 1.6 Mbps down, 750 kbps up. */
export const FAST_3G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

/**
 * Throttles `page` as a mid-range phone (4x CPU slowdown, Fast 3G) through the DevTools
 * protocol; returns the CDP session, whose life is the throttling's.
 */
export async function throttle(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", FAST_3G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  return cdp;
}
