//! How each response-cache answer was served, counted for `stats()` and reported per call, so
//! the profiler can set cached latency against network latency.

use super::stats::{CacheStats, ratio};
use serde::Serialize;

/// The way one request was answered.
///
/// ```
/// use apiscope::core::cache::outcome::Outcome;
/// assert_eq!(Outcome::Stale.as_str(), "stale");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Served fresh from the cache.
    Hit,
    /// Went to the network (alone or sharing an identical in-flight call).
    Miss,
    /// Served stale from the cache while a background refresh runs.
    Stale,
    /// Not cacheable (method, `no-store`, `Range`, ...) or an internal fallback: plain fetch.
    Bypass,
    /// The network call failed or was aborted.
    Error,
}

impl Outcome {
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
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

    /// The response cache's `stats()`: answer counts with the storage figures beside them.
    ///
    /// ```
    /// use apiscope::core::cache::outcome::{Outcome, OutcomeCounts};
    /// use apiscope::core::cache::stats::CacheStats;
    /// let mut c = OutcomeCounts::default();
    /// c.record(Outcome::Stale);
    /// c.record(Outcome::Miss);
    /// let s = c.report(&CacheStats { entries: 1, ..Default::default() });
    /// assert_eq!((s.hit_rate, s.entries), (0.5, 1));
    /// ```
    pub fn report(&self, storage: &CacheStats) -> ResponseCacheStats {
        let served = self.hits + self.stale;
        ResponseCacheStats {
            answers: *self,
            hit_rate: ratio(served, served + self.misses),
            evictions: storage.evictions,
            expirations: storage.expirations,
            rejected: storage.rejected,
            entries: storage.entries,
            bytes: storage.bytes,
        }
    }
}

/// What `ResponseCache.stats()` returns. `hits`/`misses`/`hitRate` count answers (a stale
/// answer counts as served from cache), not raw lookups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseCacheStats {
    /// The answer counts, flattened into the same object.
    #[serde(flatten)]
    pub answers: OutcomeCounts,
    pub hit_rate: f64,
    pub evictions: u64,
    pub expirations: u64,
    pub rejected: u64,
    pub entries: usize,
    pub bytes: u64,
}
