//! The pure core: no web-sys, no JS types, deterministic under a [`clock::ManualClock`].

pub mod batcher;
pub mod clock;
pub mod columnar;
pub mod field_error;
pub mod memory_log;
pub mod retention;
pub mod sample;
pub mod sample_page;
pub mod summary;
