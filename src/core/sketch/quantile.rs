//! Reading quantiles: each requested rank is found in one walk over the buckets, from
//! whichever end of the sketch is nearer, so several quantiles cost about one walk.

use super::Sketch;
use super::error::check_quantile;
use crate::core::error::{FieldError, indexed};

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
    pub fn quantile(&self, q: f64) -> Result<f64, FieldError> {
        let q = check_quantile(|| "q".to_owned(), q)?;
        let mut out = [f64::NAN];
        self.estimates(&[q], &mut out);
        Ok(out[0])
    }

    /// Several quantiles at once, in the order asked, or an error naming the first bad one.
    /// Ascending `qs` (the usual `[0.5, 0.9, 0.99]`) share one walk over the buckets.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[5.0, 7.0]).unwrap();
    /// assert_eq!(sketch.quantiles(&[0.0, 1.0]).unwrap(), [5.0, 7.0]);
    /// assert_eq!(sketch.quantiles(&[1.0, 0.0]).unwrap(), [7.0, 5.0]);
    /// assert_eq!(sketch.quantiles(&[0.5, 2.0]).unwrap_err().field, "qs[1]");
    /// ```
    pub fn quantiles(&self, qs: &[f64]) -> Result<Vec<f64>, FieldError> {
        for (i, &q) in qs.iter().enumerate() {
            check_quantile(|| indexed("qs", i), q)?;
        }
        let mut out = vec![f64::NAN; qs.len()];
        if qs.is_sorted() {
            self.estimates(qs, &mut out);
        } else {
            // No sort: its code would add kilobytes to the wasm for a rare call shape.
            for (q, estimate) in qs.iter().zip(&mut out) {
                self.estimates(std::slice::from_ref(q), std::slice::from_mut(estimate));
            }
        }
        Ok(out)
    }

    /// Writes the estimate of each of `qs` (valid, ascending) to `out`; leaves NaN when empty.
    fn estimates(&self, qs: &[f64], out: &mut [f64]) {
        if self.count == 0 {
            return;
        }
        let rank = |q: f64| (q * (self.count - 1) as f64).floor() as u64;
        // Ranks in the upper half are found walking down, from `count`. That total is exact
        // unless the count saturated; then every rank walks up, with saturating sums.
        let half = if self.count < u64::MAX {
            self.count / 2
        } else {
            u64::MAX
        };
        let split = qs.partition_point(|&q| rank(q) < half);
        let (lower, upper) = qs.split_at(split);
        let (lower_out, upper_out) = out.split_at_mut(split);
        let mut reach = self.buckets.walk(false, self.zero_count);
        for (&q, estimate) in lower.iter().zip(lower_out.iter_mut()) {
            *estimate = self.estimate(q, rank(q), || reach(rank(q) + 1));
        }
        let mut reach = self.buckets.walk(true, 0);
        for (&q, estimate) in upper.iter().zip(upper_out.iter_mut()).rev() {
            *estimate = self.estimate(q, rank(q), || reach(self.count - rank(q)));
        }
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
        // Not `f64::clamp`: its NaN assertion would link the float formatter into the wasm.
        estimate.max(self.min).min(self.max)
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
