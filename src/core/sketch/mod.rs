//! The percentile engine: a mergeable exponential histogram with a relative error guarantee.
//!
//! Values (milliseconds, `>= 0`) go into buckets laid out exactly as the OpenTelemetry
//! exponential histogram lays them out ([`mapping`]), counted densely over the used span
//! (`buckets.rs`, counters widening from u8 to u64 only where a count needs it). `count`, `sum`,
//! `min` and `max` are kept exactly beside the buckets. When the span outgrows the bucket budget
//! the sketch halves its resolution (OTel downscaling), which keeps merges lossless.
//!
//! This folder owns the mapping, the counters, the rank search behind quantiles
//! (`cumulative.rs`, `quantile.rs`), batches (`batch.rs`), the byte format (`encoding.rs`) and
//! the OTLP data point both ways (`otlp.rs`, `otlp_import.rs`). Its invariant: a sketch's
//! contents depend only on its config and the values it was given, not on how they came. A
//! batch equals its values recorded one by one (the sum included, to the bit: it is added in
//! record order); a merge equals recording both sides' values into one sketch (buckets,
//! counts, min and max exactly, the sum up to rounding); and every bucket boundary comes from
//! one function, so the bucket a value is counted in is the bucket its boundaries report.
//! Nothing here knows about JavaScript or the clock.

mod batch;
mod bucket;
mod buckets;
mod config;
mod cumulative;
mod encoding;
mod error;
pub mod mapping;
mod otlp;
mod otlp_import;
mod quantile;

pub use bucket::Bucket;
pub use config::{DEFAULT_MAX_BUCKETS, MAX_BUCKETS, MIN_BUCKETS, SketchConfig};
pub use otlp::{OtlpBuckets, OtlpExponentialHistogram};

use crate::core::error::FieldError;
use buckets::DenseBuckets;
pub(crate) use error::check_value;
use mapping::{MIN_SCALE, Mapping, relative_error_at};

/// A quantile sketch of non-negative values.
///
/// ```
/// use apiscope::core::sketch::Sketch;
/// let mut sketch = Sketch::default();
/// sketch.record_many(&[12.0, 15.0, 250.0]).unwrap();
/// let p50 = sketch.quantile(0.5).unwrap();
/// assert!((p50 - 15.0).abs() <= 15.0 * sketch.relative_error());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    /// The scale a cleared sketch starts at (from `max_relative_error`).
    max_scale: i32,
    max_buckets: usize,
    mapping: Mapping,
    buckets: DenseBuckets,
    zero_count: u64,
    count: u64,
    sum: f64,
    /// `+inf` while empty, so that equality needs no NaN.
    min: f64,
    /// `-inf` while empty.
    max: f64,
}

impl Default for Sketch {
    fn default() -> Self {
        // Not through `new(..).expect(..)`: its error's Debug would link a float formatter.
        let (max_scale, max_buckets) = SketchConfig::default().resolve().unwrap_or((6, 2048));
        Self::empty(max_scale, max_buckets)
    }
}

impl Sketch {
    /// An empty sketch, or which option of `config` is out of range.
    ///
    /// ```
    /// use apiscope::core::sketch::{Sketch, SketchConfig};
    /// let sketch = Sketch::new(SketchConfig::default()).unwrap();
    /// assert_eq!((sketch.count(), sketch.scale()), (0, 6));
    /// let bad = SketchConfig { max_relative_error: 0.0, ..SketchConfig::default() };
    /// assert!(Sketch::new(bad).is_err());
    /// ```
    pub fn new(config: SketchConfig) -> Result<Sketch, FieldError> {
        let (max_scale, max_buckets) = config.resolve()?;
        Ok(Self::empty(max_scale, max_buckets))
    }

