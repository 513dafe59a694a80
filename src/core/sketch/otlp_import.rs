//! A sketch rebuilt from an OTLP exponential histogram data point, e.g. one a collector
//! received, so that its quantiles can be read with the same code as the page's own.

use super::buckets::DenseBuckets;
use super::config::{MAX_BUCKETS, SketchConfig};
use super::mapping::{MAX_SCALE, MIN_SCALE, Mapping};
use super::{OtlpExponentialHistogram, Sketch};
use crate::core::error::{FieldError, Rule};

/// A point that is not a consistent histogram: why, and the number that showed it.
fn invalid(why: &'static str, got: f64) -> FieldError {
    FieldError::new("point", Rule::Decodes(why)).got(got)
}

impl Sketch {
    /// The point's values in a sketch of `config`, which downscales the point if it is finer
    /// or wider than `config` allows. A sketch's own [`Sketch::to_otlp`] comes back equal.
    /// Missing `min`/`max` are taken from the outermost occupied buckets.
    ///
    /// ```
    /// use apiscope::core::sketch::{Sketch, SketchConfig};
    /// let mut sketch = Sketch::default();
    /// sketch.record_many(&[0.0, 3.0, 40.0, 41.0]).unwrap();
    /// let back = Sketch::from_otlp(&sketch.to_otlp(), SketchConfig::default()).unwrap();
    /// assert_eq!(back, sketch);
    /// let mut bad = sketch.to_otlp();
    /// bad.count += 1;
    /// assert!(Sketch::from_otlp(&bad, SketchConfig::default()).is_err());
    /// ```
    pub fn from_otlp(
        point: &OtlpExponentialHistogram,
        config: SketchConfig,
    ) -> Result<Sketch, FieldError> {
        let mut sketch = Sketch::new(config)?;
        if !(MIN_SCALE..=MAX_SCALE).contains(&point.scale) {
            return Err(invalid("scale out of range", f64::from(point.scale)));
        }
        let counts = &point.positive.bucket_counts;
        let first = counts.iter().position(|&c| c > 0);
        let last = counts.iter().rposition(|&c| c > 0);
        let mapping = Mapping::new(point.scale);
        let buckets = match (first, last) {
            (Some(first), Some(last)) => {
                let lo = i64::from(point.positive.offset) + first as i64;
                let hi = i64::from(point.positive.offset) + last as i64;
                let valid = i64::from(mapping.min_index())..=i64::from(mapping.max_index());
                if !valid.contains(&lo) || !valid.contains(&hi) {
                    return Err(invalid("bucket index out of range", lo as f64));
                }
                DenseBuckets::from_counts(lo as i32, &counts[first..=last])
            }
            _ => DenseBuckets::default(),
        };
        let count = buckets
            .counts()
            .try_fold(point.zero_count, u64::checked_add)
            .filter(|&total| total == point.count)
            .ok_or_else(|| invalid("buckets do not add up to count", point.count as f64))?;
        if count == 0 {
            return Ok(sketch);
        }
        let lowest = if point.zero_count > 0 {
            0.0
        } else {
            mapping.lower_boundary(buckets.offset())
        };
        let highest = if buckets.is_empty() {
            0.0
        } else {
            mapping.lower_boundary(buckets.last_index() + 1)
        };
        let (min, max) = (point.min.unwrap_or(lowest), point.max.unwrap_or(highest));
        let plausible = point.sum.is_finite()
            && point.sum >= 0.0
            && (0.0..=f64::MAX).contains(&min)
            && (min..=f64::MAX).contains(&max)
            && (point.zero_count == 0 || min == 0.0);
        if !plausible {
            return Err(invalid("inconsistent sum, min and max", point.sum));
        }
        let imported = Sketch {
            max_scale: point.scale,
            max_buckets: MAX_BUCKETS,
            mapping,
            buckets,
            zero_count: point.zero_count,
            count,
            sum: point.sum,
            min,
            max,
        };
        // Merging re-buckets at the coarser scale and within the budget, losslessly.
        sketch.merge(&imported);
        Ok(sketch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finer_point_is_downscaled_into_the_config() {
        let fine = SketchConfig {
            max_relative_error: 0.001,
            ..SketchConfig::default()
        };
        let mut source = Sketch::new(fine).unwrap();
        let values = [0.5, 2.0, 9.0, 130.0, 7_000.0];
        source.record_many(&values).unwrap();
        let mut expected = Sketch::default();
        expected.record_many(&values).unwrap();
        let back = Sketch::from_otlp(&source.to_otlp(), SketchConfig::default()).unwrap();
        assert_eq!(back, expected);
    }

    #[test]
    fn padding_zeros_and_missing_extremes_are_accepted() {
        let mut source = Sketch::default();
        source.record_many(&[3.0, 5.0]).unwrap();
        let mut point = source.to_otlp();
        point.positive.offset -= 2;
        point.positive.bucket_counts.splice(0..0, [0, 0]);
        point.positive.bucket_counts.push(0);
        (point.min, point.max) = (None, None);
        let back = Sketch::from_otlp(&point, SketchConfig::default()).unwrap();
        assert_eq!(back.count(), 2);
        assert!(back.min() <= 3.0 && back.max() >= 5.0);
        assert_eq!(back.quantile(0.5).unwrap(), source.quantile(0.5).unwrap());
    }

    #[test]
    fn out_of_range_input_is_an_error() {
        let mut point = Sketch::default().to_otlp();
        point.scale = 21;
        assert!(Sketch::from_otlp(&point, SketchConfig::default()).is_err());
        let mut source = Sketch::default();
        source.record(1.0).unwrap();
        let mut point = source.to_otlp();
        point.positive.offset = i32::MAX;
        assert!(Sketch::from_otlp(&point, SketchConfig::default()).is_err());
        point = source.to_otlp();
        point.sum = f64::NAN;
        assert!(Sketch::from_otlp(&point, SketchConfig::default()).is_err());
    }
}
