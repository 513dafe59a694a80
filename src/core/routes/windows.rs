//! Rolling time windows for one route: a sketch and an error count per fixed time slot
//! (e.g. 10 s), kept for a retention period (e.g. 1 h), so that "the last 5 minutes" is a merge
//! of slots. Slots exist only where samples arrived, and never more than
//! `ceil(retention / slot)` of them, so memory stays bounded however long the page lives.

use crate::core::error::{FieldError, Rule};
use crate::core::sketch::{Sketch, SketchConfig, check_value};
use std::collections::VecDeque;

/// The most slots one route keeps (retention / slot), bounding memory per route.
///
/// ```
/// use apiscope::core::sketch::SketchConfig;
/// use apiscope::core::routes::windows::{RollingWindows, MAX_SLOTS};
/// let too_many = (MAX_SLOTS + 1) as f64;
/// assert!(RollingWindows::new(1.0, too_many, SketchConfig::default()).is_err());
/// ```
pub const MAX_SLOTS: usize = 100_000;

/// Time-sliced sketches of one route's latencies. Slot `n` covers `[n * slot_ms, (n+1) * slot_ms)`.
///
/// ```
/// use apiscope::core::sketch::SketchConfig;
/// use apiscope::core::routes::windows::RollingWindows;
/// let mut w = RollingWindows::new(10_000.0, 3_600_000.0, SketchConfig::default()).unwrap();
/// w.record(120.0, false, 1_000.0).unwrap();
/// w.record(80.0, true, 15_000.0).unwrap();
/// let (sketch, errors) = w.last(15_000.0, 60_000.0);
/// assert_eq!((sketch.count(), errors), (2, 1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RollingWindows {
    slot_ms: f64,
    max_slots: usize,
    /// An empty sketch of the configured accuracy, cloned for new slots and merges.
    empty: Sketch,
    /// Ordered by slot number, oldest first.
    slots: VecDeque<Slot>,
}

#[derive(Debug, Clone, PartialEq)]
struct Slot {
    number: i64,
    sketch: Sketch,
    errors: u64,
}

impl RollingWindows {
    /// Windows of `slot_ms` slots kept for `retention_ms`, or which option is out of range.
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// use apiscope::core::routes::windows::RollingWindows;
    /// let err = RollingWindows::new(0.0, 60_000.0, SketchConfig::default()).unwrap_err();
    /// assert!(err.to_string().starts_with("slotMs: "));
    /// ```
    pub fn new(slot_ms: f64, retention_ms: f64, sketch: SketchConfig) -> Result<Self, FieldError> {
        Rule::Positive.check(slot_ms).map_err(|p| p.of("slotMs"))?;
        let slots = (retention_ms / slot_ms).ceil();
        if !(1.0..=MAX_SLOTS as f64).contains(&slots) {
            let rule = Rule::Between {
                min: 0.0,
                min_closed: false,
                max: MAX_SLOTS as f64 * slot_ms,
                max_closed: true,
            };
            return Err(FieldError::new("retentionMs", rule).got(retention_ms));
        }
        Ok(Self {
            slot_ms,
            max_slots: slots as usize,
            empty: Sketch::new(sketch)?,
            slots: VecDeque::new(),
        })
    }

    /// Records one sample at `now_ms`. Samples older than the retention (late arrivals) are
    /// ignored; bad durations or times are refused and change nothing.
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// use apiscope::core::routes::windows::RollingWindows;
    /// let mut w = RollingWindows::new(1_000.0, 5_000.0, SketchConfig::default()).unwrap();
    /// w.record(1.0, false, 10_000.0).unwrap();
    /// w.record(1.0, false, 2_000.0).unwrap(); // older than the retention: dropped
    /// assert_eq!(w.last(10_000.0, 60_000.0).0.count(), 1);
    /// assert!(w.record(f64::NAN, false, 10_000.0).is_err());
    /// ```
    pub fn record(
        &mut self,
        duration_ms: f64,
        is_error: bool,
        now_ms: f64,
    ) -> Result<(), FieldError> {
        check_sample(duration_ms, now_ms)?;
        let number = self.slot_number(now_ms);
        let newest = self.slots.back().map_or(number, |s| s.number.max(number));
        if number <= newest - self.max_slots as i64 {
            return Ok(());
        }
        let pos = match self.slots.back() {
            Some(last) if last.number == number => self.slots.len() - 1,
            _ => self.slot_position(number),
        };
        let slot = &mut self.slots[pos];
        slot.sketch.record(duration_ms)?;
        slot.errors += u64::from(is_error);
        while self
            .slots
            .front()
            .is_some_and(|s| s.number <= newest - self.max_slots as i64)
        {
            self.slots.pop_front();
        }
        Ok(())
    }

