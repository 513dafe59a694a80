//! Recording a whole batch: one cheap pass checks every value and finds the batch's extremes,
//! the span is made room for once, then one pass sums and counts without growth checks.

use super::Sketch;
use super::error::check_value;
use crate::core::error::{FieldError, indexed};

/// What the checking pass learns about a batch.
struct Scan {
    /// Every value is finite and `>= 0`.
    valid: bool,
    min: f64,
    max: f64,
    /// The smallest value above 0: with `max`, it bounds the indices the batch touches.
    min_positive: f64,
}

impl Scan {
    /// The scan of a non-empty batch.
    fn of(values: &[f64]) -> Self {
        // Values >= 0 order as their bits do, and every NaN, infinity or negative value has
        // bits above those of `f64::MAX`: integer min/max (branch-free, also in wasm) find the
        // extremes and the validity at once. `+ 0.0` makes -0.0, a valid sample, into 0.0.
        let (mut lo, mut hi, mut lo_positive) = (u64::MAX, 0, u64::MAX);
        for &v in values {
            let bits = (v + 0.0).to_bits();
            lo = lo.min(bits);
            hi = hi.max(bits);
            // 0.0 wraps around to the largest value here, so it never wins.
            lo_positive = lo_positive.min(bits.wrapping_sub(1));
        }
        Self {
            valid: hi <= f64::MAX.to_bits(),
            min: f64::from_bits(lo),
            max: f64::from_bits(hi),
            min_positive: f64::from_bits(lo_positive.wrapping_add(1)),
        }
    }
}

impl Sketch {
    /// Records every value, or none of them if any is bad (the error names its index).
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// let err = sketch.record_many(&[1.0, 2.0, f64::INFINITY]).unwrap_err();
    /// assert_eq!(err.to_string(), "values[2]: must be a finite number >= 0, got Infinity");
    /// assert_eq!(sketch.count(), 0);
    /// sketch.record_many(&[1.0, 2.0]).unwrap();
    /// assert_eq!(sketch.count(), 2);
    /// ```
    pub fn record_many(&mut self, values: &[f64]) -> Result<(), FieldError> {
        if values.is_empty() {
            return Ok(());
        }
        let scan = Scan::of(values);
        if !scan.valid {
            // Rare: find the first bad value to name it.
            for (i, &v) in values.iter().enumerate() {
                check_value(|| indexed("values", i), v)?;
            }
        }
        if scan.max > 0.0 {
            // The mapping is monotonic: the extremes' indices bound every other value's.
            let lo = self.mapping.index(scan.min_positive);
            let hi = self.mapping.index(scan.max);
            if !(self.buckets.holds(lo) && self.buckets.holds(hi)) {
                self.make_room(lo, hi);
            }
        }
        let mapping = self.mapping;
        // Summed onto the running total one value at a time, exactly as `record` sums: a batch
        // gives the same bits however it is cut, or if its values came one by one.
        let (mut sum, mut zeros) = (self.sum, 0u64);
        self.buckets.add_each(values.iter().filter_map(|&v| {
            sum += v;
            if v == 0.0 {
                zeros += 1;
                None
            } else {
                Some(mapping.index(v))
            }
        }));
        self.zero_count = self.zero_count.saturating_add(zeros);
        self.sum = sum;
        self.add_stats(values.len() as u64, scan.min, scan.max);
        Ok(())
    }
}
