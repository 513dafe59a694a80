//! Batching and stored history: when samples are written, how a batch is stored, what is kept
//! and how it is read back.
//!
//! Owns the sample ([`sample`]), the batcher's flush policy ([`batcher`]), the columnar record
//! ([`columnar`]), retention ([`retention`]) and per-route summaries of stored batches
//! ([`history`]). Reading records back (ranges, pages, the memory fallback) is the JS store's
//! (js/engine/store.js): it only selects samples, no policy.
//!
//! Invariant: a sample accepted by the batcher is handed out for writing exactly once per
//! attempt and is never dropped silently: only an overfull buffer drops, and it counts.

pub mod batcher;
pub mod columnar;
pub mod history;
pub mod retention;
pub mod sample;
