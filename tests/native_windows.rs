//! The rolling windows and the route registry: reads cover every slot that overlaps the asked
//! window (a sample is in every window that covers its time, at any phase of its slot), merged
//! slots equal one sketch of every sample, timelines tile whole slots, short windows are
//! refused, and memory follows the data: heap bytes as the allocator counts them, within the
//! targets for an hour of sparse and of heavy traffic on 50 and 500 routes.
#![cfg(not(target_arch = "wasm32"))]

use apiscope::core::alerts::RuleSpec;
use apiscope::core::batch::sample::Sample;
use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
use apiscope::core::routes::capped::{OVERFLOW_METHOD, OVERFLOW_ROUTE};
use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
use apiscope::core::routes::route_windows::{Observation, PHASES};
use apiscope::core::routes::windows::{RollingWindows, SLOTS_PER_WIDTH, WindowsConfig};
use apiscope::core::sketch::Sketch;
use proptest::prelude::*;

mod traffic;
use traffic::{Rng, START, an_hour, live_bytes, peak_bytes};

fn windows(slot_ms: f64, fine_slots: f64, max_bytes: usize) -> RollingWindows {
    RollingWindows::new(WindowsConfig {
        slot_ms,
        fine_ms: fine_slots * slot_ms,
        retention_ms: 90_000.0 * slot_ms,
        max_bytes,
        ..WindowsConfig::default()
    })
    .unwrap()
}

fn sketch_of(values: impl Iterator<Item = f64>) -> Sketch {
    let mut sketch = Sketch::default();
    for v in values {
        sketch.record(v).unwrap();
    }
    sketch
}

/// Equal as one sketch of the same values: every bucket and exact statistic, the sum up to
/// the order it was added in.
fn assert_same(merged: &Sketch, expected: &Sketch) {
    let buckets = |s: &Sketch| s.buckets();
    assert_eq!(buckets(merged), buckets(expected));
    assert_eq!(
        (merged.count(), merged.zero_count(), merged.scale()),
        (expected.count(), expected.zero_count(), expected.scale())
    );
    assert_eq!(merged.min().to_bits(), expected.min().to_bits());
    assert_eq!(merged.max().to_bits(), expected.max().to_bits());
    let tolerance = 1e-9 * expected.sum().abs().max(1e-300);
    assert!((merged.sum() - expected.sum()).abs() <= tolerance);
}

/// Samples as `(time, duration)`: times anywhere in `0 .. span` slots (every phase of a
/// slot) or exactly on a slot boundary, durations from 0 over a wide log range.
fn samples(span: f64) -> impl Strategy<Value = Vec<(f64, f64)>> {
    let time = prop_oneof![
        3 => 0.0..span,
        1 => (0..span as u32).prop_map(f64::from),
    ];
    let duration = prop_oneof![
        1 => Just(0.0),
        9 => (-3.0f64..6.0).prop_map(|e| 10f64.powf(e)),
    ];
    prop::collection::vec((time, duration), 1..300)
}

