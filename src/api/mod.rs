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
#[cfg(feature = "engine")]
mod panic_hook;
#[cfg(feature = "cache")]
pub mod response_cache;
#[cfg(feature = "sketch")]
pub mod sketch;
#[cfg(feature = "test-panic")]
mod test_panic;
