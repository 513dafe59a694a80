// The demo API behind `npm start`: routes with known, different latency distributions and error
// rates, so the dashboard has something realistic to profile and the end-to-end test can compare
// what it shows with what was configured. No external services, no npm dependencies.
import { seededRandom, drawLatency } from "./random.mjs";

/**
 * The route table. Latencies are in ms before `slowFactor` (see `/api/__config`); `serverShare`
 * is the part spent before the response headers (reported in `Server-Timing: app;dur=`), the
 * rest is spent streaming the body (the "download" of the timing breakdown).
 * `error` is `{ rate, status }`: that share of requests answers `status` instead.
 *
 * | route            | latency                                               | errors   |
 * | ---------------- | ----------------------------------------------------- | -------- |
 * | /api/health      | normal 5 ± 1.5 ms (fast)                              | none     |
 * | /api/reports     | normal 400 ± 60 ms (slow), big body                   | none     |
 * | /api/search?q=   | 95% lognormal median 80 ms σ 0.7, 5% Pareto ≥ 300 ms  | 5% 503   |
 * | /api/orders      | bimodal: 70% 20 ± 4 ms (hit), 30% 250 ± 40 ms (miss)  | 2% 500   |
 * | /api/users/:id   | normal 40 ± 8 ms, ids 1..1000, Cache-Control 5 s      | none     |
 */
export const ROUTES = [
  {
    route: "/api/health",
    match: /^\/api\/health$/,
    latency: { kind: "normal", mean: 5, sd: 1.5 },
    serverShare: 1,
    error: null,
    body: () => ({ ok: true }),
  },
  {
    route: "/api/reports",
    match: /^\/api\/reports$/,
    latency: { kind: "normal", mean: 400, sd: 60 },
    serverShare: 0.8,
    error: null,
    body: () => ({ rows: Array.from({ length: 400 }, (_, i) => ({ day: i, total: i * 37 })) }),
  },
  {
    route: "/api/search",
    match: /^\/api\/search$/,
    latency: {
      kind: "mixture",
      parts: [
        { weight: 0.95, kind: "lognormal", median: 80, sigma: 0.7 },
        { weight: 0.05, kind: "pareto", min: 300, alpha: 1.3, max: 8000 },
      ],
    },
    serverShare: 0.95,
    error: { rate: 0.05, status: 503 },
    body: (url) => ({ q: url.searchParams.get("q") ?? "", results: [] }),
  },
  {
    route: "/api/orders",
    match: /^\/api\/orders$/,
    latency: {
      kind: "mixture",
      parts: [
        { weight: 0.7, kind: "normal", mean: 20, sd: 4 },
        { weight: 0.3, kind: "normal", mean: 250, sd: 40 },
      ],
    },
    serverShare: 0.95,
    error: { rate: 0.02, status: 500 },
    body: () => ({ orders: [{ id: 1, total: 42 }] }),
  },
  {
    route: "/api/users/:id",
    match: /^\/api\/users\/(\d+)$/,
    latency: { kind: "normal", mean: 40, sd: 8 },
    serverShare: 0.95,
    error: null,
    cacheControl: "max-age=5",
    body: (url, [id]) => userBody(Number(id)),
  },
];

const DEFAULT_SEED = 42;

const NAMES = ["Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Ken", "Radia"];
const PLANS = ["free", "team", "enterprise"];

function userBody(id) {
  if (!(id >= 1 && id <= 1000)) return null;
  const name = `${NAMES[id % NAMES.length]} ${id}`;
  return { id, name, email: `user${id}@example.test`, plan: PLANS[id % PLANS.length] };
}

// Process-wide state: one demo per server process, changed through the control endpoints.
const state = {
  seed: DEFAULT_SEED,
  rand: seededRandom(DEFAULT_SEED),
  slowFactor: 1,
  down: false,
  downMode: "503", // "503" answers every route with 503; "drop" destroys the connection
  served: {}, // route -> { requests, errors }: what was really served, for tests to compare
};

function resetCounters() {
  state.served = Object.fromEntries(ROUTES.map((r) => [r.route, { requests: 0, errors: 0 }]));
}
resetCounters();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function responseHeaders(serverMs, extra) {
  return {
    "Content-Type": "application/json",
    "Server-Timing": `app;dur=${serverMs.toFixed(1)}`,
    "Cache-Control": "no-store",
    ...extra,
  };
}

