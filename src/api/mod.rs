//! The `#[wasm_bindgen]` facade: the only layer JavaScript sees. It validates input, converts
//! core errors into JS exceptions that name the offending field, and moves data in bulk.

#[cfg(feature = "talc")]
mod allocator;
#[cfg(feature = "cache")]
pub mod cache;
#[cfg(feature = "engine")]
pub mod engine;
#[cfg(any(feature = "cache", feature = "engine"))]
pub mod errors;
#[cfg(any(feature = "cache", feature = "engine"))]
pub mod js_object;
#[cfg(feature = "legacy")]
pub mod profiler;
#[cfg(feature = "legacy")]
pub mod profiler_options;
#[cfg(feature = "cache")]
pub mod response_cache;
#[cfg(feature = "sketch")]
pub mod sketch;

use wasm_bindgen::prelude::*;

/// The library version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    crate::version().to_owned()
}
