// The Resource Timing entries of fetch and XHR calls, packed for Rust: one call per observer
// callback, every number in one Float64Array and every string in one "\n"-joined string.
// Reading an entry through web-sys took ~17 calls across the boundary, each copying or
// converting; on a real page (cold caches) that was most of apiscope's cost per request.
// Entry names are serialised URLs and Server-Timing names are tokens: neither holds "\n".

// Initiator codes; mirrored by `INITIATORS` in resource_timing.rs.
const INITIATORS = ["fetch", "xmlhttprequest"];

/**
 * Calls `deliver(numbers, strings)` for each batch of new API entries (never the buffered
 * past), and returns the observer. Per entry, `numbers` holds the initiator code, the 14
 * timing fields in `resource_timing.rs` order, the Server-Timing count and that many
 * durations; `strings` holds the entry name, then the Server-Timing names.
 */
export function observeResources(deliver) {
  const observer = new PerformanceObserver((list) => {
    const numbers = [];
    const strings = [];
    for (const e of list.getEntries()) {
      const initiator = INITIATORS.indexOf(e.initiatorType);
      if (initiator < 0) continue; // images, scripts, ...: never an API call
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
        server.length,
      );
      strings.push(e.name);
      for (const metric of server) {
        numbers.push(metric.duration);
        strings.push(metric.name);
      }
    }
    if (strings.length > 0) deliver(new Float64Array(numbers), strings.join("\n"));
  });
  observer.observe({ type: "resource", buffered: false });
  return observer;
}
