//! The pure core: no web-sys, no JS types, deterministic under a [`clock::ManualClock`].

pub mod cache;
pub mod clock;
pub mod http_cache_policy;
pub mod summary;
