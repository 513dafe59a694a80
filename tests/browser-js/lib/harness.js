// A tiny test runner for ES modules in a real Chromium page. A test file registers cases with
// `test(name, fn)`; `tests/e2e/browser_js.test.mjs` opens one page per file, runs them in
// order and reports each case to node:test. Failures carry the assertion's message and stack.

const cases = [];
/** Lines the running case reports (`note`), or null between cases. */
let notes = null;

/** Registers a case; `fn` may be async. */
export function test(name, fn) {
  cases.push({ name, fn });
}

/** Origins of the local HTTP test server (tests/server): a primary and a cross-origin peer;
 * and of the OTLP receiver (tests/otlp/receiver.py). */
export const origins = {
  test: new URLSearchParams(location.search).get("origin"),
  second: new URLSearchParams(location.search).get("second"),
  otlp: new URLSearchParams(location.search).get("otlp"),
};

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = "AssertionError";
  }
}

const show = (v) => {
  try {
    return typeof v === "string" ? JSON.stringify(v) : String(v instanceof Object ? JSON.stringify(v) : v);
  } catch {
    return String(v);
  }
};

function deepEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
}

export const assert = {
  ok(value, message = `expected a truthy value, got ${show(value)}`) {
    if (!value) throw new AssertionError(message);
  },
  equal(actual, expected, message) {
    if (!Object.is(actual, expected)) {
      throw new AssertionError(message || `expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  notEqual(actual, expected, message) {
    if (Object.is(actual, expected)) throw new AssertionError(message || `expected not ${show(expected)}`);
  },
  deepEqual(actual, expected, message) {
    if (!deepEqual(actual, expected)) {
      throw new AssertionError(message || `expected ${show(expected)}, got ${show(actual)}`);
    }
  },
  /** `fn()` throws an instance of `type` whose message matches `pattern` (a RegExp or substring). */
  throws(fn, type, pattern) {
    let error;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    check(error, type, pattern);
    return error;
  },
  async rejects(promiseOrFn, type, pattern) {
    let error;
    try {
      await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
    } catch (e) {
      error = e;
    }
    check(error, type, pattern);
    return error;
  },
};

function check(error, type, pattern) {
  if (error === undefined) throw new AssertionError(`expected a ${type ? type.name : "throw"}, nothing was thrown`);
  if (type && !(error instanceof type)) {
    throw new AssertionError(`expected a ${type.name}, got ${error && error.name}: ${error && error.message}`);
  }
  if (pattern !== undefined) {
    const message = String(error && error.message);
    const hit = pattern instanceof RegExp ? pattern.test(message) : message.includes(pattern);
    if (!hit) throw new AssertionError(`error message ${show(message)} does not match ${show(String(pattern))}`);
  }
}

/**
 * Asks the runner to shrink this page's storage quota to `bytes` (DevTools protocol
 * Storage.overrideQuotaForOrigin) before the cases run; call it at module load.
 */
export function storageQuota(bytes) {
  window.storageQuota = bytes;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms until it is truthy (returning its value) or `ms` passes. */
export async function until(condition, ms = 5000, what = "condition") {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (performance.now() > deadline) throw new AssertionError(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Adds a line to the running case's report: the runner prints it as a test diagnostic. */
export function note(text) {
  notes?.push(String(text));
}

/** Runs every registered case in order; the runner calls it once the test module is loaded. */
export async function run(only) {
  const results = [];
  for (const c of cases) {
    if (only && c.name !== only) continue;
    const started = performance.now();
    notes = [];
    try {
      await c.fn();
      results.push({ name: c.name, ok: true, ms: performance.now() - started, notes });
    } catch (e) {
      results.push({
        name: c.name,
        ok: false,
        ms: performance.now() - started,
        notes,
        error: `${e && e.name}: ${e && e.message}\n${(e && e.stack) || ""}`,
      });
    }
  }
  return results;
}
