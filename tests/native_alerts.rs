//! Native tests for route templates, globs, timing breakdowns, alerts, the slow log and the
//! regression test.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use apiscope::core::alerts::trend::{TrendConfig, compare};
use apiscope::core::alerts::{AlertEngine, AlertEvent, AlertKind, Metric, RouteMetrics, RuleSpec};
use apiscope::core::profiler::timing::{Breakdown, MatcherConfig, ResourceTiming, TimingMatcher};
use apiscope::core::routes::Templater;
use apiscope::core::routes::glob::Glob;
use apiscope::core::routes::slow_calls::{
    SLOW_CALLS_KEPT, SLOW_CALLS_WINDOW_MS, SlowCall, SlowCalls,
};
use apiscope::core::{routes::RouteSummary, sketch::Bucket};
use proptest::prelude::*;

// ---------------------------------------------------------------- alerts

fn p95_rule(cooldown_ms: f64) -> RuleSpec {
    RuleSpec {
        name: "slow".into(),
        route: Some("/api/**".into()),
        metric: "p95".into(),
        above: Some(800.0),
        window_ms: 60_000.0,
        cooldown_ms: Some(cooldown_ms),
        ..Default::default()
    }
}

fn route(method: &str, route: &str, count: u64, p95: f64) -> RouteMetrics {
    let mut summary = RouteSummary::empty(method, route);
    summary.count = count;
    summary.p95 = p95;
    RouteMetrics {
        summary,
        cache_hit_rate: None,
        trend: None,
    }
}

/// Evaluates one route's p95 at `now` and returns the kinds of the events.
fn eval(engine: &mut AlertEngine, now: f64, count: u64, p95: f64) -> Vec<AlertKind> {
    events(
        engine,
        now,
        vec![route("GET", "/api/users/:id", count, p95)],
    )
    .iter()
    .map(|e| e.kind)
    .collect()
}

fn events(engine: &mut AlertEngine, now: f64, routes: Vec<RouteMetrics>) -> Vec<AlertEvent> {
    engine.evaluate(now, |_| routes.clone())
}

fn engine(spec: RuleSpec) -> AlertEngine {
    let mut engine = AlertEngine::default();
    engine.add(spec).unwrap();
    engine
}

#[test]
fn fires_with_full_details() {
    let mut engine = engine(p95_rule(0.0));
    let fired = events(
        &mut engine,
        5_000.0,
        vec![route("GET", "/api/users/:id", 40, 950.0)],
    );
    assert_eq!(
        fired,
        [AlertEvent {
            kind: AlertKind::Fired,
            rule: "slow".into(),
            route: "/api/users/:id".into(),
            method: "GET".into(),
            metric: Metric::P95,
            value: 950.0,
            threshold: 800.0,
            window_ms: 60_000.0,
            samples: 40,
            fired_at: 5_000.0,
            at: 5_000.0,
        }]
    );
    let json = serde_json::to_value(&fired[0]).unwrap();
    assert_eq!(json["kind"], "fired");
    assert_eq!(json["metric"], "p95");
    assert_eq!(json["firedAt"], 5_000.0);
}

#[test]
fn min_samples_gate_firing() {
    let mut engine = engine(p95_rule(0.0));
    assert!(eval(&mut engine, 0.0, 19, 5_000.0).is_empty());
    assert_eq!(eval(&mut engine, 1.0, 20, 5_000.0), [AlertKind::Fired]);
}

#[test]
fn only_matching_routes_and_methods_are_judged() {
    let mut engine = engine(RuleSpec {
        method: Some("post".into()),
        ..p95_rule(0.0)
    });
    let routes = vec![
        route("GET", "/api/a", 50, 900.0),
        route("POST", "/static/x", 50, 900.0),
        route("POST", "/api/b/c", 50, 900.0),
    ];
    let fired = events(&mut engine, 0.0, routes);
    assert_eq!(fired.len(), 1);
    assert_eq!(
        (fired[0].method.as_str(), fired[0].route.as_str()),
        ("POST", "/api/b/c")
    );
}