    fn empty(max_scale: i32, max_buckets: usize) -> Self {
        Self {
            max_scale,
            max_buckets,
            mapping: Mapping::new(max_scale),
            buckets: DenseBuckets::default(),
            zero_count: 0,
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Records one value; NaN, infinities and negatives are refused and change nothing.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record(3.5).unwrap();
    /// assert!(sketch.record(-1.0).is_err());
    /// assert_eq!(sketch.count(), 1);
    /// ```
    pub fn record(&mut self, v: f64) -> Result<(), FieldError> {
        let v = check_value(|| "value".to_owned(), v)?;
        self.sum += v;
        self.add_stats(1, v, v);
        self.insert(v);
        Ok(())
    }

    /// Folds in the count and extremes of `n` values (callers add to `sum` themselves, in
    /// the order that keeps it exact).
    fn add_stats(&mut self, n: u64, min: f64, max: f64) {
        self.count = self.count.saturating_add(n);
        // `+ 0.0` turns -0.0 into 0.0, so a recorded -0.0 reads back as 0.
        self.min = self.min.min(min + 0.0);
        self.max = self.max.max(max + 0.0);
    }

    /// The bucket half of recording a validated value: no allocation unless the span grows.
    #[inline]
    fn insert(&mut self, v: f64) {
        if v == 0.0 {
            self.zero_count = self.zero_count.saturating_add(1);
            return;
        }
        let mut index = self.mapping.index(v);
        if !self.buckets.holds(index) {
            index >>= self.make_room(index, index);
        }
        self.buckets.add(index, 1);
    }

    /// Downscales as far as needed for `lo..=hi` (at the current scale) to fit the budget, then
    /// extends the span over them. Returns how many times the scale was halved.
    fn make_room(&mut self, lo: i32, hi: i32) -> u32 {
        let (mut first, mut last) = self.buckets.span_with(lo, hi);
        let mut by = 0;
        while (last - first) as usize >= self.max_buckets && self.scale() - (by as i32) > MIN_SCALE
        {
            first >>= 1;
            last >>= 1;
            by += 1;
        }
        self.downscale(by);
        self.buckets.include(lo >> by, hi >> by);
        by
    }

    fn downscale(&mut self, by: u32) {
        if by > 0 {
            self.buckets.downscale(by);
            self.mapping = Mapping::new(self.scale() - by as i32);
        }
    }

    /// How many values were recorded (the zero bucket included).
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[0.0, 1.0]).unwrap();
    /// assert_eq!(sketch.count(), 2);
    /// ```
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The exact sum of the recorded values (0 when empty).
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[0.5, 1.25]).unwrap();
    /// assert_eq!(sketch.sum(), 1.75);
    /// ```
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// The smallest recorded value, exactly; NaN when empty.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// assert!(sketch.min().is_nan());
    /// sketch.record_many(&[3.0, 0.123]).unwrap();
    /// assert_eq!(sketch.min(), 0.123);
    /// ```
    pub fn min(&self) -> f64 {
        self.or_nan(self.min)
    }

    /// The largest recorded value, exactly; NaN when empty.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[3.0, 0.123]).unwrap();
    /// assert_eq!(sketch.max(), 3.0);
    /// ```
    pub fn max(&self) -> f64 {
        self.or_nan(self.max)
    }

    /// `sum / count`; NaN when empty.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[1.0, 2.0]).unwrap();
    /// assert_eq!(sketch.mean(), 1.5);
    /// ```
    pub fn mean(&self) -> f64 {
        self.or_nan(self.sum / self.count as f64)
    }

    fn or_nan(&self, v: f64) -> f64 {
        if self.count == 0 { f64::NAN } else { v }
    }

    /// The current OTel scale (drops when the sketch downscales).
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// assert_eq!(Sketch::default().scale(), 6);
    /// ```
    pub fn scale(&self) -> i32 {
        self.mapping.scale()
    }

    /// The worst relative error of any quantile at the current scale.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// assert!(Sketch::default().relative_error() < 0.0055);
    /// ```
    pub fn relative_error(&self) -> f64 {
        relative_error_at(self.scale())
    }

    /// How many recorded values were exactly 0.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[0.0, 0.0, 4.0]).unwrap();
    /// assert_eq!(sketch.zero_count(), 2);
    /// ```
    pub fn zero_count(&self) -> u64 {
        self.zero_count
    }

