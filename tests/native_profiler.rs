//! The pure profiler engine end to end, with explicit time: what a page's hooks and timers do,
//! minus the browser.
#![cfg(not(target_arch = "wasm32"))]

use apiscope::core::alerts::{AlertKind, Metric, RuleSpec};
use apiscope::core::batch::sample::Sample;
use apiscope::core::profiler::request::{Outcome, SettledRequest, Transport};
use apiscope::core::profiler::timing::{ResourceTiming, ServerTiming};
use apiscope::core::profiler::{ProfilerConfig, ProfilerCore, Settle};
use apiscope::core::routes::capped::{OVERFLOW_METHOD, OVERFLOW_ROUTE};

const ORIGIN: &str = "https://app.example";

fn profiler() -> ProfilerCore {
    ProfilerCore::new(ProfilerConfig::default(), 1, ORIGIN).unwrap()
}

/// The hooks' report of a GET to `url` answered after `duration_ms`: the URL registered as
/// call site `site`, then the request settled at its headers.
fn call(
    p: &mut ProfilerCore,
    site: u32,
    url: &str,
    start_ms: f64,
    duration_ms: f64,
    status: u16,
) -> Settle {
    p.register_sites(&[site], &format!("GET\t{url}\t")).unwrap();
    let outcome = if (200..400).contains(&status) {
        Outcome::Ok
    } else {
        Outcome::HttpError
    };
    let request = SettledRequest {
        site,
        transport: Transport::Fetch,
        status,
        outcome,
        start_ms,
        headers_ms: start_ms + duration_ms,
        end_ms: None,
    };
    p.settle(request, start_ms + duration_ms)
}

/// A same-origin entry with every phase exposed (Timing-Allow-Origin or same origin).
fn entry(url: &str, start_ms: f64) -> ResourceTiming {
    ResourceTiming {
        name: url.into(),
        start_time: start_ms,
        domain_lookup_start: 10.0,
        domain_lookup_end: 12.0,
        connect_start: 12.0,
        connect_end: 20.0,
        secure_connection_start: 15.0,
        request_start: 20.0,
        response_start: 70.0,
        response_end: 75.0,
        transfer_size: 900.0,
        encoded_body_size: 600.0,
        server_timing: vec![ServerTiming {
            name: "app".into(),
            duration: 42.0,
        }],
        ..Default::default()
    }
}

#[test]
fn observed_calls_are_grouped_by_route_template_without_queries() {
    let mut p = profiler();
    for (i, id) in [1, 22, 333].into_iter().enumerate() {
        let url = format!("{ORIGIN}/api/users/{id}?secret={i}");
        call(&mut p, i as u32, &url, 1_000.0 + i as f64, 30.0, 200);
    }
    call(&mut p, 9, "https://cdn.example/img/7", 1_000.0, 5.0, 404);
    // Without their Resource Timing entries they wait; a flush files them, timed to headers.
    p.finish_waiting(1_100.0);
    let mut routes: Vec<(String, u64, u64)> = p
        .snapshot(1_100.0, Some(60_000.0))
        .unwrap()
        .into_iter()
        .map(|s| (s.summary.route, s.summary.count, s.summary.errors))
        .collect();
    routes.sort();
    assert_eq!(
        routes,
        [
            ("/api/users/:id".into(), 3, 0),
            ("https://cdn.example/img/:id".into(), 1, 1)
        ]
    );
}

#[test]
fn a_resource_timing_entry_attaches_its_breakdown_whether_it_comes_first_or_last() {
    let mut p = profiler();
    let url = format!("{ORIGIN}/api/orders");
    // Entry after the call.
    call(&mut p, 0, &url, 1_000.0, 75.0, 200);
    p.offer_timing(entry(&url, 1_000.2), 1_080.0);
    // Entry before the call.
    p.offer_timing(entry(&url, 5_000.3), 5_070.0);
    call(&mut p, 1, &url, 5_000.0, 80.0, 200);

    let slow = p.slow_calls("GET", "/api/orders", 5_100.0);
    assert_eq!(slow.len(), 2);
    for c in &slow {
        assert_eq!(c.breakdown.ttfb, Some(50.0));
        assert_eq!(c.breakdown.server, Some(42.0));
        assert_eq!(c.breakdown.tls, Some(5.0));
    }
    let means = p.breakdown("GET", "/api/orders");
    assert_eq!(means.matched, 2);
    assert_eq!(means.dns, Some(2.0));
    assert_eq!(means.download, Some(5.0));
}