#[test]
fn hysteresis_stops_flapping_and_resolves() {
    let mut engine = engine(p95_rule(0.0));
    assert_eq!(eval(&mut engine, 0.0, 50, 900.0), [AlertKind::Fired]);
    // Hovering around 800 neither re-fires nor resolves: 10% hysteresis means resolve ≤ 720.
    for (t, v) in [
        (1.0, 799.0),
        (2.0, 805.0),
        (3.0, 760.0),
        (4.0, 850.0),
        (5.0, 721.0),
    ] {
        assert!(eval(&mut engine, t, 50, v).is_empty(), "at {v}");
    }
    assert_eq!(eval(&mut engine, 6.0, 50, 720.0), [AlertKind::Resolved]);
    // Just above the threshold is not a breach; just past it fires again (no cooldown).
    assert!(eval(&mut engine, 7.0, 50, 800.0).is_empty());
    assert_eq!(eval(&mut engine, 8.0, 50, 801.0), [AlertKind::Fired]);
}

#[test]
fn resolved_carries_the_episode_start() {
    let mut engine = engine(p95_rule(0.0));
    eval(&mut engine, 100.0, 50, 900.0);
    let resolved = events(&mut engine, 900.0, vec![route("GET", "/api/x", 50, 100.0)]);
    assert!(
        resolved.is_empty(),
        "a route that never fired never resolves"
    );
    let resolved = events(
        &mut engine,
        900.0,
        vec![route("GET", "/api/users/:id", 50, 100.0)],
    );
    assert_eq!(
        (resolved[0].kind, resolved[0].fired_at, resolved[0].at),
        (AlertKind::Resolved, 100.0, 900.0)
    );
}

#[test]
fn too_few_samples_keep_the_alert_firing() {
    let mut engine = engine(p95_rule(0.0));
    eval(&mut engine, 0.0, 50, 900.0);
    assert!(eval(&mut engine, 1.0, 3, 10.0).is_empty());
    assert_eq!(eval(&mut engine, 2.0, 30, 10.0), [AlertKind::Resolved]);
}

#[test]
fn cooldown_blocks_repeats_then_allows_them() {
    let mut engine = engine(p95_rule(10_000.0));
    assert_eq!(eval(&mut engine, 0.0, 50, 900.0), [AlertKind::Fired]);
    assert_eq!(eval(&mut engine, 1_000.0, 50, 100.0), [AlertKind::Resolved]);
    assert!(eval(&mut engine, 2_000.0, 50, 900.0).is_empty());
    assert!(eval(&mut engine, 9_999.0, 50, 900.0).is_empty());
    assert_eq!(eval(&mut engine, 10_000.0, 50, 900.0), [AlertKind::Fired]);
    // Still breached: no repeat while firing.
    assert!(eval(&mut engine, 30_000.0, 50, 900.0).is_empty());
}

#[test]
fn below_rules_and_count_ignore_min_samples() {
    let mut engine = engine(RuleSpec {
        name: "quiet".into(),
        metric: "count".into(),
        below: Some(5.0),
        window_ms: 1_000.0,
        ..Default::default()
    });
    assert_eq!(eval(&mut engine, 0.0, 2, 1.0), [AlertKind::Fired]);
    assert!(
        eval(&mut engine, 1_000.0, 5, 1.0).is_empty(),
        "needs ≥ 5.5 to resolve"
    );
    assert_eq!(eval(&mut engine, 2_000.0, 6, 1.0), [AlertKind::Resolved]);
}

#[test]
fn cache_hit_rate_comes_from_the_caller() {
    let mut engine = engine(RuleSpec {
        name: "cache".into(),
        metric: "cacheHitRate".into(),
        below: Some(0.5),
        window_ms: 1_000.0,
        ..Default::default()
    });
    let mut m = route("GET", "/a", 100, 1.0);
    assert!(events(&mut engine, 0.0, vec![m.clone()]).is_empty());
    m.cache_hit_rate = Some(0.2);
    assert_eq!(events(&mut engine, 1.0, vec![m])[0].value, 0.2);
}

#[test]
fn metrics_are_requested_once_per_window() {
    let mut engine = AlertEngine::default();
    for (name, window_ms) in [("a", 1_000.0), ("b", 5_000.0), ("c", 1_000.0)] {
        engine
            .add(RuleSpec {
                name: name.into(),
                window_ms,
                ..p95_rule(0.0)
            })
            .unwrap();
    }
    let mut asked = Vec::new();
    engine.evaluate(0.0, |w| {
        asked.push(w);
        Vec::new()
    });
    assert_eq!(asked, [1_000.0, 5_000.0]);
}

