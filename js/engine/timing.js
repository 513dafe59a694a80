// The Resource Timing entries of fetch and XHR calls, packed for the engine: one call per
// observer callback, every number in one Float64Array and every string in one "\n"-joined
// string (entry names are serialised URLs and Server-Timing names are tokens: neither holds a
// newline). Images, scripts and the like are never API calls and are left out here. The
// observer never calls performance.clearResourceTimings(), which other tools may rely on.

const INITIATORS = ["fetch", "xmlhttprequest"];
/** `deliveryType` codes: "" (network or unknown), "cache", "navigational-prefetch". */
const DELIVERY_TYPES = ["", "cache", "navigational-prefetch"];

/**
 * Calls `deliver(numbers, strings)` for each batch of API entries of requests started at or
 * after `since` (performance.now() time) and returns a handle with `disconnect()` and `take()` (hand over at once what the
 * browser has queued but not yet delivered: a read right after a request sees it), or null
 * where PerformanceObserver or the `resource` entry type is missing (Node, old browsers). Per
 * entry, `numbers` holds the initiator code, 14 timing fields, workerStart, the deliveryType
 * code and the Server-Timing count in the engine's order (src/api/engine/decode.rs), then the
 * Server-Timing durations; `strings` the entry name, its nextHopProtocol, then the
 * Server-Timing names.
 */
export function observeResources(deliver, since = 0) {
  const Observer = globalThis.PerformanceObserver;
  if (typeof Observer !== "function" || !(Observer.supportedEntryTypes || []).includes("resource")) {
    return null;
  }
  const pack = (entries) => {
    const numbers = [];
    const strings = [];
    for (const e of entries) {
      const initiator = INITIATORS.indexOf(e.initiatorType);
      if (initiator < 0 || e.startTime < since) continue;
      const server = e.serverTiming || [];
      numbers.push(
        initiator,
        e.startTime,
        e.redirectStart,
        e.redirectEnd,
        e.domainLookupStart,
        e.domainLookupEnd,
        e.connectStart,
        e.connectEnd,
        e.secureConnectionStart,
        e.requestStart,
        e.responseStart,
        e.responseEnd,
        e.transferSize,
        e.encodedBodySize,
        e.decodedBodySize,
        e.workerStart || 0,
        DELIVERY_TYPES.indexOf(e.deliveryType || ""),
        server.length,
      );
      strings.push(e.name, e.nextHopProtocol || "");
      for (const metric of server) {
        numbers.push(metric.duration);
        strings.push(metric.name);
      }
    }
    if (strings.length > 0) deliver(new Float64Array(numbers), strings.join("\n"));
  };
  const observer = new Observer((list) => pack(list.getEntries()));
  // Buffered: the entries of requests made before the engine arrived (kept in the loader's
  // buffer) are in the page's timeline already; older ones are left out by `since`.
  observer.observe({ type: "resource", buffered: true });
  return {
    take: () => pack(observer.takeRecords()),
    disconnect: () => observer.disconnect(),
  };
}
