//! What a rule reads: one route's figures over the rule's window.

use crate::core::alerts::trend::TrendReport;
use crate::core::routes::RouteSummary;

/// One route's figures over a rule's window, as the caller supplies them.
///
/// ```
/// use apiscope::core::alerts::RouteMetrics;
/// use apiscope::core::routes::RouteSummary;
/// let m = RouteMetrics { summary: RouteSummary::empty("GET", "/a"), cache_hit_rate: Some(0.8), trend: None };
/// assert_eq!(m.cache_hit_rate, Some(0.8));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RouteMetrics {
    /// Latency and error figures for the window.
    pub summary: RouteSummary,
    /// Fraction of calls served from the response cache in the window, if known.
    pub cache_hit_rate: Option<f64>,
    /// The window against the hour before it, for the `*Regression` metrics; the caller
    /// may leave it out when no rule on this window needs it.
    pub trend: Option<TrendReport>,
}
