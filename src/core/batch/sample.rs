//! One measured API call: the unit the batcher buffers and the store persists.

use std::sync::Arc;

use crate::core::error::FieldError;

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
        let fail = |field, problem: String| Err(FieldError::new(field, problem));
        if !(self.start_ms.is_finite() && self.start_ms >= 0.0) {
            return fail(
                "startTime",
                format!("must be finite and non-negative, got {}", self.start_ms),
            );
        }
        if !(self.duration_ms.is_finite() && self.duration_ms >= 0.0) {
            return fail(
                "durationMs",
                format!("must be finite and non-negative, got {}", self.duration_ms),
            );
        }
        // A space would break the "METHOD route" key of the columnar route dictionary.
        let method_ok = !self.method.is_empty()
            && self.method.len() <= MAX_METHOD_LEN
            && self.method.bytes().all(|b| b.is_ascii_uppercase());
        if !method_ok {
            return fail(
                "method",
                format!(
                    "must be 1..={MAX_METHOD_LEN} upper-case ASCII letters, got {:?}",
                    self.method
                ),
            );
        }
        if self.route.is_empty() || self.route.len() > MAX_ROUTE_LEN {
            return fail(
                "route",
                format!(
                    "must be 1..={MAX_ROUTE_LEN} bytes long, got {}",
                    self.route.len()
                ),
            );
        }
        if self.status > 999 {
            return fail("status", format!("must be 0..=999, got {}", self.status));
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
