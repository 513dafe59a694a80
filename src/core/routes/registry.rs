//! Latency per (method, route): rolling windows for each, with a cap on how many routes are
//! tracked and on the bytes each may hold, so that a page generating endless distinct routes
//! or endless traffic still has bounded memory: at most `maxBytes` for the windows, plus the
//! route table.

use crate::core::delivery::{Delivery, Protocol};
use crate::core::error::{FieldError, Rule};
use crate::core::routes::RouteSummary;
use crate::core::routes::capped::CappedRoutes;
use crate::core::routes::route_windows::{Observation, PhaseSums, RouteWindows};
use crate::core::routes::slow_calls::SlowCalls;
use crate::core::routes::windows::{Window, WindowsConfig, check_sample};
use crate::core::sketch::{Sketch, SketchConfig};

/// The fewest bytes a route's windows may be given: `maxBytes` is at least this much per
/// route (and the overflow entry).
///
/// ```
/// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry, MIN_ROUTE_BYTES};
/// let config = RegistryConfig { max_routes: 9, max_bytes: 10 * MIN_ROUTE_BYTES - 1, ..RegistryConfig::default() };
/// assert_eq!(RouteRegistry::new(config).unwrap_err().field, "maxBytes");
/// ```
pub const MIN_ROUTE_BYTES: usize = 1024;

/// Limits of a [`RouteRegistry`]; the JS option `windows: { slotMs, fineMs, retentionMs,
/// maxRoutes, maxBytes }`.
///
/// ```
/// use apiscope::core::routes::registry::RegistryConfig;
/// let config = RegistryConfig::default();
/// assert_eq!((config.slot_ms, config.retention_ms, config.max_routes), (10_000.0, 3_600_000.0, 500));
/// assert_eq!(config.windows().max_bytes, config.max_bytes / 501);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegistryConfig {
    /// Width of the finest time slots (the resolution of recent windows), > 0.
    pub slot_ms: f64,
    /// How long slots stay `slot_ms` wide, >= 0; older ones are twice as wide every few slots.
    pub fine_ms: f64,
    /// How long slots are kept; at most 100 000 slots of `slot_ms`.
    pub retention_ms: f64,
    /// Routes tracked individually (the overflow entry aside), >= 1.
    pub max_routes: usize,
    /// Heap bytes the windows of every route may hold together; each route (and the overflow
    /// entry) gets an equal share, and merges its oldest slots to stay within it.
    pub max_bytes: usize,
    /// Accuracy and size of every slot's sketch.
    pub sketch: SketchConfig,
}

impl Default for RegistryConfig {
    /// The windows' own defaults, 500 routes and 12 MiB: with the rest of the page's wasm
    /// memory, 500 routes of heavy traffic stay under 16 MB.
    fn default() -> Self {
        let windows = WindowsConfig::default();
        Self {
            slot_ms: windows.slot_ms,
            fine_ms: windows.fine_ms,
            retention_ms: windows.retention_ms,
            max_routes: 500,
            max_bytes: 12 << 20,
            sketch: windows.sketch,
        }
    }
}

impl RegistryConfig {
    /// The windows each route gets: the slot layout and its share of `max_bytes`.
    ///
    /// ```
    /// use apiscope::core::routes::registry::RegistryConfig;
    /// let config = RegistryConfig { max_routes: 1, max_bytes: 1 << 20, ..RegistryConfig::default() };
    /// assert_eq!(config.windows().max_bytes, 1 << 19);
    /// ```
    pub fn windows(&self) -> WindowsConfig {
        WindowsConfig {
            slot_ms: self.slot_ms,
            fine_ms: self.fine_ms,
            retention_ms: self.retention_ms,
            max_bytes: self.max_bytes / self.max_routes.saturating_add(1),
            sketch: self.sketch,
        }
    }
}

