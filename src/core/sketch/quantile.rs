//! Reading quantiles: each requested rank is found in one walk over the buckets, from
//! whichever end of the sketch is nearer, so several quantiles cost about one walk.

use super::Sketch;
use super::error::{SketchError, check_quantile};

impl Sketch {
    /// The value at rank `floor(q * (count - 1))` (0-based), within [`Self::relative_error`]
    /// of the true one and inside `[min, max]`; `q = 0` and `q = 1` give `min` and `max`
    /// exactly. `Ok(NaN)` when empty; `q` outside `[0, 1]` is an error.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[1.0, 10.0, 100.0]).unwrap();
    /// assert_eq!(sketch.quantile(1.0).unwrap(), 100.0);
    /// assert!((sketch.quantile(0.5).unwrap() / 10.0 - 1.0).abs() <= sketch.relative_error());
    /// assert!(Sketch::default().quantile(0.5).unwrap().is_nan());
    /// ```
    pub fn quantile(&self, q: f64) -> Result<f64, SketchError> {
        let q = check_quantile(|| "q".to_owned(), q)?;
        let mut out = [f64::NAN];
        self.estimates(&[q], &[0], &mut out);
        Ok(out[0])
    }

    /// Several quantiles at once (in the order asked, one walk for all), or an error naming
    /// the first bad one.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[5.0, 7.0]).unwrap();
    /// assert_eq!(sketch.quantiles(&[1.0, 0.0]).unwrap(), [7.0, 5.0]);
    /// assert_eq!(sketch.quantiles(&[0.5, 2.0]).unwrap_err().field(), "qs[1]");
    /// ```
    pub fn quantiles(&self, qs: &[f64]) -> Result<Vec<f64>, SketchError> {
        for (i, &q) in qs.iter().enumerate() {
            check_quantile(|| format!("qs[{i}]"), q)?;
        }
        let mut order: Vec<usize> = (0..qs.len()).collect();
        order.sort_unstable_by(|&a, &b| qs[a].total_cmp(&qs[b]));
        let mut out = vec![f64::NAN; qs.len()];
        self.estimates(qs, &order, &mut out);
        Ok(out)
    }

    /// Writes the estimate of `qs[i]` (each valid) to `out[i]`, for `i` in `order`, which
    /// lists `qs` in ascending order.
    fn estimates(&self, qs: &[f64], order: &[usize], out: &mut [f64]) {
        if self.count == 0 {
            return;
        }
        let rank = |i: usize| (qs[i] * (self.count - 1) as f64).floor() as u64;
        // Ranks in the upper half are found walking down, from `count`. That total is exact
        // unless the count saturated; then every rank walks up, with saturating sums.
        let half = if self.count < u64::MAX {
            self.count / 2
        } else {
            u64::MAX
        };
        let (lower, upper) = order.split_at(order.partition_point(|&i| rank(i) < half));
        self.buckets.walk(false, self.zero_count, |reach| {
            for &i in lower {
                out[i] = self.estimate(qs[i], rank(i), || reach(rank(i) + 1));
            }
        });
        self.buckets.walk(true, 0, |reach| {
            for &i in upper.iter().rev() {
                out[i] = self.estimate(qs[i], rank(i), || reach(self.count - rank(i)));
            }
        });
    }

    /// The estimate of `q` at `rank` of a non-empty sketch; `bucket` finds the index of the
    /// bucket holding the rank (it is asked only when the rank is past the zero bucket).
    fn estimate(&self, q: f64, rank: u64, bucket: impl FnOnce() -> Option<i32>) -> f64 {
        if q == 0.0 {
            return self.min;
        }
        if q == 1.0 {
            return self.max;
        }
        let estimate = if rank < self.zero_count {
            0.0
        } else {
            bucket().map_or(self.max, |index| self.representative(index))
        };
        estimate.clamp(self.min, self.max)
    }

    /// The point of bucket `(l, u]` with the same relative distance to both ends:
    /// `2lu / (l + u)`, off by at most `(u - l) / (u + l)`, the relative error of the scale.
    fn representative(&self, index: i32) -> f64 {
        let lower = self.mapping.lower_boundary(index);
        let upper = self.mapping.lower_boundary(index + 1);
        // Written so that an infinite top boundary gives 2 * lower (then clamped to max).
        2.0 * lower / (1.0 + lower / upper)
    }
}