#[test]
fn rule_errors_name_the_field() {
    let mut engine = engine(p95_rule(0.0));
    assert_eq!(engine.add(p95_rule(0.0)).unwrap_err().field, "name"); // duplicate
    let base = RuleSpec {
        name: "other".into(),
        ..p95_rule(0.0)
    };
    type Breaker = fn(&mut RuleSpec);
    let cases: [(Breaker, &str); 10] = [
        (|s| s.name = " ".into(), "name"),
        (|s| s.metric = "p42".into(), "metric"),
        (|s| s.below = Some(1.0), "above"),
        (|s| s.above = None, "above"),
        (|s| s.above = Some(f64::NAN), "above"),
        (|s| s.window_ms = 0.0, "windowMs"),
        (|s| s.window_ms = -5.0, "windowMs"),
        (|s| s.cooldown_ms = Some(-1.0), "cooldownMs"),
        (|s| s.min_samples = Some(0.0), "minSamples"),
        (|s| s.method = Some(String::new()), "method"),
    ];
    for (break_it, field) in cases {
        let mut spec = base.clone();
        break_it(&mut spec);
        let err = engine.add(spec).unwrap_err();
        assert_eq!(err.field, field, "{err}");
        assert!(err.to_string().starts_with(&format!("{field}: ")), "{err}");
    }
    let err = engine
        .add(RuleSpec {
            metric: "p42".into(),
            ..base.clone()
        })
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("must be one of p50, "), "{err}");
    assert!(message.ends_with("got \"p42\""), "{err}");
    // Bad rules left the good one alone, and a good new one still goes in.
    engine.add(base).unwrap();
    assert_eq!(engine.rules().len(), 2);
    assert_eq!(eval(&mut engine, 0.0, 50, 900.0).len(), 2);
}

fn regression_rule(above: Option<f64>, below: Option<f64>) -> RuleSpec {
    RuleSpec {
        name: "regressed".into(),
        metric: "p95Regression".into(),
        above,
        below,
        window_ms: 300_000.0,
        cooldown_ms: Some(0.0),
        ..Default::default()
    }
}

#[test]
fn regression_rules_take_above_only() {
    let mut engine = AlertEngine::default();
    let cases = [
        (
            regression_rule(None, Some(0.2)),
            "below",
            "absent for a regression metric",
        ),
        (regression_rule(Some(0.2), Some(0.1)), "below", "absent"),
        (
            regression_rule(None, None),
            "above",
            "given for a regression metric",
        ),
        (
            regression_rule(Some(-0.1), None),
            "above",
            "must be a finite number >= 0",
        ),
        (
            regression_rule(Some(f64::INFINITY), None),
            "above",
            "finite",
        ),
    ];
    for (spec, field, message) in cases {
        let err = engine.add(spec).unwrap_err();
        assert_eq!(err.field, field, "{err}");
        assert!(err.to_string().contains(message), "{err}");
    }
    let unknown = RuleSpec {
        metric: "p90Regression".into(),
        ..regression_rule(Some(0.2), None)
    };
    let err = engine.add(unknown).unwrap_err();
    assert_eq!(err.field, "metric");
    for name in ["p50Regression", "p95Regression", "p99Regression"] {
        assert!(err.to_string().contains(name), "{err}");
    }
    for name in ["p50Regression", "p95Regression", "p99Regression"] {
        let spec = RuleSpec {
            name: name.into(),
            metric: name.into(),
            ..regression_rule(Some(0.0), None)
        };
        engine.add(spec.clone()).unwrap();
        assert_eq!(engine.rules().last().unwrap().spec().metric, name);
        assert!(Metric::parse(name).unwrap().is_regression());
    }
}

/// A route (100 calls in its window) whose trend compares `current` with `baseline`, `n`
/// calls a side spread evenly over 10 ms.
fn regressed(baseline: f64, current: f64, n: u64) -> RouteMetrics {
    let hist = |lower: f64| {
        vec![Bucket {
            lower,
            upper: lower + 10.0,
            count: n,
        }]
    };
    let mut m = route("GET", "/api/search", 100, current + 9.5);
    m.trend = Some(compare(
        &hist(baseline),
        &hist(current),
        &TrendConfig::default(),
    ));
    m
}