/// One route's read of its windows, as [`RouteRegistry::windows`] gives them.
///
/// ```
/// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
/// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
/// registry.record("GET", "/a", 5.0, false, 0.0).unwrap();
/// let read = &registry.windows(1_000.0, Some(60_000.0), None)[0];
/// assert_eq!((read.method, read.route, read.window.sketch.count()), ("GET", "/a", 1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RouteWindow<'a> {
    /// The route's method.
    pub method: &'a str,
    /// The route.
    pub route: &'a str,
    /// What its windows hold over the asked time: durations and errors.
    pub window: Window,
    /// Times to first byte over the same slots; `errors` counts the calls timed only to
    /// their headers.
    pub ttfb: Window,
    /// Calls per delivery in the window, in [`Delivery::ALL`] order.
    pub deliveries: [u64; 4],
    /// Calls per protocol since the route appeared, in [`Protocol`] code order.
    pub protocols: [u64; Protocol::COUNT],
}

impl RouteWindow<'_> {
    /// The route's figures: durations, errors, times to first byte, deliveries, protocols.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// use apiscope::core::routes::route_windows::Observation;
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// let call = Observation { ttfb_ms: Some(12.0), ..Observation::duration(40.0, false) };
    /// registry.observe("GET", "/a", &call, 1_000.0).unwrap();
    /// let summary = registry.windows(1_000.0, Some(60_000.0), None)[0].summary();
    /// assert_eq!((summary.count, summary.ttfb_count, summary.ttfb_p50), (1, 1, 12.0));
    /// ```
    pub fn summary(&self) -> RouteSummary {
        let mut s = summarize(
            self.method,
            self.route,
            &self.window.sketch,
            self.window.errors,
        );
        let ttfb = &self.ttfb.sketch;
        let p = |q| ttfb.quantile(q).unwrap_or(f64::NAN);
        s.ttfb_count = ttfb.count();
        (s.ttfb_p50, s.ttfb_p95, s.ttfb_p99) = (p(0.5), p(0.95), p(0.99));
        s.headers_only = self.ttfb.errors;
        s.deliveries = self.deliveries;
        s.protocols = self.protocols;
        s
    }
}

/// Rolling latency windows keyed by (method, route), with error counts.
///
/// ```
/// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
/// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
/// registry.record("GET", "/users/:id", 42.0, false, 1_000.0).unwrap();
/// registry.record("GET", "/users/:id", 58.0, true, 2_000.0).unwrap();
/// let summary = &registry.snapshot(2_000.0, Some(60_000.0))[0];
/// assert_eq!((summary.count, summary.errors, summary.error_rate), (2, 1, 0.5));
/// ```
#[derive(Debug, Clone)]
pub struct RouteRegistry {
    config: RegistryConfig,
    /// Cloned for each new route, so the config is validated once; also what an unknown
    /// route reads as.
    empty: RouteWindows,
    routes: CappedRoutes<RouteWindows>,
    /// The slot in which stale routes were last pruned, so pruning runs once per slot at most.
    pruned_at: Option<i64>,
}

impl RouteRegistry {
    /// An empty registry, or which option of `config` is out of range.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let bad = RegistryConfig { max_routes: 0, ..RegistryConfig::default() };
    /// assert!(RouteRegistry::new(bad).unwrap_err().to_string().starts_with("maxRoutes: "));
    /// ```
    pub fn new(config: RegistryConfig) -> Result<Self, FieldError> {
        let rule = Rule::Integer {
            min: 1.0,
            max: f64::INFINITY,
        };
        rule.check(config.max_routes as f64)
            .map_err(|p| p.of("maxRoutes"))?;
        let rule = Rule::Integer {
            min: (config.max_routes as f64 + 1.0) * MIN_ROUTE_BYTES as f64,
            max: f64::INFINITY,
        };
        rule.check(config.max_bytes as f64)
            .map_err(|p| p.of("maxBytes"))?;
        Ok(Self {
            empty: RouteWindows::new(config.windows())?,
            routes: CappedRoutes::new(config.max_routes),
            config,
            pruned_at: None,
        })
    }