    /// The position of slot `number`, inserted empty if missing.
    fn slot_position(&mut self, number: i64) -> usize {
        self.slots
            .binary_search_by_key(&number, |s| s.number)
            .unwrap_or_else(|pos| {
                let sketch = self.empty.clone();
                self.slots.insert(
                    pos,
                    Slot {
                        number,
                        sketch,
                        errors: 0,
                    },
                );
                pos
            })
    }

    fn slot_number(&self, time_ms: f64) -> i64 {
        (time_ms / self.slot_ms).floor() as i64
    }

    /// Merged sketch and error count of the slots that start in `(from_ms, to_ms]`.
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// use apiscope::core::routes::windows::RollingWindows;
    /// let mut w = RollingWindows::new(1_000.0, 60_000.0, SketchConfig::default()).unwrap();
    /// w.record(5.0, false, 1_500.0).unwrap();
    /// w.record(9.0, true, 2_500.0).unwrap();
    /// assert_eq!(w.between(1_000.0, 3_000.0).1, 1); // only the slot starting at 2 000
    /// assert_eq!(w.between(0.0, 3_000.0).0.count(), 2);
    /// ```
    pub fn between(&self, from_ms: f64, to_ms: f64) -> (Sketch, u64) {
        let mut merged = self.empty.clone();
        let mut errors = 0;
        for slot in &self.slots {
            let start = slot.number as f64 * self.slot_ms;
            if from_ms < start && start <= to_ms {
                merged.merge(&slot.sketch);
                errors += slot.errors;
            }
        }
        (merged, errors)
    }

    /// The last `window_ms` up to `now_ms`: [`Self::between`]`(now_ms - window_ms, now_ms)`.
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// use apiscope::core::routes::windows::RollingWindows;
    /// let mut w = RollingWindows::new(10_000.0, 3_600_000.0, SketchConfig::default()).unwrap();
    /// w.record(5.0, false, 0.0).unwrap();
    /// w.record(7.0, false, 600_000.0).unwrap();
    /// assert_eq!(w.last(600_000.0, 60_000.0).0.count(), 1);
    /// ```
    pub fn last(&self, now_ms: f64, window_ms: f64) -> (Sketch, u64) {
        self.between(now_ms - window_ms, now_ms)
    }

    /// Whether every slot is older than the retention at `now_ms` (the route can be dropped).
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// use apiscope::core::routes::windows::RollingWindows;
    /// let mut w = RollingWindows::new(1_000.0, 10_000.0, SketchConfig::default()).unwrap();
    /// w.record(5.0, false, 0.0).unwrap();
    /// assert!(!w.is_stale(9_000.0));
    /// assert!(w.is_stale(10_000.0));
    /// ```
    pub fn is_stale(&self, now_ms: f64) -> bool {
        let oldest_kept = self.slot_number(now_ms) - self.max_slots as i64;
        self.slots.back().is_none_or(|s| s.number <= oldest_kept)
    }

    /// How many slots are held (at most `ceil(retention / slot)`).
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// use apiscope::core::routes::windows::RollingWindows;
    /// let mut w = RollingWindows::new(1_000.0, 3_000.0, SketchConfig::default()).unwrap();
    /// for t in 0..10 {
    ///     w.record(1.0, false, t as f64 * 1_000.0).unwrap();
    /// }
    /// assert_eq!(w.slot_count(), 3);
    /// ```
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Drops every slot.
    ///
    /// ```
    /// use apiscope::core::sketch::SketchConfig;
    /// use apiscope::core::routes::windows::RollingWindows;
    /// let mut w = RollingWindows::new(1_000.0, 3_000.0, SketchConfig::default()).unwrap();
    /// w.record(1.0, false, 0.0).unwrap();
    /// w.clear();
    /// assert_eq!(w.slot_count(), 0);
    /// ```
    pub fn clear(&mut self) {
        self.slots.clear();
    }
}

/// Accepts a sample's duration and time, naming the one that is bad.
pub(crate) fn check_sample(duration_ms: f64, now_ms: f64) -> Result<(), FieldError> {
    check_value(|| "durationMs".to_owned(), duration_ms)?;
    check_value(|| "nowMs".to_owned(), now_ms)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows() -> RollingWindows {
        RollingWindows::new(10.0, 100.0, SketchConfig::default()).unwrap()
    }

    #[test]
    fn out_of_order_samples_land_in_their_slot() {
        let mut w = windows();
        w.record(1.0, false, 55.0).unwrap();
        w.record(2.0, false, 25.0).unwrap();
        w.record(3.0, true, 35.0).unwrap();
        assert_eq!(w.slot_count(), 3);
        assert_eq!(w.between(10.0, 20.0).0.max(), 2.0);
        assert_eq!(w.between(29.0, 30.0).1, 1);
    }

    #[test]
    fn bad_times_change_nothing() {
        let mut w = windows();
        let err = w.record(1.0, false, f64::NAN).unwrap_err();
        assert_eq!(err.field, "nowMs");
        assert_eq!(w, windows());
    }
}
