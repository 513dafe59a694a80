//! One measured API call: the unit the batcher buffers and the store persists.

use std::sync::Arc;

use crate::core::delivery::{Delivery, Protocol, Timing};
use crate::core::error::{FieldError, Rule};

/// Longest accepted HTTP method token; real ones are at most 7 letters.
const MAX_METHOD_LEN: usize = 16;
/// Longest accepted route template; longer ones are almost certainly raw URLs with payloads.
const MAX_ROUTE_LEN: usize = 2048;

/// One completed request. Times are epoch milliseconds; `status` is 0 for network errors.
///
/// ```
/// use apiscope::core::batch::sample::Sample;
/// let s = Sample::new(1_700_000_000_000.0, 12.5, "GET", "/api/users/:id", 200);
/// assert!(s.ok);
/// assert!(s.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// When the request started, epoch ms.
    pub start_ms: f64,
    /// How long it took, ms.
    pub duration_ms: f64,
    /// Upper-case HTTP method token, e.g. `GET`. Shared, not copied, between the samples of
    /// one call site: cloning a sample allocates nothing.
    pub method: Arc<str>,
    /// Route template, e.g. `/api/users/:id`; shared like `method`.
    pub route: Arc<str>,
    /// HTTP status, 0 when the request failed before a response.
    pub status: u16,
    /// Whether the call counts as a success.
    pub ok: bool,
    /// Response body size when known.
    pub bytes: Option<u32>,
    /// From the call to the response's first byte, when known.
    pub ttfb_ms: Option<f64>,
    /// How far `duration_ms` reaches.
    pub timing: Timing,
    /// Where the response came from.
    pub delivery: Delivery,
    /// The HTTP version it came over (live figures only: history does not store it).
    pub protocol: Protocol,
}

impl Sample {
    /// A sample with `ok` derived from the status (2xx/3xx) and no size. `method` and `route`
    /// may be string slices (copied) or shared `Arc<str>`s (not copied).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use apiscope::core::batch::sample::Sample;
    /// assert!(!Sample::new(0.0, 1.0, "POST", "/login", 503).ok);
    /// let route: Arc<str> = "/".into();
    /// let s = Sample::new(0.0, 1.0, "GET", route.clone(), 0);
    /// assert!(!s.ok && Arc::ptr_eq(&s.route, &route));
    /// ```
    pub fn new(
        start_ms: f64,
        duration_ms: f64,
        method: impl Into<Arc<str>>,
        route: impl Into<Arc<str>>,
        status: u16,
    ) -> Self {
        Self {
            start_ms,
            duration_ms,
            method: method.into(),
            route: route.into(),
            status,
            ok: (200..400).contains(&status),
            bytes: None,
            ttfb_ms: None,
            timing: Timing::Full,
            delivery: Delivery::Unknown,
            protocol: Protocol::Unknown,
        }
    }

    /// Checks every field; the error names the first bad one.
    ///
    /// ```
    /// use apiscope::core::batch::sample::Sample;
    /// let mut s = Sample::new(0.0, 1.0, "get me", "/", 200);
    /// assert_eq!(s.validate().unwrap_err().field, "method");
    /// s.method = "GET".into();
    /// s.duration_ms = f64::NAN;
    /// assert!(s.validate().unwrap_err().to_string().starts_with("durationMs: "));
    /// ```
    pub fn validate(&self) -> Result<(), FieldError> {
        Rule::FiniteNotNegative
            .check(self.start_ms)
            .map_err(|p| p.of("startTime"))?;
        Rule::FiniteNotNegative
            .check(self.duration_ms)
            .map_err(|p| p.of("durationMs"))?;
        // A space would break the "METHOD route" key of the columnar route dictionary.
        let method_ok = !self.method.is_empty()
            && self.method.len() <= MAX_METHOD_LEN
            && self.method.bytes().all(|b| b.is_ascii_uppercase());
        if !method_ok {
            let rule = Rule::Form("1 to 16 upper-case ASCII letters");
            return Err(FieldError::new("method", rule).got_text(&*self.method));
        }
        if self.route.is_empty() || self.route.len() > MAX_ROUTE_LEN {
            let rule = Rule::Form("1 to 2048 bytes long");
            return Err(FieldError::new("route", rule).got(self.route.len() as f64));
        }
        if self.status > 999 {
            let rule = Rule::Integer {
                min: 0.0,
                max: 999.0,
            };
            return Err(FieldError::new("status", rule).got(f64::from(self.status)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Sample {
        Sample::new(1_000.0, 5.0, "GET", "/a", 200)
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut Sample);
        let cases: [(&str, Spoil); 7] = [
            ("startTime", |s| s.start_ms = -1.0),
            ("startTime", |s| s.start_ms = f64::INFINITY),
            ("durationMs", |s| s.duration_ms = -0.5),
            ("method", |s| s.method = "".into()),
            ("method", |s| s.method = "X".repeat(17).into()),
            ("route", |s| s.route = "".into()),
            ("status", |s| s.status = 1000),
        ];
        for (field, spoil) in cases {
            let mut s = valid();
            spoil(&mut s);
            assert_eq!(s.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn zero_duration_and_network_error_are_valid() {
        let mut s = valid();
        s.duration_ms = 0.0;
        s.status = 0;
        assert!(s.validate().is_ok());
    }
}
