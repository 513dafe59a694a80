//! The time a response cache saved its callers, per route: each answer from the cache saved
//! the route's network latency minus the answer's own time.
//!
//! A route's network latency is, in order of preference: a figure handed in by the caller
//! (a profiler's typical latency for the route, when one watches the cache), the median of
//! the route's last few network calls made by this cache, or the time the served entry took
//! when it was fetched (an entry read back from disk after a reload, before any miss).
//!
//! Invariant: memory is bounded by the route cap (routes beyond it share the overflow route),
//! and no figure is ever negative: an answer slower than the network saved nothing.

use crate::core::routes::capped::CappedRoutes;

/// How many recent network calls per route the median is taken over.
///
/// ```
/// assert_eq!(apiscope::core::cache::time_saved::RECENT_CALLS, 15);
/// ```
pub const RECENT_CALLS: usize = 15;

/// One route's figures.
///
/// ```
/// use apiscope::core::cache::time_saved::RouteTime;
/// let mut r = RouteTime::default();
/// for ms in [30.0, 10.0, 20.0] { r.network(ms); }
/// assert_eq!(r.network_ms(), Some(20.0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RouteTime {
    recent: [f64; RECENT_CALLS],
    filled: u8,
    next: u8,
    /// Network calls measured.
    pub calls: u64,
    /// Answers served from the cache.
    pub served: u64,
    /// Milliseconds those answers saved.
    pub saved_ms: f64,
}

impl RouteTime {
    /// Files one network call's latency.
    pub fn network(&mut self, ms: f64) {
        self.recent[usize::from(self.next)] = ms;
        self.next = (self.next + 1) % RECENT_CALLS as u8;
        self.filled = (self.filled + 1).min(RECENT_CALLS as u8);
        self.calls += 1;
    }

    /// The median of the recent network calls (the lower middle of an even count).
    pub fn network_ms(&self) -> Option<f64> {
        let n = usize::from(self.filled);
        if n == 0 {
            return None;
        }
        // An insertion sort of at most 15 numbers, written out: no sort is linked for it.
        let mut sorted = self.recent;
        for i in 1..n {
            let mut j = i;
            while j > 0 && sorted[j - 1] > sorted[j] {
                sorted.swap(j - 1, j);
                j -= 1;
            }
        }
        Some(sorted[(n - 1) / 2])
    }
}

/// Per-route figures and the total.
///
/// ```
/// use apiscope::core::cache::time_saved::TimeSaved;
/// let mut t = TimeSaved::new(10);
/// t.network("GET", "/a/:id", 120.0);
/// assert_eq!(t.served("GET", "/a/:id", 2.0, None, None), 118.0);
/// assert_eq!(t.served("GET", "/a/:id", 1.0, Some(300.0), None), 299.0); // a profiler's figure wins
/// assert_eq!(t.total_ms(), 417.0);
/// ```
#[derive(Debug, Clone)]
pub struct TimeSaved {
    routes: CappedRoutes<RouteTime>,
    total_ms: f64,
}

impl TimeSaved {
    /// Figures for up to `max_routes` routes, beyond which routes share the overflow route.
    pub fn new(max_routes: usize) -> Self {
        Self {
            routes: CappedRoutes::new(max_routes),
            total_ms: 0.0,
        }
    }

    /// Files one network call of `route` that took `ms`.
    pub fn network(&mut self, method: &str, route: &str, ms: f64) {
        if ms.is_finite() && ms >= 0.0 {
            self.route(method, route).network(ms);
        }
    }

    /// Files one answer from the cache that took `answer_ms`; returns the time it saved.
    /// `known_ms` is the caller's figure for the route's latency, `entry_ms` the time the
    /// served entry took to fetch; see the module docs for which is used.
    pub fn served(
        &mut self,
        method: &str,
        route: &str,
        answer_ms: f64,
        known_ms: Option<f64>,
        entry_ms: Option<f64>,
    ) -> f64 {
        let usable = |ms: &f64| ms.is_finite() && *ms >= 0.0;
        let figures = self.route(method, route);
        let network = known_ms
            .filter(usable)
            .or_else(|| figures.network_ms())
            .or(entry_ms.filter(usable));
        let answer = if usable(&answer_ms) { answer_ms } else { 0.0 };
        let saved = network.map_or(0.0, |n| (n - answer).max(0.0));
        figures.served += 1;
        figures.saved_ms += saved;
        self.total_ms += saved;
        saved
    }

    /// Milliseconds saved in all.
    pub fn total_ms(&self) -> f64 {
        self.total_ms
    }

    /// Every route's figures, as `(method, route, figures)`, in no particular order (the
    /// caller sorts what it shows: no sort is linked into the wasm for it).
    ///
    /// ```
    /// use apiscope::core::cache::time_saved::TimeSaved;
    /// let mut t = TimeSaved::new(10);
    /// t.network("GET", "/b", 1.0);
    /// t.network("GET", "/a", 1.0);
    /// let mut routes: Vec<&str> = t.routes().map(|r| r.1).collect();
    /// routes.sort();
    /// assert_eq!(routes, ["/a", "/b"]);
    /// ```
    pub fn routes(&self) -> impl Iterator<Item = (&str, &str, &RouteTime)> {
        self.routes.iter()
    }

    fn route(&mut self, method: &str, route: &str) -> &mut RouteTime {
        self.routes
            .entry(method, route, RouteTime::default, |_| false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::routes::capped::{OVERFLOW_METHOD, OVERFLOW_ROUTE};

    #[test]
    fn the_median_follows_the_recent_calls_only() {
        let mut r = RouteTime::default();
        for _ in 0..RECENT_CALLS {
            r.network(1_000.0);
        }
        for _ in 0..8 {
            r.network(10.0); // a majority of the last 15
        }
        assert_eq!(r.network_ms(), Some(10.0));
        assert_eq!(r.calls, 23);
    }

    #[test]
    fn an_answer_slower_than_the_network_saved_nothing_and_unknown_latency_saves_nothing() {
        let mut t = TimeSaved::new(4);
        assert_eq!(t.served("GET", "/x", 5.0, None, None), 0.0);
        assert_eq!(t.served("GET", "/x", 5.0, None, Some(40.0)), 35.0);
        t.network("GET", "/x", 3.0);
        assert_eq!(t.served("GET", "/x", 5.0, None, Some(40.0)), 0.0);
        assert_eq!(t.served("GET", "/x", f64::NAN, Some(f64::NAN), None), 3.0);
        t.network("GET", "/x", f64::NAN); // ignored
        let (_, _, x) = t.routes().next().unwrap();
        assert_eq!((x.served, x.calls, x.saved_ms), (4, 1, 38.0));
        assert_eq!(t.total_ms(), 38.0);
    }

    #[test]
    fn routes_beyond_the_cap_share_the_overflow_route() {
        let mut t = TimeSaved::new(1);
        t.network("GET", "/a", 10.0);
        t.network("GET", "/b", 20.0);
        let routes: Vec<(&str, &str)> = t.routes().map(|r| (r.0, r.1)).collect();
        assert!(routes.contains(&("GET", "/a")));
        assert!(routes.contains(&(OVERFLOW_METHOD, OVERFLOW_ROUTE)));
    }
}
