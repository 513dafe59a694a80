//! Shapes shared across the core: what a histogram bucket and a per-route summary look like.
//! The sketch produces them, alerts and trends consume them, the facade serialises them.

use serde::Serialize;

/// One histogram bucket: `count` values in `(lower, upper]`.
///
/// ```
/// use apiscope::core::summary::Bucket;
/// let b = Bucket { lower: 1.0, upper: 2.0, count: 3 };
/// assert_eq!(b.count, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bucket {
    /// Exclusive lower bound.
    pub lower: f64,
    /// Inclusive upper bound.
    pub upper: f64,
    /// How many recorded values fell in this bucket.
    pub count: u64,
}

/// Latency figures for one (method, route) over one time window. Durations in milliseconds;
/// percentiles are `NaN` when `count` is 0.
///
/// ```
/// use apiscope::core::summary::RouteSummary;
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