/// The slot widths tried: whole, fractional (units that do not round-trip exactly) and odd.
fn slot_ms() -> impl Strategy<Value = f64> {
    prop::sample::select(vec![1.0, 10.0, 0.1, 7.3])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A read holds exactly the samples from the start of the slot holding the window's start
    /// to the end, which is never after the window's start, and not more than one slot
    /// before it (a quarter of the window's age past the fine span, plus two slots).
    #[test]
    fn a_sample_is_in_every_window_that_covers_its_time(
        slot in slot_ms(),
        fine in 0.0f64..40.0,
        mut timed in samples(400.0),
        after in 0.0f64..3.0,
        lengths in prop::collection::vec(1.0f64..450.0, 1..8),
    ) {
        for t in &mut timed {
            t.0 *= slot;
        }
        let mut w = windows(slot, fine, usize::MAX);
        for &(t, d) in &timed {
            w.record(d, false, t).unwrap();
        }
        let newest = timed.iter().map(|t| t.0).fold(0.0, f64::max);
        let now = newest + after * slot;
        for length in lengths {
            let window_ms = length * slot;
            let read = w.last(now, window_ms);
            let held = timed.iter().filter(|t| t.0 >= read.from_ms).map(|t| t.1);
            assert_same(&read.sketch, &sketch_of(held));
            let asked = now - window_ms;
            prop_assert!(read.from_ms <= asked);
            let covered = timed.iter().filter(|t| t.0 >= asked).count() as u64;
            prop_assert!(read.sketch.count() >= covered);
            // How far back the read may reach: the width of the slot holding its start.
            let age = (newest / slot).floor() + 1.0 - (asked / slot).floor();
            let fine_slots = fine.ceil().max(1.0);
            let widest = ((age - fine_slots) / SLOTS_PER_WIDTH as f64 + 2.0).max(1.0);
            prop_assert!(
                asked - read.from_ms < widest * slot * (1.0 + 1e-9),
                "reached back {} for a window {} with {} slots of age", asked - read.from_ms, window_ms, age
            );
            // The time just before a read: no slot in both.
            let before = w.between(read.from_ms - window_ms, read.from_ms);
            let both = timed.iter().filter(|t| t.0 >= before.from_ms).count() as u64;
            prop_assert_eq!(before.sketch.count() + read.sketch.count(), both);
        }
    }

    /// However slots were merged (coarsening, budget), the windows hold one sketch's worth of
    /// every sample, and stay within their budget unless a single slot is larger.
    #[test]
    fn merged_slots_equal_one_sketch_of_every_sample(
        slot in slot_ms(),
        fine in 0.0f64..40.0,
        mut timed in samples(3_000.0),
        max_bytes in prop_oneof![Just(usize::MAX), 100usize..20_000],
    ) {
        for t in &mut timed {
            t.0 *= slot;
        }
        let mut w = windows(slot, fine, max_bytes);
        for &(t, d) in &timed {
            w.record(d, false, t).unwrap();
            prop_assert!(w.heap_bytes() <= max_bytes || w.slot_count() == 1);
        }
        let now = timed.iter().map(|t| t.0).fold(0.0, f64::max);
        let all = w.last(now, now + slot);
        assert_same(&all.sketch, &sketch_of(timed.iter().map(|t| t.1)));
        prop_assert_eq!(w.sample_count(), timed.len() as u64);
    }

    /// Reads between records (remembered merges included) see exactly the samples recorded
    /// so far: in time order, with late ones, within a tight budget or none.
    #[test]
    fn reads_between_records_see_every_sample_so_far(
        slot in slot_ms(),
        fine in 0.0f64..40.0,
        mut timed in samples(600.0).prop_map(|mut t| { t.truncate(120); t }),
        max_bytes in prop_oneof![Just(usize::MAX), 2_000usize..20_000],
        lengths in prop::collection::vec(1.0f64..700.0, 1..4),
        every in 1usize..20,
        late in 0.0f64..1.0,
    ) {
        for t in &mut timed {
            t.0 *= slot;
        }
        timed.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut w = windows(slot, fine, max_bytes);
        let mut recorded: Vec<(f64, f64)> = Vec::new();
        for (i, &(t, d)) in timed.iter().enumerate() {
            let late = (i % every == every - 1).then_some((t * late, d));
            for (t, d) in std::iter::once((t, d)).chain(late) {
                w.record(d, false, t).unwrap();
                recorded.push((t, d));
            }
            let now = t;
            for &length in &lengths {
                let read = w.last(now, length * slot);
                let held = recorded.iter().filter(|r| r.0 >= read.from_ms).map(|r| r.1);
                assert_same(&read.sketch, &sketch_of(held));
            }
            prop_assert!(w.heap_bytes() <= max_bytes || w.slot_count() == 1);
        }
    }

    /// Timeline steps tile the time before the current slot: contiguous, whole slots (each
    /// holds exactly the samples of its time), at least `step` long, covering the window.
    #[test]
    fn timeline_steps_are_whole_slots_without_gaps(
        slot in slot_ms(),
        fine in 0.0f64..40.0,
        mut timed in samples(400.0),
        after in 0.0f64..3.0,
        length in 1.0f64..450.0,
        step_slots in 0.2f64..12.0,
    ) {
        for t in &mut timed {
            t.0 *= slot;
        }
        let mut w = windows(slot, fine, usize::MAX);
        for &(t, d) in &timed {
            w.record(d, t > 100.0 * slot, t).unwrap();
        }
        let now = timed.iter().map(|t| t.0).fold(0.0, f64::max) + after * slot;
        let (window_ms, step_ms) = (length * slot, step_slots * slot);
        let steps = w.steps(now, window_ms, step_ms);
        prop_assert!(!steps.is_empty() && steps.len() <= 1_000);
        let last = &steps[steps.len() - 1];
        prop_assert!(last.to_ms <= now && now - last.to_ms < slot * (1.0 + 1e-9));
        prop_assert!(last.to_ms - steps[0].from_ms >= window_ms * (1.0 - 1e-9) || steps.len() == 1_000);
        for pair in steps.windows(2) {
            prop_assert_eq!(pair[0].to_ms, pair[1].from_ms);
        }
        let shortest = (step_ms / slot).ceil().max(1.0) * slot * (1.0 - 1e-9);
        for step in &steps {
            prop_assert!(step.to_ms - step.from_ms >= shortest);
            let inside: Vec<_> = timed.iter().filter(|t| t.0 >= step.from_ms && t.0 < step.to_ms).collect();
            assert_same(&step.sketch, &sketch_of(inside.iter().map(|t| t.1)));
            let errors = inside.iter().filter(|t| t.0 > 100.0 * slot).count() as u64;
            prop_assert_eq!(step.errors, errors);
        }
    }
}

