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
    /// The upper-case HTTP method (`*` for the overflow entry).
    pub method: String,
    /// The route template, e.g. `/api/users/:id`.
    pub route: String,
    /// Calls in the window.
    pub count: u64,
    /// Of them, calls that failed (status outside 2xx/3xx, network error or abort).
    pub errors: u64,
    /// `errors / count`; 0 when there are no calls.
    pub error_rate: f64,
    /// Median duration, within the sketch's relative error.
    pub p50: f64,
    /// 90th percentile duration.
    pub p90: f64,
    /// 95th percentile duration.
    pub p95: f64,
    /// 99th percentile duration.
    pub p99: f64,
    /// Shortest duration, exactly.
    pub min: f64,
    /// Longest duration, exactly.
    pub max: f64,
    /// Mean duration, exactly (sum / count).
    pub mean: f64,
    /// Calls whose time to first byte is known.
    pub ttfb_count: u64,
    /// Median time to first byte; `NaN` without any.
    pub ttfb_p50: f64,
    /// 95th percentile time to first byte.
    pub ttfb_p95: f64,
    /// 99th percentile time to first byte.
    pub ttfb_p99: f64,
    /// Calls timed only to their response headers (the browser could not tell the body's end).
    pub headers_only: u64,
    /// Calls per delivery (unknown, network, HTTP cache, service worker).
    pub deliveries: [u64; 4],
    /// Calls per protocol (unknown, HTTP/1.x, h2, h3) since the route appeared.
    pub protocols: [u64; 4],
}

impl RouteSummary {
    /// A summary with no samples: counts 0, durations `NaN`.
    ///
    /// ```
    /// use apiscope::core::routes::RouteSummary;
    /// let s = RouteSummary::empty("POST", "/api/orders");
    /// assert_eq!((s.method.as_str(), s.errors, s.error_rate), ("POST", 0, 0.0));
    /// assert!(s.min.is_nan() && s.mean.is_nan());
    /// ```
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
            ttfb_count: 0,
            ttfb_p50: f64::NAN,
            ttfb_p95: f64::NAN,
            ttfb_p99: f64::NAN,
            headers_only: 0,
            deliveries: [0; 4],
            protocols: [0; 4],
        }
    }
}
