//! Native cost of the live windows: `cargo bench --bench windows`. Prints figures only (no
//! assertions; the byte bounds are asserted in `tests/native_windows.rs`).
//!
//! For an hour of sparse traffic (2 calls per route per 10 s) and of heavy traffic (1 000 per
//! route per 10 s, lognormal around 50..200 ms) on 50 and 500 routes: the heap the registry
//! holds and the most it held while recording (as the allocator counts them), the time to
//! record one call, and the time of one alert tick (every rule evaluated over every route, as
//! the 1 s timer does, with calls arriving between ticks) and of `snapshot()`.

#[path = "../tests/traffic/mod.rs"]
mod traffic;

use apiscope::core::alerts::RuleSpec;
use apiscope::core::batch::sample::Sample;
use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
use std::hint::black_box;
use std::time::Instant;
use traffic::{Rng, START, an_hour, live_bytes, peak_bytes, route};

fn memory(routes: usize, per_slot: usize) {
    let before = live_bytes();
    let mut registry = RouteRegistry::new(RegistryConfig::default()).expect("default config");
    let mut calls = 0u64;
    let started = Instant::now();
    an_hour(routes, per_slot, |route, d, t| {
        registry.record("GET", route, d, false, t).expect("valid");
        calls += 1;
    });
    let ns = started.elapsed().as_nanos() as f64 / calls as f64;
    let peak = peak_bytes() - before;
    let live = live_bytes() - before;
    println!(
        "{routes:>4} routes x {per_slot:>4} calls/10 s: {:>6.2} MB held, {:>6.2} MB peak, {:>6.0} B/route, record {ns:.0} ns/call (with the generator)",
        live as f64 / 1e6,
        peak as f64 / 1e6,
        live as f64 / routes as f64,
    );
    black_box(&registry);
}

fn rule(name: &str, metric: &str, above: f64, window_ms: f64) -> RuleSpec {
    RuleSpec {
        name: name.into(),
        metric: metric.into(),
        above: Some(above),
        window_ms,
        ..Default::default()
    }
}

/// `(median, mean, max)` of `times`.
fn summary(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    let n = times.len();
    let mean = times.iter().sum::<f64>() / n as f64;
    format!(
        "median {:.2} / mean {mean:.2} / max {:.2} ms",
        times[n / 2],
        times[n - 1]
    )
}

/// A tick a second for `seconds` after `*clock`, each after that second's calls (heavy
/// traffic goes on between ticks, and slot boundaries pass as they would): `run`'s times, ms.
fn ticks(
    p: &mut ProfilerCore,
    clock: &mut f64,
    routes: usize,
    per_second: usize,
    seconds: usize,
    mut run: impl FnMut(&mut ProfilerCore, f64),
) -> Vec<f64> {
    let names: Vec<String> = (0..routes).map(route).collect();
    let mut rng = Rng(*clock as u64);
    (0..seconds)
        .map(|_| {
            for k in 0..per_second {
                let t = *clock + (k as f64 + 0.5) * 1_000.0 / per_second as f64;
                for name in &names {
                    let d = rng.lognormal(100.0, 0.5);
                    p.record(Sample::new(t - d, d, "GET", name.as_str(), 200), t)
                        .expect("valid");
                }
            }
            black_box(p.drain_batches(f64::MAX));
            *clock += 1_000.0;
            let started = Instant::now();
            run(p, *clock);
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect()
}

fn alert_tick(routes: usize, per_slot: usize) {
    let config = ProfilerConfig {
        alerts: vec![
            rule("p95 1 min", "p95", 800.0, 60_000.0),
            rule("errors 1 min", "errorRate", 0.5, 60_000.0),
            rule("p99 5 min", "p99", 2_000.0, 300_000.0),
        ],
        ..ProfilerConfig::default()
    };
    let mut p = ProfilerCore::new(config, 1, "https://a.example").expect("valid config");
    let mut n = 0u64;
    an_hour(routes, per_slot, |route, d, t| {
        p.record(Sample::new(t - d, d, "GET", route, 200), t)
            .expect("valid");
        n += 1;
        if n % 50_000 == 0 {
            black_box(p.drain_batches(f64::MAX));
        }
    });
    let mut clock = START + 3_600_000.0;
    let per_second = (per_slot / 10).max(1);
    let alerts = |p: &mut ProfilerCore, now| {
        black_box(p.evaluate_alerts(now));
    };
    let plain = ticks(&mut p, &mut clock, routes, per_second, 30, alerts);
    p.add_alert(rule(
        "p95 regression 5 min",
        "p95Regression",
        0.5,
        300_000.0,
    ))
    .expect("valid rule");
    let trend = ticks(&mut p, &mut clock, routes, per_second, 30, alerts);
    let minute = ticks(&mut p, &mut clock, routes, per_second, 30, |p, now| {
        let _ = black_box(p.snapshot(now, Some(60_000.0)));
    });
    let hour = ticks(&mut p, &mut clock, routes, per_second, 30, |p, now| {
        let _ = black_box(p.snapshot(now, None));
    });
    println!("{routes:>4} routes x {per_slot:>4} calls/10 s, ticks a second apart for 30 s:");
    println!("  alerts, 3 rules (1 and 5 min):       {}", summary(plain));
    println!("  alerts, + a 5 min p95Regression:     {}", summary(trend));
    println!("  snapshot of 1 min (with trends):     {}", summary(minute));
    println!("  snapshot of the hour:                {}", summary(hour));
}

fn main() {
    println!("-- memory of an hour (registry only) --");
    for (routes, per_slot) in [(50, 2), (500, 2), (50, 1_000), (500, 1_000)] {
        memory(routes, per_slot);
    }
    println!("-- alert ticks and snapshots after an hour --");
    for (routes, per_slot) in [(500, 2), (500, 1_000)] {
        alert_tick(routes, per_slot);
    }
}
