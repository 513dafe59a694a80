//! The N slowest recent calls per route, with whatever detail the caller attaches (typically
//! the URL template, status and a [`crate::core::profiler::timing::Breakdown`]). The route key is the
//! caller's choice: a string, or a `(method, route)` pair of shared strings that costs no
//! allocation per call.
//!
//! Memory is bounded twice: at most `per_route` calls per route, at most `max_routes` routes
//! (the least recently recorded route goes first). "Recent" means within `window_ms` of now;
//! older calls are dropped on every insert and query.

use std::hash::Hash;
use std::num::NonZeroUsize;

use lru::LruCache;

use crate::core::map::Hasher;

/// One recorded call.
///
/// ```
/// use apiscope::core::profiler::slow_log::SlowCall;
/// let c = SlowCall { at_ms: 1_000.0, duration_ms: 950.0, detail: "GET 500" };
/// assert_eq!(c.detail, "GET 500");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SlowCall<T> {
    /// When the call started (epoch milliseconds).
    pub at_ms: f64,
    /// How long it took.
    pub duration_ms: f64,
    /// Caller-defined detail, e.g. a timing breakdown.
    pub detail: T,
}

/// Per-route lists of the slowest recent calls, slowest first.
///
/// ```
/// use std::num::NonZeroUsize;
/// use apiscope::core::profiler::slow_log::{SlowCall, SlowLog};
/// let n = |v| NonZeroUsize::new(v).unwrap();
/// let mut log = SlowLog::new(n(2), n(100), 60_000.0);
/// for (i, d) in [120.0, 900.0, 40.0, 300.0].into_iter().enumerate() {
///     log.insert("/api/users/:id", SlowCall { at_ms: i as f64, duration_ms: d, detail: i }, 10.0);
/// }
/// let slowest: Vec<f64> = log.calls(&"/api/users/:id", 10.0).iter().map(|c| c.duration_ms).collect();
/// assert_eq!(slowest, [900.0, 300.0]);
/// ```
#[derive(Debug)]
pub struct SlowLog<K: Hash + Eq, T> {
    per_route: usize,
    window_ms: f64,
    routes: LruCache<K, Vec<SlowCall<T>>, Hasher>,
}

impl<K: Hash + Eq + Clone, T> SlowLog<K, T> {
    /// An empty log keeping `per_route` calls for each of up to `max_routes` routes, for
    /// `window_ms`.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use apiscope::core::profiler::slow_log::SlowLog;
    /// let log: SlowLog<&str, ()> = SlowLog::new(NonZeroUsize::MIN, NonZeroUsize::MIN, 1_000.0);
    /// assert_eq!(log.route_count(), 0);
    /// ```
    pub fn new(per_route: NonZeroUsize, max_routes: NonZeroUsize, window_ms: f64) -> Self {
        Self {
            per_route: per_route.get(),
            window_ms,
            routes: LruCache::with_hasher(max_routes, Hasher::default()),
        }
    }

    /// How many routes hold calls.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use apiscope::core::profiler::slow_log::{SlowCall, SlowLog};
    /// let mut log = SlowLog::new(NonZeroUsize::MIN, NonZeroUsize::MIN, 1_000.0);
    /// log.insert("/a", SlowCall { at_ms: 0.0, duration_ms: 5.0, detail: () }, 0.0);
    /// log.insert("/b", SlowCall { at_ms: 0.0, duration_ms: 5.0, detail: () }, 0.0);
    /// assert_eq!(log.route_count(), 1); // "/a" was evicted
    /// ```
    pub fn route_count(&self) -> usize {
        self.routes.len()
    }

