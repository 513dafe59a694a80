//! An input error that names the field it is about, so the facade can turn it into a JS
//! `RangeError` whose message starts with that field.

use std::fmt;

/// A field that failed validation; `Display` gives `"field: problem"`.
///
/// ```
/// use apiscope::core::error::FieldError;
/// let err = FieldError::new("maxSize", "must be at least 1, got 0");
/// assert_eq!(err.field, "maxSize");
/// assert_eq!(err.to_string(), "maxSize: must be at least 1, got 0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The offending field, spelled as JavaScript sees it.
    pub field: &'static str,
    /// What was wrong with it.
    pub problem: String,
}

impl FieldError {
    /// An error about `field`.
    pub fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for FieldError {}