/// `rps` is the calls of a route's read over the time that read covers, for windows that
/// start in fine and in coarse slots and at every phase of the current slot.
#[test]
fn rps_divides_by_the_time_covered() {
    let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    // Ten calls a second for two hours, each filed at its end.
    let end = 7_200_000.0;
    let ends: Vec<f64> = (0..72_000).map(|i| f64::from(i) * 100.0 + 1.0).collect();
    for &t in &ends {
        p.record(Sample::new(t - 1.0, 1.0, "GET", "/a", 200), t)
            .unwrap();
    }
    for window_s in [
        10.0, 10.5, 25.0, 60.0, 61.0, 299.0, 300.0, 301.0, 900.0, 1_799.0, 3_600.0,
    ] {
        for phase in [0.0, 1.0, 2_500.0, 5_000.0, 9_999.0] {
            let now = end + phase;
            let window_ms = window_s * 1_000.0;
            let snap = p.snapshot(now, Some(window_ms)).unwrap();
            let from = p.export_points(now, window_ms).unwrap()[0].start_ms;
            assert!(now - from >= window_ms);
            let count = ends.iter().filter(|&&t| t >= from).count() as u64;
            assert_eq!(snap[0].summary.count, count, "{window_s} s at {phase}");
            let expected = count as f64 / ((now - from) / 1_000.0);
            assert!(
                (snap[0].rps - expected).abs() < 1e-9,
                "{window_s} s at {phase}"
            );
            if phase == 0.0 {
                // Right after the last call, steady traffic reads as its rate.
                assert!(
                    (snap[0].rps - 10.0).abs() < 0.11,
                    "{window_s} s: {}",
                    snap[0].rps
                );
            }
        }
    }
}

#[test]
fn reads_cover_the_slot_a_short_window_starts_in() {
    // The case: 10 s slots, a sample 2 s ago, a 10 s window read 7 s into a slot.
    let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
    w.record(12.0, false, 1_000_002.0).unwrap();
    for now in [1_000_004.0, 1_000_009.999, 1_000_010.0, 1_000_011.9] {
        let read = w.last(now, 10_000.0);
        assert_eq!(read.sketch.count(), 1, "at {now}");
        assert!(read.from_ms <= now - 10_000.0);
    }
    // A 60 s window covers at least 60 s: asked 59.5 s .. 119.5 s, it reads from 50 s.
    let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
    for t in [49_999.0, 50_000.0, 52_500.0, 59_999.0, 119_000.0] {
        w.record(1.0, false, t).unwrap();
    }
    let read = w.last(119_500.0, 60_000.0);
    assert_eq!((read.sketch.count(), read.from_ms), (4, 50_000.0));
}

