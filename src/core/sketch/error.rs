//! The sketch's input checks: a value is a finite number >= 0, a quantile lies in `[0, 1]`.

use crate::core::error::{FieldError, Rule};

/// The rule a quantile follows.
pub(crate) const QUANTILE: Rule = Rule::Between {
    min: 0.0,
    min_closed: true,
    max: 1.0,
    max_closed: true,
};

/// Accepts `value` as a sample: finite and not negative. `field` is only called on failure.
#[inline]
pub(crate) fn check_value(field: impl FnOnce() -> String, value: f64) -> Result<f64, FieldError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(FieldError::new(field(), Rule::FiniteNotNegative).got(value))
    }
}

/// Accepts `q` as a quantile: within `[0, 1]`.
pub(crate) fn check_quantile(field: impl FnOnce() -> String, q: f64) -> Result<f64, FieldError> {
    QUANTILE.check(q).map_err(|p| p.of(field()))
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
            "values[7]: must be a finite number >= 0, got -Infinity"
        );
        let err = check_quantile(|| "qs[0]".into(), f64::NAN).unwrap_err();
        assert_eq!(err.to_string(), "qs[0]: must be in [0, 1], got NaN");
    }
}
