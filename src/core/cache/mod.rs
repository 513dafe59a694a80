//! A TTL + LRU cache with an entry limit and a byte budget, generic over the value.
//!
//! Built on the `lru` crate (which has no notion of time): each entry carries its deadlines and
//! the clock comes in as `now_ms`, so tests drive time by hand. Expired entries go lazily when
//! touched, plus a bounded sweep of the least recently used end on every insert, so no call
//! ever walks the whole cache.

pub mod config;
pub mod entry;
pub mod flight;
pub mod http_policy;
pub mod outcome;
pub mod stats;
pub mod vary;

use config::CacheConfig;
use entry::{Entry, Freshness};
use lru::LruCache;
use stats::CacheStats;

/// How many least-recently-used entries an insert checks for expiry: enough to keep dead
/// entries from piling up, small enough to keep `set` O(1).
const SWEEP_ON_SET: usize = 4;

/// A live entry as a lookup returns it.
///
/// ```
/// use apiscope::core::cache::{Hit, TtlLruCache};
/// use apiscope::core::cache::config::CacheConfig;
/// use apiscope::core::cache::entry::Freshness;
/// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(2));
/// cache.set("k", 7, Default::default(), 0.0);
/// assert_eq!(cache.get("k", 0.0), Some(Hit { value: &7, freshness: Freshness::Fresh }));
/// ```
#[derive(Debug, PartialEq)]
pub struct Hit<'a, V> {
    /// The stored value.
    pub value: &'a V,
    /// [`Freshness::Fresh`] or [`Freshness::Stale`] (never `Expired`).
    pub freshness: Freshness,
}

/// Per-entry settings for [`TtlLruCache::set`].
///
/// ```
/// use apiscope::core::cache::SetOptions;
/// let o = SetOptions { bytes: 64, ttl_ms: Some(1_000.0) };
/// assert_eq!(SetOptions::default().ttl_ms, None);
/// # let _ = o;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SetOptions {
    /// The entry's size against the byte budget.
    pub bytes: u64,
    /// Overrides the cache's default TTL when given.
    pub ttl_ms: Option<f64>,
}

/// The cache. Keys are strings; values are anything (JS values in the facade).
///
/// ```
/// use apiscope::core::cache::{SetOptions, TtlLruCache};
/// use apiscope::core::cache::config::CacheOptions;
/// let config = CacheOptions { max_entries: 2.0, ttl_ms: Some(100.0), ..Default::default() };
/// let mut cache = TtlLruCache::new(config.validate().unwrap());
/// cache.set("a", "A", SetOptions::default(), 0.0);
/// assert!(cache.get("a", 50.0).is_some());
/// assert!(cache.get("a", 100.0).is_none()); // past its TTL
/// assert_eq!(cache.stats().expirations, 1);
/// ```
#[derive(Debug)]
pub struct TtlLruCache<V> {
    entries: LruCache<String, Entry<V>>,
    config: CacheConfig,
    bytes: u64,
    stats: CacheStats,
    /// Whether any entry may hold a finite deadline; see [`TtlLruCache::can_expire`].
    can_expire: bool,
}

impl<V> TtlLruCache<V> {
    /// An empty cache with these settings.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let cache: TtlLruCache<u8> = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// assert!(cache.is_empty());
    /// ```
    pub fn new(config: CacheConfig) -> Self {
        Self {
            entries: LruCache::new(config.max_entries),
            config,
            bytes: 0,
            stats: CacheStats::default(),
            can_expire: finite(config.ttl_ms),
        }
    }

    /// Whether any entry could expire: the default TTL is finite, or an entry was stored with
    /// a finite TTL of its own. While it is `false`, `now_ms` is never read, so a caller may
    /// skip reading its clock.
    ///
    /// ```
    /// # use apiscope::core::cache::{SetOptions, TtlLruCache};
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// cache.set("forever", 1, SetOptions::default(), 0.0);
    /// assert!(!cache.can_expire());
    /// cache.set("brief", 2, SetOptions { bytes: 0, ttl_ms: Some(10.0) }, 0.0);
    /// assert!(cache.can_expire());
    /// ```
    pub fn can_expire(&self) -> bool {
        self.can_expire
    }

