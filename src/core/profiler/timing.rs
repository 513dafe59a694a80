//! Resource Timing: the phase breakdown of one request, and matching entries to requests.
//!
//! Cross-origin entries without `Timing-Allow-Origin` report 0 for every detailed field
//! (DNS, connect, request/response start, sizes) and no Server-Timing. A 0 there means
//! "not told", not "took 0 ms", so a phase is only known when both of its endpoints are
//! positive; otherwise it is `None`.
//!
//! Entries and requests arrive in either order (the `PerformanceObserver` callback may run
//! before or after the fetch wrapper sees the response), and a sample is never held back
//! waiting for its entry. [`TimingMatcher`] therefore keeps a short buffer on both sides:
//! whichever arrives second completes the match.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Arc;

/// One Server-Timing metric (`name;dur=12.5`).
///
/// ```
/// use apiscope::core::profiler::timing::ServerTiming;
/// let st = ServerTiming { name: "app".into(), duration: 12.5 };
/// assert_eq!(st.duration, 12.5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ServerTiming {
    /// The metric name.
    pub name: String,
    /// Its `dur`, in milliseconds (0 when absent).
    pub duration: f64,
}

/// The raw fields of a `PerformanceResourceTiming` entry that the breakdown needs. Times are
/// in milliseconds, all on the same timebase as the request start times given to
/// [`TimingMatcher`] (the edge adds `performance.timeOrigin` to get epoch milliseconds).
///
/// ```
/// use apiscope::core::profiler::timing::ResourceTiming;
/// let e = ResourceTiming { name: "https://a.example/x".into(), start_time: 10.0, ..Default::default() };
/// assert_eq!(e.response_end, 0.0);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceTiming {
    /// The absolute URL (`entry.name`).
    pub name: String,
    /// `startTime`.
    pub start_time: f64,
    /// `redirectStart`.
    pub redirect_start: f64,
    /// `redirectEnd`.
    pub redirect_end: f64,
    /// `domainLookupStart`.
    pub domain_lookup_start: f64,
    /// `domainLookupEnd`.
    pub domain_lookup_end: f64,
    /// `connectStart`.
    pub connect_start: f64,
    /// `connectEnd`.
    pub connect_end: f64,
    /// `secureConnectionStart`.
    pub secure_connection_start: f64,
    /// `requestStart`.
    pub request_start: f64,
    /// `responseStart`.
    pub response_start: f64,
    /// `responseEnd`.
    pub response_end: f64,
    /// `transferSize`.
    pub transfer_size: f64,
    /// `encodedBodySize`.
    pub encoded_body_size: f64,
    /// `decodedBodySize`.
    pub decoded_body_size: f64,
    /// `serverTiming`.
    pub server_timing: Vec<ServerTiming>,
}

/// Where the time of one request went, in milliseconds (`transfer_size` in bytes). `None`
/// means unknown: not exposed cross-origin, or not applicable (no TLS on `http:`).
///
/// ```
/// use apiscope::core::profiler::timing::{Breakdown, ResourceTiming};
/// let e = ResourceTiming {
///     start_time: 100.0, domain_lookup_start: 101.0, domain_lookup_end: 105.0,
///     connect_start: 105.0, secure_connection_start: 110.0, connect_end: 125.0,
///     request_start: 126.0, response_start: 176.0, response_end: 186.0,
///     transfer_size: 1200.0, ..Default::default()
/// };
/// let b = Breakdown::from_entry(&e);
/// assert_eq!((b.dns, b.connect, b.tls, b.ttfb, b.download), (Some(4.0), Some(20.0), Some(15.0), Some(50.0), Some(10.0)));
/// assert_eq!(b.transfer_size, Some(1200.0));
/// assert_eq!(b.server, None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    /// `domainLookupEnd - domainLookupStart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<f64>,
    /// `connectEnd - connectStart` (includes TLS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<f64>,
    /// `connectEnd - secureConnectionStart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<f64>,
    /// Request sent to first byte: `responseStart - requestStart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttfb: Option<f64>,
    /// `responseEnd - responseStart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download: Option<f64>,
    /// Bytes on the wire; 0 is a real value (served from cache) when timing is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfer_size: Option<f64>,
    /// Server-Timing `total`, else `app` (names compared case-insensitively). Other entries
    /// are not summed: they usually overlap (`db` is part of `app`), so a sum would overstate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<f64>,
}

