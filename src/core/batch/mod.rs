//! Batching and stored history: when samples are written, how a batch is stored, what is kept
//! and how it is read back.
//!
//! Owns the sample ([`sample`]), the batcher's flush policy ([`batcher`]), the columnar record
//! ([`columnar`]), retention ([`retention`]), paging ([`page`]), the in-memory fallback
//! ([`memory_log`]) and per-route summaries of stored batches ([`history`]).
//!
//! Invariant: a sample accepted by the batcher is handed out for writing exactly once per
//! attempt and is never dropped silently: only an overfull buffer drops, and it counts.

pub mod batcher;
pub mod columnar;
pub mod history;
pub mod memory_log;
pub mod page;
pub mod retention;
pub mod sample;
