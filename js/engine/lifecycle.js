// Calls back when the page may be about to go away: the last moment to save buffered data.
// Hidden tabs get their timers throttled and may be discarded without another event, so
// `visibilitychange` to hidden matters as much as `pagehide`.

/**
 * Calls `callback("hidden")` on visibilitychange to hidden and `callback("pagehide")` on
 * pagehide until `remove()` is called on the returned handle; null outside a window (workers).
 * A callback that re-enters (an event dispatched from inside it) is skipped.
 */
export function onPageExit(callback) {
  const doc = globalThis.document;
  const win = globalThis.window;
  if (!doc || !win) return null;
  let running = false;
  const notify = (why) => {
    if (running) return;
    running = true;
    try {
      callback(why);
    } finally {
      running = false;
    }
  };
  const onVisibility = () => {
    if (doc.visibilityState === "hidden") notify("hidden");
  };
  const onPageHide = () => notify("pagehide");
  doc.addEventListener("visibilitychange", onVisibility);
  win.addEventListener("pagehide", onPageHide);
  const remove = () => {
    doc.removeEventListener("visibilitychange", onVisibility);
    win.removeEventListener("pagehide", onPageHide);
  };
  const handle = { remove };
  if (typeof Symbol.dispose === "symbol") handle[Symbol.dispose] = remove;
  return handle;
}
