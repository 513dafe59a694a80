//! Per-route sketches of what happened since the last export (OTLP delta temporality).

use crate::core::batch::sample::Sample;
use crate::core::error::FieldError;
use crate::core::routes::capped::CappedRoutes;
use crate::core::routes::registry::RegistryConfig;
use crate::core::sketch::{Sketch, check_value};

/// One route's calls over `[start_ms, end_ms)`: exactly what one export reports for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportPoint {
    /// Upper-case HTTP method.
    pub method: String,
    /// Route template.
    pub route: String,
    /// Epoch ms the interval starts at (the previous take).
    pub start_ms: f64,
    /// Epoch ms the interval ends at (this take).
    pub end_ms: f64,
    /// Durations of the calls, ms.
    pub sketch: Sketch,
    /// How many of them failed.
    pub errors: u64,
}

#[derive(Debug, Clone)]
struct Pending {
    sketch: Sketch,
    errors: u64,
}

/// Collects every sample into per-route sketches until [`DeltaAggregator::take`] hands them
/// out and starts over, so each sample is exported exactly once.
///
/// ```
/// use apiscope::core::export::DeltaAggregator;
/// use apiscope::core::routes::registry::RegistryConfig;
/// let mut agg = DeltaAggregator::new(&RegistryConfig::default(), 1_000.0).unwrap();
/// agg.record("GET", "/users/:id", 12.0, false).unwrap();
/// agg.record("GET", "/users/:id", 80.0, true).unwrap();
/// let points = agg.take(11_000.0).unwrap();
/// assert_eq!((points[0].sketch.count(), points[0].errors), (2, 1));
/// assert_eq!((points[0].start_ms, points[0].end_ms), (1_000.0, 11_000.0));
/// assert!(agg.take(21_000.0).is_none());
/// ```
#[derive(Debug, Clone)]
pub struct DeltaAggregator {
    /// Cloned for each new route, so the sketch config is validated once.
    empty: Sketch,
    /// Emptied by every take, so no route outlives its interval.
    routes: CappedRoutes<Pending>,
    /// Overflowed calls of the intervals already taken.
    overflowed: u64,
    start_ms: f64,
}

impl DeltaAggregator {
    /// An aggregator whose first interval starts at `now_ms`, with the registry's sketch
    /// accuracy and route cap (routes beyond it go to the registry's overflow entry).
    ///
    /// ```
    /// use apiscope::core::export::DeltaAggregator;
    /// use apiscope::core::routes::registry::RegistryConfig;
    /// let mut config = RegistryConfig::default();
    /// config.sketch.max_buckets = 0;
    /// assert!(DeltaAggregator::new(&config, 0.0).is_err());
    /// ```
    pub fn new(config: &RegistryConfig, now_ms: f64) -> Result<Self, FieldError> {
        Ok(Self {
            empty: Sketch::new(config.sketch)?,
            routes: CappedRoutes::new(config.max_routes),
            overflowed: 0,
            start_ms: now_ms,
        })
    }

    /// Adds one call. A bad duration is refused and changes nothing.
    ///
    /// ```
    /// use apiscope::core::export::DeltaAggregator;
    /// use apiscope::core::routes::registry::RegistryConfig;
    /// let mut agg = DeltaAggregator::new(&RegistryConfig::default(), 0.0).unwrap();
    /// assert!(agg.record("GET", "/a", f64::NAN, false).is_err());
    /// assert!(agg.is_empty());
    /// ```
    pub fn record(
        &mut self,
        method: &str,
        route: &str,
        duration_ms: f64,
        is_error: bool,
    ) -> Result<(), FieldError> {
        check_value(|| "durationMs".to_owned(), duration_ms)?;
        let empty = &self.empty;
        let make = || Pending {
            sketch: empty.clone(),
            errors: 0,
        };
        let pending = self.routes.entry(method, route, make, |_| false);
        pending.sketch.record(duration_ms)?;
        pending.errors += u64::from(is_error);
        Ok(())
    }

    /// Calls filed under the overflow entry because the route cap was reached (since the
    /// aggregator was made).
    ///
    /// ```
    /// use apiscope::core::export::DeltaAggregator;
    /// use apiscope::core::routes::registry::RegistryConfig;
    /// let config = RegistryConfig { max_routes: 1, ..RegistryConfig::default() };
    /// let mut agg = DeltaAggregator::new(&config, 0.0).unwrap();
    /// agg.record("GET", "/a", 1.0, false).unwrap();
    /// agg.record("GET", "/b", 1.0, false).unwrap();
    /// assert_eq!(agg.overflow_count(), 1);
    /// ```
    pub fn overflow_count(&self) -> u64 {
        self.overflowed + self.routes.overflow_count()
    }