#[test]
fn regression_value_is_the_significant_relative_change() {
    let mut engine = engine(regression_rule(Some(0.3), None));
    let fire = |engine: &mut AlertEngine, now: f64, m: RouteMetrics| {
        events(engine, now, vec![m])
            .iter()
            .map(|e| (e.kind, (e.value * 1e3).round() / 1e3))
            .collect::<Vec<_>>()
    };
    // No trend (no baseline yet): not judged.
    assert!(fire(&mut engine, 0.0, route("GET", "/api/search", 100, 1.0)).is_empty());
    // +40% at p95 (109.5 → 149.5 ms is +36.5%) but only 10 calls a side: not significant.
    assert!(fire(&mut engine, 1.0, regressed(100.0, 140.0, 10)).is_empty());
    // Below the threshold, significant: no alert.
    assert!(fire(&mut engine, 2.0, regressed(100.0, 120.0, 100)).is_empty());
    // Significant and above: fires with the relative change as its value.
    let fired = fire(&mut engine, 3.0, regressed(100.0, 140.0, 100));
    assert_eq!(fired, [(AlertKind::Fired, 0.365)]);
    // Within the hysteresis (> 0.27): still firing, not re-announced.
    assert!(fire(&mut engine, 4.0, regressed(100.0, 130.0, 100)).is_empty());
    // Stops being significant: the change counts as none, so it resolves with value 0.
    let resolved = fire(&mut engine, 5.0, regressed(100.0, 140.0, 10));
    assert_eq!(resolved, [(AlertKind::Resolved, 0.0)]);
    // An equally significant improvement is never an alert.
    assert!(fire(&mut engine, 6.0, regressed(140.0, 100.0, 100)).is_empty());
    // Too few calls in the window (minSamples 20) are not judged, trend or not.
    let mut few = regressed(100.0, 140.0, 100);
    few.summary.count = 19;
    assert!(fire(&mut engine, 7.0, few).is_empty());
}

#[test]
fn specs_deserialize_from_camel_case_only() {
    let spec: RuleSpec = serde_json::from_str(
        r#"{"name":"n","route":"/api/*","method":"GET","metric":"errorRate","below":0.5,
            "windowMs":1000,"minSamples":5,"cooldownMs":0}"#,
    )
    .unwrap();
    assert_eq!(
        (spec.min_samples, spec.cooldown_ms, spec.below),
        (Some(5.0), Some(0.0), Some(0.5))
    );
    for bad in [
        r#"{"name":"n","metric":"p50","above":1,"windowMs":1,"window_ms":1}"#,
        r#"{"name":"n","metric":"p50","above":1}"#,
    ] {
        assert!(serde_json::from_str::<RuleSpec>(bad).is_err(), "{bad}");
    }
}

// ---------------------------------------------------------------- routes and globs

fn label(t: &Templater, url: &str) -> String {
    t.route(url, "https://app.example")
        .unwrap()
        .label()
        .to_owned()
}

#[test]
fn templating_cases() {
    let t = Templater::default();
    let cases = [
        ("https://app.example/api/users/123?x=1", "/api/users/:id"),
        ("https://app.example/api/users/456#frag", "/api/users/:id"),
        (
            "https://app.example/o/3F2504E0-4F89-11D3-9A0C-0305E82C3301/x",
            "/o/:uuid/x",
        ),
        (
            "https://app.example/blob/9f86d081884c7d659a2feaa0c55ad015",
            "/blob/:hash",
        ),
        ("https://app.example/t/k9Qz7x2LmP4w", "/t/:hash"),
        (
            "https://app.example/r/2024-01-31/20240131",
            "/r/:date/:date",
        ),
        ("https://app.example/v1/health", "/v1/health"),
        ("https://app.example", "/"),
        ("https://app.example?q=secret", "/"),
        (
            "https://api.other.example:8443/a/1",
            "https://api.other.example:8443/a/:id",
        ),
    ];
    for (url, want) in cases {
        assert_eq!(label(&t, url), want, "{url}");
    }
}

#[test]
fn user_templates_win_over_builtin_rules() {
    let t = Templater::new(&["/api/orders/:orderId/items/:itemId", "/files/*/raw"]).unwrap();
    assert_eq!(
        label(&t, "https://app.example/api/orders/123/items/abc"),
        "/api/orders/:orderId/items/:itemId"
    );
    assert_eq!(
        label(&t, "https://app.example/files/readme/raw"),
        "/files/*/raw"
    );
    // No template matches: built-in rules apply.
    assert_eq!(
        label(&t, "https://app.example/api/orders/123"),
        "/api/orders/:id"
    );
    assert!(matches!(
        Templater::new(&["nope"]),
        Err(e) if e.field == "[0]"
    ));
}

