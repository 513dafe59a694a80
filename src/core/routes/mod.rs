//! Routes: how a URL becomes a route label, and the per-route live windows.
//!
//! Owns templating ([`template`]), route globs ([`glob`]), the route-capped map ([`capped`]),
//! the registry of rolling windows ([`registry`], [`windows`]), each route's slowest recent
//! calls ([`slow_calls`]) and the summary a window yields ([`summary`]).
//!
//! Invariant: a route label never holds a query string, a fragment or a raw id, the number of
//! routes held is bounded by a cap with an overflow route, and the bytes each route's windows
//! hold by its share of `maxBytes`, whatever the page does; whatever else is kept per route
//! (protocol counts, phase sums, slow calls) lives in the route's entry and leaves with it.

pub mod capped;
pub mod glob;
pub mod registry;
pub mod route_windows;
pub mod slow_calls;
pub mod summary;
pub mod template;
pub mod windows;

pub use summary::RouteSummary;
pub use template::{RouteKey, Templater};
