//! OTLP/HTTP JSON export of per-route latency histograms, in pure Rust.
//!
//! The path of a sample: [`DeltaAggregator::record`] files it under its route; each export
//! [`DeltaAggregator::take`]s the routes' sketches (delta temporality: every sample exactly
//! once), [`encode_requests`] turns them into `ExportMetricsServiceRequest` bodies of at most
//! [`KEEPALIVE_BODY_BUDGET`] bytes, and the [`ExportQueue`] decides what is sent when, retried
//! (after [`retry_delay_ms`]) or dropped. The browser edge (`browser::otlp_exporter`) adds
//! timers, `fetch` and the IndexedDB outbox.

mod backoff;
mod config;
mod delta;
mod queue;
mod request;
mod split;

pub use backoff::{RETRY_INITIAL_MS, RETRY_MAX_MS, retry_delay_ms};
pub use config::{
    AttributeValue, DEFAULT_INTERVAL_MS, DEFAULT_MAX_OUTBOX, ExportConfig, MAX_OUTBOX,
    MIN_INTERVAL_MS, check_export_header, check_export_url, check_interval_ms, check_max_outbox,
    check_resource_attribute, unparsable_export_url,
};
pub use delta::{DeltaAggregator, ExportDeltas, ExportPoint};
pub use queue::{
    BodyBytes, EntryKey, ExportQueue, ExportStats, MAX_KEEPALIVE_REQUESTS, OutboxEntry, Payload,
    SendOutcome, Settled,
};
pub use request::{
    DEFAULT_SERVICE_NAME, DURATION_METRIC, ERRORS_METRIC, OtlpResource, PAGE_ORIGIN_ATTRIBUTE,
};
pub use split::{ExportBody, KEEPALIVE_BODY_BUDGET, encode_requests};