#[test]
fn origin_is_kept_and_query_never_stored() {
    let key = Templater::default()
        .route(
            "https://u:p@api.example/users/7?token=abc#x",
            "https://app.example",
        )
        .unwrap();
    assert_eq!(key.full(), "https://api.example/users/:id");
    assert_eq!(
        (key.origin(), key.template()),
        ("https://api.example", "/users/:id")
    );
    assert!(!key.full().contains("token") && !key.full().contains("u:p"));
}

#[test]
fn malformed_urls_are_rejected() {
    let t = Templater::default();
    for bad in [
        "",
        "users/1",
        "//host/x",
        "://x",
        "http//x",
        "http://",
        "http://h:70000/",
        "ht tp://x/",
        "https:///x",
        "1http://a/",
        "http://a:x/",
        "http://a:b:80/",
    ] {
        let err = t.route(bad, "https://app.example").unwrap_err();
        assert!(err.to_string().starts_with("url: "), "{bad}: {err}");
    }
}

fn url_strategy() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        Just("api".to_owned()),
        Just("x".to_owned()),
        "[a-z]{1,8}",
        "[0-9]{1,12}",
        "[0-9a-f]{16,40}",
        "[A-Za-z0-9]{8,14}",
        "(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[a-zA-Z0-9._~%:@*-]{0,6}",
    ];
    (
        "(https?|wss?)",
        "(user(:pw)?@)?[A-Za-z0-9.-]{1,12}(:[0-9]{1,5})?",
        prop::collection::vec(segment, 0..6),
        "(\\?[ -~]{0,10})?(#[ -~]{0,10})?",
    )
        .prop_map(|(scheme, authority, segments, tail)| {
            let path: String = segments.iter().map(|s| format!("/{s}")).collect();
            format!("{scheme}://{authority}{path}{tail}")
        })
}

proptest! {
    #[test]
    fn templating_is_idempotent_and_private(url in url_strategy()) {
        let t = Templater::new(&["/api/:name/*/x"]).unwrap();
        if let Ok(key) = t.route(&url, "https://app.example") {
            prop_assert!(!key.full().contains(['?', '#']));
            prop_assert!(key.template().starts_with('/'));
            let again = t.route(key.full(), "https://app.example").unwrap();
            prop_assert_eq!(again.full(), key.full());
        }
    }

    #[test]
    fn templating_never_panics(url in "\\PC{0,40}") {
        let _ = Templater::default().route(&url, "https://app.example");
    }
}

#[test]
fn glob_matching() {
    let cases = [
        ("/api/*", "/api/users", true),
        ("/api/*", "/api/users/:id", false),
        ("/api/**", "/api/users/:id", true),
        ("/api/**", "/api", true),
        ("/api/**/:id", "/api/a/b/:id", true),
        ("/api/u*s/:id", "/api/users/:id", true),
        ("/api/u*s/:id", "/api/user/:id", false),
        ("https://*.example/**", "https://api.example/x/y", true),
        ("**", "", true),
    ];
    for (pattern, route, want) in cases {
        assert_eq!(
            Glob::new(pattern).matches(route),
            want,
            "{pattern} ~ {route}"
        );
    }
}

// ---------------------------------------------------------------- resource timing

#[test]
fn cross_origin_zeros_are_unknown() {
    let opaque = ResourceTiming {
        name: "https://cdn.example/x".into(),
        start_time: 1_000.0,
        response_end: 1_250.0,
        ..Default::default()
    };
    let b = Breakdown::from_entry(&opaque);
    assert_eq!(b, Breakdown::default());
    let json = serde_json::to_value(b).unwrap();
    assert!(json["ttfb"].is_null() && json["transferSize"].is_null());
}

fn entry(url: &str, start: f64, ttfb: f64) -> ResourceTiming {
    ResourceTiming {
        name: url.into(),
        start_time: start,
        request_start: start + 1.0,
        response_start: start + 1.0 + ttfb,
        response_end: start + 2.0 + ttfb,
        ..Default::default()
    }
}