impl Breakdown {
    /// Computes the breakdown of one entry.
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{Breakdown, ResourceTiming};
    /// // Cross-origin without Timing-Allow-Origin: only startTime and responseEnd are real.
    /// let e = ResourceTiming { start_time: 100.0, response_end: 180.0, ..Default::default() };
    /// assert_eq!(Breakdown::from_entry(&e), Breakdown::default());
    /// ```
    pub fn from_entry(e: &ResourceTiming) -> Self {
        // responseStart is positive whenever detailed timing is exposed.
        let allowed = e.response_start > 0.0;
        let server = ["total", "app"].iter().find_map(|wanted| {
            e.server_timing
                .iter()
                .find(|st| st.name.eq_ignore_ascii_case(wanted))
                .map(|st| st.duration)
        });
        Self {
            dns: span(e.domain_lookup_start, e.domain_lookup_end),
            connect: span(e.connect_start, e.connect_end),
            tls: span(e.secure_connection_start, e.connect_end),
            ttfb: span(e.request_start, e.response_start),
            download: span(e.response_start, e.response_end),
            transfer_size: allowed.then_some(e.transfer_size),
            server: server.filter(|d| d.is_finite() && *d >= 0.0),
        }
    }
}

/// `end - start` when both are known (positive) and in order.
fn span(start: f64, end: f64) -> Option<f64> {
    (start > 0.0 && end >= start).then_some(end - start)
}

/// Limits for [`TimingMatcher`].
///
/// ```
/// use apiscope::core::profiler::timing::MatcherConfig;
/// let c = MatcherConfig::default();
/// assert_eq!((c.tolerance_ms, c.capacity, c.ttl_ms), (100.0, 256, 10_000.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatcherConfig {
    /// How far an entry's `startTime` may be from the request's start to match it.
    pub tolerance_ms: f64,
    /// How many unmatched entries, and separately unmatched requests, are kept (oldest dropped).
    pub capacity: usize,
    /// How long an unmatched entry or request waits for its partner.
    pub ttl_ms: f64,
}

impl Default for MatcherConfig {
    fn default() -> Self {
        Self {
            tolerance_ms: 100.0,
            capacity: 256,
            ttl_ms: 10_000.0,
        }
    }
}

/// One unmatched item and when it arrived (for expiry).
#[derive(Debug)]
struct Waiting<T> {
    url: Arc<str>,
    start_ms: f64,
    arrived_ms: f64,
    item: T,
}

/// Pairs Resource Timing entries with requests by URL and closest start time, never using an
/// entry (or a request) twice.
///
/// The edge records each sample at once, then:
/// - calls [`TimingMatcher::match_request`] when a request completes: it returns the breakdown
///   if the entry is already here, else remembers the request id;
/// - calls [`TimingMatcher::offer_entry`] for each observed entry: it returns
///   `(request id, breakdown)` if a remembered request was waiting, else keeps the entry.
///
/// ```
/// use apiscope::core::profiler::timing::{MatcherConfig, ResourceTiming, TimingMatcher};
/// let mut m = TimingMatcher::new(MatcherConfig::default());
/// let url = "https://a.example/api/x";
/// let entry = |start| ResourceTiming { name: url.into(), start_time: start, response_end: start + 30.0, ..Default::default() };
/// // Entry first: the request picks it up.
/// m.offer_entry(entry(1_000.5), 1_031.0);
/// assert!(m.match_request(1, url.into(), 1_000.0, 1_032.0).is_some());
/// // Request first: the entry completes it.
/// assert!(m.match_request(2, url.into(), 2_000.0, 2_031.0).is_none());
/// assert_eq!(m.offer_entry(entry(2_000.4), 2_033.0).map(|(id, _)| id), Some(2));
/// ```
#[derive(Debug)]
pub struct TimingMatcher {
    config: MatcherConfig,
    entries: VecDeque<Waiting<ResourceTiming>>,
    requests: VecDeque<Waiting<u64>>,
}

impl TimingMatcher {
    /// An empty matcher.
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{MatcherConfig, TimingMatcher};
    /// let m = TimingMatcher::new(MatcherConfig { tolerance_ms: 50.0, ..Default::default() });
    /// assert_eq!(m.pending(), (0, 0));
    /// ```
    pub fn new(config: MatcherConfig) -> Self {
        Self {
            config,
            entries: VecDeque::new(),
            requests: VecDeque::new(),
        }
    }

    /// How many (entries, requests) are waiting for a partner.
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{MatcherConfig, TimingMatcher};
    /// let mut m = TimingMatcher::new(MatcherConfig::default());
    /// m.match_request(7, "https://a.example/".into(), 0.0, 10.0);
    /// assert_eq!(m.pending(), (0, 1));
    /// ```
    pub fn pending(&self) -> (usize, usize) {
        (self.entries.len(), self.requests.len())
    }

