//! One histogram bucket, as the sketch hands its contents out.

use serde::Serialize;

/// One histogram bucket: `count` values in `(lower, upper]`.
///
/// ```
/// use apiscope::core::sketch::Bucket;
/// let b = Bucket { lower: 1.0, upper: 2.0, count: 3 };
/// assert_eq!(b.count, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bucket {
    /// Exclusive lower bound.
    pub lower: f64,
    /// Inclusive upper bound.
    pub upper: f64,
    /// How many recorded values fell in this bucket.
    pub count: u64,
}
