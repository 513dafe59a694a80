//! Which stored batches to delete so history stays within an age and a sample budget.
//!
//! Retention works on whole batches (a batch is one record): a batch goes when its newest
//! sample is too old, or when keeping it would exceed the sample budget counted from the
//! newest batch down.

use std::cmp::Ordering;

use crate::core::order::sort_by;

/// What retention needs to know about one stored batch.
///
/// ```
/// use apiscope::core::batch::retention::BatchExtent;
/// let e = BatchExtent { id: "b".into(), max_start_ms: 10.0, count: 3 };
/// assert_eq!(e.count, 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchExtent {
    /// The batch id (record key).
    pub id: String,
    /// Start time of its newest sample, epoch ms.
    pub max_start_ms: f64,
    /// Samples in it.
    pub count: u32,
}

/// Limits on stored history.
///
/// ```
/// use apiscope::core::batch::retention::Retention;
/// let r = Retention { max_age_ms: 7.0 * 86_400_000.0, max_samples: 1_000_000 };
/// assert_eq!(r.max_samples, 1_000_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Retention {
    /// Batches whose newest sample is older than this are deleted.
    pub max_age_ms: f64,
    /// At most this many samples are kept, newest batches first.
    pub max_samples: u64,
}

impl Default for Retention {
    /// A week of history, at most two million samples.
    ///
    /// ```
    /// use apiscope::core::batch::retention::Retention;
    /// assert_eq!(Retention::default().max_samples, 2_000_000);
    /// ```
    fn default() -> Self {
        Self {
            max_age_ms: 7.0 * 24.0 * 3_600_000.0,
            max_samples: 2_000_000,
        }
    }
}

impl Retention {
    /// The ids of the batches to delete at `now_ms`, in any input order.
    ///
    /// ```
    /// use apiscope::core::batch::retention::{BatchExtent, Retention};
    /// let extent = |id: &str, max_start_ms, count| BatchExtent { id: id.into(), max_start_ms, count };
    /// let stored = [extent("old", 10.0, 5), extent("mid", 500.0, 5), extent("new", 900.0, 5)];
    /// let by_age = Retention { max_age_ms: 200.0, max_samples: u64::MAX };
    /// assert_eq!(by_age.expired(&stored, 1_000.0), vec!["mid", "old"]);
    /// let by_count = Retention { max_age_ms: f64::INFINITY, max_samples: 12 };
    /// assert_eq!(by_count.expired(&stored, 1_000.0), vec!["old"]);
    /// ```
    pub fn expired(&self, extents: &[BatchExtent], now_ms: f64) -> Vec<String> {
        let mut newest_first = Vec::with_capacity(extents.len());
        for e in extents {
            newest_first.push(e);
        }
        sort_by(&mut newest_first, |a, b| {
            b.max_start_ms
                .partial_cmp(&a.max_start_ms)
                .unwrap_or(Ordering::Equal)
                .then_with(|| b.id.cmp(&a.id))
        });
        let cutoff = now_ms - self.max_age_ms;
        let mut kept: u64 = 0;
        let mut expired = Vec::new();
        for extent in newest_first {
            let over_budget = kept + u64::from(extent.count) > self.max_samples;
            // Once one batch is over budget every older one is too: no gaps in history.
            if over_budget || extent.max_start_ms < cutoff || !expired.is_empty() {
                expired.push(extent.id.clone());
            } else {
                kept += u64::from(extent.count);
            }
        }
        expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extents() -> Vec<BatchExtent> {
        (0..10)
            .map(|i| BatchExtent {
                id: format!("b{i}"),
                max_start_ms: 100.0 * i as f64,
                count: 10,
            })
            .collect()
    }

    #[test]
    fn nothing_expires_within_limits() {
        let r = Retention {
            max_age_ms: 10_000.0,
            max_samples: 100,
        };
        assert!(r.expired(&extents(), 1_000.0).is_empty());
    }

    #[test]
    fn age_and_count_combine_and_leave_no_gaps() {
        let r = Retention {
            max_age_ms: 450.0,
            max_samples: 35,
        };
        // Age keeps b6..b9 (>= 550); the budget of 35 keeps only b7..b9.
        let mut gone = r.expired(&extents(), 1_000.0);
        gone.sort();
        assert_eq!(gone, ["b0", "b1", "b2", "b3", "b4", "b5", "b6"]);
    }

    #[test]
    fn zero_budget_expires_everything() {
        let r = Retention {
            max_age_ms: f64::INFINITY,
            max_samples: 0,
        };
        assert_eq!(r.expired(&extents(), 0.0).len(), 10);
    }
}
