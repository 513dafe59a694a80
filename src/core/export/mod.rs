//! OTLP/HTTP JSON export of per-route latency histograms, in pure Rust.
//!
//! The path of a sample: [`DeltaAggregator::record`] files it under its route; each export
//! [`DeltaAggregator::take`]s the routes' sketches (delta temporality: every sample exactly
//! once) as [`ExportPoint`]s, which the JS exporter (js/export/) writes as OTLP/HTTP JSON
//! bodies of at most [`KEEPALIVE_BODY_BUDGET`] bytes; the [`ExportQueue`] decides what is sent
//! when, retried (after [`retry_delay_ms`]) or dropped. Request bodies never cross into wasm:
//! the queue knows each by its size. The JS edge adds timers, `fetch` and the IndexedDB outbox.

mod backoff;
mod config;
mod delta;
mod queue;

pub use backoff::{RETRY_INITIAL_MS, RETRY_MAX_MS, retry_delay_ms};
pub use config::{
    AttributeValue, DEFAULT_INTERVAL_MS, DEFAULT_MAX_OUTBOX, MAX_OUTBOX, MIN_INTERVAL_MS,
    check_export_header, check_export_url, check_interval_ms, check_max_outbox,
    check_resource_attribute, unparsable_export_url,
};
pub use delta::{DeltaAggregator, ExportDeltas, ExportPoint};
pub use queue::{
    BodyBytes, EntryKey, ExportQueue, ExportStats, KEEPALIVE_BODY_BUDGET, MAX_KEEPALIVE_REQUESTS,
    OutboxEntry, SendOutcome, Settled,
};