    /// The limits it was made with.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// assert_eq!(registry.config().max_routes, 500);
    /// ```
    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Records one request. A new route beyond `max_routes` (after dropping routes with no
    /// sample in the retention) goes to the overflow entry and is counted in
    /// [`Self::overflow_count`].
    ///
    /// ```
    /// use apiscope::core::routes::capped::OVERFLOW_ROUTE;
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let config = RegistryConfig { max_routes: 1, ..RegistryConfig::default() };
    /// let mut registry = RouteRegistry::new(config).unwrap();
    /// registry.record("GET", "/a", 1.0, false, 0.0).unwrap();
    /// registry.record("GET", "/b", 1.0, false, 0.0).unwrap();
    /// assert_eq!(registry.overflow_count(), 1);
    /// assert!(registry.routes().any(|(_, route)| route == OVERFLOW_ROUTE));
    /// ```
    pub fn record(
        &mut self,
        method: &str,
        route: &str,
        duration_ms: f64,
        is_error: bool,
        now_ms: f64,
    ) -> Result<(), FieldError> {
        self.observe(
            method,
            route,
            &Observation::duration(duration_ms, is_error),
            now_ms,
        )
    }

    /// Records one call with what Resource Timing told about it (see [`Self::record`]).
    ///
    /// ```
    /// use apiscope::core::delivery::Delivery;
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// use apiscope::core::routes::route_windows::Observation;
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// let hit = Observation { delivery: Delivery::Cache, ..Observation::duration(2.0, false) };
    /// registry.observe("GET", "/a", &hit, 1_000.0).unwrap();
    /// let read = &registry.windows(1_000.0, Some(60_000.0), None)[0];
    /// assert_eq!(read.deliveries, [0, 0, 1, 0]);
    /// ```
    pub fn observe(
        &mut self,
        method: &str,
        route: &str,
        call: &Observation,
        now_ms: f64,
    ) -> Result<(), FieldError> {
        check_sample(call.duration_ms, now_ms)?;
        if let Some(windows) = self.routes.get_mut(method, route) {
            return windows.record(call, now_ms);
        }
        // Stale routes make room at most once per slot: a full map of live routes would
        // otherwise be scanned on every new route.
        let slot = (now_ms / self.config.slot_ms).floor() as i64;
        let prune = self.pruned_at != Some(slot);
        if prune && self.routes.len() >= self.config.max_routes {
            self.pruned_at = Some(slot);
        }
        let empty = &self.empty;
        self.routes
            .entry(
                method,
                route,
                || empty.fresh(),
                |w| prune && w.is_stale(now_ms),
            )
            .record(call, now_ms)
    }

    /// `window_ms` if windows can be that short: at least one slot (`windows.slotMs`).
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// assert_eq!(registry.check_window(60_000.0), Ok(60_000.0));
    /// let err = registry.check_window(3_000.0).unwrap_err();
    /// assert_eq!(err.to_string(), "windowMs: must be at least windows.slotMs (10000), got 3000");
    /// ```
    pub fn check_window(&self, window_ms: f64) -> Result<f64, FieldError> {
        let slot = Rule::AtLeastField {
            other: "windows.slotMs",
            value: self.config.slot_ms,
        };
        Rule::Positive
            .check(window_ms)
            .and_then(|w| slot.check(w))
            .map_err(|p| p.of("windowMs"))
    }

    /// Every route's samples over the last `window_ms` (`None`: the whole retention), of
    /// every delivery or only of `only`, for the routes that have some, ordered by method
    /// then route. Each read covers whole slots and may reach back further than asked (see
    /// [`RollingWindows::last`](crate::core::routes::windows::RollingWindows::last)).
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("GET", "/old", 5.0, false, 0.0).unwrap();
    /// registry.record("POST", "/new", 9.0, false, 600_000.0).unwrap();
    /// assert_eq!(registry.windows(600_000.0, Some(60_000.0), None).len(), 1);
    /// assert_eq!(registry.windows(600_000.0, None, None).len(), 2);
    /// ```
    pub fn windows(
        &self,
        now_ms: f64,
        window_ms: Option<f64>,
        only: Option<Delivery>,
    ) -> Vec<RouteWindow<'_>> {
        let window_ms = window_ms.unwrap_or(self.config.retention_ms);
        // Loops, not chains (ARCHITECTURE.md, "Bytes").
        let mut reads = Vec::new();
        for (method, route, windows) in self.routes.sorted() {
            let read = windows.last(now_ms, window_ms, only);
            if read.latency.sketch.count() > 0 {
                reads.push(RouteWindow {
                    method,
                    route,
                    window: read.latency,
                    ttfb: read.ttfb,
                    deliveries: read.deliveries,
                    protocols: windows.protocols(),
                });
            }
        }
        reads
    }

