//! The profiler: every measured call goes through here, composed from the other concepts.
//!
//! Owns the composition ([`profiler_core`]), Resource Timing matching ([`timing`]), the
//! per-route means of its phases ([`breakdown`]) and the fixed tables of recent calls and call
//! sites ([`id_slots`]). The per-route sums and slow calls live with the route's windows
//! (`routes::route_windows`).
//!
//! Invariant: a call reaches the live windows, the batcher and the export exactly once; it
//! waits for its Resource Timing entry at most a bounded time, and a flush or page exit files
//! every waiting call first.

pub mod breakdown;
pub mod id_slots;
pub mod profiler_core;
pub mod request;
pub mod sites;
pub mod timing;

pub use breakdown::BreakdownMeans;
pub use profiler_core::{
    ProfilerConfig, ProfilerCore, RouteSnapshot, Settle, SlowCallReport, TimelineStep,
};