#[test]
fn breakdowns_and_slow_calls_are_kept_for_the_routes_the_windows_keep_and_no_others() {
    // URLs that do not template (slugs) make a route per product: beyond maxRoutes, their calls
    // and their breakdowns go to the overflow entry, so memory does not grow with the slugs.
    let mut config = ProfilerConfig::default();
    config.registry.max_routes = 2;
    let mut p = ProfilerCore::new(config, 1, ORIGIN).unwrap();
    for (i, slug) in ["red-shirt", "blue-hat", "green-scarf", "gray-coat"]
        .into_iter()
        .enumerate()
    {
        let url = format!("{ORIGIN}/api/products/{slug}");
        let start = 1_000.0 * (i + 1) as f64;
        p.offer_timing(entry(&url, start + 0.2), start + 70.0);
        call(&mut p, i as u32, &url, start, 80.0, 200);
    }
    let matched = |p: &ProfilerCore, method: &str, route: &str| p.breakdown(method, route).matched;
    assert_eq!(matched(&p, "GET", "/api/products/red-shirt"), 1);
    assert_eq!(matched(&p, "GET", "/api/products/blue-hat"), 1);
    assert_eq!(matched(&p, "GET", "/api/products/green-scarf"), 0);
    assert_eq!(matched(&p, OVERFLOW_METHOD, OVERFLOW_ROUTE), 2);
    assert_eq!(p.breakdown(OVERFLOW_METHOD, OVERFLOW_ROUTE).dns, Some(2.0));
    // So are the slow calls: each route's own, and the overflow entry's, with their URLs.
    let now = 10_000.0;
    assert_eq!(p.slow_calls("GET", "/api/products/blue-hat", now).len(), 1);
    assert!(
        p.slow_calls("GET", "/api/products/green-scarf", now)
            .is_empty()
    );
    let other: Vec<String> = p
        .slow_calls(OVERFLOW_METHOD, OVERFLOW_ROUTE, now)
        .into_iter()
        .map(|c| c.url)
        .collect();
    assert_eq!(other.len(), 2);
    assert!(
        other
            .iter()
            .all(|u| u.contains("-scarf") || u.contains("-coat")),
        "{other:?}"
    );
    // Cleared with the windows.
    p.clear();
    assert_eq!(matched(&p, "GET", "/api/products/red-shirt"), 0);
    assert!(
        p.slow_calls("GET", "/api/products/red-shirt", now)
            .is_empty()
    );
}

#[test]
fn a_body_that_ended_before_the_page_saw_the_headers_is_timed_in_full() {
    use apiscope::core::delivery::Timing;
    let mut p = profiler();
    let url = format!("{ORIGIN}/api/small");
    // A call whose headers the page's JS sees 50 ms after `start`, and its entry.
    let mut settle = |site, start: f64, response_end: f64| {
        call(&mut p, site, &url, start, 50.0, 200);
        let timing = ResourceTiming {
            response_start: start + 40.0,
            response_end,
            ..entry(&url, start + 0.1)
        };
        p.offer_timing(timing, start + 100.0);
    };
    // The network had the whole body at +45 ms, before the page saw the headers.
    settle(0, 1_000.0, 1_045.0);
    // The body after the headers: timed to its end.
    settle(1, 2_000.0, 2_090.0);
    let samples: Vec<_> = p
        .drain_batches(2_100.0)
        .into_iter()
        .flat_map(|b| b.samples)
        .collect();
    let got: Vec<(f64, Timing)> = samples.iter().map(|s| (s.duration_ms, s.timing)).collect();
    assert_eq!(got, [(50.0, Timing::Full), (90.0, Timing::Full)]);
}

