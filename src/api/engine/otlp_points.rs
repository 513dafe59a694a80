//! OTLP export points as numbers, for js/export/otlp.js to write as OTLP/HTTP JSON: the lean
//! engine's `exportPoints` (the live windows, for `Profiler.exportOtlp`) and the export
//! variant's `exportTake` (the deltas since the last export) share this layout, so the JSON
//! text, and the split of it into bodies by bytes, is written in one place, in JS.
//!
//! Layout: `[histograms, point...]`, where `histograms` says how many histograms each point
//! carries (index 0 the duration; js/export/otlp.js `HISTOGRAMS` names each index's metric),
//! and a point is `startMs, endMs, errors`, then per histogram `count, sum, min, max, scale,
//! zeroCount, offset, n, bucketCounts × n` (min and max NaN when empty). Times are epoch ms.
//! Labels: `method \t route`, one line per point.

use wasm_bindgen::prelude::*;

use crate::api::errors::field_error;

use super::Engine;
use super::encode::Out;
use crate::core::export::ExportPoint;
use crate::core::sketch::Sketch;

/// Histograms per point: the duration. A second one (TTFB) is one more sketch in
/// `ExportPoint`, written here after the first, and one more entry in js/export/otlp.js.
const HISTOGRAMS: usize = 1;

/// The points in the layout above.
pub(super) fn points(points: &[ExportPoint]) -> Out {
    let mut numbers = Vec::with_capacity(1 + points.len() * 16);
    numbers.push(HISTOGRAMS as f64);
    let mut labels = String::with_capacity(points.len() * 24);
    for (i, p) in points.iter().enumerate() {
        numbers.extend_from_slice(&[p.start_ms, p.end_ms, p.errors as f64]);
        histogram(&mut numbers, &p.sketch);
        if i > 0 {
            labels.push('\n');
        }
        labels.push_str(&p.method);
        labels.push('\t');
        labels.push_str(&p.route);
    }
    Out { numbers, labels }
}

fn histogram(numbers: &mut Vec<f64>, sketch: &Sketch) {
    let h = sketch.to_otlp();
    let counts = &h.positive.bucket_counts;
    numbers.extend_from_slice(&[
        h.count as f64,
        h.sum,
        h.min.unwrap_or(f64::NAN),
        h.max.unwrap_or(f64::NAN),
        f64::from(h.scale),
        h.zero_count as f64,
        f64::from(h.positive.offset),
        counts.len() as f64,
    ]);
    for &c in counts {
        numbers.push(c as f64);
    }
}

#[wasm_bindgen]
impl Engine {
    /// Every route's live windows over the last `window_ms` as export points (layout above;
    /// `startMs` is `now - window_ms`), for `Profiler.exportOtlp`.
    #[wasm_bindgen(js_name = exportPoints)]
    pub fn export_points(&mut self, now: f64, window_ms: f64) -> Result<Vec<f64>, JsValue> {
        let rows = self
            .core
            .export_points(self.epoch(now), window_ms)
            .map_err(field_error)?;
        Ok(self.rows(points(&rows)))
    }
}