    /// The settings this cache was built with.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let cache: TtlLruCache<u8> = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// assert_eq!(cache.config().max_entries.get(), 8);
    /// ```
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// Looks `key` up, marking it most recently used and counting a hit or a miss. An entry
    /// past its stale window is removed and counts as an expiration and a miss.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache: TtlLruCache<u8> = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// assert!(cache.get("nope", 0.0).is_none());
    /// assert_eq!(cache.stats().misses, 1);
    /// ```
    pub fn get(&mut self, key: &str, now_ms: f64) -> Option<Hit<'_, V>> {
        // One hash lookup: `get` makes the entry most recently used, so it is then reachable
        // in O(1) at that end (to return it, or to drop it if it has expired).
        let freshness = self.entries.get(key).map(|e| e.freshness(now_ms));
        match freshness {
            Some(freshness @ (Freshness::Fresh | Freshness::Stale)) => {
                self.stats.hits += 1;
                let (_, entry) = self.entries.peek_mru()?;
                Some(Hit {
                    value: &entry.value,
                    freshness,
                })
            }
            Some(Freshness::Expired) => {
                if let Some((_, entry)) = self.entries.pop_mru() {
                    self.drop_entry(&entry);
                    self.stats.expirations += 1;
                }
                self.stats.misses += 1;
                None
            }
            None => {
                self.stats.misses += 1;
                None
            }
        }
    }

    /// Looks `key` up without touching recency or stats (and without removing expired entries).
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// cache.set("k", 1, Default::default(), 0.0);
    /// assert_eq!(cache.peek("k", 0.0).map(|h| *h.value), Some(1));
    /// assert_eq!(cache.stats().hits, 0);
    /// ```
    pub fn peek(&self, key: &str, now_ms: f64) -> Option<Hit<'_, V>> {
        let entry = self.entries.peek(key)?;
        match entry.freshness(now_ms) {
            Freshness::Expired => None,
            freshness => Some(Hit {
                value: &entry.value,
                freshness,
            }),
        }
    }

    /// Whether `get` would return a value now; touches neither recency nor stats.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// cache.set("k", 1, Default::default(), 0.0);
    /// assert!(cache.has("k", 0.0));
    /// assert!(!cache.has("other", 0.0));
    /// ```
    pub fn has(&self, key: &str, now_ms: f64) -> bool {
        self.peek(key, now_ms).is_some()
    }

    /// Stores `value` under `key`, evicting least recently used entries past the entry limit or
    /// the byte budget. A value larger than the whole budget is refused (counted as
    /// `rejected`), and any older value under the same key is dropped too, so a stale answer
    /// never outlives a newer one. Returns whether the value was stored.
    ///
    /// ```
    /// # use apiscope::core::cache::{SetOptions, TtlLruCache};
    /// # use apiscope::core::cache::config::CacheOptions;
    /// let config = CacheOptions { max_entries: 8.0, max_bytes: Some(10.0), ..Default::default() };
    /// let mut cache = TtlLruCache::new(config.validate().unwrap());
    /// assert!(!cache.set("big", (), SetOptions { bytes: 11, ttl_ms: None }, 0.0));
    /// assert_eq!(cache.stats().rejected, 1);
    /// ```
    pub fn set(&mut self, key: &str, value: V, options: SetOptions, now_ms: f64) -> bool {
        if self.config.max_bytes.is_some_and(|max| options.bytes > max) {
            self.delete(key);
            self.stats.rejected += 1;
            return false;
        }
        let ttl = options.ttl_ms.or(self.config.ttl_ms);
        self.can_expire |= finite(ttl);
        let entry = Entry::new(
            value,
            options.bytes,
            now_ms,
            ttl,
            self.config.stale_while_revalidate_ms,
        );
        self.bytes += entry.bytes;
        if let Some(slot) = self.entries.get_mut(key) {
            // Replaced in place (one lookup, no new node or key) and made most recently used.
            // The sweep then sees the same other entries it would have seen had the old
            // entry been removed first, and never reaches this one.
            let old = std::mem::replace(slot, entry);
            self.drop_entry(&old);
            let others = self.entries.len() - 1;
            self.sweep(now_ms, SWEEP_ON_SET.min(others));
        } else {
            self.sweep(now_ms, SWEEP_ON_SET);
            if let Some((_, evicted)) = self.entries.push(key.to_owned(), entry) {
                self.drop_entry(&evicted);
                self.stats.evictions += 1;
            }
        }
        while self.config.max_bytes.is_some_and(|max| self.bytes > max) {
            let Some((_, evicted)) = self.entries.pop_lru() else {
                break;
            };
            self.drop_entry(&evicted);
            self.stats.evictions += 1;
        }
        true
    }

    /// Removes `key`; returns whether it was there.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// cache.set("k", 1, Default::default(), 0.0);
    /// assert!(cache.delete("k"));
    /// assert!(!cache.delete("k"));
    /// ```
    pub fn delete(&mut self, key: &str) -> bool {
        match self.entries.pop(key) {
            Some(entry) => {
                self.drop_entry(&entry);
                true
            }
            None => false,
        }
    }

    /// Removes every entry whose key satisfies `doomed`; returns how many went.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// cache.set("/a/1", 1, Default::default(), 0.0);
    /// cache.set("/b/1", 2, Default::default(), 0.0);
    /// assert_eq!(cache.remove_where(|k| k.starts_with("/a/")), 1);
    /// assert_eq!(cache.len(), 1);
    /// ```
    pub fn remove_where(&mut self, mut doomed: impl FnMut(&str) -> bool) -> usize {
        let keys: Vec<String> = self
            .entries
            .iter()
            .filter(|(key, _)| doomed(key))
            .map(|(key, _)| key.clone())
            .collect();
        keys.iter().filter(|key| self.delete(key)).count()
    }

    /// Removes up to `limit` expired entries from the least recently used end, stopping at
    /// the first live one; returns how many went.
    ///
    /// ```
    /// # use apiscope::core::cache::{SetOptions, TtlLruCache};
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// cache.set("k", 1, SetOptions { bytes: 0, ttl_ms: Some(10.0) }, 0.0);
    /// assert_eq!(cache.sweep(20.0, 16), 1);
    /// assert!(cache.is_empty());
    /// ```
    pub fn sweep(&mut self, now_ms: f64, limit: usize) -> usize {
        let mut removed = 0;
        while removed < limit {
            let expired = self
                .entries
                .peek_lru()
                .is_some_and(|(_, e)| e.freshness(now_ms) == Freshness::Expired);
            if !expired {
                break;
            }
            if let Some((_, entry)) = self.entries.pop_lru() {
                self.drop_entry(&entry);
                self.stats.expirations += 1;
            }
            removed += 1;
        }
        removed
    }

    /// Drops everything; counters keep counting.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// cache.set("k", 1, Default::default(), 0.0);
    /// cache.clear();
    /// assert_eq!(cache.stats().bytes, 0);
    /// ```
    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
        self.can_expire = finite(self.config.ttl_ms);
    }

    /// Entries held, live or not yet swept.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let cache: TtlLruCache<u8> = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// assert_eq!(cache.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache holds nothing.
    ///
    /// ```
    /// # use apiscope::core::cache::TtlLruCache;
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let cache: TtlLruCache<u8> = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// assert!(cache.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Counters plus current size.
    ///
    /// ```
    /// # use apiscope::core::cache::{SetOptions, TtlLruCache};
    /// # use apiscope::core::cache::config::CacheConfig;
    /// let mut cache = TtlLruCache::new(CacheConfig::with_max_entries(8));
    /// cache.set("k", 1, SetOptions { bytes: 5, ttl_ms: None }, 0.0);
    /// let s = cache.stats();
    /// assert_eq!((s.entries, s.bytes), (1, 5));
    /// ```
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.entries.len(),
            bytes: self.bytes,
            ..self.stats
        }
        .with_hit_rate()
    }

    fn drop_entry(&mut self, entry: &Entry<V>) {
        self.bytes -= entry.bytes;
    }
}