    /// Summaries of the routes with samples in the last `window_ms` (`None`: the whole
    /// retention), ordered by method then route.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("GET", "/old", 5.0, false, 0.0).unwrap();
    /// registry.record("POST", "/new", 9.0, false, 600_000.0).unwrap();
    /// assert_eq!(registry.snapshot(600_000.0, Some(60_000.0))[0].route, "/new");
    /// ```
    pub fn snapshot(&self, now_ms: f64, window_ms: Option<f64>) -> Vec<RouteSummary> {
        let reads = self.windows(now_ms, window_ms, None);
        let mut summaries = Vec::with_capacity(reads.len());
        for r in &reads {
            summaries.push(r.summary());
        }
        summaries
    }

    /// One route's samples over the last `window_ms` (see [`RollingWindows::last`]); `None`
    /// for an unknown route.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("GET", "/a", 5.0, true, 0.0).unwrap();
    /// let read = registry.window("GET", "/a", 1_000.0, 60_000.0).unwrap();
    /// assert_eq!((read.sketch.count(), read.errors), (1, 1));
    /// assert!(registry.window("GET", "/b", 1_000.0, 60_000.0).is_none());
    /// ```
    pub fn window(&self, method: &str, route: &str, now_ms: f64, window_ms: f64) -> Option<Window> {
        Some(
            self.routes
                .get(method, route)?
                .last(now_ms, window_ms, None)
                .latency,
        )
    }

    /// The sums of one route's Resource Timing phases since it appeared (see
    /// [`Observation::phases`]), once a call brought any.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// use apiscope::core::routes::route_windows::Observation;
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// let timed = Observation { phases: Some([Some(3.0), None, None, None, None, None, None]), ..Observation::duration(9.0, false) };
    /// registry.observe("GET", "/a", &timed, 1_000.0).unwrap();
    /// registry.record("GET", "/b", 9.0, false, 1_000.0).unwrap();
    /// assert_eq!(registry.phases("GET", "/a").unwrap().mean(0), Some(3.0));
    /// assert!(registry.phases("GET", "/b").is_none());
    /// ```
    pub fn phases(&self, method: &str, route: &str) -> Option<&PhaseSums> {
        self.routes.get(method, route)?.phases()
    }

    /// One route's slowest recent calls (see [`Observation::slow`]).
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// use apiscope::core::routes::route_windows::Observation;
    /// use apiscope::core::routes::slow_calls::SlowCall;
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// let slow = SlowCall { call_id: 1, url: "https://a.example/a".into(), status: 200, at_ms: 900.0, duration_ms: 90.0 };
    /// let call = Observation { slow: Some(slow), ..Observation::duration(90.0, false) };
    /// registry.observe("GET", "/a", &call, 990.0).unwrap();
    /// assert_eq!(registry.slow_calls("GET", "/a").unwrap().recent(1_000.0).count(), 1);
    /// assert!(registry.slow_calls("GET", "/b").is_none());
    /// ```
    pub fn slow_calls(&self, method: &str, route: &str) -> Option<&SlowCalls> {
        Some(self.routes.get(method, route)?.slow_calls())
    }

    /// One route's samples in the slots holding a time in `[from_ms, to_ms)` (see
    /// [`RollingWindows::between`]), e.g. the hour before a window as its baseline.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("GET", "/a", 5.0, false, 30_000.0).unwrap();
    /// registry.record("GET", "/a", 7.0, false, 90_000.0).unwrap();
    /// let earlier = registry.window_between("GET", "/a", 0.0, 60_000.0).unwrap();
    /// assert_eq!(earlier.sketch.max(), 5.0);
    /// ```
    pub fn window_between(
        &self,
        method: &str,
        route: &str,
        from_ms: f64,
        to_ms: f64,
    ) -> Option<Window> {
        Some(
            self.routes
                .get(method, route)?
                .between(from_ms, to_ms)
                .latency,
        )
    }

