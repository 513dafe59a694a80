//! How each response-cache answer was served, counted for `stats()` and reported per call, so
//! the profiler can set cached latency against network latency.

/// The way one request was answered.
///
/// ```
/// use apiscope::core::cache::outcome::Outcome;
/// assert_eq!(Outcome::Stale.as_str(), "stale");
/// assert_eq!(Outcome::from_code(Outcome::Stale as u8), Some(Outcome::Stale));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Served fresh from the cache.
    Hit = 0,
    /// Went to the network (alone or sharing an identical in-flight call).
    Miss = 1,
    /// Served stale from the cache while a background refresh runs.
    Stale = 2,
    /// Not cacheable (method, `no-store`, `Range`, ...) or an internal fallback: plain fetch.
    Bypass = 3,
    /// The network call failed or was aborted.
    Error = 4,
}

impl Outcome {
    /// Every outcome, in code order.
    pub const ALL: [Outcome; 5] = [
        Outcome::Hit,
        Outcome::Miss,
        Outcome::Stale,
        Outcome::Bypass,
        Outcome::Error,
    ];

    /// The name JavaScript sees.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Hit => "hit",
            Outcome::Miss => "miss",
            Outcome::Stale => "stale",
            Outcome::Bypass => "bypass",
            Outcome::Error => "error",
        }
    }

    /// The outcome a number (its discriminant, as it crosses from JavaScript) stands for.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }

    /// Whether the answer came from the cache (fresh or stale).
    ///
    /// ```
    /// use apiscope::core::cache::outcome::Outcome;
    /// assert!(Outcome::Stale.served_from_cache() && !Outcome::Miss.served_from_cache());
    /// ```
    pub fn served_from_cache(self) -> bool {
        matches!(self, Outcome::Hit | Outcome::Stale)
    }
}

/// Counters of outcomes, plus the background work they caused.
///
/// ```
/// use apiscope::core::cache::outcome::{Outcome, OutcomeCounts};
/// let mut c = OutcomeCounts::default();
/// c.record(Outcome::Hit);
/// c.record(Outcome::Miss);
/// assert_eq!((c.hits, c.misses), (1, 1));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OutcomeCounts {
    /// Fresh answers from the cache.
    pub hits: u64,
    /// Answers from the network.
    pub misses: u64,
    /// Stale answers.
    pub stale: u64,
    /// Plain fetches.
    pub bypass: u64,
    /// Failed network calls.
    pub errors: u64,
    /// Misses that joined a call already in flight instead of starting one.
    pub coalesced: u64,
    /// Background refreshes started by stale answers.
    pub revalidations: u64,
}

impl OutcomeCounts {
    /// Counts one answer.
    pub fn record(&mut self, outcome: Outcome) {
        let counter = match outcome {
            Outcome::Hit => &mut self.hits,
            Outcome::Miss => &mut self.misses,
            Outcome::Stale => &mut self.stale,
            Outcome::Bypass => &mut self.bypass,
            Outcome::Error => &mut self.errors,
        };
        *counter += 1;
    }

    /// Answers served from the cache (a stale answer counts) over those that looked: served
    /// plus misses; 0 before any.
    ///
    /// ```
    /// use apiscope::core::cache::outcome::{Outcome, OutcomeCounts};
    /// let mut c = OutcomeCounts::default();
    /// c.record(Outcome::Stale);
    /// c.record(Outcome::Miss);
    /// c.record(Outcome::Bypass);
    /// assert_eq!(c.hit_rate(), 0.5);
    /// ```
    pub fn hit_rate(&self) -> f64 {
        let served = self.hits + self.stale;
        super::stats::ratio(served, served + self.misses)
    }
}
