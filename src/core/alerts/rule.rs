//! Alert rules: the serde shape the facade receives ([`RuleSpec`]) and its validated form
//! ([`AlertRule`]).

use serde::{Deserialize, Serialize};

use super::metrics::RouteMetrics;
use crate::core::alerts::trend::{Trend, TrendReport};
use crate::core::error::{FieldError, Problem, Rule};
use crate::core::routes::glob::Glob;

/// A rule as JavaScript writes it, e.g.
/// `{ name: "slow users", route: "/api/users/**", metric: "p95", above: 800, windowMs: 60000 }`.
/// Only shape is checked here; [`AlertRule::validate`] checks values.
///
/// ```
/// use apiscope::core::alerts::RuleSpec;
/// let spec: RuleSpec = serde_json::from_str(
///     r#"{"name":"slow","metric":"p95","above":800,"windowMs":60000}"#,
/// ).unwrap();
/// assert_eq!(spec.window_ms, 60_000.0);
/// assert!(serde_json::from_str::<RuleSpec>(r#"{"name":"x","metric":"p95","windowMs":1,"abve":1}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique among the installed rules.
    pub name: String,
    /// Glob over route labels (see [`crate::core::routes::glob`]); all routes when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// HTTP method, case-insensitive; all methods when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// `p50`, `p90`, `p95`, `p99`, `mean`, `max`, `errorRate`, `count`, `cacheHitRate`,
    /// `p50Regression`, `p95Regression` or `p99Regression` (see [`Metric`]).
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Fire when the metric goes above this (exactly one of `above` and `below`).
    pub above: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Fire when the metric falls below this.
    pub below: Option<f64>,
    /// How far back the metric looks, ms.
    pub window_ms: f64,
    /// Default 20. A number rather than an integer type so a bad value is reported by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_samples: Option<f64>,
    /// Default: `windowMs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_ms: Option<f64>,
}

/// What a rule watches.
///
/// The `*Regression` metrics are a quantile's relative change against the hour before the
/// window (the route's [`crate::core::alerts::trend::TrendReport`]; 0.35 = 35% slower). While that
/// change is not `significant` their value is 0: a change the tests cannot tell from noise
/// counts as none. So a regression rule fires on a significant change above its threshold
/// and resolves, with the usual hysteresis, when the change shrinks or stops being
/// significant. They take `above` only (improvements are not alerts).
///
/// ```
/// use apiscope::core::alerts::Metric;
/// assert_eq!(Metric::parse("errorRate"), Some(Metric::ErrorRate));
/// assert_eq!(Metric::ErrorRate.as_str(), "errorRate");
/// assert_eq!(Metric::parse("p95Regression"), Some(Metric::P95Regression));
/// assert_eq!(Metric::parse("p42"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Metric {
    /// Median latency, ms.
    P50,
    /// 90th percentile latency, ms.
    P90,
    /// 95th percentile latency, ms.
    P95,
    /// 99th percentile latency, ms.
    P99,
    /// Mean latency, ms.
    Mean,
    /// Slowest call, ms.
    Max,
    /// Share of calls that failed, 0–1.
    ErrorRate,
    /// Calls in the window.
    Count,
    /// A watched response cache's hit rate, 0–1.
    CacheHitRate,
    /// p50's significant relative change against the hour before.
    P50Regression,
    /// p95's significant relative change against the hour before.
    P95Regression,
    /// p99's significant relative change against the hour before.
    P99Regression,
}

impl Metric {
    const ALL: [Metric; 12] = [
        Self::P50,
        Self::P90,
        Self::P95,
        Self::P99,
        Self::Mean,
        Self::Max,
        Self::ErrorRate,
        Self::Count,
        Self::CacheHitRate,
        Self::P50Regression,
        Self::P95Regression,
        Self::P99Regression,
    ];

    /// The metric named `name` (as in JavaScript), if any.
    ///
    /// ```
    /// # use apiscope::core::alerts::Metric;
    /// assert_eq!(Metric::parse("p99"), Some(Metric::P99));
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The JavaScript name.
    ///
    /// ```
    /// # use apiscope::core::alerts::Metric;
    /// assert_eq!(Metric::CacheHitRate.as_str(), "cacheHitRate");
    /// ```
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Every metric's JavaScript name, in [`Metric::ALL`] order.
    const NAMES: [&'static str; 12] = [
        "p50",
        "p90",
        "p95",
        "p99",
        "mean",
        "max",
        "errorRate",
        "count",
        "cacheHitRate",
        "p50Regression",
        "p95Regression",
        "p99Regression",
    ];