/// A time exactly on a slot boundary, however `slot * k` rounds, belongs to the slot it
/// starts, and the time just before it to the slot before, in reads as in recording.
#[test]
fn samples_on_slot_boundaries_belong_to_the_slot_they_start() {
    for slot in [0.1, 0.3, 7.3, 10_000.0] {
        let mut w = windows(slot, 5_000.0, usize::MAX);
        for k in 1..2_000u32 {
            let t = f64::from(k) * slot;
            let just_before = f64::from_bits(t.to_bits() - 1);
            w.record(1.0, false, t).unwrap();
            w.record(2.0, false, just_before).unwrap();
            assert_eq!(w.between(t, t + slot).sketch.count(), 1, "{slot} x {k}");
            let previous = f64::from(k - 1) * slot;
            let before = w.between(previous, t).sketch;
            assert_eq!(before.count(), 1 + u64::from(k > 1), "{slot} x {k}");
            assert_eq!(before.max(), 2.0, "{slot} x {k}");
        }
    }
}

#[test]
fn windows_rotate_with_explicit_time() {
    let mut r = RouteRegistry::new(RegistryConfig::default()).unwrap();
    // One sample of i ms at the start of every 10 s slot for 10 minutes.
    for i in 0..60 {
        let t = f64::from(i) * 10_000.0;
        r.record("GET", "/a", f64::from(i + 1), i % 2 == 0, t)
            .unwrap();
    }
    let now = 590_000.0;
    // The minute 530 s .. 590 s: seven slots, the one holding 530 s included.
    let minute = r.window("GET", "/a", now, 60_000.0).unwrap();
    assert_eq!(
        (minute.sketch.count(), minute.sketch.min(), minute.errors),
        (7, 54.0, 3)
    );
    // Five minutes back, 290 s, lies in a 40 s slot (280 s .. 320 s): older than fineMs.
    let five = r.window("GET", "/a", now, 300_000.0).unwrap();
    assert_eq!((five.sketch.count(), five.from_ms), (32, 280_000.0));
    let hour = r.window("GET", "/a", now, 3_600_000.0).unwrap();
    assert_eq!(hour.sketch.count(), 60);
    let previous = r
        .window_between("GET", "/a", now - 120_000.0, now - 60_000.0)
        .unwrap();
    assert_eq!((previous.sketch.min(), previous.sketch.max()), (48.0, 53.0));
    let summary = &r.snapshot(now, Some(60_000.0))[0];
    assert_eq!((summary.count, summary.errors), (7, 3));
    assert!((summary.p50 / 57.0 - 1.0).abs() <= 0.01);
}

#[test]
fn retention_bounds_slots_however_long_the_page_lives() {
    let mut w = RollingWindows::new(WindowsConfig::default()).unwrap();
    for i in 0..2_000 {
        w.record(1.0, false, f64::from(i) * 5_000.0).unwrap();
    }
    // An hour is far fewer than 360 slots: 30 fine ones, then widths doubling.
    assert!(w.slot_count() <= 60, "{} slots", w.slot_count());
    let now = 1_999.0 * 5_000.0;
    let hour = w.last(now, 3_600_000.0).sketch.count();
    // The oldest slot kept may straddle the hour's start: at most one 640 s slot more.
    assert!((720..=720 + 128).contains(&hour), "{hour}");
    assert_eq!(
        w.last(now, 7_200_000.0).sketch.count(),
        w.sample_count(),
        "older slots are gone"
    );
}

#[test]
fn routes_beyond_the_cap_go_to_the_overflow_entry() {
    let config = RegistryConfig {
        max_routes: 3,
        ..RegistryConfig::default()
    };
    let mut r = RouteRegistry::new(config).unwrap();
    for i in 0..10 {
        r.record("GET", &format!("/r{i}"), 5.0, i == 9, 1_000.0)
            .unwrap();
    }
    assert_eq!(r.overflow_count(), 7);
    assert_eq!(r.routes().count(), 4);
    let other = r
        .window(OVERFLOW_METHOD, OVERFLOW_ROUTE, 1_000.0, 60_000.0)
        .unwrap();
    assert_eq!((other.sketch.count(), other.errors), (7, 1));
    // Known routes keep their own entry.
    r.record("GET", "/r0", 5.0, false, 2_000.0).unwrap();
    assert_eq!(r.overflow_count(), 7);
    r.clear();
    assert_eq!((r.routes().count(), r.overflow_count()), (0, 0));
}

