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

use crate::core::delivery::{Delivery, Protocol};
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
    /// `workerStart`: positive when a service worker handled the request.
    pub worker_start: f64,
    /// `deliveryType`: 0 for `""`, 1 for `"cache"`, 2 for `"navigational-prefetch"`.
    pub delivery_type: u8,
    /// `nextHopProtocol`, e.g. `"h2"`; empty when not exposed.
    pub next_hop_protocol: String,
    /// `serverTiming`.
    pub server_timing: Vec<ServerTiming>,
}

impl ResourceTiming {
    /// Whether the detailed fields are exposed: same-origin, or `Timing-Allow-Origin` allowed
    /// this page (otherwise the browser reports 0 for them, `responseStart` included).
    ///
    /// ```
    /// use apiscope::core::profiler::timing::ResourceTiming;
    /// assert!(!ResourceTiming { start_time: 5.0, response_end: 9.0, ..Default::default() }.allowed());
    /// ```
    pub fn allowed(&self) -> bool {
        self.response_start > 0.0
    }

    /// Where the response came from, as far as the entry tells.
    ///
    /// ```
    /// use apiscope::core::delivery::Delivery;
    /// use apiscope::core::profiler::timing::ResourceTiming;
    /// let e = ResourceTiming { response_start: 20.0, transfer_size: 0.0, decoded_body_size: 900.0, ..Default::default() };
    /// assert_eq!(e.delivery(), Delivery::Cache);
    /// let e = ResourceTiming { response_start: 20.0, transfer_size: 1200.0, decoded_body_size: 900.0, ..Default::default() };
    /// assert_eq!(e.delivery(), Delivery::Network);
    /// assert_eq!(ResourceTiming::default().delivery(), Delivery::Unknown);
    /// ```
    pub fn delivery(&self) -> Delivery {
        if !self.allowed() {
            Delivery::Unknown
        } else if self.worker_start > 0.0 {
            Delivery::Worker
        } else if self.delivery_type == 1
            || (self.transfer_size == 0.0
                && (self.encoded_body_size > 0.0 || self.decoded_body_size > 0.0))
        {
            Delivery::Cache
        } else {
            Delivery::Network
        }
    }

    /// The HTTP version the response came over.
    pub fn protocol(&self) -> Protocol {
        Protocol::parse(&self.next_hop_protocol)
    }
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
/// assert_eq!((c.tolerance_ms, c.capacity, c.ttl_ms), (100.0, 1024, 10_000.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatcherConfig {
    /// How far an entry's `startTime` may be from the request's start to match it.
    pub tolerance_ms: f64,
    /// How many unmatched entries, and separately unmatched requests, are kept: past it the
    /// oldest entry is dropped and the oldest request handed back ([`TimingMatcher::expired`]).
    pub capacity: usize,
    /// How long an unmatched entry or request waits for its partner.
    pub ttl_ms: f64,
}