    /// Whether the metric reads the route's trend against its baseline.
    ///
    /// ```
    /// # use apiscope::core::alerts::Metric;
    /// assert!(Metric::P99Regression.is_regression() && !Metric::P99.is_regression());
    /// ```
    pub fn is_regression(self) -> bool {
        matches!(
            self,
            Self::P50Regression | Self::P95Regression | Self::P99Regression
        )
    }

    /// The metric's value for one route, or `None` when unknown (no samples, no cache hit
    /// rate supplied, or no trend for a regression metric).
    ///
    /// ```
    /// use apiscope::core::alerts::{Metric, RouteMetrics};
    /// use apiscope::core::{routes::RouteSummary, sketch::Bucket};
    /// use apiscope::core::alerts::trend::{compare, TrendConfig};
    /// let mut m = RouteMetrics { summary: RouteSummary::empty("GET", "/a"), cache_hit_rate: None, trend: None };
    /// assert_eq!(Metric::P95.value(&m), None);
    /// m.summary.count = 4;
    /// m.summary.p95 = 120.0;
    /// assert_eq!(Metric::P95.value(&m), Some(120.0));
    /// assert_eq!(Metric::Count.value(&m), Some(4.0));
    /// assert_eq!(Metric::P95Regression.value(&m), None);
    /// m.cache_hit_rate = Some(0.5);
    /// assert_eq!(Metric::CacheHitRate.value(&m), Some(0.5));
    /// // 100 calls at 100–110 ms an hour ago, 100 at 150–160 ms now: p50 +47.6%, significant.
    /// let hist = |lo: f64| vec![Bucket { lower: lo, upper: lo + 10.0, count: 100 }];
    /// m.trend = Some(compare(&hist(100.0), &hist(150.0), &TrendConfig::default()));
    /// assert!((Metric::P50Regression.value(&m).unwrap() - 50.0 / 105.0).abs() < 1e-12);
    /// // The same shift at 10 calls a side is not significant: no regression.
    /// let few = |lo: f64| vec![Bucket { lower: lo, upper: lo + 10.0, count: 10 }];
    /// m.trend = Some(compare(&few(100.0), &few(150.0), &TrendConfig::default()));
    /// assert_eq!(Metric::P50Regression.value(&m), Some(0.0));
    /// ```
    pub fn value(self, m: &RouteMetrics) -> Option<f64> {
        let s = &m.summary;
        let regression = |pick: fn(&TrendReport) -> &Trend| {
            let t = pick(m.trend.as_ref()?);
            Some(if t.significant { t.change } else { 0.0 })
        };
        let v = match self {
            Self::P50 => s.p50,
            Self::P90 => s.p90,
            Self::P95 => s.p95,
            Self::P99 => s.p99,
            Self::Mean => s.mean,
            Self::Max => s.max,
            Self::ErrorRate => s.error_rate,
            Self::Count => s.count as f64,
            Self::CacheHitRate => m.cache_hit_rate?,
            Self::P50Regression => regression(|r| &r.p50)?,
            Self::P95Regression => regression(|r| &r.p95)?,
            Self::P99Regression => regression(|r| &r.p99)?,
        };
        v.is_finite().then_some(v)
    }
}

/// Which side of the threshold is bad.
///
/// ```
/// use apiscope::core::alerts::Threshold;
/// let t = Threshold::Above(100.0);
/// assert!(t.breached(101.0) && !t.breached(100.0));
/// // Resolves only 10% back across the threshold.
/// assert!(!t.recovered(95.0) && t.recovered(90.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Breached above this value.
    Above(f64),
    /// Breached below this value.
    Below(f64),
}

impl Threshold {
    /// How far back across the threshold a value must come to resolve, as a fraction of the
    /// threshold's magnitude: stops an alert flapping while the value hovers near the line.
    ///
    /// ```
    /// assert_eq!(apiscope::core::alerts::Threshold::HYSTERESIS, 0.1);
    /// ```
    pub const HYSTERESIS: f64 = 0.1;

    /// The threshold value.
    ///
    /// ```
    /// # use apiscope::core::alerts::Threshold;
    /// assert_eq!(Threshold::Below(0.5).value(), 0.5);
    /// ```
    pub fn value(self) -> f64 {
        match self {
            Self::Above(t) | Self::Below(t) => t,
        }
    }

