//! Regression detection: compare a route's recent latency distribution with a baseline.
//!
//! Both sides arrive as histogram buckets. Quantiles are read off each histogram by linear
//! interpolation within the bucket that holds the rank.
//!
//! Two kinds of test run on the same buckets:
//!
//! - **Whole distribution** (`distribution_changed`): a two-sample Kolmogorov–Smirnov test on
//!   the histogram CDFs, `D = max |F₁ − F₂|` over every bucket bound of either side, rejected at
//!   level `a` when `D > c(a)·√((n+m)/(n·m))` with `c(a) = √(−ln(a/2)/2)`. Non-aligned buckets
//!   are merged on the union of their bounds, each CDF interpolated linearly inside its own
//!   buckets.
//! - **Per quantile** (`Trend::p_value`): for quantile q, the pooled q-quantile `t` of both
//!   sides is the threshold, and the shares of each side above `t` are compared (a quantile
//!   test in the manner of Mood's median test). Counts above `t` are whole buckets above it
//!   plus the interpolated part of the bucket that straddles it. Two-sided two-proportion
//!   z-test; when the rarer outcome is expected fewer than 10 times on a side, the exact
//!   conditional binomial test instead (the z-test's tails are too light there).
//!
//! Why not KS alone: D is the largest CDF gap, and a change confined to the slowest 10% moves
//! the CDF by at most 0.1 and only where the CDF is already near 1, while the critical value
//! is set by the middle of the distribution. When the slowest 10% got 40% slower (p95 +41%)
//! KS flagged p95 in 1.5% of trials at 500 vs 500. The share above the p95 threshold, by
//! contrast, roughly triples (≈2.3% vs ≈7.7%), which a proportion test sees readily.
//!
//! Why not the quantile tests alone: a whole-distribution shift is spread over every quantile,
//! and KS pools that evidence. For a 30% shift at 500 vs 500 the p95 proportion test alone
//! rejected in 57% of trials, KS in nearly all.
//!
//! So a quantile's change is `significant` when its own test **or** KS rejects, both sides
//! have at least `min_samples`, and the quantile moved by at least `min_change` (relative):
//! with enough samples any test detects shifts far too small to matter. The four tests each
//! run at `alpha / 4` (Bonferroni), so an unchanged distribution gets any quantile flagged
//! with probability at most `alpha` (c = 1.828 at α = 0.01). The price of the KS route: once
//! KS sees a tail-only change (large samples), an unchanged p50 that drifted by `min_change`
//! through noise is flagged too. The price of the split: at 500 vs 500 only about 10 values
//! lie above p99, too few for the exact test to reach `alpha / 4` unless all of them fall on one side.
//!
//! Binning only hides differences inside a bucket and interpolation spreads a bucket's count
//! evenly, so both tests become conservative (fewer false alarms, slightly less power);
//! aligned buckets (sketches at the same scale) lose nothing between bucket bounds.

use serde::Serialize;

use crate::core::order::sort_by;
use crate::core::sketch::Bucket;

/// KS plus the p50/p95/p99 tests: each runs at `alpha / TESTS` (Bonferroni).
const TESTS: f64 = 4.0;

/// Test settings.
///
/// ```
/// use apiscope::core::alerts::trend::TrendConfig;
/// let c = TrendConfig::default();
/// assert_eq!((c.alpha, c.min_samples, c.min_change), (0.01, 50, 0.05));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendConfig {
    /// Family-wise significance level, in (0, 1): the KS test and each of the three quantile
    /// tests run at `alpha / 4`, so an unchanged distribution gets any quantile flagged with
    /// probability at most `alpha`.
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
/// use apiscope::core::alerts::trend::Trend;
/// let t = Trend { baseline: 100.0, current: 130.0, change: 0.3, p_value: 1e-6, significant: true };
/// assert!(t.significant);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trend {
    /// The quantile in the baseline, ms.
    pub baseline: f64,
    /// The quantile in the recent window, ms.
    pub current: f64,
    /// `(current − baseline) / baseline`; `NaN` when either side is empty.
    pub change: f64,
    /// Two-sided p-value of the per-quantile test (the shares above the pooled quantile
    /// differ); 1 when either side is empty.
    pub p_value: f64,
    /// Whether the change is significant (and large enough to matter).
    pub significant: bool,
}

/// The comparison of one route's recent window with its baseline.
///
/// ```
/// use apiscope::core::sketch::Bucket;
/// use apiscope::core::alerts::trend::{compare, TrendConfig};
/// let hist = |lo: f64| vec![Bucket { lower: lo, upper: lo + 10.0, count: 100 }];
/// let r = compare(&hist(100.0), &hist(200.0), &TrendConfig::default());
/// assert_eq!(r.statistic, 1.0);
/// assert!(r.distribution_changed && r.p95.significant && r.p95.p_value < 0.01);
/// assert_eq!((r.p50.baseline, r.p50.current), (105.0, 205.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrendReport {
    /// The median's change.
    pub p50: Trend,
    /// The 95th percentile's change.
    pub p95: Trend,
    /// The 99th percentile's change.
    pub p99: Trend,
    /// The KS statistic D.
    pub statistic: f64,
    /// The critical value D must exceed.
    pub critical: f64,
    /// Whether the KS test rejects "same distribution" at `alpha / 4` (with enough samples).
    pub distribution_changed: bool,
    /// Calls in the baseline.
    pub baseline_count: u64,
    /// Calls in the recent window.
    pub current_count: u64,
}

