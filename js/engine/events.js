// `profiler.on(name, callback)` listeners, plus a DOM `CustomEvent` `apiscope:<name>` on the
// global scope (where it is an EventTarget), so code that never held the profiler can listen
// too. A listener that throws is contained and counted: it never breaks the profiler or page.

/** The events a listener may subscribe to. */
export const EVENT_NAMES = ["alert", "resolved", "error", "flush"];

export class Emitter {
  constructor() {
    this.listeners = new Map(EVENT_NAMES.map((name) => [name, new Set()]));
    this.listenerErrors = 0;
  }

  /** Adds `callback` for `event`; returns the function that removes it. */
  on(event, callback) {
    const set = this.listeners.get(event);
    set.add(callback);
    return () => set.delete(callback);
  }

  emit(event, detail) {
    // A copy: listeners may subscribe or unsubscribe while being called.
    for (const listener of [...this.listeners.get(event)]) {
      try {
        listener(detail);
      } catch {
        this.listenerErrors++;
      }
    }
    const target = globalThis;
    if (typeof target.dispatchEvent === "function" && typeof CustomEvent === "function") {
      try {
        // dispatchEvent reports listener exceptions to the console itself; it never throws.
        target.dispatchEvent(new CustomEvent(`apiscope:${event}`, { detail }));
      } catch {
        this.listenerErrors++;
      }
    }
  }
}