/// Whether a TTL gives a deadline at all (`None` and `Infinity` never expire).
fn finite(ttl_ms: Option<f64>) -> bool {
    ttl_ms.is_some_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::config::CacheOptions;
    use super::*;

    fn cache(options: CacheOptions) -> TtlLruCache<u32> {
        TtlLruCache::new(options.validate().unwrap())
    }

    fn sized(bytes: u64) -> SetOptions {
        SetOptions {
            bytes,
            ttl_ms: None,
        }
    }

    fn entries(n: f64) -> CacheOptions {
        CacheOptions {
            max_entries: n,
            ..Default::default()
        }
    }

    #[test]
    fn least_recently_used_goes_first() {
        let mut c = cache(entries(2.0));
        c.set("a", 1, sized(0), 0.0);
        c.set("b", 2, sized(0), 0.0);
        c.get("a", 0.0); // a is now more recent than b
        c.set("c", 3, sized(0), 0.0);
        assert!(c.has("a", 0.0) && c.has("c", 0.0) && !c.has("b", 0.0));
        assert_eq!(c.stats().evictions, 1);
    }

    #[test]
    fn peek_and_has_leave_recency_and_stats_alone() {
        let mut c = cache(entries(2.0));
        c.set("a", 1, sized(0), 0.0);
        c.set("b", 2, sized(0), 0.0);
        c.peek("a", 0.0);
        c.has("a", 0.0);
        c.set("c", 3, sized(0), 0.0);
        assert!(!c.has("a", 0.0), "peek must not have refreshed a");
        let s = c.stats();
        assert_eq!((s.hits, s.misses), (0, 0));
    }

    #[test]
    fn default_and_per_entry_ttl() {
        let mut c = cache(CacheOptions {
            ttl_ms: Some(100.0),
            ..entries(4.0)
        });
        c.set("default", 1, sized(0), 0.0);
        c.set(
            "long",
            2,
            SetOptions {
                bytes: 0,
                ttl_ms: Some(1_000.0),
            },
            0.0,
        );
        assert!(c.get("default", 99.0).is_some());
        assert!(c.get("default", 100.0).is_none());
        assert!(c.get("long", 999.0).is_some());
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.expirations), (2, 1, 1));
        assert_eq!(s.entries, 1);
    }

    #[test]
    fn stale_window_serves_stale_then_expires() {
        let mut c = cache(CacheOptions {
            ttl_ms: Some(100.0),
            stale_while_revalidate_ms: Some(50.0),
            ..entries(4.0)
        });
        c.set("k", 1, sized(0), 0.0);
        assert_eq!(c.get("k", 120.0).unwrap().freshness, Freshness::Stale);
        assert!(c.get("k", 150.0).is_none());
        assert_eq!(c.stats().expirations, 1);
    }

    #[test]
    fn byte_budget_evicts_lru_and_rejects_oversized() {
        let mut c = cache(CacheOptions {
            max_bytes: Some(10.0),
            ..entries(10.0)
        });
        c.set("a", 1, sized(4), 0.0);
        c.set("b", 2, sized(4), 0.0);
        c.set("c", 3, sized(4), 0.0); // 12 > 10: a goes
        assert!(!c.has("a", 0.0));
        assert_eq!(c.stats().bytes, 8);
        assert!(!c.set("b", 9, sized(11), 0.0));
        assert!(
            !c.has("b", 0.0),
            "an oversized update drops the older value"
        );
        let s = c.stats();
        assert_eq!((s.evictions, s.rejected, s.bytes, s.entries), (1, 1, 4, 1));
    }

    #[test]
    fn replacing_a_key_is_not_an_eviction() {
        let mut c = cache(CacheOptions {
            max_bytes: Some(10.0),
            ..entries(1.0)
        });
        c.set("a", 1, sized(6), 0.0);
        c.set("a", 2, sized(7), 0.0);
        let s = c.stats();
        assert_eq!((s.evictions, s.bytes), (0, 7));
        assert_eq!(c.get("a", 0.0).map(|h| *h.value), Some(2));
    }

    #[test]
    fn replacing_an_expired_entry_is_neither_an_expiration_nor_swept() {
        let mut c = cache(CacheOptions {
            ttl_ms: Some(10.0),
            ..entries(4.0)
        });
        c.set("old", 1, sized(1), 0.0);
        c.set("k", 2, sized(1), 0.0);
        // Both expired; "k" is replaced (not counted), "old" is swept.
        assert!(c.set("k", 3, sized(2), 50.0));
        let s = c.stats();
        assert_eq!((s.expirations, s.entries, s.bytes), (1, 1, 2));
        // A zero TTL stores an entry that is already expired; the sweep leaves it to `get`.
        let mut z = cache(CacheOptions {
            ttl_ms: Some(0.0),
            ..entries(4.0)
        });
        z.set("k", 1, sized(0), 0.0);
        z.set("k", 2, sized(0), 0.0);
        assert_eq!((z.len(), z.stats().expirations), (1, 0));
        assert!(z.get("k", 0.0).is_none());
        assert_eq!((z.len(), z.stats().expirations), (0, 1));
    }

    #[test]
    fn sweep_is_bounded_and_stops_at_live_entries() {
        let mut c = cache(entries(10.0));
        for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
            c.set(
                key,
                i as u32,
                SetOptions {
                    bytes: 1,
                    ttl_ms: Some(10.0),
                },
                0.0,
            );
        }
        c.set("live", 9, sized(1), 0.0);
        assert_eq!(c.sweep(50.0, 2), 2);
        assert_eq!(c.sweep(50.0, 10), 1);
        assert_eq!(c.len(), 1);
        assert_eq!(c.stats().expirations, 3);
        assert_eq!(c.stats().bytes, 1);
    }

    #[test]
    fn hit_rate_and_remove_where() {
        let mut c = cache(entries(4.0));
        c.set("x/1", 1, sized(2), 0.0);
        c.set("y/1", 2, sized(3), 0.0);
        c.get("x/1", 0.0);
        c.get("zzz", 0.0);
        assert_eq!(c.stats().hit_rate, 0.5);
        assert_eq!(c.remove_where(|k| k.starts_with("x/")), 1);
        assert_eq!(c.stats().bytes, 3);
        c.clear();
        assert!(c.is_empty());
    }
}
