//! Evaluating rules against per-route summaries: firing, cooldown, hysteresis, resolving.
//!
//! Per (rule, method, route) there is a small state machine:
//! - not firing, value breached with enough samples, and no `Fired` for this key within
//!   `cooldownMs` → emit `Fired`;
//! - firing, value back past the threshold by [`Threshold::HYSTERESIS`] → emit `Resolved`;
//! - anything else, including too few samples or no summary for the route → no change, so a
//!   firing alert stays firing until the data says otherwise.
//!
//! A firing alert is not re-announced while it stays breached; the cooldown only stops a
//! resolved alert from firing again too soon.
//!
//! The `*Regression` metrics need no case of their own here: their value is 0 while the
//! trend is not significant (see [`Metric`]), which the same thresholds treat as recovered.

use serde::Serialize;

use super::metrics::RouteMetrics;
use super::rule::{AlertRule, Metric, RuleSpec};
use crate::core::error::{FieldError, Rule};
use crate::core::map::Map;

/// Whether an alert started or ended.
///
/// ```
/// use apiscope::core::alerts::AlertKind;
/// assert_eq!(serde_json::to_string(&AlertKind::Fired).unwrap(), "\"fired\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AlertKind {
    /// The rule's value crossed its threshold.
    Fired,
    /// The value came back within the threshold (with hysteresis).
    Resolved,
}

/// An alert transition, ready to hand to JavaScript.
///
/// ```
/// use apiscope::core::alerts::{AlertEvent, AlertKind, Metric};
/// let e = AlertEvent {
///     kind: AlertKind::Fired, rule: "slow".into(), route: "/a".into(), method: "GET".into(),
///     metric: Metric::P95, value: 900.0, threshold: 800.0, window_ms: 60_000.0,
///     samples: 40, fired_at: 5.0, at: 5.0,
/// };
/// let json = serde_json::to_string(&e).unwrap();
/// assert!(json.contains(r#""kind":"fired""#) && json.contains(r#""windowMs":60000.0"#));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertEvent {
    /// Fired or resolved.
    pub kind: AlertKind,
    /// The rule's name.
    pub rule: String,
    /// The route the figures are of.
    pub route: String,
    /// The route's method.
    pub method: String,
    /// What the rule watches.
    pub metric: Metric,
    /// The metric's value at this evaluation.
    pub value: f64,
    /// The rule's `above` or `below`.
    pub threshold: f64,
    /// The rule's window, ms.
    pub window_ms: f64,
    /// Samples in the window.
    pub samples: u64,
    /// When the alert fired (for `Resolved`, when the episode began).
    pub fired_at: f64,
    /// When this event happened.
    pub at: f64,
}

#[derive(Debug, Clone, Copy)]
struct AlertState {
    firing: bool,
    last_fired: f64,
}

/// Keyed by (rule name, method, route).
type StateKey = (String, String, String);

/// The set of rules and their per-route alert state.
///
/// The edge calls [`AlertEngine::evaluate`] on a timer and after flushes (never per sample),
/// supplying the per-route figures for a window length on demand.
///
/// ```
/// use apiscope::core::alerts::{AlertEngine, AlertKind, RouteMetrics, RuleSpec};
/// use apiscope::core::routes::RouteSummary;
/// let mut engine = AlertEngine::default();
/// engine.add(RuleSpec { name: "slow".into(), metric: "p95".into(), above: Some(800.0), window_ms: 60_000.0, ..Default::default() }).unwrap();
/// let metrics = |p95: f64| move |_window_ms: f64| {
///     let mut s = RouteSummary::empty("GET", "/api/users/:id");
///     s.count = 50;
///     s.p95 = p95;
///     vec![RouteMetrics { summary: s, cache_hit_rate: None, trend: None }]
/// };
/// let fired = engine.evaluate(1_000.0, metrics(900.0));
/// assert_eq!(fired[0].kind, AlertKind::Fired);
/// assert!(engine.evaluate(2_000.0, metrics(790.0)).is_empty()); // within hysteresis
/// assert_eq!(engine.evaluate(3_000.0, metrics(700.0))[0].kind, AlertKind::Resolved);
/// ```
#[derive(Debug, Default)]
pub struct AlertEngine {
    rules: Vec<AlertRule>,
    states: Map<StateKey, AlertState>,
}

