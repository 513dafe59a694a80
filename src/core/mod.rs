//! The pure core: no web-sys, no JS types, deterministic under a [`clock::ManualClock`].

pub mod alerts;
pub mod cache;
pub mod clock;
pub mod glob;
pub mod http_cache_policy;
pub mod registry;
pub mod routes;
pub mod sketch;
pub mod slow_log;
pub mod summary;
pub mod timing;
pub mod trend;
pub mod windows;