    /// One route's samples in consecutive steps of whole slots (see
    /// [`RollingWindows::steps`]); an unknown route has the same steps, empty.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// let steps = registry.steps("GET", "/none", 65_000.0, 60_000.0, 10_000.0);
    /// assert_eq!((steps.len(), steps[5].to_ms), (6, 60_000.0));
    /// ```
    pub fn steps(
        &self,
        method: &str,
        route: &str,
        now_ms: f64,
        window_ms: f64,
        step_ms: f64,
    ) -> Vec<Window> {
        self.routes
            .get(method, route)
            .unwrap_or(&self.empty)
            .steps(now_ms, window_ms, step_ms)
    }

    /// Every (method, route) held, the overflow entry included, ordered by method then route.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("POST", "/b", 1.0, false, 0.0).unwrap();
    /// registry.record("GET", "/a", 1.0, false, 0.0).unwrap();
    /// assert_eq!(registry.routes().collect::<Vec<_>>(), [("GET", "/a"), ("POST", "/b")]);
    /// ```
    pub fn routes(&self) -> impl Iterator<Item = (&str, &str)> {
        self.routes
            .sorted()
            .into_iter()
            .map(|(method, route, _)| (method, route))
    }

    /// Heap bytes held: the route table, its strings, and every route's windows (each within
    /// its share of `max_bytes`).
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// assert_eq!(registry.heap_bytes(), 0);
    /// registry.record("GET", "/a", 1.0, false, 0.0).unwrap();
    /// assert!(registry.heap_bytes() > 0);
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.routes.heap_bytes(RouteWindows::heap_bytes)
    }

    /// Samples that went to the overflow entry because `max_routes` was reached.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// assert_eq!(registry.overflow_count(), 0);
    /// ```
    pub fn overflow_count(&self) -> u64 {
        self.routes.overflow_count()
    }

    /// Forgets every route, sample and overflow count.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("GET", "/a", 1.0, false, 0.0).unwrap();
    /// registry.clear();
    /// assert_eq!(registry.routes().count(), 0);
    /// ```
    pub fn clear(&mut self) {
        self.routes.clear();
        self.pruned_at = None;
    }
}

/// The [`RouteSummary`] of one route's merged sketch and error count.
///
/// ```
/// use apiscope::core::{routes::registry::summarize, sketch::Sketch};
/// let mut s = Sketch::default();
/// s.record_many(&[10.0, 20.0, 30.0]).unwrap();
/// let summary = summarize("GET", "/a", &s, 1);
/// assert_eq!((summary.count, summary.errors, summary.max), (3, 1, 30.0));
/// ```
pub fn summarize(method: &str, route: &str, sketch: &Sketch, errors: u64) -> RouteSummary {
    // Constant quantiles in [0, 1] cannot fail.
    let p = |q| sketch.quantile(q).unwrap_or(f64::NAN);
    RouteSummary {
        method: method.to_owned(),
        route: route.to_owned(),
        count: sketch.count(),
        errors,
        error_rate: errors as f64 / sketch.count() as f64,
        p50: p(0.5),
        p90: p(0.9),
        p95: p(0.95),
        p99: p(0.99),
        min: sketch.min(),
        max: sketch.max(),
        mean: sketch.mean(),
        ..RouteSummary::empty(method, route)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_routes_make_room_for_new_ones() {
        let config = RegistryConfig {
            max_routes: 1,
            ..RegistryConfig::default()
        };
        let mut registry = RouteRegistry::new(config).unwrap();
        registry.record("GET", "/a", 1.0, false, 0.0).unwrap();
        registry
            .record("GET", "/b", 1.0, false, 4_000_000.0)
            .unwrap();
        assert_eq!(registry.overflow_count(), 0);
        assert_eq!(registry.routes().collect::<Vec<_>>(), [("GET", "/b")]);
    }

    #[test]
    fn bad_samples_create_no_route() {
        let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
        assert!(registry.record("GET", "/a", -1.0, false, 0.0).is_err());
        assert_eq!(registry.routes().count(), 0);
    }
}
