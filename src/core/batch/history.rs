//! Per-route figures from stored history: the batches IndexedDB returns for a time range are
//! folded into one sketch per (method, route), straight from their columns.

use crate::core::ascii::split_once;
use crate::core::batch::columnar::ColumnarBatch;
use crate::core::delivery::{Timing, unpack};
use crate::core::map::Map;
use crate::core::order::sort_by;
use crate::core::routes::RouteSummary;
use crate::core::routes::glob::Glob;
use crate::core::routes::registry::summarize;
use crate::core::sketch::Sketch;

/// Summaries of the samples in `batches` that started in `[from_ms, to_ms)` and whose route
/// matches `route` (a glob; all routes when `None`), busiest route first.
///
/// ```
/// use apiscope::core::batch::columnar::ColumnarBatch;
/// use apiscope::core::batch::history::summarize_history;
/// use apiscope::core::batch::sample::Sample;
/// let batch = ColumnarBatch::encode("b", &[
///     Sample::new(10.0, 100.0, "GET", "/a", 200),
///     Sample::new(20.0, 300.0, "GET", "/a", 500),
///     Sample::new(99.0, 5.0, "GET", "/b", 200),
/// ]).unwrap();
/// let summaries = summarize_history(&[batch], 0.0, 50.0, None);
/// assert_eq!(summaries.len(), 1);
/// assert_eq!((summaries[0].count, summaries[0].errors), (2, 1));
/// ```
pub fn summarize_history(
    batches: &[ColumnarBatch],
    from_ms: f64,
    to_ms: f64,
    route: Option<&Glob>,
) -> Vec<RouteSummary> {
    // Tallies in first-seen order, found by key through a `Map<&str, u32>` (see
    // `AlertEngine::forget_quiet`).
    let mut index: Map<&str, u32> = Map::default();
    let mut tallies: Vec<(&str, Tally)> = Vec::new();
    for batch in batches {
        let c = batch.columns();
        // Which dictionary entries pass the route filter, decided once per batch.
        let wanted: Vec<bool> = c
            .routes
            .iter()
            .map(|key| route.is_none_or(|g| g.matches(split_key(key).1)))
            .collect();
        for i in 0..batch.len() {
            let id = c.route_id[i] as usize;
            let start = c.start_ms[i];
            if !wanted[id] || start < from_ms || start >= to_ms {
                continue;
            }
            let key = c.routes[id].as_str();
            let at = *index.entry(key).or_insert_with(|| {
                tallies.push((key, Tally::default()));
                tallies.len() as u32 - 1
            });
            let tally = &mut tallies[at as usize].1;
            // Stored durations were validated on the way in; a corrupt one is skipped.
            if tally.latency.record(c.duration_ms[i]).is_err() {
                continue;
            }
            tally.errors += u64::from(c.ok[i] == 0);
            let (timing, delivery) = unpack(c.flags[i]);
            tally.deliveries[delivery as usize] += 1;
            tally.headers_only += u64::from(timing == Timing::Headers);
            if c.ttfb_ms[i] >= 0.0 {
                let _ = tally.ttfb.record(c.ttfb_ms[i]);
            }
        }
    }
    let mut summaries: Vec<RouteSummary> = tallies
        .into_iter()
        .map(|(key, t)| {
            let (method, route) = split_key(key);
            let mut s = summarize(method, route, &t.latency, t.errors);
            let p = |q| t.ttfb.quantile(q).unwrap_or(f64::NAN);
            s.ttfb_count = t.ttfb.count();
            (s.ttfb_p50, s.ttfb_p95, s.ttfb_p99) = (p(0.5), p(0.95), p(0.99));
            s.headers_only = t.headers_only;
            s.deliveries = t.deliveries;
            s
        })
        .collect();
    sort_by(&mut summaries, |a, b| {
        (b.count, &a.route, &a.method).cmp(&(a.count, &b.route, &b.method))
    });
    summaries
}

/// One route's stored samples, folded.
#[derive(Default)]
struct Tally {
    latency: Sketch,
    errors: u64,
    ttfb: Sketch,
    headers_only: u64,
    deliveries: [u64; 4],
}

/// Splits a route dictionary key `"METHOD route"`.
fn split_key(key: &str) -> (&str, &str) {
    split_once(key, b' ').unwrap_or(("GET", key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::batch::sample::Sample;

    #[test]
    fn figures_equal_a_sketch_of_the_same_values() {
        let samples: Vec<Sample> = (1..=1000)
            .map(|i| Sample::new(i as f64, i as f64 * 0.7, "POST", "/api/orders", 201))
            .collect();
        let batches: Vec<ColumnarBatch> = samples
            .chunks(300)
            .enumerate()
            .map(|(n, chunk)| ColumnarBatch::encode(format!("b{n}"), chunk).unwrap())
            .collect();
        let mut direct = Sketch::default();
        for s in &samples {
            direct.record(s.duration_ms).unwrap();
        }
        let summary = &summarize_history(&batches, 0.0, f64::INFINITY, None)[0];
        let mut want = summarize("POST", "/api/orders", &direct, 0);
        want.deliveries = [1000, 0, 0, 0]; // recorded by the app: delivery unknown
        // Debug text compares the NaN ttfb quantiles (no ttfb recorded) as equal.
        assert_eq!(format!("{summary:?}"), format!("{want:?}"));
    }

    #[test]
    fn the_route_glob_filters() {
        let batch = ColumnarBatch::encode(
            "b",
            &[
                Sample::new(1.0, 1.0, "GET", "/api/users/:id", 200),
                Sample::new(1.0, 1.0, "GET", "/health", 200),
            ],
        )
        .unwrap();
        let glob = Glob::new("/api/**");
        let routes: Vec<String> = summarize_history(&[batch], 0.0, 10.0, Some(&glob))
            .into_iter()
            .map(|s| s.route)
            .collect();
        assert_eq!(routes, ["/api/users/:id"]);
    }
}
