//! Regression detection: compare a route's recent latency distribution with a baseline.
//!
//! Both sides arrive as histogram buckets. Quantiles are read off each histogram by linear
//! interpolation within the bucket that holds the rank. Whether the distributions differ is
//! decided by a two-sample Kolmogorov–Smirnov test on the histogram CDFs: `D = max |F₁ − F₂|`
//! over every bucket bound of either side, rejected at level `alpha` when
//! `D > c(α)·√((n+m)/(n·m))` with `c(α) = √(−ln(α/2)/2)` (1.628 at α = 0.01).
//!
//! Why KS: it needs nothing but the two CDFs, which histograms give exactly at their bounds;
//! aligned buckets (sketches at the same scale) need no approximation at all. Binning can
//! only hide differences inside a bucket, so the test becomes conservative (fewer false
//! alarms, slightly less power) — acceptable here. Non-aligned buckets are merged on the union
//! of their bounds, each CDF interpolated linearly inside its own buckets. KS is least
//! sensitive in the tails, so a change confined to the slowest 1% may go unflagged.
//!
//! A quantile's change is `significant` only when the distributions differ, both sides have
//! at least `min_samples`, and the quantile moved by at least `min_change` (relative): with
//! enough samples KS detects shifts far too small to matter.

use serde::Serialize;

use crate::core::summary::Bucket;

/// Test settings.
///
/// ```
/// use apiscope::core::trend::TrendConfig;
/// let c = TrendConfig::default();
/// assert_eq!((c.alpha, c.min_samples, c.min_change), (0.01, 50, 0.05));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendConfig {
    /// Significance level of the KS test, in (0, 1).
    pub alpha: f64,
    /// Minimum samples on each side before anything is called significant.
    pub min_samples: u64,
    /// Minimum relative change of a quantile (0.05 = 5%) to be called significant.
    pub min_change: f64,
}

impl Default for TrendConfig {
    fn default() -> Self {
        Self {
            alpha: 0.01,
            min_samples: 50,
            min_change: 0.05,
        }
    }
}

/// One quantile, before and after.
///
/// ```
/// use apiscope::core::trend::Trend;
/// let t = Trend { baseline: 100.0, current: 130.0, change: 0.3, significant: true };
/// assert!(t.significant);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trend {
    pub baseline: f64,
    pub current: f64,
    /// `(current − baseline) / baseline`; `NaN` when either side is empty.
    pub change: f64,
    pub significant: bool,
}

/// The comparison of one route's recent window with its baseline.
///
/// ```
/// use apiscope::core::summary::Bucket;
/// use apiscope::core::trend::{compare, TrendConfig};
/// let hist = |lo: f64| vec![Bucket { lower: lo, upper: lo + 10.0, count: 100 }];
/// let r = compare(&hist(100.0), &hist(200.0), &TrendConfig::default());
/// assert_eq!(r.statistic, 1.0);
/// assert!(r.distribution_changed && r.p95.significant);
/// assert_eq!((r.p50.baseline, r.p50.current), (105.0, 205.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrendReport {
    pub p50: Trend,
    pub p95: Trend,
    pub p99: Trend,
    /// The KS statistic D.
    pub statistic: f64,
    /// The critical value D must exceed.
    pub critical: f64,
    /// Whether the KS test rejects "same distribution" (with enough samples).
    pub distribution_changed: bool,
    pub baseline_count: u64,
    pub current_count: u64,
}

/// Compares `current` against `baseline`. Buckets may come in any order; empty buckets and
/// buckets with non-finite or inverted bounds are ignored; buckets are expected not to
/// overlap.
///
/// ```
/// use apiscope::core::summary::Bucket;
/// use apiscope::core::trend::{compare, TrendConfig};
/// let r = compare(&[], &[Bucket { lower: 1.0, upper: 2.0, count: 5 }], &TrendConfig::default());
/// assert!(r.p50.baseline.is_nan() && !r.distribution_changed);
/// ```
pub fn compare(baseline: &[Bucket], current: &[Bucket], config: &TrendConfig) -> TrendReport {
    let (a, b) = (Histogram::new(baseline), Histogram::new(current));
    let statistic = ks_statistic(&a, &b);
    let (n, m) = (a.total as f64, b.total as f64);
    let c_alpha = (-(config.alpha / 2.0).ln() / 2.0).sqrt();
    let critical = c_alpha * ((n + m) / (n * m)).sqrt();
    let enough = a.total >= config.min_samples && b.total >= config.min_samples;
    let distribution_changed = enough && statistic > critical;
    let trend = |q: f64| {
        let (baseline, current) = (a.quantile(q), b.quantile(q));
        let change = (current - baseline) / baseline;
        Trend {
            baseline,
            current,
            change,
            significant: distribution_changed && change.abs() >= config.min_change,
        }
    };
    TrendReport {
        p50: trend(0.5),
        p95: trend(0.95),
        p99: trend(0.99),
        statistic,
        critical,
        distribution_changed,
        baseline_count: a.total,
        current_count: b.total,
    }
}

