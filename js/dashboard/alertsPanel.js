// Alert rules with their current state, and a feed of fired/resolved events (newest first).
import { card, el, setText } from "./dom.js";
import { formatCount, formatDuration, formatTime, formatWindow } from "./format.js";

const MAX_FEED = 50;

const eventTime = (e) => e.resolvedAt ?? e.firedAt;
const eventId = (e) => `${e.kind}|${e.rule}|${e.route}|${eventTime(e)}`;

function ruleText(rule) {
  const window = Number.isFinite(rule.windowMs) ? ` over ${formatWindow(rule.windowMs)}` : "";
  return `${rule.metric ?? "?"} of ${rule.route ?? "any route"} above ${formatDuration(rule.above)}${window}`;
}

function feedItem(e) {
  const fired = e.kind === "fired";
  const text = `${e.metric} of ${e.method ?? ""} ${e.route} ${fired ? "is" : "back to"} ${formatDuration(e.value)} (limit ${formatDuration(e.threshold)}, ${formatCount(e.samples)} samples)`;
  return el("li", { class: `aps-feed-item aps-${fired ? "fired" : "resolved"}`, dataset: { kind: e.kind, rule: String(e.rule) } }, [
    el("span", { class: "aps-feed-icon", text: fired ? "▲" : "✓", "aria-hidden": "true" }),
    el("div", {}, [el("b", { text: String(e.rule ?? "alert") }), " ", el("span", { text }), el("time", { text: formatTime(eventTime(e)) })]),
  ]);
}

export function createAlertsPanel() {
  const { node, body } = card("Alerts", "aps-alerts-card");
  const rulesList = el("ul", { class: "aps-rules" });
  const feed = el("ol", { class: "aps-feed" });
  const quiet = el("p", { class: "aps-note", text: "No alerts yet." });
  body.append(rulesList, el("h3", { class: "aps-sub", text: "Recent events" }), quiet, feed);
  const firing = new Map(); // rule name -> last event kind
  const seen = new Set();
  let rules = [];
  const ruleViews = new Map();

  function paintRules() {
    for (const [name, badge] of ruleViews) {
      const state = firing.get(name) === "fired" ? "firing" : "ok";
      setText(badge, state);
      badge.dataset.state = state;
    }
  }

  function add(e) {
    if (!e || seen.has(eventId(e))) return;
    seen.add(eventId(e));
    if (e.kind === "fired" || e.kind === "resolved") firing.set(e.rule, e.kind);
    feed.prepend(feedItem(e));
    while (feed.children.length > MAX_FEED) feed.lastChild.remove();
    quiet.hidden = true;
    paintRules();
  }

  return {
    node,
    setRules(next) {
      if (next.length === rules.length && next.every((r, i) => r === rules[i])) return;
      rules = next;
      ruleViews.clear();
      rulesList.replaceChildren(
        ...rules.map((rule) => {
          const badge = el("span", { class: "aps-badge" });
          ruleViews.set(rule.name, badge);
          return el("li", {}, [badge, el("b", { text: String(rule.name ?? "rule") }), el("span", { class: "aps-muted", text: ruleText(rule) })]);
        }),
      );
      if (!rules.length) rulesList.append(el("li", { class: "aps-muted", text: "No alert rules configured." }));
      paintRules();
    },
    /** A live `alert`/`resolved` event; `kind` is "fired" or "resolved". */
    add(event, kind) {
      add({ ...event, kind });
    },
    /** Past events from `profiler.alerts()`, oldest first so the newest ends up on top. */
    addHistory(events) {
      [...events].sort((a, b) => eventTime(a) - eventTime(b)).forEach(add);
    },
    firingCount: () => [...firing.values()].filter((k) => k === "fired").length,
    clear() {
      firing.clear();
      seen.clear();
      feed.replaceChildren();
      quiet.hidden = false;
      paintRules();
    },
  };
}
