//! `Sketch` for JavaScript: the percentile engine behind validation and bulk conversion.

use crate::api::errors::{range_error, type_error};
use crate::core::error::FieldError;
use crate::core::sketch::{Sketch, SketchConfig};
use js_sys::{Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Options of `new Sketch(options)`. */
export interface SketchOptions {
  /** Worst relative error of any quantile, in [3.3e-7, 1); default 0.01. */
  maxRelativeError?: number;
  /** Most buckets held before the sketch halves its resolution, in [2, 65536]; default 2048. */
  maxBuckets?: number;
}
/** The occupied buckets: `counts[i]` values in `(lower[i], upper[i]]` (zero bucket first). */
export interface SketchBuckets {
  lower: Float64Array;
  upper: Float64Array;
  counts: Float64Array;
}
"#;

/// A mergeable percentile sketch of latencies in milliseconds (OTel exponential histogram).
#[wasm_bindgen(js_name = Sketch)]
pub struct JsSketch {
    inner: Sketch,
}

#[wasm_bindgen(js_class = Sketch)]
impl JsSketch {
    /// `new Sketch(options?)`. Unknown keys are a `TypeError`, out-of-range values a
    /// `RangeError`, each naming the option.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SketchOptions | undefined")] options: JsValue,
    ) -> Result<JsSketch, JsValue> {
        let inner = Sketch::new(parse_options(&options)?).map_err(to_js)?;
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

    /// Mean value (NaN when empty).
    #[wasm_bindgen(getter)]
    pub fn mean(&self) -> f64 {
        self.inner.mean()
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

    /// An OTLP JSON `ExponentialHistogramDataPoint` (64-bit integers as decimal strings).
    #[wasm_bindgen(js_name = toOtlp)]
    pub fn to_otlp(&self) -> Result<JsValue, JsValue> {
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        serde::Serialize::serialize(&self.inner.to_otlp(), &serializer).map_err(JsValue::from)
    }

    /// The occupied buckets as three parallel `Float64Array`s, for drawing a histogram.
    #[wasm_bindgen(unchecked_return_type = "SketchBuckets")]
    pub fn buckets(&self) -> Result<JsValue, JsValue> {
        let (mut lower, mut upper, mut counts) = (Vec::new(), Vec::new(), Vec::new());
        for bucket in self.inner.buckets() {
            lower.push(bucket.lower);
            upper.push(bucket.upper);
            counts.push(bucket.count as f64);
        }
        let out = Object::new();
        for (key, values) in [("lower", lower), ("upper", upper), ("counts", counts)] {
            Reflect::set(&out, &key.into(), &Float64Array::from(values.as_slice()))?;
        }
        Ok(out.into())
    }
}

/// Bad arguments become `RangeError`s, corrupt bytes a plain `Error`.
fn to_js(err: FieldError) -> JsValue {
    super::errors::field_error(err)
}

/// Reads `{ maxRelativeError?, maxBuckets? }`; `undefined`/`null` mean all defaults.
fn parse_options(options: &JsValue) -> Result<SketchConfig, JsValue> {
    let mut config = SketchConfig::default();
    if options.is_undefined() || options.is_null() {
        return Ok(config);
    }
    let object = options
        .dyn_ref::<Object>()
        .filter(|_| options.is_object())
        .ok_or_else(|| type_error("options", "must be an object"))?;
    for key in Object::keys(object) {
        let name = key.as_string().unwrap_or_default();
        let value = Reflect::get(object, &key)?;
        if value.is_undefined() {
            continue;
        }
        let number = || {
            value.as_f64().ok_or_else(|| {
                type_error(&name, format!("must be a number, got {}", type_of(&value)))
            })
        };
        match name.as_str() {
            "maxRelativeError" => config.max_relative_error = number()?,
            "maxBuckets" => config.max_buckets = integer(&name, number()?)?,
            _ => {
                return Err(type_error(
                    &name,
                    "unknown option (expected maxRelativeError or maxBuckets)",
                ));
            }
        }
    }
    Ok(config)
}

fn integer(name: &str, v: f64) -> Result<usize, JsValue> {
    if v.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&v) {
        Ok(v as usize)
    } else {
        Err(range_error(name, format!("must be an integer, got {v}")))
    }
}

fn type_of(value: &JsValue) -> String {
    value.js_typeof().as_string().unwrap_or_default()
}
