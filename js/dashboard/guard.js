// Every call the dashboard makes into the profiler or the cache goes through here: a failing or
// missing method must degrade one panel, never throw out of the UI or log a console error.

/** `report(label, error)` is told about each failure; the UI shows it in its status line. */
export function createGuard(report) {
  return {
    call(label, fn, fallback) {
      try {
        return fn();
      } catch (error) {
        report(label, error);
        return fallback;
      }
    },
    async callAsync(label, fn, fallback) {
      try {
        return await fn();
      } catch (error) {
        report(label, error);
        return fallback;
      }
    },
  };
}

export const asArray = (value) => (Array.isArray(value) ? value : []);
export const asObject = (value) => (value && typeof value === "object" ? value : {});
