//! What the engine part and the history part both write: rows of numbers plus label lines
//! (src/api/engine/encode.rs describes the encoding), and the route summary row, which the
//! engine's live snapshot and the history part's summary share, so js/engine/decode.js reads
//! one layout for both.

use crate::core::routes::RouteSummary;

/// Numbers and label lines being written.
#[derive(Default)]
pub struct Out {
    /// Row width, then the rows.
    pub numbers: Vec<f64>,
    /// One line per row.
    pub labels: String,
}

impl Out {
    /// Room for `rows` rows of `width` numbers, the width first.
    pub fn new(width: usize, rows: usize) -> Self {
        let mut numbers = Vec::with_capacity(1 + width * rows);
        numbers.push(width as f64);
        Self {
            numbers,
            labels: String::new(),
        }
    }

    /// Appends one label line, its fields separated by tabs.
    pub fn label(&mut self, fields: &[&str]) {
        if !self.labels.is_empty() {
            self.labels.push('\n');
        }
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.labels.push('\t');
            }
            self.labels.push_str(field);
        }
    }
}

/// `RouteSummary` numbers: count, errors, errorRate, p50, p90, p95, p99, min, max, mean,
/// ttfbCount, ttfbP50, ttfbP95, ttfbP99, headersOnly, the 4 delivery counts, the 4 protocol
/// counts.
pub const SUMMARY: usize = 23;

/// Appends one `RouteSummary` row (`SUMMARY` numbers).
pub fn summary(numbers: &mut Vec<f64>, s: &RouteSummary) {
    numbers.extend_from_slice(&[
        s.count as f64,
        s.errors as f64,
        s.error_rate,
        s.p50,
        s.p90,
        s.p95,
        s.p99,
        s.min,
        s.max,
        s.mean,
        s.ttfb_count as f64,
        s.ttfb_p50,
        s.ttfb_p95,
        s.ttfb_p99,
        s.headers_only as f64,
    ]);
    for &c in s.deliveries.iter().chain(&s.protocols) {
        numbers.push(c as f64);
    }
}
