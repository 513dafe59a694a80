// Epoch milliseconds from a monotonic clock, in a window, a worker or Node: Date.now() is read
// once, at the first call, as the base, and performance.now() after that. Deadlines kept on
// disk (the persistent tier) then compare across reloads, and none goes backwards in a page.
let base = NaN;

export function now() {
  const t = performance.now();
  if (base !== base) base = Date.now() - t;
  return base + t;
}