#[test]
fn bad_registry_options_name_the_option() {
    let base = RegistryConfig::default();
    for (config, option) in [
        (
            RegistryConfig {
                slot_ms: f64::NAN,
                ..base
            },
            "slotMs",
        ),
        (
            RegistryConfig {
                retention_ms: 0.0,
                ..base
            },
            "retentionMs",
        ),
        (
            RegistryConfig {
                fine_ms: -1.0,
                ..base
            },
            "fineMs",
        ),
        (
            RegistryConfig {
                max_routes: 0,
                ..base
            },
            "maxRoutes",
        ),
        (
            RegistryConfig {
                max_bytes: 1_000,
                ..base
            },
            "maxBytes",
        ),
    ] {
        assert_eq!(RouteRegistry::new(config).unwrap_err().field, option);
    }
}

#[test]
fn windows_shorter_than_a_slot_are_refused() {
    let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    p.record(Sample::new(0.0, 5.0, "GET", "/a", 200), 10.0)
        .unwrap();
    let field = |e: apiscope::core::error::FieldError| (e.field.clone(), e.to_string());
    let expected = (
        "windowMs".to_owned(),
        "windowMs: must be at least windows.slotMs (10000), got 9999".to_owned(),
    );
    assert_eq!(
        field(p.snapshot(20.0, Some(9_999.0)).unwrap_err()),
        expected
    );
    assert_eq!(
        field(p.window("GET", "/a", 20.0, 9_999.0).unwrap_err()),
        expected
    );
    assert_eq!(field(p.export_points(20.0, 9_999.0).unwrap_err()), expected);
    assert_eq!(p.snapshot(20.0, Some(10_000.0)).unwrap().len(), 1);
    assert_eq!(
        p.window("GET", "/a", 20.0, 10_000.0)
            .unwrap()
            .unwrap()
            .count(),
        1
    );

    let rule = |window_ms| RuleSpec {
        name: "fast".into(),
        metric: "p95".into(),
        above: Some(100.0),
        window_ms,
        ..Default::default()
    };
    assert_eq!(p.add_alert(rule(5_000.0)).unwrap_err().field, "windowMs");
    assert!(p.alert_rules().is_empty(), "a refused rule is not kept");
    p.add_alert(rule(10_000.0)).unwrap();
    let config = ProfilerConfig {
        alerts: vec![rule(1_000.0)],
        ..ProfilerConfig::default()
    };
    let err = ProfilerCore::new(config, 1, "https://a.example")
        .err()
        .unwrap();
    assert_eq!(err.field, "alerts[0].windowMs");
}

/// The registry's own count of its heap bytes is what the allocator handed out for it.
#[test]
fn heap_bytes_is_what_the_allocator_holds() {
    let names: Vec<String> = (0..40).map(|i| format!("/api/r{i}/:id")).collect();
    let mut rng = Rng(7);
    let before = live_bytes();
    let config = RegistryConfig {
        max_bytes: 41 << 13,
        max_routes: 40,
        ..RegistryConfig::default()
    };
    let mut registry = RouteRegistry::new(config).unwrap();
    for i in 0..200_000u32 {
        let route = &names[(rng.uniform() * rng.uniform() * 40.0) as usize];
        let method = if i % 7 == 0 { "POST" } else { "GET" };
        let t = f64::from(i) * 20.0 + rng.uniform() * 5_000.0;
        let d = rng.lognormal(80.0, 0.7);
        // Some calls bring Resource Timing phases, whose sums the route keeps too.
        let call = Observation {
            phases: (i % 3 == 0).then_some([Some(d / 4.0); PHASES]),
            ..Observation::duration(d, i % 13 == 0)
        };
        registry.observe(method, route, &call, t).unwrap();
        if i % 1_000 == 0 {
            // Reads leave remembered merges behind: they are held too.
            let reads = registry.windows(t, Some(60_000.0 * f64::from(i % 7 + 1)), None);
            for r in &reads {
                let from = r.window.from_ms;
                registry.window_between(r.method, r.route, from - 3_600_000.0, from);
            }
            drop(reads);
            assert_eq!(registry.heap_bytes() as isize, live_bytes() - before);
        }
    }
    assert_eq!(registry.heap_bytes() as isize, live_bytes() - before);
    drop(registry);
    assert_eq!(live_bytes(), before);
}

/// What an hour of traffic holds: registry heap bytes (checked against the allocator) and the
/// most the allocator held while recording (wasm memory never shrinks).
struct Held {
    bytes: usize,
    peak: isize,
    samples: u64,
}

