//! Latency per (method, route): rolling windows for each, with a cap on how many routes are
//! tracked so that a page generating endless distinct routes still has bounded memory.

use crate::core::error::{FieldError, Rule};
use crate::core::routes::RouteSummary;
use crate::core::routes::capped::CappedRoutes;
use crate::core::routes::windows::{RollingWindows, check_sample};
use crate::core::sketch::{Sketch, SketchConfig};

/// Limits of a [`RouteRegistry`].
///
/// ```
/// use apiscope::core::routes::registry::RegistryConfig;
/// let config = RegistryConfig::default();
/// assert_eq!((config.slot_ms, config.retention_ms, config.max_routes), (10_000.0, 3_600_000.0, 500));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegistryConfig {
    /// Width of one time slot (the resolution of windows), > 0.
    pub slot_ms: f64,
    /// How long slots are kept; at most 100 000 slots.
    pub retention_ms: f64,
    /// Routes tracked individually (the overflow entry aside), >= 1.
    pub max_routes: usize,
    /// Accuracy and size of every slot's sketch.
    pub sketch: SketchConfig,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            slot_ms: 10_000.0,
            retention_ms: 3_600_000.0,
            max_routes: 500,
            sketch: SketchConfig::default(),
        }
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
    /// Cloned for each new route, so the config is validated once.
    empty: RollingWindows,
    routes: CappedRoutes<RollingWindows>,
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
        Ok(Self {
            empty: RollingWindows::new(config.slot_ms, config.retention_ms, config.sketch)?,
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
        check_sample(duration_ms, now_ms)?;
        if let Some(windows) = self.routes.get_mut(method, route) {
            return windows.record(duration_ms, is_error, now_ms);
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
                || empty.clone(),
                |w| prune && w.is_stale(now_ms),
            )
            .record(duration_ms, is_error, now_ms)
    }

    /// Summaries of the routes with samples in the last `window_ms` (`None`: the whole
    /// retention), ordered by method then route.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("GET", "/old", 5.0, false, 0.0).unwrap();
    /// registry.record("POST", "/new", 9.0, false, 600_000.0).unwrap();
    /// assert_eq!(registry.snapshot(600_000.0, Some(60_000.0)).len(), 1);
    /// assert_eq!(registry.snapshot(600_000.0, None).len(), 2);
    /// ```
    pub fn snapshot(&self, now_ms: f64, window_ms: Option<f64>) -> Vec<RouteSummary> {
        let window_ms = window_ms.unwrap_or(self.config.retention_ms);
        self.entries()
            .into_iter()
            .filter_map(|(method, route, windows)| {
                let (sketch, errors) = windows.last(now_ms, window_ms);
                (sketch.count() > 0).then(|| summarize(method, route, &sketch, errors))
            })
            .collect()
    }

    /// The merged sketch and error count of one route over the last `window_ms`; `None` for an
    /// unknown route.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("GET", "/a", 5.0, true, 0.0).unwrap();
    /// let (sketch, errors) = registry.window("GET", "/a", 1_000.0, 60_000.0).unwrap();
    /// assert_eq!((sketch.count(), errors), (1, 1));
    /// assert!(registry.window("GET", "/b", 1_000.0, 60_000.0).is_none());
    /// ```
    pub fn window(
        &self,
        method: &str,
        route: &str,
        now_ms: f64,
        window_ms: f64,
    ) -> Option<(Sketch, u64)> {
        self.window_between(method, route, now_ms - window_ms, now_ms)
    }

    /// The merged sketch and error count of one route over the slots starting in
    /// `(from_ms, to_ms]`, e.g. the previous hour as a baseline.
    ///
    /// ```
    /// use apiscope::core::routes::registry::{RegistryConfig, RouteRegistry};
    /// let mut registry = RouteRegistry::new(RegistryConfig::default()).unwrap();
    /// registry.record("GET", "/a", 5.0, false, 30_000.0).unwrap();
    /// registry.record("GET", "/a", 7.0, false, 90_000.0).unwrap();
    /// let (earlier, _) = registry.window_between("GET", "/a", 0.0, 60_000.0).unwrap();
    /// assert_eq!(earlier.max(), 5.0);
    /// ```
    pub fn window_between(
        &self,
        method: &str,
        route: &str,
        from_ms: f64,
        to_ms: f64,
    ) -> Option<(Sketch, u64)> {
        let windows = self.routes.get(method, route)?;
        Some(windows.between(from_ms, to_ms))
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
        self.entries()
            .into_iter()
            .map(|(method, route, _)| (method, route))
    }

    fn entries(&self) -> Vec<(&str, &str, &RollingWindows)> {
        self.routes.sorted()
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
