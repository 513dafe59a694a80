//! How accurate and how large a sketch may be.

use super::mapping::{MAX_SCALE, relative_error_at, scale_for_error};
use crate::core::error::{FieldError, Rule};

/// The default bucket budget: at scale 6 it covers 1 µs .. 1 h (2,032 buckets) without
/// downscaling.
///
/// ```
/// use apiscope::core::sketch::{SketchConfig, DEFAULT_MAX_BUCKETS};
/// assert_eq!(SketchConfig::default().max_buckets, DEFAULT_MAX_BUCKETS);
/// ```
pub const DEFAULT_MAX_BUCKETS: usize = 2048;
/// The smallest budget: two buckets cover every positive `f64` at the coarsest scale.
///
/// ```
/// use apiscope::core::sketch::{Sketch, SketchConfig, MIN_BUCKETS};
/// let config = SketchConfig { max_buckets: MIN_BUCKETS, ..SketchConfig::default() };
/// let mut sketch = Sketch::new(config).unwrap();
/// sketch.record_many(&[1e-300, 1e300]).unwrap();
/// assert_eq!(sketch.count(), 2);
/// ```
pub const MIN_BUCKETS: usize = 2;
/// The largest budget, so that a decoded sketch can never claim an unbounded allocation.
///
/// ```
/// use apiscope::core::sketch::{Sketch, SketchConfig, MAX_BUCKETS};
/// let config = SketchConfig { max_buckets: MAX_BUCKETS + 1, ..SketchConfig::default() };
/// assert!(Sketch::new(config).is_err());
/// ```
pub const MAX_BUCKETS: usize = 1 << 16;

/// Accuracy and memory limits of a [`super::Sketch`].
///
/// ```
/// use apiscope::core::sketch::{Sketch, SketchConfig};
/// let config = SketchConfig { max_relative_error: 0.02, ..SketchConfig::default() };
/// let sketch = Sketch::new(config).unwrap();
/// assert_eq!(sketch.scale(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SketchConfig {
    /// Worst relative error of any quantile while no downscaling is needed; the sketch picks
    /// the coarsest scale that meets it. In `[3.3e-7, 1)`; default 0.01 (scale 6, 0.54%).
    pub max_relative_error: f64,
    /// Most buckets held at once (not counting the zero bucket); beyond it the sketch halves
    /// its resolution. In `[2, 65536]`; default [`DEFAULT_MAX_BUCKETS`].
    pub max_buckets: usize,
}

impl Default for SketchConfig {
    fn default() -> Self {
        Self {
            max_relative_error: 0.01,
            max_buckets: DEFAULT_MAX_BUCKETS,
        }
    }
}

impl SketchConfig {
    /// The config that JavaScript's `{ maxRelativeError?, maxBuckets? }` asks for, where every
    /// number is an `f64`: an absent option keeps its default, and the budget must be a whole
    /// number in `[MIN_BUCKETS, MAX_BUCKETS]` (the error rule is [`Self::resolve`]'s).
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// let config = SketchConfig::from_numbers(Some(0.02), None).unwrap();
    /// assert_eq!(config.max_buckets, SketchConfig::default().max_buckets);
    /// let err = SketchConfig::from_numbers(None, Some(3.5)).unwrap_err();
    /// assert_eq!(err.to_string(), "maxBuckets: must be an integer in [2, 65536], got 3.5");
    /// ```
    pub fn from_numbers(
        max_relative_error: Option<f64>,
        max_buckets: Option<f64>,
    ) -> Result<Self, FieldError> {
        let mut config = Self::default();
        if let Some(error) = max_relative_error {
            config.max_relative_error = error;
        }
        if let Some(budget) = max_buckets {
            let rule = budget_rule();
            config.max_buckets = rule.check(budget).map_err(|p| p.of("maxBuckets"))? as usize;
        }
        Ok(config)
    }

    /// The starting scale and the bucket budget, or which option is out of range.
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// assert_eq!(SketchConfig::default().resolve(), Ok((6, 2048)));
    /// let bad = SketchConfig { max_buckets: 1, ..SketchConfig::default() };
    /// assert!(bad.resolve().unwrap_err().to_string().starts_with("maxBuckets: "));
    /// ```
    pub fn resolve(&self) -> Result<(i32, usize), FieldError> {
        let scale = scale_for_error(self.max_relative_error)
            .filter(|_| self.max_relative_error < 1.0)
            .ok_or_else(|| {
                let rule = Rule::Between {
                    min: relative_error_at(MAX_SCALE),
                    min_closed: true,
                    max: 1.0,
                    max_closed: false,
                };
                FieldError::new("maxRelativeError", rule).got(self.max_relative_error)
            })?;
        if !(MIN_BUCKETS..=MAX_BUCKETS).contains(&self.max_buckets) {
            return Err(FieldError::new("maxBuckets", budget_rule()).got(self.max_buckets as f64));
        }
        Ok((scale, self.max_buckets))
    }
}

/// The rule a bucket budget follows.
fn budget_rule() -> Rule {
    Rule::Integer {
        min: MIN_BUCKETS as f64,
        max: MAX_BUCKETS as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_out_of_range_errors() {
        for bad in [f64::NAN, 0.0, -0.1, 1.0, 2.0, 1e-8] {
            let config = SketchConfig {
                max_relative_error: bad,
                ..SketchConfig::default()
            };
            let err = config.resolve().unwrap_err().to_string();
            assert!(err.starts_with("maxRelativeError: must be in ["), "{err}");
        }
    }

    #[test]
    fn coarse_errors_get_coarse_scales() {
        let config = |e| SketchConfig {
            max_relative_error: e,
            ..SketchConfig::default()
        };
        assert_eq!(config(0.5).resolve(), Ok((0, DEFAULT_MAX_BUCKETS)));
        assert_eq!(config(0.999).resolve(), Ok((-3, DEFAULT_MAX_BUCKETS)));
        assert_eq!(config(1e-6).resolve().map(|r| r.0), Ok(19));
    }
}
