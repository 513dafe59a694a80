//! What the hooks report about one settled request.

use std::sync::Arc;

/// The API a request went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `fetch()`.
    Fetch,
    /// `XMLHttpRequest`.
    Xhr,
}

impl Transport {
    /// The code `hooks.js` passes for this transport.
    pub(super) fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Fetch),
            1 => Some(Self::Xhr),
            _ => None,
        }
    }
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A response with a 2xx status (or an opaque `no-cors` response, status 0).
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
    /// The code `hooks.js` passes for this outcome.
    pub(super) fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(Self::Ok),
            1 => Some(Self::HttpError),
            2 => Some(Self::NetworkError),
            3 => Some(Self::Aborted),
            4 => Some(Self::Timeout),
            _ => None,
        }
    }
}

/// One settled fetch or XHR call, as the page made it. The strings are shared by every call to
/// the same site.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// fetch or XHR.
    pub transport: Transport,
    /// Absolute `http(s)` URL, resolved against the page (or worker) base, without credentials,
    /// query or fragment: those may carry personal data.
    pub url: Arc<str>,
    /// The request method, uppercase.
    pub method: Arc<str>,
    /// The HTTP status; 0 when there was no response (network error, abort, timeout).
    pub status: u16,
    /// How the call ended.
    pub outcome: Outcome,
    /// When the app made the call, in epoch milliseconds (`PerformanceClock`).
    pub start_ms: f64,
    /// From the call to the response headers (or to the failure), in milliseconds.
    pub duration_ms: f64,
    /// `performance.now()` at the call, to match the request's Resource Timing entry.
    pub start_high_res: f64,
}
