//! One settled fetch or XHR request as the hooks report it: numbers only, its URL and method
//! known through its call site.

/// The API a request went through.
///
/// ```
/// use apiscope::core::profiler::request::Transport;
/// assert_eq!(Transport::from_code(1.0), Some(Transport::Xhr));
/// assert_eq!(Transport::from_code(9.0), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `fetch()`.
    Fetch,
    /// `XMLHttpRequest`.
    Xhr,
}

impl Transport {
    /// The transport a hook's code stands for (`0` fetch, `1` XHR).
    pub fn from_code(code: f64) -> Option<Self> {
        if code == 0.0 {
            Some(Self::Fetch)
        } else if code == 1.0 {
            Some(Self::Xhr)
        } else {
            None
        }
    }
}

/// How a request ended.
///
/// ```
/// use apiscope::core::profiler::request::Outcome;
/// assert_eq!(Outcome::from_code(3.0), Some(Outcome::Aborted));
/// assert!(Outcome::Ok.is_ok() && !Outcome::Timeout.is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A response with a 2xx/3xx status (or an opaque `no-cors` response, status 0).
    Ok,
    /// A response with any other status.
    HttpError,
    /// No response: connection refused or dropped, DNS or CORS failure.
    NetworkError,
    /// Cancelled by the app (`AbortController`, `xhr.abort()`).
    Aborted,
    /// Timed out (`AbortSignal.timeout()`, `xhr.timeout`).
    Timeout,
}

impl Outcome {
    /// The outcome a hook's code stands for (`0`..=`4`, in declaration order).
    pub fn from_code(code: f64) -> Option<Self> {
        const ALL: [Outcome; 5] = [
            Outcome::Ok,
            Outcome::HttpError,
            Outcome::NetworkError,
            Outcome::Aborted,
            Outcome::Timeout,
        ];
        (code.fract() == 0.0 && code >= 0.0)
            .then(|| ALL.get(code as usize).copied())
            .flatten()
    }

    /// Whether the call counts as a success.
    pub fn is_ok(self) -> bool {
        self == Self::Ok
    }

    /// Whether a response arrived (so a body may follow).
    pub fn has_response(self) -> bool {
        matches!(self, Self::Ok | Self::HttpError)
    }
}

/// A settled request, times in epoch milliseconds.
///
/// ```
/// use apiscope::core::profiler::request::{Outcome, SettledRequest, Transport};
/// let r = SettledRequest {
///     site: 3, transport: Transport::Fetch, status: 200, outcome: Outcome::Ok,
///     start_ms: 1_000.0, headers_ms: 1_040.0, end_ms: None,
/// };
/// assert_eq!(r.headers_ms - r.start_ms, 40.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SettledRequest {
    /// The call site id the hooks gave the request's (method, URL).
    pub site: u32,
    /// fetch or XHR.
    pub transport: Transport,
    /// The HTTP status; 0 without a response.
    pub status: u16,
    /// How it ended.
    pub outcome: Outcome,
    /// When the app made the call.
    pub start_ms: f64,
    /// When the response headers arrived (the failure time for failures).
    pub headers_ms: f64,
    /// When the body was complete, where the transport says (XHR `loadend`).
    pub end_ms: Option<f64>,
}
