//! The few shapes that cross from the engine to JS, written by hand as flat numbers plus one
//! string of lines, so no serializer (and no float formatting) ships in the wasm. Each
//! encoding starts with its row width, so js/engine/decode.js can check it reads the same
//! layout; a label line per row carries its strings, fields separated by tabs.

use crate::core::alerts::AlertEvent;
use crate::core::alerts::trend::Trend;
use crate::core::batch::batcher::Batch;
use crate::core::batch::columnar::ColumnarBatch;
use crate::core::profiler::timing::Breakdown;
use crate::core::profiler::{BreakdownMeans, RouteSnapshot, SlowCallReport};
use crate::core::sketch::Sketch;

pub use crate::api::rows::Out;
use crate::api::rows::{SUMMARY, summary};

/// One trend: baseline, current, change, pValue, significant.
const TREND: usize = 5;
/// `RouteSnapshot`: the summary, rps, then a trend flag, p50/p95/p99 trends, statistic,
/// critical, distributionChanged, baselineCount, currentCount.
const SNAPSHOT: usize = SUMMARY + 1 + 1 + 3 * TREND + 5;

fn trend(numbers: &mut Vec<f64>, t: &Trend) {
    numbers.extend_from_slice(&[
        t.baseline,
        t.current,
        t.change,
        t.p_value,
        f64::from(u8::from(t.significant)),
    ]);
}

/// Live per-route figures; labels `method \t route`.
pub fn snapshot(rows: &[RouteSnapshot]) -> Out {
    let mut out = Out::new(SNAPSHOT, rows.len());
    for row in rows {
        summary(&mut out.numbers, &row.summary);
        out.numbers.push(row.rps);
        match &row.trend {
            Some(t) => {
                out.numbers.push(1.0);
                for q in [&t.p50, &t.p95, &t.p99] {
                    trend(&mut out.numbers, q);
                }
                out.numbers.extend_from_slice(&[
                    t.statistic,
                    t.critical,
                    f64::from(u8::from(t.distribution_changed)),
                    t.baseline_count as f64,
                    t.current_count as f64,
                ]);
            }
            None => {
                out.numbers.push(0.0);
                out.numbers.extend_from_slice(&[f64::NAN; 3 * TREND + 5]);
            }
        }
        out.label(&[&row.summary.method, &row.summary.route]);
    }
    out
}

/// A sketch's occupied buckets as three columns: `[3, n, lower × n, upper × n, counts × n]`.
pub fn buckets(sketch: Option<&Sketch>) -> Vec<f64> {
    let buckets = sketch.map_or_else(Vec::new, Sketch::buckets);
    let mut numbers = Vec::with_capacity(2 + 3 * buckets.len());
    numbers.extend_from_slice(&[3.0, buckets.len() as f64]);
    // Loops, not chains (ARCHITECTURE.md, "Bytes"), here and below.
    for b in &buckets {
        numbers.push(b.lower);
    }
    for b in &buckets {
        numbers.push(b.upper);
    }
    for b in &buckets {
        numbers.push(b.count as f64);
    }
    numbers
}

/// Breakdown phases, NaN where unknown: dns, connect, tls, ttfb, download, server,
/// transferSize.
const PHASES: usize = 7;

fn phases(numbers: &mut Vec<f64>, b: &Breakdown) {
    let known = |v: Option<f64>| v.unwrap_or(f64::NAN);
    numbers.extend_from_slice(&[
        known(b.dns),
        known(b.connect),
        known(b.tls),
        known(b.ttfb),
        known(b.download),
        known(b.server),
        known(b.transfer_size),
    ]);
}

/// A route's mean phases and how many calls matched: `[8, phases…, matched]`.
pub fn breakdown_means(m: &BreakdownMeans) -> Vec<f64> {
    let known = |v: Option<f64>| v.unwrap_or(f64::NAN);
    vec![
        (PHASES + 1) as f64,
        known(m.dns),
        known(m.connect),
        known(m.tls),
        known(m.ttfb),
        known(m.download),
        known(m.server),
        known(m.transfer_size),
        m.matched as f64,
    ]
}

/// The slow-call log of one route: status, durationMs, startTime, phases; labels `url`.
pub fn slow_calls(calls: &[SlowCallReport]) -> Out {
    let mut out = Out::new(3 + PHASES, calls.len());
    for c in calls {
        out.numbers
            .extend_from_slice(&[f64::from(c.status), c.duration_ms, c.start_time]);
        phases(&mut out.numbers, &c.breakdown);
        out.label(&[&c.url]);
    }
    out
}

/// Alert transitions: fired (1) or resolved (0), value, threshold, windowMs, samples,
/// firedAt, at; labels `rule \t method \t route \t metric`.
pub fn alert_events(events: &[AlertEvent]) -> Out {
    let mut out = Out::new(7, events.len());
    for e in events {
        let fired = matches!(e.kind, crate::core::alerts::AlertKind::Fired);
        out.numbers.extend_from_slice(&[
            f64::from(u8::from(fired)),
            e.value,
            e.threshold,
            e.window_ms,
            e.samples as f64,
            e.fired_at,
            e.at,
        ]);
        out.label(&[&e.rule, &e.method, &e.route, e.metric.as_str()]);
    }
    out
}

/// One stored batch as its record's columns, concatenated: `[n, start × n, duration × n,
/// status × n, ok × n, bytes × n, routeId × n, ttfb × n, flags × n, minStart, maxStart]`;
/// labels: the batch id, then the route dictionary (`METHOD route` per line).
pub fn batch(batch: &ColumnarBatch) -> Out {
    let c = batch.columns();
    let n = batch.len();
    let mut numbers = Vec::with_capacity(3 + 8 * n);
    numbers.push(n as f64);
    numbers.extend_from_slice(&c.start_ms);
    numbers.extend_from_slice(&c.duration_ms);
    for &v in &c.status {
        numbers.push(f64::from(v));
    }
    for &v in &c.ok {
        numbers.push(f64::from(v));
    }
    numbers.extend_from_slice(&c.bytes);
    for &v in &c.route_id {
        numbers.push(f64::from(v));
    }
    numbers.extend_from_slice(&c.ttfb_ms);
    for &v in &c.flags {
        numbers.push(f64::from(v));
    }
    numbers.push(batch.min_start_ms());
    numbers.push(batch.max_start_ms());
    let mut labels = String::with_capacity(32 + c.routes.len() * 24);
    labels.push_str(&c.id);
    for route in &c.routes {
        labels.push('\n');
        labels.push_str(route);
    }
    Out { numbers, labels }
}

/// The id a batch is stored under.
pub fn batch_id(batch: &Batch) -> String {
    batch.id.to_string()
}