    /// Adds `other`'s values to this sketch, at the coarser of the two scales (then coarser
    /// still if this sketch's bucket budget needs it). Lossless and order-independent for
    /// sketches of one config: the result equals recording all values into one sketch.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let (mut a, mut b, mut all) = (Sketch::default(), Sketch::default(), Sketch::default());
    /// a.record_many(&[1.0, 2.0]).unwrap();
    /// b.record(300.0).unwrap();
    /// all.record_many(&[1.0, 2.0, 300.0]).unwrap();
    /// a.merge(&b);
    /// assert_eq!(a, all);
    /// ```
    pub fn merge(&mut self, other: &Sketch) {
        if other.count == 0 {
            return;
        }
        let scale = self.scale().min(other.scale());
        self.downscale((self.scale() - scale) as u32);
        if !other.buckets.is_empty() {
            let shift = (other.scale() - scale) as u32;
            let by = self.make_room(
                other.buckets.offset() >> shift,
                other.buckets.last_index() >> shift,
            );
            if shift + by == 0 {
                // Same scale: add the dense counters in place, run by run.
                self.buckets.add_store(&other.buckets);
            } else {
                for (index, count) in other.buckets.occupied() {
                    self.buckets.add(index >> (shift + by), count);
                }
            }
        }
        self.zero_count = self.zero_count.saturating_add(other.zero_count);
        self.sum += other.sum;
        self.add_stats(other.count, other.min, other.max);
    }

    /// The occupied buckets in increasing order, the zero bucket (`lower = upper = 0`) first.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[0.0, 1.0, 1.0]).unwrap();
    /// let buckets = sketch.buckets();
    /// assert_eq!((buckets[0].upper, buckets[0].count), (0.0, 1));
    /// assert!(buckets[1].lower < 1.0 && buckets[1].upper == 1.0 && buckets[1].count == 2);
    /// ```
    pub fn buckets(&self) -> Vec<Bucket> {
        // A list built by a loop rather than a chained iterator: every caller wants them all,
        // and the adapters cost the engine wasm 0.8 KB.
        let mut out = Vec::new();
        if self.zero_count > 0 {
            out.push(Bucket {
                lower: 0.0,
                upper: 0.0,
                count: self.zero_count,
            });
        }
        for (index, count) in self.buckets.occupied() {
            out.push(Bucket {
                lower: self.mapping.lower_boundary(index),
                upper: self.mapping.lower_boundary(index + 1),
                count,
            });
        }
        out
    }

    /// Forgets every value and returns to the configured scale.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// sketch.record(1.0).unwrap();
    /// sketch.clear();
    /// assert_eq!(sketch, Sketch::default());
    /// ```
    pub fn clear(&mut self) {
        *self = Self::empty(self.max_scale, self.max_buckets);
    }

    /// Bytes this sketch occupies in memory (struct plus counters).
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let mut sketch = Sketch::default();
    /// let empty = sketch.memory_bytes();
    /// sketch.record_many(&[1.0, 1000.0]).unwrap();
    /// assert!(sketch.memory_bytes() > empty);
    /// ```
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.buckets.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(max_buckets: usize) -> Sketch {
        Sketch::new(SketchConfig {
            max_buckets,
            ..SketchConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn default_covers_a_microsecond_to_an_hour_at_scale_6() {
        let mut sketch = Sketch::default();
        sketch.record_many(&[0.001, 3_600_000.0]).unwrap();
        assert_eq!(sketch.scale(), 6);
    }

    #[test]
    fn downscales_to_fit_the_budget() {
        let mut sketch = small(16);
        sketch.record_many(&[1.0, 1e6]).unwrap();
        assert!(sketch.scale() < 6);
        assert!(sketch.buckets.len() <= 16);
        assert_eq!(sketch.quantiles(&[0.0, 1.0]).unwrap(), [1.0, 1e6]);
    }

    #[test]
    fn extreme_ranges_fit_even_two_buckets() {
        let mut sketch = small(2);
        sketch
            .record_many(&[5e-324, 1e-300, 1.0, f64::MAX])
            .unwrap();
        assert_eq!(sketch.scale(), MIN_SCALE);
        assert_eq!(sketch.count(), 4);
        assert_eq!(sketch.sum(), f64::MAX);
    }

    #[test]
    fn merging_an_empty_sketch_changes_nothing() {
        let mut sketch = Sketch::default();
        sketch.record(2.0).unwrap();
        let before = sketch.clone();
        sketch.merge(&small(8));
        assert_eq!(sketch, before);
    }

    #[test]
    fn zeros_only() {
        let mut sketch = Sketch::default();
        sketch.record_many(&[0.0, -0.0]).unwrap();
        assert_eq!(sketch.quantile(0.5).unwrap(), 0.0);
        assert!(sketch.min().is_sign_positive());
        assert_eq!(sketch.buckets().len(), 1);
    }
}
