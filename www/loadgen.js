// The demo's load generator: calls the demo API through the page's (instrumented) fetch at a
// chosen rate and route mix, with a share of user lookups going through the ResponseCache. It
// starts by itself, so a newcomer sees live figures within seconds; "Stop load" stops it, and
// the tab remembers that across reloads (sessionStorage), so a reload shows stored history.
import { el, setText } from "/js/dashboard/dom.js";

const TICK_MS = 50;
// Browsers open at most 6 HTTP/1.1 connections per host; more in flight would only queue in the
// browser and measure the queue, so extra calls are skipped (and counted) instead.
const MAX_IN_FLIGHT = 6;

const WORDS = ["latency", "wasm", "sketch", "p99", "cache", "otel", "indexeddb", "fetch"];
const pick = (list) => list[Math.floor(Math.random() * list.length)];
// 80% of lookups hit 20 "popular" users, so the 5 s cache has repeats to serve.
const userId = () => (Math.random() < 0.8 ? 1 + Math.floor(Math.random() * 20) : 1 + Math.floor(Math.random() * 1000));

const TARGETS = [
  { key: "health", label: "/api/health", url: () => "/api/health" },
  { key: "reports", label: "/api/reports", url: () => "/api/reports" },
  { key: "search", label: "/api/search", url: () => `/api/search?q=${pick(WORDS)}` },
  { key: "orders", label: "/api/orders", url: () => "/api/orders" },
  { key: "users", label: "/api/users/:id", url: () => `/api/users/${userId()}`, cacheable: true },
];

const STOPPED = "apiscope-demo-load-stopped";

/** Whether the visitor stopped the load in this tab (storage may be off: then it never was). */
function stoppedBefore() {
  try {
    return sessionStorage.getItem(STOPPED) === "1";
  } catch {
    return false;
  }
}

function rememberStopped(stopped) {
  try {
    if (stopped) sessionStorage.setItem(STOPPED, "1");
    else sessionStorage.removeItem(STOPPED);
  } catch {
    // Storage off: the choice lasts as long as the page.
  }
}

// Control calls go out as beacons: they are not fetch calls, so they stay out of the profile.
const control = (path, body) => navigator.sendBeacon(path, JSON.stringify(body));

function slider(name, label, min, max, value, format) {
  const input = el("input", { type: "range", name, min: String(min), max: String(max), value: String(value) });
  const output = el("output", { text: format(value) });
  input.addEventListener("input", () => setText(output, format(Number(input.value))));
  return { input, node: el("label", { class: "lg-field" }, [el("span", { class: "lg-label", text: label }), input, output]) };
}

function toggle(label, onChange) {
  const input = el("input", { type: "checkbox", onchange: () => onChange(input.checked) });
  return el("label", { class: "lg-switch" }, [input, el("span", { text: label })]);
}

export function mountLoadGenerator(element, { responseCache }) {
  const counts = { sent: 0, inFlight: 0, failed: 0, skipped: 0 };
  let timer = 0;
  let budget = 0;
  let last = 0;

  const rate = slider("rate", "Requests / s", 1, 100, 20, (v) => `${v}/s`);
  const share = slider("cacheShare", "Users via cache", 0, 100, 50, (v) => `${v}%`);
  if (!responseCache) share.input.disabled = true;
  const checks = TARGETS.map((t) => {
    const input = el("input", { type: "checkbox", checked: "", dataset: { route: t.key } });
    return { target: t, input, node: el("label", { class: "lg-chip" }, [input, el("span", { text: t.label })]) };
  });
  const button = el("button", { type: "button", class: "lg-start", text: "Start load", onclick: () => {
    if (timer) stop();
    else begin();
    rememberStopped(!timer);
  } });
  const figures = Object.fromEntries(Object.keys(counts).map((k) => [k, el("b", { text: "0" })]));
  const labels = { sent: "sent", inFlight: "in flight", failed: "network errors", skipped: "skipped" };

  element.classList.add("lg");
  element.append(
    el("div", { class: "lg-row" }, [
      button,
      rate.node,
      el("fieldset", { class: "lg-routes" }, [el("legend", { text: "Route mix" }), ...checks.map((c) => c.node)]),
      share.node,
    ]),
    el("div", { class: "lg-row lg-row-small" }, [
      el("span", { class: "lg-label", text: "Demo API" }),
      toggle("3× slower", (on) => control("/api/__config", { slowFactor: on ? 3 : 1 })),
      toggle("down", (on) => control("/api/__down", { down: on })),
      el("span", { class: "lg-counts" }, Object.entries(figures).map(([k, b]) => el("span", {}, [b, ` ${labels[k]}`]))),
    ]),
  );

  function paint() {
    for (const [k, b] of Object.entries(figures)) setText(b, String(counts[k]));
  }

  async function call(target) {
    const viaCache = target.cacheable && responseCache && Math.random() * 100 < Number(share.input.value);
    counts.sent++;
    counts.inFlight++;
    try {
      const url = target.url();
      // no-store: the browser's HTTP cache would answer repeats itself and queue identical
      // URLs behind one another (cache lock), which is not the API's latency.
      const res = await (viaCache ? responseCache.fetch(url) : fetch(url, { cache: "no-store" }));
      await res.arrayBuffer(); // read the body so the download phase is measured too
    } catch {
      counts.failed++; // the profiler records the failure; the generator only counts it
    } finally {
      counts.inFlight--;
      if (!timer) paint(); // after Stop, the last answers still update the counters
    }
  }

  function tick() {
    const now = performance.now();
    budget += ((now - last) / 1000) * Number(rate.input.value);
    last = now;
    const enabled = checks.filter((c) => c.input.checked).map((c) => c.target);
    for (; budget >= 1; budget--) {
      if (!enabled.length) continue;
      if (counts.inFlight >= MAX_IN_FLIGHT) counts.skipped++;
      else call(pick(enabled));
    }
    paint();
  }

  function begin() {
    last = performance.now();
    budget = 1; // first call right away, so the table fills at once
    timer = setInterval(tick, TICK_MS);
    tick();
    setText(button, "Stop load");
    button.classList.add("lg-running");
  }

  function stop() {
    clearInterval(timer);
    timer = 0;
    setText(button, "Start load");
    button.classList.remove("lg-running");
  }

  if (!stoppedBefore()) begin();
}
