//! The history part (`pkg/history/`): `Profiler.query()`'s per-route figures of stored
//! batches, in a wasm of its own that a page downloads the first time it queries, so the
//! engine every page loads does not carry it. It keeps no state between queries: each one
//! gathers the records IndexedDB returned, summarizes them and forgets them.

use wasm_bindgen::prelude::*;

use crate::api::errors::field_error;
use crate::api::rows::{Out, SUMMARY, summary};
use crate::core::ascii::split_owned;
use crate::core::batch::columnar::{ColumnarBatch, Columns};
use crate::core::batch::history::summarize_history;
use crate::core::routes::glob::Glob;

/// One query's stored batches, gathered for `summary()`.
#[wasm_bindgen]
#[derive(Default)]
pub struct History {
    batches: Vec<ColumnarBatch>,
    labels: String,
}

#[wasm_bindgen]
impl History {
    /// An empty gathering.
    #[wasm_bindgen(constructor)]
    pub fn new() -> History {
        History::default()
    }

    /// Adds one stored record (corrupt records are refused with an Error naming the column,
    /// and the caller skips them).
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        id: String,
        start: Vec<f64>,
        duration: Vec<f64>,
        status: Vec<u16>,
        ok: Vec<u8>,
        bytes: Vec<f64>,
        route_id: Vec<u32>,
        routes: &str,
        ttfb: Vec<f64>,
        flags: Vec<u8>,
    ) -> Result<(), JsValue> {
        let batch = ColumnarBatch::from_columns(Columns {
            id,
            start_ms: start,
            duration_ms: duration,
            status,
            ok,
            bytes,
            route_id,
            routes: split_owned(routes, b'\n'),
            ttfb_ms: ttfb,
            flags,
        })
        .map_err(field_error)?;
        self.batches.push(batch);
        Ok(())
    }

    /// Per-route figures of the gathered records with samples starting in `[from, to)` (epoch
    /// ms) and a route matching `glob` (every route when empty), busiest first: `SUMMARY`
    /// numbers per row, labels `method \t route` in `labels()`. Forgets the gathered records.
    pub fn summary(&mut self, from: f64, to: f64, glob: &str) -> Vec<f64> {
        let glob = (!glob.is_empty()).then(|| Glob::new(glob));
        let rows = summarize_history(&self.batches, from, to, glob.as_ref());
        self.batches.clear();
        let mut out = Out::new(SUMMARY, rows.len());
        for row in &rows {
            summary(&mut out.numbers, row);
            out.label(&[&row.method, &row.route]);
        }
        self.labels = out.labels;
        out.numbers
    }

    /// The label lines of the last `summary()`.
    pub fn labels(&self) -> String {
        self.labels.clone()
    }
}
