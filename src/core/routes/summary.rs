//! A route's figures over one window: what the registry reports and alerts read.

use serde::Serialize;

/// Latency figures for one (method, route) over one time window. Durations in milliseconds;
/// percentiles are `NaN` when `count` is 0.
///
/// ```
/// use apiscope::core::routes::RouteSummary;
/// let s = RouteSummary::empty("GET", "/api/users/:id");
/// assert_eq!(s.count, 0);
/// assert!(s.p99.is_nan());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteSummary {
    pub method: String,
    pub route: String,
    pub count: u64,
    pub errors: u64,
    pub error_rate: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
}

impl RouteSummary {
    /// A summary with no samples.
    pub fn empty(method: &str, route: &str) -> Self {
        Self {
            method: method.to_owned(),
            route: route.to_owned(),
            count: 0,
            errors: 0,
            error_rate: 0.0,
            p50: f64::NAN,
            p90: f64::NAN,
            p95: f64::NAN,
            p99: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
            mean: f64::NAN,
        }
    }
}