#[test]
fn matching_picks_same_url_and_closest_start_once() {
    let mut m: TimingMatcher<u64> = TimingMatcher::new(MatcherConfig::default());
    let url = "https://app.example/api/x";
    m.offer_entry(entry(url, 1_000.0, 10.0), 2_000.0);
    m.offer_entry(entry(url, 1_040.0, 20.0), 2_000.0);
    m.offer_entry(entry("https://app.example/api/y", 1_039.0, 30.0), 2_000.0);
    let ttfb = |m: &mut TimingMatcher<u64>, id, start| {
        m.match_request(id, url.into(), start, 2_000.0)
            .and_then(|(_, e)| Breakdown::from_entry(&e).ttfb)
    };
    assert_eq!(ttfb(&mut m, 1, 1_038.0), Some(20.0));
    // The closest is used up: the next request gets the other one, then none is left.
    assert_eq!(ttfb(&mut m, 2, 1_038.0), Some(10.0));
    assert_eq!(ttfb(&mut m, 3, 1_038.0), None);
    // Out of tolerance never matches.
    assert_eq!(m.offer_entry(entry(url, 5_000.0, 1.0), 2_000.0), None);
    // Request 3 is waiting; a matching entry completes it exactly once.
    let got = m.offer_entry(entry(url, 1_037.0, 7.0), 2_000.0);
    assert_eq!(
        got.map(|(id, e)| (id, Breakdown::from_entry(&e).ttfb)),
        Some((3, Some(7.0)))
    );
    assert!(m.offer_entry(entry(url, 1_037.0, 7.0), 2_000.0).is_none());
}

// ---------------------------------------------------------------- slow log

#[test]
fn a_routes_slow_calls_are_its_slowest_recent_ones_and_bounded() {
    let call = |i: u32| SlowCall {
        call_id: i.into(),
        url: "https://a.example/a".into(),
        status: 200,
        at_ms: f64::from(i) * 10.0,
        duration_ms: f64::from((i * 7) % 13),
    };
    let mut slow = SlowCalls::default();
    for i in 0..40 {
        slow.insert(&call(i), 400.0);
    }
    // The model: every call, slowest first (a stable sort keeps ties in arrival order).
    let mut expected: Vec<(f64, u64)> = (0..40).map(|i| (call(i).duration_ms, i.into())).collect();
    expected.sort_by(|a, b| b.0.total_cmp(&a.0));
    expected.truncate(SLOW_CALLS_KEPT);
    let kept: Vec<(f64, u64)> = slow
        .recent(400.0)
        .map(|c| (c.duration_ms, c.call_id))
        .collect();
    assert_eq!(kept, expected);
    // Everything ages out of reads, and an insert drops what aged.
    assert_eq!(slow.recent(390.0 + SLOW_CALLS_WINDOW_MS + 1.0).count(), 0);
    let late = SlowCall {
        at_ms: 400.0 + SLOW_CALLS_WINDOW_MS,
        duration_ms: 1.0,
        ..call(99)
    };
    slow.insert(&late, late.at_ms);
    let left: Vec<u64> = slow.recent(late.at_ms).map(|c| c.call_id).collect();
    assert_eq!(left, [99]);
}

// ---------------------------------------------------------------- trend

/// SplitMix64: tiny, seeded, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Log-normal latency (Box–Muller) with the given median and log-σ.
    fn latency(&mut self, median: f64, sigma: f64) -> f64 {
        let normal = (-2.0 * self.unit().ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos();
        median * (sigma * normal).exp()
    }
}

/// `n` latencies bucketed log-linearly at `growth` (1.01 = 1% wide buckets).
fn sample_buckets(rng: &mut Rng, n: usize, median: f64, growth: f64) -> Vec<Bucket> {
    bucketed((0..n).map(|_| rng.latency(median, 0.6)), growth)
}

/// Like `sample_buckets` at median 120 and 1% buckets, but the slowest 10% (above the true
/// p90) are 40% slower: p95 and p99 rise by 40%, p50 stays put.
fn tail_regressed_buckets(rng: &mut Rng, n: usize) -> Vec<Bucket> {
    let p90 = 120.0 * (0.6 * 1.281_551_6_f64).exp();
    let slower = |v: f64| if v > p90 { v * 1.4 } else { v };
    bucketed((0..n).map(|_| slower(rng.latency(120.0, 0.6))), 1.01)
}

