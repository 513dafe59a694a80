//! What the cache counts, and the snapshot it reports.

/// A snapshot of cache activity (JavaScript sees the same fields in camelCase).
///
/// ```
/// use apiscope::core::cache::stats::CacheStats;
/// let s = CacheStats { hits: 3, misses: 1, ..Default::default() }.with_hit_rate();
/// assert_eq!(s.hit_rate, 0.75);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CacheStats {
    /// Lookups that found a live (fresh or stale) entry.
    pub hits: u64,
    /// Lookups that found nothing usable.
    pub misses: u64,
    /// Entries dropped to make room (entry limit or byte budget).
    pub evictions: u64,
    /// Entries dropped because they outlived their TTL and stale window.
    pub expirations: u64,
    /// Values refused because they alone exceed the byte budget.
    pub rejected: u64,
    /// `hits / (hits + misses)`, 0 before any lookup.
    pub hit_rate: f64,
    /// Entries held now.
    pub entries: usize,
    /// Bytes held now.
    pub bytes: u64,
}

impl CacheStats {
    /// Fills `hit_rate` from `hits` and `misses`.
    ///
    /// ```
    /// use apiscope::core::cache::stats::CacheStats;
    /// assert_eq!(CacheStats::default().with_hit_rate().hit_rate, 0.0);
    /// ```
    pub fn with_hit_rate(mut self) -> Self {
        self.hit_rate = ratio(self.hits, self.hits + self.misses);
        self
    }
}

/// `part / whole`, or 0 when `whole` is 0 (a rate before any event is not NaN, for JSON).
///
/// ```
/// use apiscope::core::cache::stats::ratio;
/// assert_eq!(ratio(1, 4), 0.25);
/// assert_eq!(ratio(0, 0), 0.0);
/// ```
pub fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}