    /// A request finished: returns its breakdown if its entry has arrived (consuming the
    /// entry), else remembers `id` so that [`TimingMatcher::offer_entry`] can report it.
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{MatcherConfig, TimingMatcher};
    /// let mut m = TimingMatcher::new(MatcherConfig::default());
    /// assert_eq!(m.match_request(1, "https://a.example/".into(), 5.0, 9.0), None);
    /// ```
    pub fn match_request(
        &mut self,
        id: u64,
        url: Arc<str>,
        start_ms: f64,
        now_ms: f64,
    ) -> Option<Breakdown> {
        let config = self.config;
        if let Some(entry) = take_closest(&mut self.entries, &config, &url, start_ms, now_ms) {
            return Some(Breakdown::from_entry(&entry));
        }
        keep(&mut self.requests, &config, url, start_ms, now_ms, id);
        None
    }

    /// An entry was observed: returns `(request id, breakdown)` if a remembered request
    /// matches it (forgetting that request), else keeps the entry for a later request.
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{MatcherConfig, ResourceTiming, TimingMatcher};
    /// let mut m = TimingMatcher::new(MatcherConfig::default());
    /// let e = ResourceTiming { name: "https://a.example/".into(), start_time: 5.0, ..Default::default() };
    /// assert_eq!(m.offer_entry(e, 9.0), None);
    /// assert_eq!(m.pending(), (1, 0));
    /// ```
    pub fn offer_entry(&mut self, entry: ResourceTiming, now_ms: f64) -> Option<(u64, Breakdown)> {
        let config = self.config;
        let start = entry.start_time;
        if let Some(id) = take_closest(&mut self.requests, &config, &entry.name, start, now_ms) {
            return Some((id, Breakdown::from_entry(&entry)));
        }
        let url = entry.name.as_str().into();
        keep(&mut self.entries, &config, url, start, now_ms, entry);
        None
    }
}

/// Drops expired items, then removes and returns the item with the same URL whose start is
/// closest to `start_ms`, within tolerance.
fn take_closest<T>(
    waiting: &mut VecDeque<Waiting<T>>,
    config: &MatcherConfig,
    url: &str,
    start_ms: f64,
    now_ms: f64,
) -> Option<T> {
    // Items wait in arrival order, so the expired ones are at the front: no full scan per call.
    while waiting
        .front()
        .is_some_and(|w| now_ms - w.arrived_ms > config.ttl_ms)
    {
        waiting.pop_front();
    }
    let (index, _) = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| *w.url == *url)
        .map(|(i, w)| (i, (w.start_ms - start_ms).abs()))
        .filter(|(_, gap)| *gap <= config.tolerance_ms)
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    waiting.remove(index).map(|w| w.item)
}

/// Adds an unmatched item, dropping the oldest when full.
fn keep<T>(
    waiting: &mut VecDeque<Waiting<T>>,
    config: &MatcherConfig,
    url: Arc<str>,
    start_ms: f64,
    now_ms: f64,
    item: T,
) {
    if config.capacity == 0 {
        return;
    }
    if waiting.len() >= config.capacity {
        waiting.pop_front();
    }
    waiting.push_back(Waiting {
        url,
        start_ms,
        arrived_ms: now_ms,
        item,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_timing_prefers_total_then_app() {
        let st = |n: &str, d| ServerTiming {
            name: n.into(),
            duration: d,
        };
        let mut e = ResourceTiming {
            server_timing: vec![st("db", 3.0), st("App", 8.0)],
            ..Default::default()
        };
        assert_eq!(Breakdown::from_entry(&e).server, Some(8.0));
        e.server_timing.push(st("total", 9.0));
        assert_eq!(Breakdown::from_entry(&e).server, Some(9.0));
        e.server_timing = vec![st("db", 3.0)];
        assert_eq!(Breakdown::from_entry(&e).server, None);
    }

    #[test]
    fn reused_connection_is_zero_not_unknown() {
        let e = ResourceTiming {
            start_time: 10.0,
            domain_lookup_start: 10.0,
            domain_lookup_end: 10.0,
            connect_start: 10.0,
            connect_end: 10.0,
            request_start: 11.0,
            response_start: 20.0,
            response_end: 21.0,
            ..Default::default()
        };
        let b = Breakdown::from_entry(&e);
        assert_eq!((b.dns, b.connect, b.tls), (Some(0.0), Some(0.0), None));
        assert_eq!(b.transfer_size, Some(0.0));
    }

    #[test]
    fn unmatched_items_expire_and_are_bounded() {
        let config = MatcherConfig {
            capacity: 2,
            ttl_ms: 100.0,
            ..Default::default()
        };
        let mut m = TimingMatcher::new(config);
        for id in 0..3 {
            m.match_request(id, "https://a.example/".into(), 0.0, 0.0);
        }
        assert_eq!(m.pending(), (0, 2));
        let e = ResourceTiming {
            name: "https://a.example/".into(),
            ..Default::default()
        };
        assert_eq!(m.offer_entry(e, 200.0), None);
        assert_eq!(m.pending(), (1, 0));
    }
}
