// What instrumenting fetch adds per request: sequential fetches to a local endpoint, bare and
// instrumented, in alternating rounds; the figure is (instrumented − bare) per request.
import { compare, row } from "../harness.js";
import { deleteDatabase } from "../storage.js";

const ENDPOINT = "/bench-api/ping";
// OpenTelemetry ends each span up to 300 ms after the response (waiting for Resource Timing):
// every round waits this long, so that work lands inside the round that caused it.
const SETTLE_MS = 400;
const BASELINE = "fetch, uninstrumented";

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

// One profiler for the whole comparison, as a page has one, started before the rounds (its
// start-up is a once-per-page cost, not a per-request one); its fetch hook is in place only
// during its own rounds, like OpenTelemetry's. Every round's samples are flushed to
// IndexedDB inside the round.
async function apiscope({ start }) {
  const options = { dbName: "apiscope-bench-instrumentation", instrument: { fetch: true, xhr: false } };
  const bare = window.fetch;
  const profiler = await start(options);
  await profiler.clear();
  const hooked = window.fetch;
  window.fetch = bare;
  if (hooked === bare) throw new Error("start() did not hook fetch");
  let expected = 0;
  return {
    name: "apiscope",
    setup: () => {
      window.fetch = hooked;
    },
    // Persisting the samples is its export.
    finish: () => profiler.flush(),
    teardown: () => {
      window.fetch = bare;
    },
    counted: (fetches) => (expected += fetches),
    close: async () => {
      const { accepted } = profiler.stats();
      await profiler.stop();
      profiler.free();
      await deleteDatabase(options.dbName);
      if (accepted !== expected) throw new Error(`apiscope's hook saw ${accepted} of ${expected} fetches`);
    },
  };
}

// One comparison of bare vs instrumented loops; `label` names the rows.
async function compareLoops({ label, loop, fetches, schedule, instrumented }) {
  const contestants = [{ name: BASELINE }, ...instrumented].map((c) => ({
    name: c.name,
    setup: () => {
      performance.clearResourceTimings(); // a full buffer would hide entries from the hooks
      return c.setup?.();
    },
    run: async (state) => {
      await loop(fetches);
      c.counted?.(fetches);
      await c.finish?.(state);
      await sleep(SETTLE_MS);
    },
    teardown: c.teardown,
  }));
  const result = await compare(contestants, schedule);
  // Per request, less the settle wait, which only the wall clock sees.
  const perRequest = (table, name, idleMs) => ((table[name] - idleMs) * 1000) / fetches;
  // What each adds to the bare round beside it (the settle wait is in both and cancels).
  const added = (clock) =>
    Object.fromEntries(instrumented.map((c) => [c.name, perRequest(result.added[clock], c.name, 0)]));
  const note = (table, idleMs) => `bare: ${perRequest(table, BASELINE, idleMs).toFixed(1)} µs/request`;
  const common = { unit: "µs/request", better: "lower" };
  return [
    row({ metric: `added main-thread time, ${label}`, values: added("main"), note: note(result.main, 0), ...common }),
    row({ metric: `added wall time, ${label}`, values: added("wall"), note: note(result.wall, SETTLE_MS), ...common }),
  ];
}

// The network answers the bench's API at once, so each library's own per-request work is all
// that is timed: wrapping, bookkeeping and reporting. Each instrumentation wraps this stub when
// enabled. Other URLs (apiscope's engine part, loaded by start()) go to the real network.
function stubNetwork() {
  const real = window.fetch;
  const response = new Response("pong");
  window.fetch = function fetch(input) {
    return typeof input === "string" && input.includes("/bench-api/")
      ? Promise.resolve(response)
      : real.apply(this, arguments);
  };
  return { restore: () => (window.fetch = real) };
}

// 50 endpoints called over and over, as an app calls its API.
async function repeatedUrls(n) {
  for (let i = 0; i < n; i++) await fetch(`${location.origin}${ENDPOINT}/${i % 50}`);
}

// A URL never seen before on every call, one route (`/bench-api/users/:id`): the worst case
// for apiscope, which remembers call sites so that a repeated call costs less.
let nextUser = 1_000_000;
async function newUrls(n) {
  for (let i = 0; i < n; i++) await fetch(`${location.origin}/bench-api/users/${nextUser++}`);
}

export default async function instrumentationCase({ instrumentation: { fetches, rounds }, schedule: given }, { apiscope: entry, peers }) {
  const schedule = { ...given, rounds: rounds ?? given.rounds };
  performance.setResourceTimingBufferSize(fetches * 4);
  const compareWith = async (label, loop) => {
    const instrumented = [openTelemetry(peers), await apiscope(entry)];
    try {
      return await compareLoops({ label, loop, fetches, schedule, instrumented });
    } finally {
      for (const c of instrumented) await c.close();
    }
  };
  // Real requests to a local endpoint: what a user pays, network stack included (noisy on a
  // busy machine: the bare fetch itself costs far more than the hooks).
  const rows = await compareWith("real requests", fetchLoop);
  // The same with the network stubbed out: the hooks' own cost, precisely.
  const stub = stubNetwork();
  try {
    rows.push(...(await compareWith("stubbed network", repeatedUrls)));
    rows.push(...(await compareWith("stubbed network, every URL new", newUrls)));
  } finally {
    stub.restore();
  }
  return rows;
}