impl AlertEngine {
    /// Validates and adds one rule. A bad rule is rejected alone; the others stay active.
    ///
    /// ```
    /// use apiscope::core::alerts::{AlertEngine, RuleSpec};
    /// let mut engine = AlertEngine::default();
    /// let spec = RuleSpec { name: "a".into(), metric: "count".into(), below: Some(5.0), window_ms: 1e4, ..Default::default() };
    /// engine.add(spec.clone()).unwrap();
    /// assert_eq!(engine.add(spec).unwrap_err().field, "name");
    /// assert_eq!(engine.rules().len(), 1);
    /// ```
    pub fn add(&mut self, spec: RuleSpec) -> Result<(), FieldError> {
        if self.rules.iter().any(|r| r.name == spec.name) {
            return Err(FieldError::new("name", Rule::Unique).got_text(spec.name));
        }
        self.rules.push(AlertRule::validate(spec)?);
        Ok(())
    }

    /// Removes the rule named `name` and its alert state; returns whether it existed.
    ///
    /// ```
    /// use apiscope::core::alerts::AlertEngine;
    /// assert!(!AlertEngine::default().remove("nope"));
    /// ```
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.name != name);
        self.states.retain(|(rule, _, _), _| rule != name);
        self.rules.len() != before
    }

    /// The active rules, in the order added.
    ///
    /// ```
    /// use apiscope::core::alerts::AlertEngine;
    /// assert!(AlertEngine::default().rules().is_empty());
    /// ```
    pub fn rules(&self) -> &[AlertRule] {
        &self.rules
    }

    /// Evaluates every rule at `now_ms`. `metrics(window_ms)` returns the figures of every
    /// route over the last `window_ms` (with `trend` filled in where a `*Regression` rule
    /// uses that window); it is called once per distinct window length, and
    /// each rule picks the routes it applies to (by method and route glob on
    /// `summary.route`).
    ///
    /// ```
    /// use apiscope::core::alerts::AlertEngine;
    /// let mut engine = AlertEngine::default();
    /// assert!(engine.evaluate(0.0, |_| Vec::new()).is_empty());
    /// ```
    pub fn evaluate(
        &mut self,
        now_ms: f64,
        mut metrics: impl FnMut(f64) -> Vec<RouteMetrics>,
    ) -> Vec<AlertEvent> {
        let mut windows: Vec<(f64, Vec<RouteMetrics>)> = Vec::new();
        let mut events = Vec::new();
        for rule in &self.rules {
            let index = match windows.iter().position(|(w, _)| *w == rule.window_ms) {
                Some(i) => i,
                None => {
                    windows.push((rule.window_ms, metrics(rule.window_ms)));
                    windows.len() - 1
                }
            };
            for route in &windows[index].1 {
                let s = &route.summary;
                if !rule.applies_to(&s.method, &s.route) || !rule.enough_samples(s.count) {
                    continue;
                }
                let Some(value) = rule.metric.value(route) else {
                    continue;
                };
                let key = (rule.name.clone(), s.method.clone(), s.route.clone());
                if let Some((kind, fired_at)) = step(&mut self.states, key, rule, value, now_ms) {
                    events.push(AlertEvent {
                        kind,
                        rule: rule.name.clone(),
                        route: s.route.clone(),
                        method: s.method.clone(),
                        metric: rule.metric,
                        value,
                        threshold: rule.threshold.value(),
                        window_ms: rule.window_ms,
                        samples: s.count,
                        fired_at,
                        at: now_ms,
                    });
                }
            }
        }
        self.forget_quiet(now_ms);
        events
    }

    /// Drops states that are neither firing nor in cooldown, so memory follows the number of
    /// live alerts rather than every route ever seen.
    fn forget_quiet(&mut self, now_ms: f64) {
        // Rule indices by name: a `Map<&str, u32>`, the one the history summary uses too, so
        // the wasm carries one such map.
        let mut by_name: Map<&str, u32> = Map::default();
        for (i, r) in (0u32..).zip(&self.rules) {
            by_name.insert(r.name.as_str(), i);
        }
        let rules = &self.rules;
        self.states.retain(|(rule, _, _), st| {
            st.firing
                || by_name
                    .get(rule.as_str())
                    .is_some_and(|&i| now_ms - st.last_fired < rules[i as usize].cooldown_ms)
        });
    }
}

/// Advances one key's state machine; returns the event, if any, and when its episode fired.
fn step(
    states: &mut Map<StateKey, AlertState>,
    key: StateKey,
    rule: &AlertRule,
    value: f64,
    now_ms: f64,
) -> Option<(AlertKind, f64)> {
    let state = states.get(&key).copied();
    match state {
        Some(st) if st.firing => rule.threshold.recovered(value).then(|| {
            states.insert(
                key,
                AlertState {
                    firing: false,
                    ..st
                },
            );
            (AlertKind::Resolved, st.last_fired)
        }),
        _ if !rule.threshold.breached(value) => None,
        Some(st) if now_ms - st.last_fired < rule.cooldown_ms => None,
        _ => {
            states.insert(
                key,
                AlertState {
                    firing: true,
                    last_fired: now_ms,
                },
            );
            Some((AlertKind::Fired, now_ms))
        }
    }
}
