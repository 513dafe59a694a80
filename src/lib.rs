//! apiscope: an in-browser API latency profiler.
//!
//! The crate is split so that its architecture shows in the tree:
//!
//! - [`core`]: plain Rust with no browser types. Sketches, caches, batching policy, route
//!   templates and alerts live here and are tested natively with `cargo test`.
//! - `browser` (wasm32 only): thin adapters over web APIs — the clock, IndexedDB, timers,
//!   page lifecycle and the fetch/XHR hooks.
//! - `api` (wasm32 only): the one `#[wasm_bindgen]` facade that JavaScript sees. It validates
//!   input, turns errors into JS `RangeError`/`TypeError`, and moves data in bulk.
//!
//! See `ARCHITECTURE.md` for the module map and the path a sample travels.

#![warn(missing_docs)]

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod api;

/// The crate version, as the JS facade reports it.
///
/// ```
/// assert_eq!(apiscope::version(), env!("CARGO_PKG_VERSION"));
/// ```
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