/// Compares `current` against `baseline`. Buckets may come in any order; empty buckets and
/// buckets with non-finite or inverted bounds are ignored; buckets are expected not to
/// overlap.
///
/// ```
/// use apiscope::core::sketch::Bucket;
/// use apiscope::core::alerts::trend::{compare, TrendConfig};
/// let r = compare(&[], &[Bucket { lower: 1.0, upper: 2.0, count: 5 }], &TrendConfig::default());
/// assert!(r.p50.baseline.is_nan() && !r.distribution_changed);
/// ```
pub fn compare(baseline: &[Bucket], current: &[Bucket], config: &TrendConfig) -> TrendReport {
    let (a, b) = (Histogram::new(baseline), Histogram::new(current));
    let statistic = ks_statistic(&a, &b);
    let (n, m) = (a.total as f64, b.total as f64);
    let level = config.alpha / TESTS;
    let c_alpha = (-(level / 2.0).ln() / 2.0).sqrt();
    let critical = c_alpha * ((n + m) / (n * m)).sqrt();
    let enough = a.total >= config.min_samples && b.total >= config.min_samples;
    let distribution_changed = enough && statistic > critical;
    let trend = |q: f64| {
        let (baseline, current) = (a.quantile(q), b.quantile(q));
        let change = (current - baseline) / baseline;
        let p_value = quantile_test(&a, &b, q);
        Trend {
            baseline,
            current,
            change,
            p_value,
            significant: enough
                && (p_value <= level || distribution_changed)
                && change.abs() >= config.min_change,
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
        let mut buckets = Vec::with_capacity(raw.len());
        for &b in raw {
            if b.count > 0 && b.lower.is_finite() && b.upper.is_finite() && b.upper >= b.lower {
                buckets.push(b);
            }
        }
        sort_by(&mut buckets, |x, y| x.lower.total_cmp(&y.lower));
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
        let mut cdf = Vec::with_capacity(points.len());
        for &x in points {
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
            cdf.push((below + partial) / total);
        }
        cdf
    }
}

/// Every bucket bound of either side, ascending: both CDFs are linear between them.
fn bounds(a: &Histogram, b: &Histogram) -> Vec<f64> {
    // A loop, not nested `flat_map`s: their adapters cost 1 KB of wasm.
    let mut points = Vec::with_capacity(2 * (a.buckets.len() + b.buckets.len()));
    for bucket in a.buckets.iter().chain(&b.buckets) {
        points.extend_from_slice(&[bucket.lower, bucket.upper]);
    }
    sort_by(&mut points, f64::total_cmp);
    points.dedup();
    points
}

/// `max |F₁ − F₂|` over the union of both sides' bucket bounds; 0 if either side is empty.
fn ks_statistic(a: &Histogram, b: &Histogram) -> f64 {
    if a.total == 0 || b.total == 0 {
        return 0.0;
    }
    let points = bounds(a, b);
    a.cdf_at(&points)
        .into_iter()
        .zip(b.cdf_at(&points))
        .map(|(fa, fb)| (fa - fb).abs())
        .fold(0.0, f64::max)
}

/// The `q`-quantile of both sides pooled. Both sides must be non-empty.
fn pooled_quantile(a: &Histogram, b: &Histogram, q: f64) -> f64 {
    let points = bounds(a, b);
    let (n, m) = (a.total as f64, b.total as f64);
    let mut pooled = a.cdf_at(&points);
    for (f, fb) in pooled.iter_mut().zip(b.cdf_at(&points)) {
        *f = (n * *f + m * fb) / (n + m);
    }
    // The pooled CDF is linear between bounds, so interpolating there is exact.
    match pooled.iter().position(|&f| f >= q) {
        Some(0) => points[0],
        Some(i) => {
            let share = (q - pooled[i - 1]) / (pooled[i] - pooled[i - 1]);
            points[i - 1] + (points[i] - points[i - 1]) * share
        }
        None => points[points.len() - 1],
    }
}

/// Two-sided p-value for "the same share of `a` and `b` lies above their pooled
/// `q`-quantile"; 1 if either side is empty.
fn quantile_test(a: &Histogram, b: &Histogram, q: f64) -> f64 {
    if a.total == 0 || b.total == 0 {
        return 1.0;
    }
    let threshold = pooled_quantile(a, b, q);
    let above = |h: &Histogram| h.total as f64 * (1.0 - h.cdf_at(&[threshold])[0]);
    two_proportion_test(above(a), a.total as f64, above(b), b.total as f64)
}

/// Two-sided p-value for "`x` of `n` and `y` of `m` come from the same proportion". Counts
/// may be fractional (interpolated); the exact test rounds them.
fn two_proportion_test(x: f64, n: f64, y: f64, m: f64) -> f64 {
    let total = n + m;
    // Work with the rarer outcome: it decides whether the normal approximation holds.
    let (x, k) = if 2.0 * (x + y) <= total {
        (x, x + y)
    } else {
        (n - x, total - x - y)
    };
    if k * n.min(m) / total < 10.0 {
        return binomial_test(x.round() as u64, k.round() as u64, n / total);
    }
    let p = k / total;
    let z = (x / n - (k - x) / m) / (p * (1.0 - p) * (1.0 / n + 1.0 / m)).sqrt();
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Exact two-sided test that `x` of `k` successes fell on a side with prior share `p`
/// (conditional on `k`, `x ~ Binomial(k, p)` under equal proportions): the total probability
/// of outcomes no likelier than `x`.
fn binomial_test(x: u64, k: u64, p: f64) -> f64 {
    let odds = (p / (1.0 - p)).ln();
    let mut log_pmf = Vec::with_capacity(k as usize + 1);
    let mut current = k as f64 * (1.0 - p).ln();
    for i in 0..=k {
        log_pmf.push(current);
        current += ((k - i) as f64 / (i + 1) as f64).ln() + odds;
    }
    // The relative slack keeps outcomes as likely as `x` from being lost to rounding.
    let cutoff = log_pmf[x as usize] + 1e-7;
    let p_value: f64 = log_pmf
        .iter()
        .filter(|&&l| l <= cutoff)
        .map(|l| l.exp())
        .sum();
    p_value.min(1.0)
}

/// Complementary error function, fractional error below 1.2e-7 (Numerical Recipes' `erfcc`,
/// a Chebyshev fit); std has none.
fn erfc(x: f64) -> f64 {
    const C: [f64; 10] = [
        -1.265_512_23,
        1.000_023_68,
        0.374_091_96,
        0.096_784_18,
        -0.186_288_06,
        0.278_868_07,
        -1.135_203_98,
        1.488_515_87,
        -0.822_152_23,
        0.170_872_77,
    ];
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = C.iter().rev().fold(0.0, |acc, c| acc * t + c);
    let r = t * (-z * z + poly).exp();
    if x >= 0.0 { r } else { 2.0 - r }
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
    fn tail_only_change_is_flagged_where_it_happened() {
        // The slowest 5% move from (95, 100] to (135, 140]: KS's D is only 0.05.
        let mut baseline: Vec<Bucket> = (0..20)
            .map(|i| bucket(5.0 * i as f64, 5.0 * i as f64 + 5.0, 50))
            .collect();
        let mut current = baseline.clone();
        current[19] = bucket(135.0, 140.0, 50);
        let r = compare(&baseline, &current, &TrendConfig::default());
        assert!(!r.distribution_changed, "D = {}", r.statistic);
        assert!(r.p99.significant && r.p99.p_value < 1e-4, "{:?}", r.p99);
        assert!(!r.p50.significant && !r.p95.significant);
        // Reversed, it is an improvement, flagged just the same.
        std::mem::swap(&mut baseline, &mut current);
        assert!(
            compare(&baseline, &current, &TrendConfig::default())
                .p99
                .significant
        );
    }

    #[test]
    fn pooled_quantile_merges_misaligned_buckets() {
        let coarse = Histogram::new(&[bucket(0.0, 2.0, 500), bucket(2.0, 4.0, 500)]);
        let fine = Histogram::new(&[bucket(0.0, 1.0, 100), bucket(1.0, 4.0, 300)]);
        // Pooled CDF at 1 is (250 + 100) / 1400 = 0.25.
        assert!((pooled_quantile(&coarse, &fine, 0.25) - 1.0).abs() < 1e-12);
        assert!((pooled_quantile(&coarse, &fine, 0.5) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn proportion_tests_match_known_values() {
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-7);
        assert!((erfc(-2.0) - 1.995_322_265).abs() < 1e-7);
        // All 10 rare outcomes on one side of an even split: 2 / 2¹⁰.
        assert!((binomial_test(0, 10, 0.5) - 2.0 / 1024.0).abs() < 1e-12);
        assert!((binomial_test(5, 10, 0.5) - 1.0).abs() < 1e-12);
        // 100 of 1000 vs 150 of 1000: z = 3.38, p ≈ 7.23e-4 (z-test branch).
        let p = two_proportion_test(100.0, 1000.0, 150.0, 1000.0);
        assert!((p - 7.23e-4).abs() < 1e-6, "{p}");
        // Counted from the other side, the same answer.
        assert_eq!(p, two_proportion_test(900.0, 1000.0, 850.0, 1000.0));
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