    /// Whether nothing was recorded since the last take.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Every route's calls since the last take (in no particular order: a collector merges
    /// by attributes), or `None` if there were none; either way the next interval starts at
    /// `now_ms`.
    ///
    /// ```
    /// use apiscope::core::export::DeltaAggregator;
    /// use apiscope::core::routes::registry::RegistryConfig;
    /// let mut agg = DeltaAggregator::new(&RegistryConfig::default(), 0.0).unwrap();
    /// assert!(agg.take(5.0).is_none());
    /// agg.record("GET", "/a", 1.0, false).unwrap();
    /// assert_eq!(agg.take(9.0).unwrap()[0].start_ms, 5.0);
    /// ```
    pub fn take(&mut self, now_ms: f64) -> Option<Vec<ExportPoint>> {
        let start_ms = std::mem::replace(&mut self.start_ms, now_ms);
        if self.routes.is_empty() {
            return None;
        }
        // Unsorted on purpose: sorting would link one more sort instantiation into the wasm.
        let points = self
            .routes
            .iter()
            .map(|(method, route, p)| ExportPoint {
                method: method.to_owned(),
                route: route.to_owned(),
                start_ms,
                end_ms: now_ms,
                sketch: p.sketch.clone(),
                errors: p.errors,
            })
            .collect();
        self.overflowed += self.routes.overflow_count();
        self.routes.clear();
        Some(points)
    }
}

/// What the profiler core records every accepted sample into while export is on, and takes
/// the deltas from. The core holds it as a trait object, so a build that never turns export
/// on links none of the aggregation code.
pub trait ExportDeltas {
    /// Files one sample the core accepted: its duration under its route, an error if it
    /// failed. (A second histogram, TTFB, reads the sample's own field here.)
    fn record_sample(&mut self, sample: &Sample) -> Result<(), FieldError>;

    /// [`DeltaAggregator::take`].
    fn take(&mut self, now_ms: f64) -> Option<Vec<ExportPoint>>;
}

impl ExportDeltas for DeltaAggregator {
    fn record_sample(&mut self, sample: &Sample) -> Result<(), FieldError> {
        self.record(
            &sample.method,
            &sample.route,
            sample.duration_ms,
            !sample.ok,
        )
    }

    fn take(&mut self, now_ms: f64) -> Option<Vec<ExportPoint>> {
        DeltaAggregator::take(self, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sample_is_taken_exactly_once() {
        let mut agg = DeltaAggregator::new(&RegistryConfig::default(), 0.0).unwrap();
        let mut all = Sketch::default();
        let mut taken = Sketch::default();
        for round in 0..3 {
            for i in 0..50 {
                let v = f64::from(round * 50 + i);
                agg.record(["GET", "POST"][i as usize % 2], "/x", v, i % 7 == 0)
                    .unwrap();
                all.record(v).unwrap();
            }
            for point in agg.take(f64::from(round + 1)).unwrap() {
                assert_eq!(point.start_ms, f64::from(round));
                taken.merge(&point.sketch);
            }
            assert!(agg.take(f64::from(round + 1)).is_none());
        }
        assert_eq!(taken, all);
    }

    #[test]
    fn routes_beyond_the_cap_overflow_per_interval() {
        let config = RegistryConfig {
            max_routes: 2,
            ..RegistryConfig::default()
        };
        let mut agg = DeltaAggregator::new(&config, 0.0).unwrap();
        for route in ["/a", "/b", "/c", "/d"] {
            agg.record("GET", route, 1.0, false).unwrap();
        }
        let routes = |points: Vec<ExportPoint>| -> Vec<(String, String, u64)> {
            let mut routes: Vec<_> = points
                .into_iter()
                .map(|p| (p.method, p.route, p.sketch.count()))
                .collect();
            routes.sort();
            routes
        };
        assert_eq!(
            routes(agg.take(1.0).unwrap()),
            [
                ("*".into(), "(other)".into(), 2),
                ("GET".into(), "/a".into(), 1),
                ("GET".into(), "/b".into(), 1)
            ]
        );
        agg.record("GET", "/d", 1.0, false).unwrap();
        assert_eq!(
            routes(agg.take(2.0).unwrap()),
            [("GET".into(), "/d".into(), 1)]
        );
    }
}
