// What instrumenting fetch adds per request: sequential fetches to a local endpoint, bare and
// instrumented, in alternating rounds; the figure is (instrumented − bare) per request.
import { compare, row } from "../harness.js";

const ENDPOINT = "/bench-api/ping";
// OpenTelemetry ends each span up to 300 ms after the response (waiting for Resource Timing):
// every round waits this long, so that work lands inside the round that caused it.
const SETTLE_MS = 400;
const BASELINE = "fetch, uninstrumented";
const PENDING = "apiscope's fetch hook is not in main yet";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchLoop(n) {
  for (let i = 0; i < n; i++) await (await fetch(ENDPOINT)).text();
}

function openTelemetry({ WebTracerProvider, BatchSpanProcessor, FetchInstrumentation, registerInstrumentations }) {
  const nowhere = { export: (spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new WebTracerProvider({ spanProcessors: [new BatchSpanProcessor(nowhere)] });
  const instrumentation = new FetchInstrumentation();
  registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: provider });
  instrumentation.disable(); // enabled only during its own rounds
  return {
    name: "OpenTelemetry fetch",
    setup: () => instrumentation.enable(),
    run: async (n) => {
      await fetchLoop(n);
      await provider.forceFlush(); // exporting is part of the cost, even to nowhere
    },
    teardown: () => instrumentation.disable(),
    close: () => provider.shutdown(),
  };
}

export default async function instrumentationCase({ instrumentation: { fetches }, schedule }, { wasm, peers }) {
  performance.setResourceTimingBufferSize(fetches * 4);
  const otel = openTelemetry(peers);
  const contestants = [{ name: BASELINE, run: fetchLoop }, otel].map((c) => ({
    ...c,
    setup: () => {
      performance.clearResourceTimings(); // a full buffer would hide entries from OpenTelemetry
      c.setup?.();
    },
    run: async () => {
      await c.run(fetches);
      await sleep(SETTLE_MS);
    },
  }));
  const result = await compare(contestants, schedule);
  await otel.close();
  // Per request, less the settle wait, which only the wall clock sees.
  const perRequest = (table, name, idleMs) => ((table[name] - idleMs) * 1000) / fetches;
  const added = (table, idleMs) => ({
    [otel.name]: perRequest(table, otel.name, idleMs) - perRequest(table, BASELINE, idleMs),
  });
  const note = (table, idleMs) => `bare fetch: ${perRequest(table, BASELINE, idleMs).toFixed(0)} µs/request`;
  const pending = wasm.Profiler ? undefined : PENDING;
  const common = { unit: "µs/request", better: "lower", pending };
  return [
    row({ metric: "added main-thread time", values: added(result.main, 0), note: note(result.main, 0), ...common }),
    row({ metric: "added wall time", values: added(result.wall, SETTLE_MS), note: note(result.wall, SETTLE_MS), ...common }),
  ];
}