#[test]
fn opaque_cross_origin_timing_is_unknown_not_zero() {
    let mut p = profiler();
    let url = "https://api.other.example/v1/things";
    call(&mut p, 0, url, 1_000.0, 60.0, 200);
    let opaque = ResourceTiming {
        name: url.into(),
        start_time: 1_000.1,
        response_end: 60.0,
        ..Default::default()
    };
    p.offer_timing(opaque, 1_061.0);
    let means = p.breakdown("GET", "https://api.other.example/v1/things");
    assert_eq!(means.matched, 1);
    assert_eq!((means.dns, means.ttfb, means.server), (None, None, None));
}

#[test]
fn a_slowdown_against_the_previous_hour_is_a_significant_trend() {
    let mut p = profiler();
    let hour = 3_600_000.0;
    let start = 10.0 * hour;
    // An hour of steady ~50 ms calls, then five minutes at ~1.4x.
    for i in 0..3_000 {
        let t = start + i as f64 * 1_000.0;
        let d = 50.0 + (i % 10) as f64;
        p.record(Sample::new(t, d, "GET", "/api/search", 200), t + d)
            .unwrap();
    }
    let recent = start + 3_000.0 * 1_000.0;
    for i in 0..300 {
        let t = recent + i as f64 * 1_000.0;
        let d = 70.0 + (i % 10) as f64 * 1.4;
        p.record(Sample::new(t, d, "GET", "/api/search", 200), t + d)
            .unwrap();
    }
    let now = recent + 300_000.0;
    let snap = p.snapshot(now, Some(300_000.0)).unwrap();
    let trend = snap[0]
        .trend
        .as_ref()
        .expect("a trend with both windows filled");
    assert!(trend.p50.significant, "{trend:?}");
    assert!(trend.p50.change > 0.3, "{trend:?}");
    assert!((snap[0].rps - 1.0).abs() < 0.01, "rps {}", snap[0].rps);
}

#[test]
fn an_alert_fires_once_and_resolves_after_the_slow_calls_leave_its_window() {
    let mut p = profiler();
    p.add_alert(RuleSpec {
        name: "slow".into(),
        metric: "p95".into(),
        above: Some(100.0),
        window_ms: 30_000.0,
        min_samples: Some(5.0),
        cooldown_ms: Some(600_000.0),
        ..Default::default()
    })
    .unwrap();
    let mut fired = 0;
    let mut resolved = 0;
    let mut t = 0.0;
    for (duration, seconds) in [(20.0, 60), (300.0, 60), (20.0, 120)] {
        for _ in 0..seconds {
            t += 1_000.0;
            p.record(Sample::new(t, duration, "GET", "/api/x", 200), t + duration)
                .unwrap();
            for event in p.evaluate_alerts(t + duration) {
                match event.kind {
                    apiscope::core::alerts::AlertKind::Fired => fired += 1,
                    apiscope::core::alerts::AlertKind::Resolved => resolved += 1,
                }
            }
        }
    }
    assert_eq!((fired, resolved), (1, 1));
    // A duplicate name is rejected alone, naming the field; the first rule stays.
    let dup = RuleSpec {
        name: "slow".into(),
        metric: "p50".into(),
        above: Some(1.0),
        window_ms: 1_000.0,
        ..Default::default()
    };
    assert_eq!(p.add_alert(dup).unwrap_err().field, "name");
    assert_eq!(p.alert_rules().len(), 1);
}

