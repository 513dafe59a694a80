// Shared by the export end-to-end tests (export_*.test.mjs): the package server with the test
// pages, the OTLP receiver (tests/otlp/receiver.py: every body validated against the official
// protobuf schema, samples counted per service) and Chromium, each on a free port.
import { before, after } from "node:test";
import path from "node:path";
import { launchBrowser, root, startServer } from "./harness.mjs";
import { startReceiver } from "../otlp/receiver.mjs";

/** `{ server, otlp, browser }`, filled in before the file's tests run and closed after. */
export const env = {};
before(async () => {
  env.server = await startServer({ port: 0, mounts: [["/e2e/", path.join(root, "tests/e2e/pages")]] });
  env.otlp = await startReceiver();
  env.browser = await launchBrowser();
});
after(async () => {
  await env.browser?.close();
  await env.server?.close();
  await env.otlp?.close();
});

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A control call to the receiver (`/__fail?ms=…`, `/samples?service=…`). */
export async function receiver(method, where) {
  const response = await fetch(`${env.otlp.origin}${where}`, { method });
  return response.status === 204 ? null : response.json();
}

/** What the receiver holds of `service`: `{ bodies, samples, errors, batches, duplicates }`. */
export const counted = (service) => receiver("GET", `/samples?service=${encodeURIComponent(service)}`);

/** Polls `condition` every 100 ms until it is truthy or `ms` pass (a deadline, not a timing assertion). */
export async function until(condition, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "function" ? await what() : what}`);
    await sleep(100);
  }
}

/** The receiver's counts once it holds at least `total` samples of `service`. */
export function allSamples(service, total, ms = 60_000) {
  return until(
    async () => {
      const c = await counted(service);
      return c.samples >= total && c;
    },
    ms,
    async () => `${total} samples: ${JSON.stringify(await counted(service))}`,
  );
}

/** Console errors and uncaught exceptions of `page`, but the browser's line for each failed
 * export ("Failed to load resource: ... 503"): the collector failing is the tests' doing. */
export function collectErrors(page) {
  page.errors = [];
  page.on("pageerror", (error) => page.errors.push(error.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) page.errors.push(msg.text());
  });
  return page;
}
