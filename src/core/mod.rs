//! The pure core: no web-sys, no JS types, deterministic under a [`clock::ManualClock`].

pub mod clock;
pub mod registry;
pub mod sketch;
pub mod summary;
pub mod windows;