function sendJson(res, status, body, { serverMs = 0, headers = {} } = {}) {
  res.writeHead(status, responseHeaders(serverMs, headers)).end(JSON.stringify(body));
}

async function readJson(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

function publicConfig() {
  return {
    seed: state.seed,
    slowFactor: state.slowFactor,
    down: state.down,
    downMode: state.downMode,
    routes: ROUTES.map(({ route, latency, error }) => ({ route, latency, error })),
    served: state.served,
  };
}

/** POST `{ slowFactor?, seed?, reset? }`; returns an error message or null. */
function applyConfig({ slowFactor, seed, reset }) {
  if (slowFactor !== undefined && !(Number.isFinite(slowFactor) && slowFactor > 0)) {
    return "slowFactor: must be a number > 0";
  }
  if (seed !== undefined && !Number.isInteger(seed)) return "seed: must be an integer";
  if (slowFactor !== undefined) state.slowFactor = slowFactor;
  if (seed !== undefined) {
    state.seed = seed;
    state.rand = seededRandom(seed);
  }
  if (reset) resetCounters();
  return null;
}

/** POST `{}` toggles "the API is down"; `{ down, mode: "503" | "drop" }` sets it. */
function applyDown({ down, mode }) {
  if (mode !== undefined && mode !== "503" && mode !== "drop") return 'mode: must be "503" or "drop"';
  state.down = typeof down === "boolean" ? down : !state.down;
  if (mode) state.downMode = mode;
  return null;
}

/** A control endpoint: GET shows `show()`, POST applies its JSON body first. */
async function controlEndpoint(req, res, apply, show) {
  if (req.method === "POST") {
    let body;
    try {
      body = await readJson(req);
    } catch {
      return sendJson(res, 400, { error: "body: not JSON" });
    }
    const error = apply(body);
    if (error) return sendJson(res, 400, { error });
  }
  sendJson(res, 200, show());
}

async function serveRoute(spec, params, req, res, url) {
  const counts = state.served[spec.route];
  counts.requests++;
  if (state.down) {
    counts.errors++;
    if (state.downMode === "drop") return req.socket.destroy();
    return sendJson(res, 503, { error: "the demo API is down (POST /api/__down to bring it back)" });
  }
  const totalMs = drawLatency(spec.latency, state.rand) * state.slowFactor;
  const failed = spec.error && state.rand() < spec.error.rate;
  const serverMs = totalMs * spec.serverShare;
  await sleep(serverMs);
  if (res.destroyed) return;
  if (failed) {
    counts.errors++;
    return sendJson(res, spec.error.status, { error: "simulated failure" }, { serverMs });
  }
  const body = spec.body(url, params);
  if (body === null) return sendJson(res, 404, { error: "no such id" }, { serverMs });
  const headers = spec.cacheControl ? { "Cache-Control": spec.cacheControl } : {};
  const downloadMs = totalMs - serverMs;
  if (downloadMs < 1) return sendJson(res, 200, body, { serverMs, headers });
  // Stream the body in two halves so the rest of the latency shows up as download time.
  const text = JSON.stringify(body);
  res.writeHead(200, responseHeaders(serverMs, headers));
  const half = Math.ceil(text.length / 2);
  res.write(text.slice(0, half));
  await sleep(downloadMs);
  if (!res.destroyed) res.end(text.slice(half));
}

/**
 * The request handler for `startServer({ api: demoApi })`: answers everything under `/api/` and
 * returns true; returns false for any other path so the static files are served.
 */
export async function demoApi(req, res, url) {
  if (!url.pathname.startsWith("/api/")) return false;
  const spec = ROUTES.find((r) => r.match.test(url.pathname));
  if (url.pathname === "/api/__config") await controlEndpoint(req, res, applyConfig, publicConfig);
  else if (url.pathname === "/api/__down") {
    await controlEndpoint(req, res, applyDown, () => ({ down: state.down, mode: state.downMode }));
  }
  else if (spec) await serveRoute(spec, url.pathname.match(spec.match).slice(1), req, res, url);
  else sendJson(res, 404, { error: "no such route" });
  return true;
}