impl Default for MatcherConfig {
    fn default() -> Self {
        Self {
            tolerance_ms: 100.0,
            capacity: 1024,
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
/// entry (or a request) twice. A request waits for its entry (its body may still be
/// arriving) at most `ttl_ms`; one that waited too long, or was pushed out by newer ones, is
/// handed back by [`TimingMatcher::expired`] so that the caller files it without an entry:
/// nothing that waits is ever lost.
///
/// ```
/// use apiscope::core::profiler::timing::{MatcherConfig, ResourceTiming, TimingMatcher};
/// let mut m = TimingMatcher::new(MatcherConfig::default());
/// let url = "https://a.example/api/x";
/// let entry = |start| ResourceTiming { name: url.into(), start_time: start, response_end: start + 30.0, ..Default::default() };
/// // Entry first: the request picks it up.
/// m.offer_entry(entry(1_000.5), 1_031.0);
/// assert!(m.match_request("first", url.into(), 1_000.0, 1_032.0).is_some());
/// // Request first: the entry completes it.
/// assert!(m.match_request("second", url.into(), 2_000.0, 2_031.0).is_none());
/// assert_eq!(m.offer_entry(entry(2_000.4), 2_033.0).map(|(r, _)| r), Some("second"));
/// // A request whose entry never comes is handed back once it has waited too long.
/// m.match_request("third", url.into(), 3_000.0, 3_001.0);
/// assert_eq!(m.expired(13_002.0), ["third"]);
/// ```
#[derive(Debug)]
pub struct TimingMatcher<T> {
    config: MatcherConfig,
    entries: VecDeque<Waiting<ResourceTiming>>,
    requests: VecDeque<Waiting<T>>,
    /// Requests pushed out by newer ones, until [`Self::expired`] hands them back.
    overflow: Vec<T>,
}

impl<T> TimingMatcher<T> {
    /// An empty matcher.
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{MatcherConfig, TimingMatcher};
    /// let m: TimingMatcher<u64> = TimingMatcher::new(MatcherConfig { tolerance_ms: 50.0, ..Default::default() });
    /// assert_eq!(m.pending(), (0, 0));
    /// ```
    pub fn new(config: MatcherConfig) -> Self {
        Self {
            config,
            entries: VecDeque::new(),
            requests: VecDeque::new(),
            overflow: Vec::new(),
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
        (
            self.entries.len(),
            self.requests.len() + self.overflow.len(),
        )
    }

    /// A request finished: returns it with its entry if that has arrived (consuming the
    /// entry), else keeps it waiting for [`Self::offer_entry`].
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{MatcherConfig, TimingMatcher};
    /// let mut m = TimingMatcher::new(MatcherConfig::default());
    /// assert!(m.match_request(1, "https://a.example/".into(), 5.0, 9.0).is_none());
    /// ```
    pub fn match_request(
        &mut self,
        request: T,
        url: Arc<str>,
        start_ms: f64,
        now_ms: f64,
    ) -> Option<(T, ResourceTiming)> {
        let config = self.config;
        if let Some(entry) = take_closest(&mut self.entries, &config, &url, start_ms) {
            return Some((request, entry));
        }
        if let Some(old) = keep(&mut self.requests, &config, url, start_ms, now_ms, request) {
            self.overflow.push(old);
        }
        None
    }

    /// An entry was observed: returns the request it completes (forgetting it), else keeps
    /// the entry for a later request.
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{MatcherConfig, ResourceTiming, TimingMatcher};
    /// let mut m: TimingMatcher<u64> = TimingMatcher::new(MatcherConfig::default());
    /// let e = ResourceTiming { name: "https://a.example/".into(), start_time: 5.0, ..Default::default() };
    /// assert!(m.offer_entry(e, 9.0).is_none());
    /// assert_eq!(m.pending(), (1, 0));
    /// ```
    pub fn offer_entry(
        &mut self,
        entry: ResourceTiming,
        now_ms: f64,
    ) -> Option<(T, ResourceTiming)> {
        let config = self.config;
        drop_expired(&mut self.entries, &config, now_ms);
        let start = entry.start_time;
        if let Some(request) = take_closest(&mut self.requests, &config, &entry.name, start) {
            return Some((request, entry));
        }
        let url = entry.name.as_str().into();
        // An entry pushed out is simply dropped: no call waits for it.
        keep(&mut self.entries, &config, url, start, now_ms, entry);
        None
    }

    /// The requests that waited longer than `ttl_ms` at `now_ms`, or were pushed out by newer
    /// ones, oldest first; the caller files them without an entry.
    pub fn expired(&mut self, now_ms: f64) -> Vec<T> {
        let mut out = std::mem::take(&mut self.overflow);
        while self
            .requests
            .front()
            .is_some_and(|w| now_ms - w.arrived_ms > self.config.ttl_ms)
        {
            if let Some(w) = self.requests.pop_front() {
                out.push(w.item);
            }
        }
        out
    }

    /// Every waiting request, oldest first (a flush or page exit files them without waiting).
    ///
    /// ```
    /// use apiscope::core::profiler::timing::{MatcherConfig, TimingMatcher};
    /// let mut m = TimingMatcher::new(MatcherConfig::default());
    /// m.match_request(1, "https://a.example/".into(), 0.0, 0.0);
    /// assert_eq!(m.take_requests(), [1]);
    /// assert_eq!(m.pending(), (0, 0));
    /// ```
    pub fn take_requests(&mut self) -> Vec<T> {
        let mut out = std::mem::take(&mut self.overflow);
        while let Some(w) = self.requests.pop_front() {
            out.push(w.item);
        }
        out
    }
}

/// Drops the items waiting longer than `ttl_ms` (they arrive in order: the front is oldest).
fn drop_expired<T>(waiting: &mut VecDeque<Waiting<T>>, config: &MatcherConfig, now_ms: f64) {
    while waiting
        .front()
        .is_some_and(|w| now_ms - w.arrived_ms > config.ttl_ms)
    {
        waiting.pop_front();
    }
}

/// Removes and returns the item with the same URL whose start is closest to `start_ms`,
/// within tolerance.
fn take_closest<T>(
    waiting: &mut VecDeque<Waiting<T>>,
    config: &MatcherConfig,
    url: &str,
    start_ms: f64,
) -> Option<T> {
    let (index, _) = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| *w.url == *url)
        .map(|(i, w)| (i, (w.start_ms - start_ms).abs()))
        .filter(|(_, gap)| *gap <= config.tolerance_ms)
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    waiting.remove(index).map(|w| w.item)
}

/// Adds an unmatched item; when full, the oldest makes room and is returned.
fn keep<T>(
    waiting: &mut VecDeque<Waiting<T>>,
    config: &MatcherConfig,
    url: Arc<str>,
    start_ms: f64,
    now_ms: f64,
    item: T,
) -> Option<T> {
    let pushed_out = if waiting.len() >= config.capacity.max(1) {
        waiting.pop_front().map(|w| w.item)
    } else {
        None
    };
    waiting.push_back(Waiting {
        url,
        start_ms,
        arrived_ms: now_ms,
        item,
    });
    pushed_out
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
    fn unmatched_items_expire_and_are_bounded_and_requests_come_back() {
        let config = MatcherConfig {
            capacity: 2,
            ttl_ms: 100.0,
            ..Default::default()
        };
        let mut m = TimingMatcher::new(config);
        for id in 0..3 {
            m.match_request(id, "https://a.example/".into(), 0.0, 0.0);
        }
        // The oldest made room, and comes back at the next expiry check with the others.
        assert_eq!(m.pending(), (0, 3));
        assert_eq!(m.expired(50.0), [0]);
        assert_eq!(m.expired(200.0), [1, 2]);
        let e = ResourceTiming {
            name: "https://a.example/".into(),
            ..Default::default()
        };
        assert!(m.offer_entry(e, 200.0).is_none());
        assert_eq!(m.pending(), (1, 0));
        let late = ResourceTiming {
            name: "https://a.example/late".into(),
            ..Default::default()
        };
        assert!(m.offer_entry(late, 400.0).is_none());
        assert_eq!(m.pending(), (1, 0), "the first entry expired");
    }
}