/// Uniform in [0, 1) from a fixed-seed xorshift: noisy but repeatable durations.
fn uniform(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

#[test]
fn a_significant_regression_fires_once_and_resolves_once_the_window_is_normal_again() {
    let mut p = profiler();
    let window_ms = 300_000.0;
    p.add_alert(RuleSpec {
        name: "p95 regressed".into(),
        metric: "p95Regression".into(),
        above: Some(0.3),
        window_ms,
        ..Default::default()
    })
    .unwrap();
    let hour = 3_600_000.0;
    let start = 10.0 * hour;
    let slow_from = start + hour;
    let slow_until = slow_from + window_ms;
    let mut rng = 0x9e37_79b9_7f4a_7c15;
    let mut events = Vec::new();
    // One call a second to each route; evaluated every 10 s. `/api/search` is 40% slower
    // for one alert window after an hour; `/api/steady` never changes.
    let mut t = start;
    while t < slow_until + 2.0 * window_ms {
        t += 1_000.0;
        let factor = if (slow_from..slow_until).contains(&t) {
            1.4
        } else {
            1.0
        };
        for (route, factor) in [("/api/search", factor), ("/api/steady", 1.0)] {
            let d = (50.0 + 20.0 * uniform(&mut rng)) * factor;
            p.record(Sample::new(t - d, d, "GET", route, 200), t)
                .unwrap();
        }
        if t % 10_000.0 == 0.0 {
            if t == slow_until {
                let snap = p.snapshot(t, Some(window_ms)).unwrap();
                let search = snap.iter().find(|s| s.summary.route == "/api/search");
                let trend = search.and_then(|s| s.trend).unwrap();
                assert!(trend.p95.significant, "{trend:?}");
                assert!((trend.p95.change - 0.4).abs() < 0.05, "{trend:?}");
            }
            events.extend(p.evaluate_alerts(t));
        }
    }
    let summary: Vec<_> = events
        .iter()
        .map(|e| (e.kind, e.route.as_str(), e.metric))
        .collect();
    assert_eq!(
        summary,
        [
            (AlertKind::Fired, "/api/search", Metric::P95Regression),
            (AlertKind::Resolved, "/api/search", Metric::P95Regression),
        ]
    );
    let (fired, resolved) = (&events[0], &events[1]);
    // It fires as soon as the change crosses the threshold, on its way to +40% (checked above).
    assert!(fired.at > slow_from && fired.at <= slow_until, "{fired:?}");
    assert!(fired.value > 0.3 && fired.value < 0.45, "{fired:?}");
    assert_eq!((fired.threshold, fired.window_ms), (0.3, window_ms));
    // It resolves by the time the window holds only normal calls again (plus a slot).
    assert!(resolved.at > slow_until, "{resolved:?}");
    assert!(
        resolved.at <= slow_until + window_ms + 10_000.0,
        "{resolved:?}"
    );
    assert_eq!(resolved.fired_at, fired.at);
    assert!(resolved.value <= 0.3 * 0.9, "{resolved:?}");
}

#[test]
fn recorded_samples_reach_a_batch_by_age_and_errors_go_at_once() {
    let mut p = profiler();
    p.record(Sample::new(0.0, 5.0, "GET", "/a", 200), 10.0)
        .unwrap();
    assert!(p.poll_batch(11.0).is_none(), "not due before maxDelayMs");
    let deadline = p.next_deadline().unwrap();
    let batch = p.poll_batch(deadline).unwrap();
    assert_eq!(batch.samples.len(), 1);
    p.batch_done(batch.id, 3.0, deadline + 3.0);
    p.record(Sample::new(0.0, 5.0, "GET", "/a", 503), deadline + 4.0)
        .unwrap();
    assert!(
        p.poll_batch(deadline + 4.0).is_some(),
        "an error is written at once"
    );
}

#[test]
fn an_invalid_sample_changes_nothing() {
    let mut p = profiler();
    let err = p
        .record(Sample::new(0.0, f64::NAN, "GET", "/a", 200), 1.0)
        .unwrap_err();
    assert_eq!(err.field, "durationMs");
    assert!(p.snapshot(1.0, None).unwrap().is_empty());
    assert_eq!(p.batch_stats().accepted, 0);
    match call(&mut p, 0, "no url", 0.0, 1.0, 200) {
        Settle::Invalid(e) => assert_eq!(e.field, "url"),
        other => panic!("{other:?}"),
    }
}
