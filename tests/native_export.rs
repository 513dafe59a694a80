//! OTLP export through the pure profiler core: whatever mix of hooked requests, app-recorded
//! samples, refused samples and exports, every sample the core accepts is in exactly one
//! export, in its route's histogram.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use apiscope::core::batch::sample::Sample;
use apiscope::core::export::{BodyBytes, EntryKey, ExportQueue, OutboxEntry, SendOutcome};
use apiscope::core::profiler::request::{Outcome, SettledRequest, Transport};
use apiscope::core::profiler::{ProfilerConfig, ProfilerCore, Settle};
use apiscope::core::sketch::Sketch;
use proptest::prelude::*;

const ORIGIN: &str = "https://app.example";

#[derive(Debug, Clone)]
enum Step {
    /// A request the hooks saw, on call site `site` (0..3), `duration` ms.
    Hooked { site: u32, duration: f64, ok: bool },
    /// A sample the app recorded itself; a negative duration is refused.
    Recorded { route: u8, duration: f64 },
    /// An export interval ends.
    Take,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u32..3, 0.0f64..5_000.0, any::<bool>()).prop_map(|(site, duration, ok)| Step::Hooked { site, duration, ok }),
        3 => (0u8..4, -10.0f64..5_000.0).prop_map(|(route, duration)| Step::Recorded { route, duration }),
        1 => Just(Step::Take),
    ]
}

proptest! {
    #[test]
    fn every_accepted_sample_is_exported_exactly_once(steps in prop::collection::vec(step(), 1..300)) {
        // Without Resource Timing a hooked call is filed at once, timed to its headers.
        let config = ProfilerConfig { resource_timing: false, ..ProfilerConfig::default() };
        let mut core = ProfilerCore::new(config, 1, ORIGIN).unwrap();
        core.register_sites(
            &[0, 1, 2],
            "GET\thttps://app.example/api/users/7\t\nPOST\thttps://app.example/api/orders\t\nGET\thttps://api.example/v1/items/99\t",
        )
        .unwrap();
        let mut now = 1_000_000.0;
        core.enable_export(now).unwrap();
        let mut expected: HashMap<(String, String), (Sketch, u64)> = HashMap::new();
        let mut exported: HashMap<(String, String), (Sketch, u64)> = HashMap::new();
        let mut last_end = now;
        let mut take = |core: &mut ProfilerCore, now: f64, last_end: &mut f64| {
            for point in core.take_export(now).unwrap_or_default() {
                // Delta temporality: each interval starts where the previous one ended.
                prop_assert_eq!(point.start_ms, *last_end);
                let entry = exported.entry((point.method, point.route)).or_default();
                entry.0.merge(&point.sketch);
                entry.1 += point.errors;
            }
            *last_end = now;
            Ok(())
        };
        for step in steps {
            now += 7.0;
            match step {
                Step::Hooked { site, duration, ok } => {
                    let start_ms = now - duration;
                    let request = SettledRequest {
                        site,
                        transport: Transport::Fetch,
                        status: if ok { 200 } else { 503 },
                        outcome: if ok { Outcome::Ok } else { Outcome::HttpError },
                        start_ms,
                        headers_ms: now,
                        end_ms: None,
                    };
                    // What the core measures: headers minus start.
                    let duration = now - start_ms;
                    let Settle::Filed(route) = core.settle(request, now) else {
                        panic!("site {site} was registered");
                    };
                    let method = if site == 1 { "POST" } else { "GET" };
                    let entry = expected.entry((method.into(), route.to_string())).or_default();
                    entry.0.record(duration).unwrap();
                    entry.1 += u64::from(!ok);
                }
                Step::Recorded { route, duration } => {
                    let route = format!("/app/{route}");
                    let sample = Sample::new(now - duration.max(0.0), duration, "GET", route.as_str(), 200);
                    if core.record(sample, now).is_ok() {
                        expected.entry(("GET".into(), route)).or_default().0.record(duration).unwrap();
                    } else {
                        prop_assert!(duration < 0.0);
                    }
                }
                Step::Take => take(&mut core, now, &mut last_end)?,
            }
        }
        take(&mut core, now + 1.0, &mut last_end)?;
        prop_assert!(core.take_export(now + 2.0).is_none());
        let accepted: u64 = expected.values().map(|(s, _)| s.count()).sum();
        prop_assert_eq!(accepted, core.batch_stats().accepted);
        // Sums may differ in the last bits (added in another order); all else is exact.
        let exact = |routes: &HashMap<(String, String), (Sketch, u64)>| {
            let mut rows: Vec<_> = routes
                .iter()
                .map(|(route, (s, errors))| {
                    let buckets: Vec<_> = s.buckets().iter().map(|b| (b.lower, b.count)).collect();
                    (route.clone(), s.count(), s.zero_count(), buckets, s.min(), s.max(), *errors)
                })
                .collect();
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            rows
        };
        prop_assert_eq!(exact(&exported), exact(&expected));
        for (route, (sketch, _)) in &expected {
            let sum = exported[route].0.sum();
            prop_assert!((sum - sketch.sum()).abs() <= 1e-9 * sketch.sum().abs().max(1.0));
        }
    }
}

#[test]
fn export_off_takes_nothing() {
    let mut core = ProfilerCore::new(ProfilerConfig::default(), 1, ORIGIN).unwrap();
    core.record(Sample::new(0.0, 5.0, "GET", "/a", 200), 10.0)
        .unwrap();
    assert!(core.take_export(20.0).is_none());
}

/// The outbox policy as the JS exporter drives it: bodies it keeps itself, known by size.
#[test]
fn a_queue_of_body_sizes_restores_in_key_order_and_keeps_sends_in_flight() {
    let key = |created_ms, seq| EntryKey {
        created_ms,
        session: 3,
        seq,
    };
    let entry = |created_ms, seq, bytes| OutboxEntry {
        key: key(created_ms, seq),
        body: BodyBytes(bytes),
        points: 1,
        attempts: 0,
    };
    let mut queue = ExportQueue::new(3);
    assert!(
        queue
            .restore(vec![entry(5.0, 0, 10), entry(1.0, 0, 10)])
            .is_empty()
    );
    let sending = queue.next_send().unwrap();
    assert_eq!(sending.key, key(1.0, 0));
    // Storage read again (another tab's bodies, and ours): nothing twice, oldest first, the
    // one in flight kept; the bound drops the oldest idle one.
    let dropped = queue.restore(vec![
        entry(1.0, 0, 10),
        entry(3.0, 0, 10),
        entry(9.0, 1, 10),
    ]);
    assert_eq!(dropped, [key(3.0, 0)]);
    assert_eq!(queue.stats().outbox_len, 3);
    assert!(
        queue.settle(&sending.key, SendOutcome::of_status(200))
            == apiscope::core::export::Settled::Remove
    );
    let next: Vec<EntryKey> = std::iter::from_fn(|| queue.next_send().map(|e| e.key)).collect();
    assert_eq!(next, [key(5.0, 0), key(9.0, 1)]);
}
