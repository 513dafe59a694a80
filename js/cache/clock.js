// Epoch milliseconds from a monotonic clock, in a window, a worker or Node: Date.now() is read
// once, at the first call, as the base, and performance.now() after that. Deadlines kept on
// disk (the persistent tier) then compare across reloads, and none goes backwards in a page.
let base = NaN;

/** The time now, exact. */
export function now() {
  const t = performance.now();
  if (base !== base) base = Date.now() - t;
  return base + t;
}

// `coarseNow()` reads the clock at most once per millisecond: a cache whose entries expire
// checks a deadline on every hit, and reading `performance.now()` each time would cost more
// than the hit (lru-cache's `ttlResolution` does the same). The reading is dropped by a timer,
// so within one synchronous run of code the time stands still; deadlines are met to within
// that run's length. Without timers (an odd host), every call reads the clock.
let cached = 0;
const drop = () => {
  cached = 0;
};

/** The time now, to within a millisecond or the current synchronous run. */
export function coarseNow() {
  if (cached !== 0) return cached;
  const t = now();
  if (typeof setTimeout === "function") {
    cached = t;
    setTimeout(drop, 1)?.unref?.(); // in Node, the timer must not keep the process alive
  }
  return t;
}