    /// Whether a call would be kept, so callers can skip building its detail: it is recent
    /// and the route has room or a faster call to displace.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use apiscope::core::profiler::slow_log::{SlowCall, SlowLog};
    /// let mut log = SlowLog::new(NonZeroUsize::MIN, NonZeroUsize::MIN, 1_000.0);
    /// assert!(log.admits(&"/a", 5.0, 0.0, 10.0));
    /// log.insert("/a", SlowCall { at_ms: 0.0, duration_ms: 5.0, detail: () }, 10.0);
    /// assert!(!log.admits(&"/a", 4.0, 1.0, 10.0)); // full, and not slower
    /// assert!(log.admits(&"/a", 6.0, 1.0, 10.0));
    /// ```
    pub fn admits(&self, route: &K, duration_ms: f64, at_ms: f64, now_ms: f64) -> bool {
        if !recent(self.window_ms, at_ms, now_ms) || duration_ms.is_nan() {
            return false;
        }
        self.routes.peek(route).is_none_or(|calls| {
            calls.len() < self.per_route
                || calls
                    .iter()
                    .any(|c| !recent(self.window_ms, c.at_ms, now_ms))
                || calls.last().is_some_and(|c| c.duration_ms < duration_ms)
        })
    }

    /// Records a call if it is recent and among the `per_route` slowest for its route.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use apiscope::core::profiler::slow_log::{SlowCall, SlowLog};
    /// let mut log = SlowLog::new(NonZeroUsize::MIN, NonZeroUsize::MIN, 1_000.0);
    /// log.insert("/a", SlowCall { at_ms: 0.0, duration_ms: 5.0, detail: () }, 5_000.0); // too old
    /// assert!(log.calls(&"/a", 5_000.0).is_empty());
    /// ```
    pub fn insert(&mut self, route: K, call: SlowCall<T>, now_ms: f64) {
        if !recent(self.window_ms, call.at_ms, now_ms) || call.duration_ms.is_nan() {
            return;
        }
        let (window_ms, per_route) = (self.window_ms, self.per_route);
        let calls = self.routes.get_or_insert_mut(route, Vec::new);
        calls.retain(|c| recent(window_ms, c.at_ms, now_ms));
        if calls.len() == per_route
            && calls
                .last()
                .is_some_and(|c| c.duration_ms >= call.duration_ms)
        {
            return;
        }
        // Sorted slowest first; equal durations keep arrival order.
        let at = calls.partition_point(|c| c.duration_ms >= call.duration_ms);
        calls.insert(at, call);
        calls.truncate(per_route);
    }

    /// The route's recent slow calls, slowest first.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use apiscope::core::profiler::slow_log::SlowLog;
    /// let mut log: SlowLog<&str, ()> = SlowLog::new(NonZeroUsize::MIN, NonZeroUsize::MIN, 1_000.0);
    /// assert!(log.calls(&"/unknown", 0.0).is_empty());
    /// ```
    pub fn calls(&mut self, route: &K, now_ms: f64) -> &[SlowCall<T>] {
        let window_ms = self.window_ms;
        // peek: reading must not count as activity for eviction.
        match self.routes.peek_mut(route) {
            Some(calls) => {
                calls.retain(|c| recent(window_ms, c.at_ms, now_ms));
                calls
            }
            None => &[],
        }
    }

    /// Every route with recent slow calls, most recently recorded route first.
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use apiscope::core::profiler::slow_log::{SlowCall, SlowLog};
    /// let mut log = SlowLog::new(NonZeroUsize::MIN, NonZeroUsize::new(8).unwrap(), 1_000.0);
    /// log.insert("/a", SlowCall { at_ms: 0.0, duration_ms: 5.0, detail: () }, 0.0);
    /// log.insert("/b", SlowCall { at_ms: 900.0, duration_ms: 5.0, detail: () }, 900.0);
    /// let routes: Vec<&str> = log.all(1_500.0).into_iter().map(|(r, _)| *r).collect();
    /// assert_eq!(routes, ["/b"]);
    /// ```
    pub fn all(&mut self, now_ms: f64) -> Vec<(&K, &[SlowCall<T>])> {
        let window_ms = self.window_ms;
        let mut emptied = Vec::new();
        for (route, calls) in self.routes.iter_mut() {
            calls.retain(|c| recent(window_ms, c.at_ms, now_ms));
            if calls.is_empty() {
                emptied.push(route.clone());
            }
        }
        for route in emptied {
            self.routes.pop(&route);
        }
        self.routes
            .iter()
            .map(|(route, calls)| (route, calls.as_slice()))
            .collect()
    }
}

fn recent(window_ms: f64, at_ms: f64, now_ms: f64) -> bool {
    now_ms - at_ms <= window_ms
}