fn bucketed(values: impl Iterator<Item = f64>, growth: f64) -> Vec<Bucket> {
    let mut counts = BTreeMap::new();
    for value in values {
        let index = (value.ln() / growth.ln()).floor() as i64;
        *counts.entry(index).or_insert(0u64) += 1;
    }
    counts
        .into_iter()
        .map(|(i, count)| Bucket {
            lower: growth.powf(i as f64),
            upper: growth.powf(i as f64 + 1.0),
            count,
        })
        .collect()
}

/// The fraction of `trials` in which any of p50/p95/p99 is flagged.
fn flag_rate(seed: u64, trials: usize, shift: f64, current_growth: f64) -> f64 {
    let mut rng = Rng(seed);
    let config = TrendConfig::default();
    let flagged = (0..trials)
        .filter(|_| {
            let baseline = sample_buckets(&mut rng, 500, 120.0, 1.01);
            let current = sample_buckets(&mut rng, 500, 120.0 * shift, current_growth);
            let r = compare(&baseline, &current, &config);
            r.p50.significant || r.p95.significant || r.p99.significant
        })
        .count();
    flagged as f64 / trials as f64
}

#[test]
fn trend_false_positive_rate_is_low() {
    let rate = flag_rate(1, 500, 1.0, 1.01);
    println!("false-positive rate, aligned 1% buckets: {rate}");
    assert!(rate <= 0.02, "{rate}");
}

#[test]
fn trend_false_positive_rate_is_low_with_misaligned_buckets() {
    let rate = flag_rate(2, 300, 1.0, 1.017);
    println!("false-positive rate, 1% vs 1.7% buckets: {rate}");
    assert!(rate <= 0.02, "{rate}");
}

#[test]
fn trend_detects_a_30_percent_shift() {
    let mut rng = Rng(3);
    let trials = 500;
    let detected = (0..trials)
        .filter(|_| {
            let baseline = sample_buckets(&mut rng, 500, 120.0, 1.01);
            let current = sample_buckets(&mut rng, 500, 156.0, 1.01);
            compare(&baseline, &current, &TrendConfig::default())
                .p95
                .significant
        })
        .count();
    let power = detected as f64 / trials as f64;
    println!("detection rate of a 30% p95 shift: {power}");
    assert!(power >= 0.95, "{power}");
}

#[test]
fn tiny_shifts_are_not_flagged_even_with_huge_samples() {
    let mut rng = Rng(4);
    let baseline = sample_buckets(&mut rng, 200_000, 120.0, 1.01);
    let current = sample_buckets(&mut rng, 200_000, 122.4, 1.01); // +2%
    let r = compare(&baseline, &current, &TrendConfig::default());
    assert!(r.distribution_changed, "KS sees it: D = {}", r.statistic);
    assert!(
        !r.p50.significant && !r.p95.significant,
        "but it is below the 5% floor"
    );
}

/// Per-quantile flag rates `[p50, p95, p99]` when the slowest 10% get 40% slower, `n` vs `n`.
fn tail_flag_rates(seed: u64, trials: usize, n: usize) -> [f64; 3] {
    let mut rng = Rng(seed);
    let mut flagged = [0usize; 3];
    for _ in 0..trials {
        let baseline = sample_buckets(&mut rng, n, 120.0, 1.01);
        let current = tail_regressed_buckets(&mut rng, n);
        let r = compare(&baseline, &current, &TrendConfig::default());
        for (count, trend) in flagged.iter_mut().zip([r.p50, r.p95, r.p99]) {
            *count += usize::from(trend.significant);
        }
    }
    flagged.map(|count| count as f64 / trials as f64)
}

#[test]
fn trend_flags_a_tail_only_regression() {
    let [p50, p95, p99] = tail_flag_rates(5, 300, 2000);
    println!("tail-only, 2000 vs 2000: p50 {p50}, p95 {p95}, p99 {p99}");
    assert!(p95 >= 0.8 && p99 >= 0.8, "p95 {p95}, p99 {p99}");
    assert!(p50 <= 0.05, "p50 {p50}");
}

#[test]
fn trend_tail_only_regression_at_500_leaves_p50_alone() {
    let [p50, p95, p99] = tail_flag_rates(6, 300, 500);
    println!("tail-only, 500 vs 500: p50 {p50}, p95 {p95}, p99 {p99}");
    assert!(p50 <= 0.05, "p50 {p50}");
}
