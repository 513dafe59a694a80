//! `Sketch` for JavaScript: the percentile engine behind numbers and typed arrays only.
//!
//! `js/sketch/sketch.js` wraps this class: it checks every argument's type, buffers per-call
//! records and hands them over in one `recordMany`, and builds the OTLP object and the bucket
//! arrays from what these methods return. Nothing here reads a JS object, so the part links
//! no serde, no `Reflect` and no float formatting.

use crate::core::error::FieldError;
use crate::core::sketch::{Sketch, SketchConfig};
use wasm_bindgen::prelude::*;

/// A mergeable percentile sketch of latencies in milliseconds (OTel exponential histogram).
#[wasm_bindgen(js_name = Sketch)]
pub struct JsSketch {
    inner: Sketch,
}

#[wasm_bindgen(js_class = Sketch)]
impl JsSketch {
    /// A sketch of the options JS read (`undefined` keeps a default); an out-of-range value is
    /// a `RangeError` naming the option.
    #[wasm_bindgen(constructor)]
    pub fn new(
        max_relative_error: Option<f64>,
        max_buckets: Option<f64>,
    ) -> Result<JsSketch, JsValue> {
        let config = SketchConfig::from_numbers(max_relative_error, max_buckets).map_err(to_js)?;
        let inner = Sketch::new(config).map_err(to_js)?;
        Ok(Self { inner })
    }

    /// Records one duration; NaN, infinities and negatives throw a `RangeError`.
    pub fn record(&mut self, v: f64) -> Result<(), JsValue> {
        self.inner.record(v).map_err(to_js)
    }

    /// Records a whole `Float64Array`, or nothing if any value is bad.
    #[wasm_bindgen(js_name = recordMany)]
    pub fn record_many(&mut self, values: &[f64]) -> Result<(), JsValue> {
        self.inner.record_many(values).map_err(to_js)
    }

    /// The quantile `q` in `[0, 1]`; NaN when empty.
    pub fn quantile(&self, q: f64) -> Result<f64, JsValue> {
        self.inner.quantile(q).map_err(to_js)
    }

    /// Several quantiles in one call.
    pub fn quantiles(&self, qs: &[f64]) -> Result<Vec<f64>, JsValue> {
        self.inner.quantiles(qs).map_err(to_js)
    }

    /// Values recorded.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> f64 {
        self.inner.count() as f64
    }

    /// Exact sum of the values.
    #[wasm_bindgen(getter)]
    pub fn sum(&self) -> f64 {
        self.inner.sum()
    }

    /// Smallest value (NaN when empty).
    #[wasm_bindgen(getter)]
    pub fn min(&self) -> f64 {
        self.inner.min()
    }

    /// Largest value (NaN when empty).
    #[wasm_bindgen(getter)]
    pub fn max(&self) -> f64 {
        self.inner.max()
    }

    /// Current OTel scale.
    #[wasm_bindgen(getter)]
    pub fn scale(&self) -> i32 {
        self.inner.scale()
    }

    /// Worst relative error of any quantile at the current scale.
    #[wasm_bindgen(getter, js_name = relativeError)]
    pub fn relative_error(&self) -> f64 {
        self.inner.relative_error()
    }

    /// Adds `other`'s values (lossless; the coarser scale wins).
    pub fn merge(&mut self, other: &JsSketch) {
        self.inner.merge(&other.inner);
    }

    /// Compact versioned bytes; `Sketch.fromBytes` restores them exactly.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
    }

    /// Decodes `toBytes` output; corrupt bytes throw an `Error`.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<JsSketch, JsValue> {
        let inner = Sketch::from_bytes(bytes).map_err(to_js)?;
        Ok(Self { inner })
    }

    /// The OTLP data point's integers, exact: `[count, zeroCount, offset, ...bucketCounts]`,
    /// `offset` (an `i32`) in two's complement (JS writes the counts as the decimal strings
    /// OTLP/JSON wants).
    #[wasm_bindgen(js_name = otlpIntegers)]
    pub fn otlp_integers(&self) -> Vec<u64> {
        let point = self.inner.to_otlp();
        let mut out = Vec::with_capacity(3 + point.positive.bucket_counts.len());
        let offset = i64::from(point.positive.offset) as u64;
        out.extend([point.count, point.zero_count, offset]);
        out.extend(point.positive.bucket_counts);
        out
    }

    /// The occupied buckets, zero bucket first, as one array: `n` lower bounds, then `n` upper
    /// bounds, then `n` counts.
    #[wasm_bindgen(js_name = bucketColumns)]
    pub fn bucket_columns(&self) -> Vec<f64> {
        let (mut lower, mut upper, mut counts) = (Vec::new(), Vec::new(), Vec::new());
        for bucket in self.inner.buckets() {
            lower.push(bucket.lower);
            upper.push(bucket.upper);
            counts.push(bucket.count as f64);
        }
        lower.append(&mut upper);
        lower.append(&mut counts);
        lower
    }
}

/// A core error as the exception to throw (`RangeError`, or `Error` for corrupt bytes), worded
/// by the core with its numbers left to JS: each is `\u{1}` and the 16 hex digits of its bits,
/// which `js/sketch/sketch.js` writes as `String(n)`. So the part links no number formatting.
fn to_js(e: FieldError) -> JsValue {
    let message = e.message_with(mark_number);
    if e.is_corrupt() {
        Error::new(&message).into()
    } else {
        RangeError::new(&message).into()
    }
}

// The two exception classes, declared here rather than taken from js-sys, so that the sketch
// part links no js-sys at all.
#[wasm_bindgen]
extern "C" {
    type Error;
    #[wasm_bindgen(constructor)]
    fn new(message: &str) -> Error;

    type RangeError;
    #[wasm_bindgen(constructor)]
    fn new(message: &str) -> RangeError;
}

fn mark_number(out: &mut String, v: f64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('\u{1}');
    let bits = v.to_bits();
    for shift in (0..16).rev() {
        out.push(char::from(HEX[(bits >> (4 * shift)) as usize & 15]));
    }
}