/// An hour of [`an_hour`]'s traffic in a default registry, read as alerts and the dashboard
/// would.
fn an_hour_of(routes: usize, per_slot: usize) -> Held {
    let before = live_bytes();
    let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    an_hour(routes, per_slot, |route, d, t| {
        registry.record("GET", route, d, false, t).unwrap();
    });
    let end = START + 3_600_000.0;
    let samples = registry
        .windows(end, None, None)
        .iter()
        .map(|r| r.window.sketch.count())
        .sum();
    for window_ms in [60_000.0, 300_000.0] {
        registry.windows(end, Some(window_ms), None);
    }
    let held = Held {
        bytes: registry.heap_bytes(),
        peak: peak_bytes() - before,
        samples,
    };
    assert_eq!(held.bytes as isize, live_bytes() - before);
    held
}

fn assert_within(what: &str, held: &Held, limit: usize, samples: u64) {
    println!(
        "{what}: {} bytes held, peak {} bytes, {} samples",
        held.bytes, held.peak, held.samples
    );
    assert_eq!(held.samples, samples);
    assert!(held.bytes <= limit, "{what}: {} > {limit}", held.bytes);
    assert!(
        held.peak <= limit as isize,
        "{what}: peak {} > {limit}",
        held.peak
    );
}

const MB: usize = 1 << 20;

#[test]
fn sparse_traffic_on_50_routes_holds_under_4_mb() {
    let held = an_hour_of(50, 2);
    assert_within("50 sparse routes", &held, 4 * MB, 50 * 720);
}

#[test]
fn sparse_traffic_on_500_routes_holds_under_16_mb() {
    let held = an_hour_of(500, 2);
    assert_within("500 sparse routes", &held, 16 * MB, 500 * 720);
}

#[test]
fn heavy_traffic_on_50_routes_holds_under_4_mb() {
    let held = an_hour_of(50, 1_000);
    assert_within("50 heavy routes", &held, 4 * MB, 50 * 360_000);
}

/// 180 M calls: about a minute unoptimised, so `cargo test` skips it and `scripts/test.sh`
/// runs it with `--release`.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "180 M calls: run with cargo test --release"
)]
fn heavy_traffic_on_500_routes_holds_under_16_mb() {
    let held = an_hour_of(500, 1_000);
    assert_within("500 heavy routes", &held, 16 * MB, 500 * 360_000);
}

/// The worst a route's traffic can do to its windows (run with the heavy ones): every
/// delivery (eight windows per route, durations and times to first byte), durations spread
/// over nine decades (full sketches in every slot), calls on 500 routes, each filed at every
/// phase of a slot. The registry's byte budget still holds the whole, and the hour's count is
/// exact.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "1.8 M calls: run with cargo test --release"
)]
fn heavy_traffic_at_its_worst_on_500_routes_holds_under_16_mb() {
    use apiscope::core::delivery::{Delivery, Protocol, Timing};
    let names: Vec<String> = (0..500).map(traffic::route).collect();
    let mut rng = Rng(11);
    let before = live_bytes();
    let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    let mut calls = 0u64;
    for slot in 0..360 {
        for _ in 0..10 {
            for name in &names {
                let duration = 10f64.powf(rng.uniform() * 9.0 - 3.0);
                let call = Observation {
                    duration_ms: duration,
                    error: rng.uniform() < 0.1,
                    ttfb_ms: Some(duration * rng.uniform()),
                    timing: Timing::Full,
                    delivery: Delivery::ALL[(rng.uniform() * 4.0) as usize],
                    protocol: Protocol::Unknown,
                    phases: Some([Some(duration / 2.0); PHASES]),
                    slow: None,
                };
                let t = START + (f64::from(slot) + rng.uniform()) * 10_000.0;
                registry.observe("GET", name, &call, t).unwrap();
                calls += 1;
            }
        }
    }
    let end = START + 3_600_000.0;
    let counted: u64 = registry
        .windows(end, None, None)
        .iter()
        .map(|r| r.window.sketch.count())
        .sum();
    let held = Held {
        bytes: registry.heap_bytes(),
        peak: peak_bytes() - before,
        samples: counted,
    };
    assert_eq!(held.bytes as isize, live_bytes() - before);
    assert_within("500 routes, worst traffic", &held, 16 * MB, calls);
}
