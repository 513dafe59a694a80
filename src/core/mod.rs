//! The pure core: no web-sys, no JS types, deterministic under a [`clock::ManualClock`].
//!
//! One folder per concept; each `mod.rs` states what it owns and the rule that keeps it so.
//! Dependencies point one way, from the composition down to the engine:
//!
//! ```text
//! profiler ─┬─> alerts ─> routes ─> sketch
//!           ├─> batch  ─> routes
//!           └─> export ─> routes
//! cache ──> routes    error, clock, ascii (used by all)
//! ```

pub mod alerts;
pub mod ascii;
pub mod batch;
pub mod cache;
pub mod clock;
pub mod delivery;
pub mod error;
pub mod export;
pub mod map;
pub mod order;
pub mod profiler;
pub mod routes;
pub mod sketch;
