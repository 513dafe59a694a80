//! What can go wrong with a sketch, phrased so that the caller can fix it.

use std::fmt;

/// Why a sketch (or a registry of sketches) refused an input. `Display` starts with the field
/// that was wrong, using the public (JS) option names, e.g. `maxBuckets: must be ...`.
///
/// ```
/// use apiscope::core::sketch::Sketch;
/// let err = Sketch::default().record(f64::NAN).unwrap_err();
/// assert_eq!(err.to_string(), "value: must be a finite number >= 0, got NaN");
/// assert_eq!(err.field(), "value");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum SketchError {
    /// A sample (or a time) that is NaN, infinite or negative; `field` is e.g. `values[3]`.
    InvalidValue { field: String, value: f64 },
    /// A quantile outside `[0, 1]`; `field` is e.g. `q` or `qs[1]`.
    InvalidQuantile { field: String, q: f64 },
    /// A configuration option out of range.
    InvalidOption {
        option: &'static str,
        reason: String,
    },
    /// Bytes that are not a sketch encoding (truncated, corrupt, or from an unknown version).
    Corrupt { reason: String },
}

impl SketchError {
    /// The offending field, as it should appear at the start of an error message.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let err = Sketch::default().record_many(&[1.0, -2.0]).unwrap_err();
    /// assert_eq!(err.field(), "values[1]");
    /// ```
    pub fn field(&self) -> &str {
        match self {
            Self::InvalidValue { field, .. } | Self::InvalidQuantile { field, .. } => field,
            Self::InvalidOption { option, .. } => option,
            Self::Corrupt { .. } => "bytes",
        }
    }

    /// What was wrong with the field, without the field name.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// let err = Sketch::default().quantile(1.5).unwrap_err();
    /// assert_eq!(err.problem(), "must be in [0, 1], got 1.5");
    /// ```
    pub fn problem(&self) -> String {
        match self {
            Self::InvalidValue { value, .. } => {
                format!("must be a finite number >= 0, got {value}")
            }
            Self::InvalidQuantile { q, .. } => format!("must be in [0, 1], got {q}"),
            Self::InvalidOption { reason, .. } | Self::Corrupt { reason } => reason.clone(),
        }
    }

    /// Whether the caller passed a bad argument (as opposed to handing over corrupt bytes);
    /// the JS facade throws a `RangeError` for these and a plain `Error` otherwise.
    ///
    /// ```
    /// use apiscope::core::sketch::Sketch;
    /// assert!(Sketch::default().record(-1.0).unwrap_err().is_out_of_range());
    /// assert!(!Sketch::from_bytes(&[0xff]).unwrap_err().is_out_of_range());
    /// ```
    pub fn is_out_of_range(&self) -> bool {
        !matches!(self, Self::Corrupt { .. })
    }
}

impl fmt::Display for SketchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field(), self.problem())
    }
}

impl std::error::Error for SketchError {}

/// Accepts `value` as a sample: finite and not negative.
pub(crate) fn check_value(field: impl FnOnce() -> String, value: f64) -> Result<f64, SketchError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(SketchError::InvalidValue {
            field: field(),
            value,
        })
    }
}

/// Accepts `q` as a quantile: within `[0, 1]`.
pub(crate) fn check_quantile(field: impl FnOnce() -> String, q: f64) -> Result<f64, SketchError> {
    if (0.0..=1.0).contains(&q) {
        Ok(q)
    } else {
        Err(SketchError::InvalidQuantile { field: field(), q })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_is_a_valid_sample() {
        assert_eq!(check_value(|| "v".into(), -0.0), Ok(-0.0));
    }

    #[test]
    fn messages_name_the_field() {
        let err = check_value(|| "values[7]".into(), f64::NEG_INFINITY).unwrap_err();
        assert_eq!(
            err.to_string(),
            "values[7]: must be a finite number >= 0, got -inf"
        );
        let err = check_quantile(|| "qs[0]".into(), f64::NAN).unwrap_err();
        assert_eq!(err.to_string(), "qs[0]: must be in [0, 1], got NaN");
    }
}