    /// Strictly past the threshold.
    ///
    /// ```
    /// # use apiscope::core::alerts::Threshold;
    /// assert!(Threshold::Below(0.5).breached(0.4));
    /// ```
    pub fn breached(self, v: f64) -> bool {
        match self {
            Self::Above(t) => v > t,
            Self::Below(t) => v < t,
        }
    }

    /// Back across the threshold by the hysteresis margin (at least reaching it, for a
    /// threshold of 0).
    ///
    /// ```
    /// # use apiscope::core::alerts::Threshold;
    /// assert!(Threshold::Below(0.5).recovered(0.55) && !Threshold::Below(0.5).recovered(0.54));
    /// assert!(Threshold::Above(0.0).recovered(0.0));
    /// ```
    pub fn recovered(self, v: f64) -> bool {
        let margin = self.value().abs() * Self::HYSTERESIS;
        match self {
            Self::Above(t) => v <= t - margin,
            Self::Below(t) => v >= t + margin,
        }
    }
}

/// A validated rule.
///
/// ```
/// use apiscope::core::alerts::{AlertRule, Metric, RuleSpec, Threshold};
/// let rule = AlertRule::validate(RuleSpec {
///     name: "slow".into(), route: Some("/api/**".into()), method: Some("get".into()),
///     metric: "p95".into(), above: Some(800.0), window_ms: 60_000.0, ..Default::default()
/// }).unwrap();
/// assert_eq!((rule.metric, rule.threshold, rule.min_samples, rule.cooldown_ms), (Metric::P95, Threshold::Above(800.0), 20, 60_000.0));
/// assert!(rule.applies_to("GET", "/api/users/:id"));
/// assert!(!rule.applies_to("POST", "/api/users/:id"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    /// Unique among the installed rules.
    pub name: String,
    /// Routes it watches; all when `None`.
    pub route: Option<Glob>,
    /// Upper-cased.
    pub method: Option<String>,
    /// What it watches.
    pub metric: Metric,
    /// When it fires.
    pub threshold: Threshold,
    /// How far back the metric looks, ms.
    pub window_ms: f64,
    /// Fewest calls in the window for the rule to judge.
    pub min_samples: u64,
    /// Least time between two firings of one route, ms.
    pub cooldown_ms: f64,
}

impl AlertRule {
    /// The default `minSamples`.
    ///
    /// ```
    /// assert_eq!(apiscope::core::alerts::AlertRule::DEFAULT_MIN_SAMPLES, 20);
    /// ```
    pub const DEFAULT_MIN_SAMPLES: u64 = 20;

    /// Checks every value of `spec`; the error names the first bad field.
    ///
    /// ```
    /// use apiscope::core::alerts::{AlertRule, RuleSpec};
    /// let base = RuleSpec { name: "x".into(), metric: "p95".into(), window_ms: 1_000.0, ..Default::default() };
    /// let field = |spec: RuleSpec| AlertRule::validate(spec).unwrap_err().field;
    /// assert_eq!(field(base.clone()), "above");
    /// assert_eq!(field(RuleSpec { above: Some(1.0), below: Some(2.0), ..base.clone() }), "above");
    /// assert_eq!(field(RuleSpec { above: Some(1.0), window_ms: 0.0, ..base.clone() }), "windowMs");
    /// assert_eq!(field(RuleSpec { above: Some(1.0), cooldown_ms: Some(-1.0), ..base.clone() }), "cooldownMs");
    /// assert_eq!(field(RuleSpec { above: Some(1.0), min_samples: Some(2.5), ..base.clone() }), "minSamples");
    /// // Regression metrics take `above` only, and not below 0.
    /// let regression = RuleSpec { metric: "p95Regression".into(), ..base };
    /// assert_eq!(field(RuleSpec { below: Some(0.2), ..regression.clone() }), "below");
    /// assert_eq!(field(RuleSpec { above: Some(-0.2), ..regression.clone() }), "above");
    /// assert_eq!(field(regression.clone()), "above");
    /// assert!(AlertRule::validate(RuleSpec { above: Some(0.2), ..regression }).is_ok());
    /// ```
    pub fn validate(spec: RuleSpec) -> Result<Self, FieldError> {
        if spec.name.trim().is_empty() {
            return Err(FieldError::new("name", Rule::NotEmpty));
        }
        let metric = Metric::parse(&spec.metric).ok_or_else(|| {
            Problem::text(Rule::OneOf(&Metric::NAMES), &*spec.metric).of("metric")
        })?;
        if metric.is_regression() && spec.below.is_some() {
            let rule = Rule::Form("absent for a regression metric (a slowdown is above)");
            return Err(FieldError::new("below", rule));
        }
        if metric.is_regression() && spec.above.is_none() {
            let rule = Rule::Form("given for a regression metric (a relative slowdown)");
            return Err(FieldError::new("above", rule));
        }
        let threshold = match (spec.above, spec.below) {
            (Some(t), None) => Threshold::Above(Rule::Finite.check(t).map_err(|p| p.of("above"))?),
            (None, Some(t)) => Threshold::Below(Rule::Finite.check(t).map_err(|p| p.of("below"))?),
            _ => {
                let rule = Rule::Form("given, or below, but not both");
                return Err(FieldError::new("above", rule));
            }
        };
        if metric.is_regression() {
            // A relative slowdown: 0.35 is 35 % slower.
            Rule::FiniteNotNegative
                .check(threshold.value())
                .map_err(|p| p.of("above"))?;
        }
        Rule::Positive
            .check(spec.window_ms)
            .map_err(|p| p.of("windowMs"))?;
        let cooldown_ms = Rule::FiniteNotNegative
            .check(spec.cooldown_ms.unwrap_or(spec.window_ms))
            .map_err(|p| p.of("cooldownMs"))?;
        let samples = Rule::Integer {
            min: 1.0,
            max: f64::from(u32::MAX),
        };
        let min_samples = samples
            .check(spec.min_samples.unwrap_or(Self::DEFAULT_MIN_SAMPLES as f64))
            .map_err(|p| p.of("minSamples"))?;
        if spec.method.as_deref().is_some_and(|m| m.trim().is_empty()) {
            return Err(FieldError::new("method", Rule::NotEmpty));
        }
        Ok(Self {
            name: spec.name,
            route: spec.route.as_deref().map(Glob::new),
            method: spec.method.map(|m| m.trim().to_ascii_uppercase()),
            metric,
            threshold,
            window_ms: spec.window_ms,
            min_samples: min_samples as u64,
            cooldown_ms,
        })
    }

