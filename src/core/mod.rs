//! The pure core: no web-sys, no JS types, deterministic under a [`clock::ManualClock`].

pub mod alerts;
pub mod batcher;
pub mod cache;
pub mod clock;
pub mod columnar;
pub mod field_error;
pub mod glob;
pub mod history;
pub mod http_cache_policy;
pub mod id_slots;
pub mod memory_log;
pub mod otlp_export;
pub mod profiler;
pub mod registry;
pub mod retention;
pub mod route_memo;
pub mod routes;
pub mod sample;
pub mod sample_page;
pub mod sketch;
pub mod slow_log;
pub mod summary;
pub mod timing;
pub mod trend;
pub mod windows;
