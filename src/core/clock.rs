//! Time for the core, behind a trait.
//!
//! `std::time::Instant` panics on `wasm32-unknown-unknown`, and core logic must be
//! deterministic in native tests, so nothing in `core` reads a clock by itself: callers pass
//! `now_ms` in, and the code that owns a component asks a [`Clock`] for it. The browser edge
//! implements [`Clock`] over `performance.timeOrigin + performance.now()`; tests use
//! [`ManualClock`].

use std::cell::Cell;

/// A source of wall-clock time in milliseconds since the Unix epoch, with sub-millisecond
/// resolution and no backwards jumps within one page.
pub trait Clock {
    /// The current time in milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
}

/// A clock that only moves when told to; for tests and simulations.
///
/// ```
/// use apiscope::core::clock::{Clock, ManualClock};
/// let clock = ManualClock::new(1_000.0);
/// clock.advance(250.0);
/// assert_eq!(clock.now_ms(), 1_250.0);
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    now: Cell<f64>,
}

impl ManualClock {
    /// A clock that reads `start_ms` until advanced.
    pub fn new(start_ms: f64) -> Self {
        Self {
            now: Cell::new(start_ms),
        }
    }

    /// Moves the clock forward by `ms` (which must not be negative).
    ///
    /// ```
    /// # use apiscope::core::clock::{Clock, ManualClock};
    /// let clock = ManualClock::new(0.0);
    /// clock.advance(10.0);
    /// clock.advance(5.0);
    /// assert_eq!(clock.now_ms(), 15.0);
    /// ```
    pub fn advance(&self, ms: f64) {
        debug_assert!(ms >= 0.0, "a clock never runs backwards");
        self.now.set(self.now.get() + ms);
    }

    /// Sets the clock to `ms`.
    ///
    /// ```
    /// # use apiscope::core::clock::{Clock, ManualClock};
    /// let clock = ManualClock::new(0.0);
    /// clock.set(42.0);
    /// assert_eq!(clock.now_ms(), 42.0);
    /// ```
    pub fn set(&self, ms: f64) {
        self.now.set(ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
}
