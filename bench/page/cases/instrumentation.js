// What instrumenting fetch adds per request: sequential fetches to a local endpoint, bare and
// instrumented, in alternating rounds; the figure is (instrumented − bare) per request.
import { compare, row } from "../harness.js";
import { deleteDatabase } from "../storage.js";

const ENDPOINT = "/bench-api/ping";
// OpenTelemetry ends each span up to 300 ms after the response (waiting for Resource Timing):
// every round waits this long, so that work lands inside the round that caused it.
const SETTLE_MS = 400;
const BASELINE = "fetch, uninstrumented";
const PENDING = "apiscope's fetch hook is not in main yet (Profiler.start leaves fetch alone)";

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
    // Exporting is part of the cost, even to nowhere.
    finish: () => provider.forceFlush(),
    teardown: () => instrumentation.disable(),
    close: () => provider.shutdown(),
  };
}

// A profiler per round, so its hook and timers live only inside apiscope's rounds. Null while
// Profiler.start installs no fetch hook.
async function apiscope({ Profiler }, fetches) {
  const options = { dbName: "apiscope-bench-instrumentation", instrument: { fetch: true, xhr: false } };
  const bare = window.fetch;
  const probe = await Profiler.start(options);
  const hooked = window.fetch !== bare;
  await probe.stop();
  probe.free();
  if (!hooked) return null;
  return {
    name: "apiscope",
    setup: async () => {
      const p = await Profiler.start(options);
      await p.clear();
      return p;
    },
    // Persisting the samples is its export.
    finish: (p) => p.flush(),
    teardown: async (p) => {
      const { accepted } = p.stats();
      await p.stop();
      p.free();
      if (accepted < fetches) throw new Error(`apiscope's hook saw ${accepted} of ${fetches} fetches`);
    },
    close: () => deleteDatabase(options.dbName),
  };
}

// One comparison of bare vs instrumented loops; `label` names the rows.
async function compareLoops({ label, loop, fetches, schedule, instrumented, own }) {
  const contestants = [{ name: BASELINE }, ...instrumented].map((c) => ({
    name: c.name,
    setup: () => {
      performance.clearResourceTimings(); // a full buffer would hide entries from the hooks
      return c.setup?.();
    },
    run: async (state) => {
      await loop(fetches);
      await c.finish?.(state);
      await sleep(SETTLE_MS);
    },
    teardown: c.teardown,
  }));
  const result = await compare(contestants, schedule);
  // Per request, less the settle wait, which only the wall clock sees.
  const perRequest = (table, name, idleMs) => ((table[name] - idleMs) * 1000) / fetches;
  const added = (table, idleMs) =>
    Object.fromEntries(
      instrumented.map((c) => [c.name, perRequest(table, c.name, idleMs) - perRequest(table, BASELINE, idleMs)]),
    );
  const note = (table, idleMs) => `bare: ${perRequest(table, BASELINE, idleMs).toFixed(1)} µs/request`;
  const common = { unit: "µs/request", better: "lower", pending: own ? undefined : PENDING };
  return [
    row({ metric: `added main-thread time, ${label}`, values: added(result.main, 0), note: note(result.main, 0), ...common }),
    row({ metric: `added wall time, ${label}`, values: added(result.wall, SETTLE_MS), note: note(result.wall, SETTLE_MS), ...common }),
  ];
}

// The network answers at once, so each library's own per-request work is all that is timed:
// wrapping, bookkeeping and reporting. Each instrumentation wraps this stub when enabled.
function stubNetwork() {
  const real = window.fetch;
  const response = new Response("pong");
  window.fetch = function fetch() {
    return Promise.resolve(response);
  };
  const loop = async (n) => {
    for (let i = 0; i < n; i++) await fetch(`${location.origin}${ENDPOINT}/${i % 50}`);
  };
  return { loop, restore: () => (window.fetch = real) };
}

export default async function instrumentationCase({ instrumentation: { fetches }, schedule }, { wasm, peers }) {
  performance.setResourceTimingBufferSize(fetches * 4);
  const rows = [];
  // Real requests to a local endpoint: what a user pays, network stack included (noisy on a
  // busy machine: the bare fetch itself costs far more than the hooks).
  {
    const own = await apiscope(wasm, fetches);
    const instrumented = [openTelemetry(peers), ...(own ? [own] : [])];
    rows.push(...(await compareLoops({ label: "real requests", loop: fetchLoop, fetches, schedule, instrumented, own })));
    for (const c of instrumented) await c.close();
  }
  // The same with the network stubbed out: the hooks' own cost, precisely.
  {
    const stub = stubNetwork();
    try {
      const own = await apiscope(wasm, fetches);
      const instrumented = [openTelemetry(peers), ...(own ? [own] : [])];
      rows.push(...(await compareLoops({ label: "stubbed network", loop: stub.loop, fetches, schedule, instrumented, own })));
      for (const c of instrumented) await c.close();
    } finally {
      stub.restore();
    }
  }
  return rows;
}
