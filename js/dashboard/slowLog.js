// The slowest recent calls of one route, with their status and where their time went.
import { el } from "./dom.js";
import { formatDuration, formatTime } from "./format.js";
import { phases } from "./breakdown.js";

const MAX_ROWS = 12;

// Path and query only: the origin is the same for nearly every call and eats the width.
function shortUrl(call) {
  try {
    const url = new URL(call.url, location.href);
    return url.origin === location.origin ? url.pathname + url.search : url.href;
  } catch {
    return call.route ?? "";
  }
}

function summary(breakdown) {
  const parts = phases(breakdown);
  return Object.entries(parts)
    .filter(([, v]) => Number.isFinite(v) && v >= 1)
    .map(([k, v]) => `${k} ${formatDuration(v)}`)
    .join(" · ");
}

function callRow(call) {
  const failed = !(call.status >= 200 && call.status < 400);
  return el("tr", {}, [
    el("td", { class: "aps-num", text: formatTime(call.startTime) }),
    el("td", { class: `aps-status ${failed ? "aps-bad" : ""}`, text: call.status ? String(call.status) : "failed" }),
    el("td", { class: "aps-num aps-strong", text: formatDuration(call.durationMs) }),
    el("td", { class: "aps-url", text: shortUrl(call), title: call.url ?? "" }),
    el("td", { class: "aps-muted", text: summary(call.breakdown) }),
  ]);
}

export function createSlowLog() {
  const tbody = el("tbody");
  const empty = el("p", { class: "aps-note", text: "No slow calls recorded for this route." });
  const table = el("table", { class: "aps-slowlog" }, [
    el("thead", {}, el("tr", {}, ["Time", "Status", "Duration", "URL", "Breakdown"].map((h) => el("th", { text: h })))),
    tbody,
  ]);
  table.hidden = true;
  let signature = "";
  return {
    node: el("div", { class: "aps-slowlog-wrap" }, [table, empty]),
    update(calls) {
      const shown = calls.slice(0, MAX_ROWS);
      // Rebuild only when the list changed; it is at most a dozen small rows.
      const next = shown.map((c) => `${c.startTime}:${c.durationMs}`).join(",");
      if (next === signature) return;
      signature = next;
      tbody.replaceChildren(...shown.map(callRow));
      table.hidden = shown.length === 0;
      empty.hidden = shown.length > 0;
    },
  };
}
