//! Native cost of the live windows: `cargo bench --bench windows`. Prints figures only (no
//! assertions; the byte bounds are asserted in `tests/native_windows.rs`).
//!
//! For an hour of sparse traffic (2 calls per route per 10 s) and of heavy traffic (1 000 per
//! route per 10 s, lognormal around 50..200 ms) on 50 and 500 routes: the heap the registry
//! holds and the most it held while recording (as the allocator counts them), the time to
//! record one call, and the time of one alert tick (every rule evaluated over every route, as
//! the 1 s timer does) and of `snapshot()`-sized reads.

use apiscope::core::alerts::RuleSpec;
use apiscope::core::batch::sample::Sample;
use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::time::Instant;

/// Counts live and peak heap bytes (the bench is single-threaded).
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn moved(delta: isize) {
    let live = LIVE.fetch_add(delta, Relaxed) + delta;
    PEAK.fetch_max(live, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        moved(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        moved(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        moved(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Fixed-seed xorshift and a Box-Muller lognormal.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let (a, b) = (self.uniform(), self.uniform());
        median * (sigma * (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()).exp()
    }
}

const START: f64 = 1.7e12;
const HOUR: f64 = 3_600_000.0;

/// Every call of an hour on `routes` routes, `per_slot` per route per 10 s, in time order.
fn traffic(routes: usize, per_slot: usize, mut call: impl FnMut(&str, f64, f64)) {
    let names: Vec<String> = (0..routes).map(|i| format!("/api/v1/r{i}/:id")).collect();
    let medians: Vec<f64> = (0..routes)
        .map(|i| 50.0 + 150.0 * i as f64 / routes as f64)
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for slot in 0..360 {
        for k in 0..per_slot {
            let t = START + slot as f64 * 10_000.0 + (k as f64 + 0.5) * 10_000.0 / per_slot as f64;
            for (name, &median) in names.iter().zip(&medians) {
                call(name, rng.lognormal(median, 0.5), t);
            }
        }
    }
}

fn memory(routes: usize, per_slot: usize) {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let mut registry = RouteRegistry::new(RegistryConfig::default()).expect("default config");
    let mut calls = 0u64;
    let started = Instant::now();
    traffic(routes, per_slot, |route, d, t| {
        registry.record("GET", route, d, false, t).expect("valid");
        calls += 1;
    });
    let ns = started.elapsed().as_nanos() as f64 / calls as f64;
    let live = LIVE.load(Relaxed) - before;
    let peak = PEAK.load(Relaxed) - before;
    println!(
        "{routes:>4} routes x {per_slot:>4} calls/10 s: {:>6.2} MB held, {:>6.2} MB peak, {:>5.0} B/route, record {ns:.0} ns/call (incl. generator)",
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

/// Timings of `n` runs of `run`, in ms: `(median, mean, max)`.
fn timings_ms(n: usize, mut run: impl FnMut(usize)) -> (f64, f64, f64) {
    let mut times: Vec<f64> = (0..n)
        .map(|i| {
            let started = Instant::now();
            run(i);
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    summary(&mut times)
}

fn show((median, mean, max): (f64, f64, f64)) -> String {
    format!("median {median:.2} / mean {mean:.2} / max {max:.2} ms")
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
    traffic(routes, per_slot, |route, d, t| {
        p.record(Sample::new(t - d, d, "GET", route, 200), t)
            .expect("valid");
        n += 1;
        if n % 50_000 == 0 {
            black_box(p.drain_batches());
        }
    });
    // Ticks a second apart over 30 s: three slot boundaries, as the 1 s timer sees them.
    let end = START + HOUR;
    let at = |i: usize| end + i as f64 * 1_000.0;
    let mut clock = end;
    let mut advance = |p: &mut ProfilerCore, i: usize| {
        // Traffic goes on between ticks: each route gets its calls of that second.
        let next = at(i);
        let per_second = per_slot / 10;
        let mut rng = Rng(i as u64 + 1);
        for k in 0..per_second.max(1) {
            let t = clock + (k as f64 + 0.5) * (next - clock) / per_second.max(1) as f64;
            for r in 0..routes {
                let d = rng.lognormal(100.0, 0.5);
                let route = format!("/api/v1/r{r}/:id");
                p.record(Sample::new(t - d, d, "GET", route.as_str(), 200), t)
                    .expect("valid");
            }
        }
        black_box(p.drain_batches());
        clock = next;
    };
    let mut ticks = Vec::new();
    for i in 1..=30 {
        advance(&mut p, i);
        let started = Instant::now();
        black_box(p.evaluate_alerts(at(i)));
        ticks.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let tick = summary(&mut ticks);
    p.add_alert(rule(
        "p95 regression 5 min",
        "p95Regression",
        0.5,
        300_000.0,
    ))
    .expect("valid rule");
    let mut ticks = Vec::new();
    for i in 31..=60 {
        advance(&mut p, i);
        let started = Instant::now();
        black_box(p.evaluate_alerts(at(i)));
        ticks.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let with_trend = summary(&mut ticks);
    let minute = timings_ms(11, |i| {
        let _ = black_box(p.snapshot(at(60) + i as f64, Some(60_000.0)));
    });
    let hour = timings_ms(5, |i| {
        let _ = black_box(p.snapshot(at(60) + i as f64, None));
    });
    println!("{routes:>4} routes x {per_slot:>4} calls/10 s:");
    println!("  alert tick, 3 rules (1 and 5 min):        {}", show(tick));
    println!(
        "  alert tick, + a 5 min p95Regression rule: {}",
        show(with_trend)
    );
    println!(
        "  snapshot 1 min (with trends):             {}",
        show(minute)
    );
    println!("  snapshot of the hour:                     {}", show(hour));
}

fn summary(times: &mut [f64]) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    let n = times.len();
    (
        times[n / 2],
        times.iter().sum::<f64>() / n as f64,
        times[n - 1],
    )
}

fn main() {
    println!("-- memory of an hour (registry only) --");
    for (routes, per_slot) in [(50, 2), (500, 2), (50, 1_000), (500, 1_000)] {
        memory(routes, per_slot);
    }
    println!("-- one alert tick after an hour --");
    for (routes, per_slot) in [(500, 2), (500, 1_000)] {
        alert_tick(routes, per_slot);
    }
}