/// Cleaned buckets, sorted by lower bound.
struct Histogram {
    buckets: Vec<Bucket>,
    total: u64,
}

impl Histogram {
    fn new(raw: &[Bucket]) -> Self {
        let mut buckets: Vec<Bucket> = raw
            .iter()
            .filter(|b| {
                b.count > 0 && b.lower.is_finite() && b.upper.is_finite() && b.upper >= b.lower
            })
            .copied()
            .collect();
        buckets.sort_by(|x, y| x.lower.total_cmp(&y.lower));
        let total = buckets.iter().map(|b| b.count).sum();
        Self { buckets, total }
    }

    /// The value at rank `q·n`, interpolated within its bucket; `NaN` when empty.
    fn quantile(&self, q: f64) -> f64 {
        let target = q * self.total as f64;
        let mut below = 0.0;
        for b in &self.buckets {
            let count = b.count as f64;
            if below + count >= target {
                return b.lower + (b.upper - b.lower) * ((target - below) / count);
            }
            below += count;
        }
        f64::NAN
    }

    /// The CDF (as a fraction) at each of the ascending `points`.
    fn cdf_at(&self, points: &[f64]) -> Vec<f64> {
        let total = self.total as f64;
        let (mut i, mut below) = (0, 0.0);
        points
            .iter()
            .map(|&x| {
                while i < self.buckets.len() && self.buckets[i].upper <= x {
                    below += self.buckets[i].count as f64;
                    i += 1;
                }
                let partial = self
                    .buckets
                    .get(i)
                    .filter(|b| x > b.lower)
                    .map_or(0.0, |b| {
                        b.count as f64 * (x - b.lower) / (b.upper - b.lower)
                    });
                (below + partial) / total
            })
            .collect()
    }
}

/// `max |F₁ − F₂|` over the union of both sides' bucket bounds; 0 if either side is empty.
fn ks_statistic(a: &Histogram, b: &Histogram) -> f64 {
    if a.total == 0 || b.total == 0 {
        return 0.0;
    }
    let mut points: Vec<f64> = [a, b]
        .iter()
        .flat_map(|h| h.buckets.iter().flat_map(|b| [b.lower, b.upper]))
        .collect();
    points.sort_by(f64::total_cmp);
    points.dedup();
    a.cdf_at(&points)
        .into_iter()
        .zip(b.cdf_at(&points))
        .map(|(fa, fb)| (fa - fb).abs())
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(lower: f64, upper: f64, count: u64) -> Bucket {
        Bucket {
            lower,
            upper,
            count,
        }
    }

    #[test]
    fn quantiles_interpolate_within_buckets() {
        let h = Histogram::new(&[bucket(10.0, 20.0, 50), bucket(0.0, 10.0, 50)]);
        assert_eq!(h.quantile(0.5), 10.0);
        assert_eq!(h.quantile(0.75), 15.0);
        assert_eq!(h.quantile(1.0), 20.0);
    }

    #[test]
    fn identical_histograms_have_zero_distance() {
        let h = [bucket(0.0, 1.0, 30), bucket(1.0, 2.0, 70)];
        let r = compare(&h, &h, &TrendConfig::default());
        assert_eq!(r.statistic, 0.0);
        assert!(!r.p50.significant);
    }

    #[test]
    fn non_aligned_buckets_merge_on_bounds() {
        // Same uniform distribution on [0, 4], bucketed two ways.
        let coarse = [bucket(0.0, 2.0, 500), bucket(2.0, 4.0, 500)];
        let fine: Vec<Bucket> = (0..4)
            .map(|i| bucket(i as f64, i as f64 + 1.0, 250))
            .collect();
        assert!(compare(&coarse, &fine, &TrendConfig::default()).statistic < 1e-12);
    }

    #[test]
    fn bad_buckets_are_ignored() {
        let bad = [
            bucket(f64::NAN, 1.0, 5),
            bucket(3.0, 2.0, 5),
            bucket(0.0, f64::INFINITY, 5),
        ];
        let r = compare(&bad, &bad, &TrendConfig::default());
        assert_eq!((r.baseline_count, r.statistic), (0, 0.0));
    }

    #[test]
    fn small_samples_are_never_significant() {
        let r = compare(
            &[bucket(1.0, 2.0, 10)],
            &[bucket(5.0, 6.0, 10)],
            &TrendConfig::default(),
        );
        assert_eq!(r.statistic, 1.0);
        assert!(!r.distribution_changed && !r.p50.significant);
    }
}