    /// The rule as its spec again (what `profiler.rules()` shows).
    ///
    /// ```
    /// use apiscope::core::alerts::{AlertRule, RuleSpec};
    /// let spec = RuleSpec { name: "slow".into(), metric: "p95".into(), above: Some(800.0),
    ///     window_ms: 60_000.0, min_samples: Some(20.0), cooldown_ms: Some(60_000.0), ..Default::default() };
    /// assert_eq!(AlertRule::validate(spec.clone()).unwrap().spec(), spec);
    /// ```
    pub fn spec(&self) -> RuleSpec {
        let (above, below) = match self.threshold {
            Threshold::Above(t) => (Some(t), None),
            Threshold::Below(t) => (None, Some(t)),
        };
        RuleSpec {
            name: self.name.clone(),
            route: self.route.as_ref().map(|g| g.as_str().to_owned()),
            method: self.method.clone(),
            metric: self.metric.as_str().to_owned(),
            above,
            below,
            window_ms: self.window_ms,
            min_samples: Some(self.min_samples as f64),
            cooldown_ms: Some(self.cooldown_ms),
        }
    }

    /// Whether this rule watches `method` on `route` (a route label).
    ///
    /// ```
    /// # use apiscope::core::alerts::{AlertRule, RuleSpec};
    /// let rule = AlertRule::validate(RuleSpec { name: "r".into(), route: Some("/a/*".into()), metric: "max".into(), above: Some(1.0), window_ms: 1.0, ..Default::default() }).unwrap();
    /// assert!(rule.applies_to("DELETE", "/a/b") && !rule.applies_to("GET", "/b/a"));
    /// ```
    pub fn applies_to(&self, method: &str, route: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.route.as_ref().is_none_or(|g| g.matches(route))
    }

    /// Whether `samples` are enough to judge. `count` is judged at any sample size: it *is*
    /// the sample size, and "too few calls" alerts must be able to fire.
    ///
    /// ```
    /// # use apiscope::core::alerts::{AlertRule, RuleSpec};
    /// let spec = RuleSpec { name: "r".into(), metric: "p50".into(), above: Some(1.0), window_ms: 1.0, min_samples: Some(10.0), ..Default::default() };
    /// let rule = AlertRule::validate(spec).unwrap();
    /// assert!(!rule.enough_samples(9) && rule.enough_samples(10));
    /// ```
    pub fn enough_samples(&self, samples: u64) -> bool {
        self.metric == Metric::Count || samples >= self.min_samples
    }
}
