//! The `#[wasm_bindgen]` facade: the only layer JavaScript sees. It validates input, converts
//! core errors into JS exceptions that name the offending field, and moves data in bulk.

#[cfg(feature = "talc")]
mod allocator;
#[cfg(feature = "cache")]
pub mod cache;
#[cfg(feature = "engine")]
pub mod engine;
#[cfg(any(feature = "cache", feature = "engine", feature = "history"))]
pub mod errors;
#[cfg(feature = "history")]
pub mod history;
#[cfg(any(feature = "engine", feature = "history"))]
mod panic_hook;
#[cfg(feature = "cache")]
pub mod response_cache;
#[cfg(any(feature = "engine", feature = "history"))]
pub mod rows;
#[cfg(feature = "sketch")]
pub mod sketch;
#[cfg(feature = "test-panic")]
mod test_panic;
