//! The cache's policy over slot numbers: the caller keeps keys and values (in JavaScript, a
//! `Map` from key to slot and an array of values), this keeps everything else per slot —
//! deadlines, sizes, use counters, the eviction order — plus the entry count, the byte total
//! and the counters of what went and why.
//!
//! The protocol, which the JS `Cache` follows and `tests/native_cache_policy.rs` checks:
//! - A lookup is the caller's own: it finds the slot, compares the time with
//!   [`SlotPolicy::stale_until`], and on a hit bumps [`SlotPolicy::marks_mut`] (S3-FIFO, up
//!   to [`MAX_FREQUENCY`]) or calls [`SlotPolicy::touch`] (LRU). No call in under S3-FIFO.
//! - A store is one call, [`SlotPolicy::store`], which says where the value goes and lists in
//!   [`SlotPolicy::released`] the slots it let go (evicted, expired, or the key's own old
//!   slot when the new value is refused). The caller forgets their keys before writing the
//!   new one, since a released slot may be the one handed back. One store needs no call: an
//!   update of a live entry to the same size (see [`SlotPolicy::sizes`]) with the default TTL
//!   while nothing can expire ([`SlotPolicy::can_expire`]) is a use and nothing else.
//! - A new key comes with a 32-bit fingerprint of it (or [`NO_FINGERPRINT`]), which S3-FIFO's
//!   ghost list remembers when the entry leaves unused (see [`super::ghosts`]): the caller's
//!   map then holds live entries only.

use super::config::{CacheConfig, Policy, byte_count, duration_ms};
use super::entry::{Deadlines, Freshness, freshness};
use super::ghosts::Ghosts;
pub use super::ghosts::NO_FINGERPRINT;
use super::links::filled;
use super::lru_order::LruOrder;
pub use super::s3fifo::MAX_FREQUENCY;
use super::s3fifo::S3Fifo;
use super::stats::CacheStats;
use crate::core::error::{FieldError, Rule};

/// How many expired entries at the eviction end a store lets go, at most: enough to keep dead
/// entries from piling up, few enough to keep a store O(1).
///
/// ```
/// assert_eq!(apiscope::core::cache::slots::SWEEP_ON_STORE, 4);
/// ```
pub const SWEEP_ON_STORE: usize = 4;

/// "No slot", for a sweep that has no entry to spare.
const NO_SLOT: u32 = u32::MAX;

/// What the caller holds for the key being stored.
///
/// ```
/// use apiscope::core::cache::slots::Held;
/// assert_eq!(Held::from_code(-1.0), Held::Nothing);
/// assert_eq!(Held::from_code(7.0), Held::Slot(7));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// A key with no entry.
    Nothing,
    /// A key with a live entry in this slot.
    Slot(u32),
}

impl Held {
    /// The number the caller passes: the key's slot, or -1 (anything but a whole number in
    /// range reads as nothing).
    pub fn from_code(code: f64) -> Self {
        if code >= 0.0 && code <= f64::from(u32::MAX - 1) && code.fract() == 0.0 {
            Held::Slot(code as u32)
        } else {
            Held::Nothing
        }
    }
}

/// Where a stored value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// In this slot.
    At(u32),
    /// Nowhere: it alone exceeds the byte budget (any older value of the key went too).
    Rejected,
}

/// Counters of what left the cache and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Entries let go to make room.
    pub evictions: u64,
    /// Entries let go past their deadlines.
    pub expirations: u64,
    /// Values refused for exceeding the byte budget alone.
    pub rejected: u64,
}

#[derive(Debug)]
enum Order {
    S3Fifo(S3Fifo),
    Lru(LruOrder),
}

/// The policy. See the module docs for the protocol.
///
/// ```
/// use apiscope::core::cache::config::CacheConfig;
/// use apiscope::core::cache::slots::{Held, SlotPolicy, Stored};
/// let mut cache = SlotPolicy::new(CacheConfig::with_max_entries(2)).unwrap();
/// let Stored::At(a) = cache.store(Held::Nothing, 10.0, None, 0.0, 1).unwrap() else { panic!() };
/// cache.store(Held::Nothing, 10.0, None, 0.0, 2).unwrap();
/// cache.store(Held::Nothing, 10.0, None, 0.0, 3).unwrap(); // full: one goes
/// assert_eq!(cache.released(), [a]); // `a` went (its fingerprint, 1, is a ghost now)
/// assert_eq!((cache.len(), cache.bytes(), cache.counts().evictions), (2, 20, 1));
/// ```
#[derive(Debug)]
pub struct SlotPolicy {
    config: CacheConfig,
    order: Order,
    marks: Vec<u8>,
    fresh_until: Vec<f64>,
    stale_until: Vec<f64>,
    sizes: Vec<f64>,
    fingerprints: Vec<u32>,
    free: Vec<u32>,
    /// Slots from here up have never been used.
    unused: u32,
    len: u32,
    bytes: u64,
    counts: Counts,
    released: Vec<u32>,
    ghosts: Option<Ghosts>,
    can_expire: bool,
}

impl SlotPolicy {
    /// An empty cache with these settings. Every column is allocated here, once, so their
    /// addresses never change; an entry limit the page has no memory for is an error.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheConfig;
    /// use apiscope::core::cache::slots::SlotPolicy;
    /// let cache = SlotPolicy::new(CacheConfig::with_max_entries(8)).unwrap();
    /// assert_eq!((cache.capacity(), cache.len()), (8, 0));
    /// ```
    pub fn new(config: CacheConfig) -> Result<Self, FieldError> {
        let capacity = config.max_entries.get();
        Self::allocate(config, capacity).ok_or_else(|| {
            FieldError::new(
                "maxEntries",
                Rule::Form("an entry count this page has memory for"),
            )
            .got(f64::from(capacity))
        })
    }

    fn allocate(config: CacheConfig, capacity: u32) -> Option<Self> {
        let slots = capacity as usize;
        let (order, ghosts) = match config.policy {
            Policy::S3Fifo => (
                Order::S3Fifo(S3Fifo::new(capacity)?),
                Some(Ghosts::new(S3Fifo::ghost_capacity(capacity))?),
            ),
            Policy::Lru => (Order::Lru(LruOrder::new()), None),
        };
        let mut free = Vec::new();
        free.try_reserve_exact(slots).ok()?;
        let mut released = Vec::new();
        // A store lets go at most every entry plus its sweep and its own old slot.
        released
            .try_reserve_exact(slots + SWEEP_ON_STORE + 2)
            .ok()?;
        Some(Self {
            config,
            order,
            marks: filled(slots, 0)?,
            fresh_until: filled(slots, f64::INFINITY)?,
            stale_until: filled(slots, f64::INFINITY)?,
            sizes: filled(slots, 0.0)?,
            fingerprints: filled(slots, NO_FINGERPRINT)?,
            free,
            unused: 0,
            len: 0,
            bytes: 0,
            counts: Counts::default(),
            released,
            ghosts,
            can_expire: finite(config.ttl_ms),
        })
    }

    /// Stores a value of `bytes` for a key the caller holds as `held` (a new key comes with
    /// its `fingerprint`), with its own TTL or the default; `now_ms` is read only when some
    /// entry could expire. Checks `bytes` and `ttl_ms` first: a bad one changes nothing.
    /// [`Self::released`] then lists what went.
    ///
    /// A held slot is updated in place and counts as a use (if its new size passes the
    /// budget, others are evicted and it re-enters at the end of its queue); a new entry first
    /// lets expired entries at the eviction end go (up to [`SWEEP_ON_STORE`]), then evicts
    /// while the cache is full or the new size would pass the budget.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheOptions;
    /// use apiscope::core::cache::slots::{Held, SlotPolicy, Stored};
    /// let config = CacheOptions { max_entries: 8.0, max_bytes: Some(10.0), ..Default::default() };
    /// let mut cache = SlotPolicy::new(config.validate().unwrap()).unwrap();
    /// assert_eq!(cache.store(Held::Nothing, 11.0, None, 0.0, 0), Ok(Stored::Rejected));
    /// assert_eq!(cache.store(Held::Nothing, -1.0, None, 0.0, 0).unwrap_err().field, "bytes");
    /// assert_eq!(cache.counts().rejected, 1);
    /// ```
    pub fn store(
        &mut self,
        held: Held,
        bytes: f64,
        ttl_ms: Option<f64>,
        now_ms: f64,
        fingerprint: u32,
    ) -> Result<Stored, FieldError> {
        let bytes = byte_count("bytes", bytes)?;
        let ttl_ms = ttl_ms.map(|v| duration_ms("ttlMs", v)).transpose()?;
        self.released.clear();
        let held_slot = match held {
            Held::Slot(slot) if self.is_live(slot) => Some(slot),
            _ => None,
        };
        if self.config.max_bytes.is_some_and(|max| bytes > max) {
            if let Some(slot) = held_slot {
                self.let_go(slot);
            }
            self.counts.rejected += 1;
            return Ok(Stored::Rejected);
        }
        let ttl_ms = ttl_ms.or(self.config.ttl_ms);
        self.can_expire |= finite(ttl_ms);
        let deadlines = Deadlines::new(now_ms, ttl_ms, self.config.stale_while_revalidate_ms);
        let slot = match held_slot {
            Some(slot) => {
                self.bytes = self.bytes - self.sizes[slot as usize] as u64 + bytes;
                self.sizes[slot as usize] = bytes as f64;
                self.touch(slot);
                self.sweep(now_ms, slot);
                if self.over_budget(0) {
                    // Out of the order while others make room, then back at its queue's end.
                    let in_main = self.unqueue(slot);
                    while self.over_budget(0) && self.evict() {}
                    self.enqueue(slot, in_main);
                }
                slot
            }
            None => {
                // Whether the key returns as a ghost is known before anything else goes.
                let returning = self.ghosts.as_mut().is_some_and(|g| g.take(fingerprint));
                self.sweep(now_ms, NO_SLOT);
                while (self.len == self.capacity() || self.over_budget(bytes)) && self.evict() {}
                let slot = self.take_free_slot();
                self.marks[slot as usize] = 0;
                self.sizes[slot as usize] = bytes as f64;
                self.fingerprints[slot as usize] = fingerprint;
                self.bytes += bytes;
                self.len += 1;
                self.enqueue(slot, returning);
                slot
            }
        };
        self.fresh_until[slot as usize] = deadlines.fresh_until;
        self.stale_until[slot as usize] = deadlines.stale_until;
        Ok(Stored::At(slot))
    }

    /// A use of a live slot, as a hit makes it: one more count (S3-FIFO, saturating at
    /// [`MAX_FREQUENCY`]; what a caller may do itself through [`Self::marks_mut`]) or most
    /// recently used (LRU). Other slots are ignored.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheConfig;
    /// use apiscope::core::cache::slots::{Held, SlotPolicy};
    /// let mut cache = SlotPolicy::new(CacheConfig::with_max_entries(4)).unwrap();
    /// cache.store(Held::Nothing, 0.0, None, 0.0, 0).unwrap();
    /// for _ in 0..5 { cache.touch(0); }
    /// assert_eq!(cache.marks()[0], 3);
    /// ```
    pub fn touch(&mut self, slot: u32) {
        if !self.is_live(slot) {
            return;
        }
        match &mut self.order {
            Order::S3Fifo(_) => {
                let uses = &mut self.marks[slot as usize];
                *uses = (*uses + 1).min(MAX_FREQUENCY);
            }
            Order::Lru(o) => o.touch(slot),
        }
    }

    /// Lets a live slot go because the caller found it past its deadlines; counts an
    /// expiration. Returns whether it was live.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheConfig;
    /// use apiscope::core::cache::slots::{Held, SlotPolicy};
    /// let mut cache = SlotPolicy::new(CacheConfig::with_max_entries(4)).unwrap();
    /// cache.store(Held::Nothing, 0.0, Some(10.0), 0.0, 0).unwrap();
    /// assert!(cache.expire(0) && !cache.expire(0));
    /// assert_eq!(cache.counts().expirations, 1);
    /// ```
    pub fn expire(&mut self, slot: u32) -> bool {
        let live = self.remove(slot);
        if live {
            self.counts.expirations += 1;
        }
        live
    }

    /// Lets a live slot go at the caller's request (delete); counts nothing. Returns whether
    /// it was live.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheConfig;
    /// use apiscope::core::cache::slots::{Held, SlotPolicy};
    /// let mut cache = SlotPolicy::new(CacheConfig::with_max_entries(4)).unwrap();
    /// cache.store(Held::Nothing, 5.0, None, 0.0, 0).unwrap();
    /// assert!(cache.remove(0));
    /// assert_eq!((cache.len(), cache.bytes()), (0, 0));
    /// ```
    pub fn remove(&mut self, slot: u32) -> bool {
        if !self.is_live(slot) {
            return false;
        }
        self.unqueue(slot);
        self.forget(slot);
        true
    }

    /// Lets every entry go, and the ghosts; counters keep counting.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheConfig;
    /// use apiscope::core::cache::slots::{Held, SlotPolicy};
    /// let mut cache = SlotPolicy::new(CacheConfig::with_max_entries(4)).unwrap();
    /// cache.store(Held::Nothing, 5.0, None, 0.0, 0).unwrap();
    /// cache.clear();
    /// assert_eq!((cache.len(), cache.bytes()), (0, 0));
    /// ```
    pub fn clear(&mut self) {
        match &mut self.order {
            Order::S3Fifo(q) => q.clear(),
            Order::Lru(o) => o.clear(),
        }
        self.free.clear();
        self.unused = 0;
        self.len = 0;
        self.bytes = 0;
        self.released.clear();
        if let Some(g) = &mut self.ghosts {
            g.clear();
        }
        self.can_expire = finite(self.config.ttl_ms);
    }

    /// The state of a live slot's entry at `now_ms`; `None` for a slot not in use.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheConfig;
    /// use apiscope::core::cache::entry::Freshness;
    /// use apiscope::core::cache::slots::{Held, SlotPolicy};
    /// let mut cache = SlotPolicy::new(CacheConfig::with_max_entries(4)).unwrap();
    /// cache.store(Held::Nothing, 0.0, Some(10.0), 0.0, 0).unwrap();
    /// assert_eq!(cache.freshness(0, 10.0), Some(Freshness::Expired));
    /// assert_eq!(cache.freshness(1, 0.0), None);
    /// ```
    pub fn freshness(&self, slot: u32, now_ms: f64) -> Option<Freshness> {
        self.is_live(slot).then(|| {
            let i = slot as usize;
            freshness(self.fresh_until[i], self.stale_until[i], now_ms)
        })
    }

    /// Whether `slot` holds an entry.
    pub fn is_live(&self, slot: u32) -> bool {
        match &self.order {
            Order::S3Fifo(q) => q.contains(slot),
            Order::Lru(o) => o.contains(slot),
        }
    }

    /// The slots the last [`Self::store`] let go.
    pub fn released(&self) -> &[u32] {
        &self.released
    }

    /// Use counters per slot (S3-FIFO; unused under LRU).
    pub fn marks(&self) -> &[u8] {
        &self.marks
    }

    /// Use counters to bump on a hit, as [`Self::touch`] would.
    pub fn marks_mut(&mut self) -> &mut [u8] {
        &mut self.marks
    }

    /// Per slot: the entry's size in whole bytes (0 for a free slot), as the caller may compare
    /// it: a same-size update of an entry that cannot expire changes nothing here but its use
    /// count, so the caller may make it without calling in.
    pub fn sizes(&self) -> &[f64] {
        &self.sizes
    }

    /// Per slot: fresh before this moment (epoch ms).
    pub fn fresh_until(&self) -> &[f64] {
        &self.fresh_until
    }

    /// Per slot: servable (fresh or stale) before this moment (epoch ms).
    pub fn stale_until(&self) -> &[f64] {
        &self.stale_until
    }

    /// Entries held.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The entry limit: slots are numbered below it.
    pub fn capacity(&self) -> u32 {
        self.config.max_entries.get()
    }

    /// What went, and why.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Whether any entry may hold a finite deadline: while `false`, `now_ms` is never read,
    /// so a caller may skip reading its clock (and checking deadlines).
    pub fn can_expire(&self) -> bool {
        self.can_expire
    }

    /// The settings this cache was built with.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// Counters and sizes, with the caller's own `hits` and `misses`.
    ///
    /// ```
    /// use apiscope::core::cache::config::CacheConfig;
    /// use apiscope::core::cache::slots::{Held, SlotPolicy};
    /// let mut cache = SlotPolicy::new(CacheConfig::with_max_entries(4)).unwrap();
    /// cache.store(Held::Nothing, 5.0, None, 0.0, 0).unwrap();
    /// let s = cache.stats(3, 1);
    /// assert_eq!((s.hit_rate, s.entries, s.bytes), (0.75, 1, 5));
    /// ```
    pub fn stats(&self, hits: u64, misses: u64) -> CacheStats {
        CacheStats {
            hits,
            misses,
            evictions: self.counts.evictions,
            expirations: self.counts.expirations,
            rejected: self.counts.rejected,
            hit_rate: 0.0,
            entries: self.len as usize,
            bytes: self.bytes,
        }
        .with_hit_rate()
    }

    fn over_budget(&self, incoming: u64) -> bool {
        self.config
            .max_bytes
            .is_some_and(|max| self.bytes + incoming > max)
    }

    /// Lets expired entries at the eviction end go, up to [`SWEEP_ON_STORE`], stopping at live
    /// ones and at `pin`.
    fn sweep(&mut self, now_ms: f64, pin: u32) {
        if !self.can_expire {
            return;
        }
        let mut swept = 0;
        'sweep: while swept < SWEEP_ON_STORE {
            let fronts = match &self.order {
                Order::S3Fifo(q) => q.fronts(),
                Order::Lru(o) => [o.front(), None],
            };
            for slot in fronts.into_iter().flatten() {
                if slot != pin && now_ms >= self.stale_until[slot as usize] {
                    self.let_go(slot);
                    self.counts.expirations += 1;
                    swept += 1;
                    continue 'sweep;
                }
            }
            break;
        }
    }

    /// Evicts one entry; false when there is none in the order.
    fn evict(&mut self) -> bool {
        let victim = match &mut self.order {
            Order::S3Fifo(q) => q.victim(&mut self.marks).map(|v| (v.slot, v.to_ghost)),
            Order::Lru(o) => o.victim().map(|slot| (slot, false)),
        };
        let Some((slot, to_ghost)) = victim else {
            return false;
        };
        if let (true, Some(g)) = (to_ghost, &mut self.ghosts) {
            g.remember(self.fingerprints[slot as usize]);
        }
        self.let_go(slot);
        self.counts.evictions += 1;
        true
    }

    /// Lets a held slot go and tells the caller.
    fn let_go(&mut self, slot: u32) {
        self.unqueue(slot);
        self.forget(slot);
        self.released.push(slot);
    }

    /// Takes a slot out of the order (a slot already out is left alone); returns whether it
    /// was in S3-FIFO's main queue.
    fn unqueue(&mut self, slot: u32) -> bool {
        match &mut self.order {
            Order::S3Fifo(q) => q.remove(slot).unwrap_or(false),
            Order::Lru(o) => {
                o.remove(slot);
                false
            }
        }
    }

    /// Puts a slot at the end of the order: S3-FIFO's main queue or small one, LRU's most
    /// recent end.
    fn enqueue(&mut self, slot: u32, to_main: bool) {
        match &mut self.order {
            Order::S3Fifo(q) => q.insert(slot, to_main),
            Order::Lru(o) => o.insert(slot),
        }
    }

    fn forget(&mut self, slot: u32) {
        self.len -= 1;
        self.bytes -= self.sizes[slot as usize] as u64;
        self.sizes[slot as usize] = 0.0;
        self.free.push(slot);
    }

    fn take_free_slot(&mut self) -> u32 {
        self.free.pop().unwrap_or_else(|| {
            let slot = self.unused;
            self.unused += 1;
            slot
        })
    }
}

/// Whether a TTL gives a deadline at all (`None` and `Infinity` never expire).
fn finite(ttl_ms: Option<f64>) -> bool {
    ttl_ms.is_some_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::super::config::CacheOptions;
    use super::*;

    fn policy(options: CacheOptions) -> SlotPolicy {
        SlotPolicy::new(options.validate().unwrap()).unwrap()
    }

    fn entries(n: f64, policy: Policy) -> CacheOptions {
        CacheOptions {
            max_entries: n,
            policy,
            ..Default::default()
        }
    }

    fn at(stored: Result<Stored, FieldError>) -> u32 {
        match stored.unwrap() {
            Stored::At(slot) => slot,
            Stored::Rejected => panic!("rejected"),
        }
    }

    #[test]
    fn lru_lets_the_least_recently_used_go() {
        let mut c = policy(entries(2.0, Policy::Lru));
        let a = at(c.store(Held::Nothing, 0.0, None, 0.0, 0));
        let b = at(c.store(Held::Nothing, 0.0, None, 0.0, 0));
        c.touch(a);
        let new = at(c.store(Held::Nothing, 0.0, None, 0.0, 0));
        assert_eq!(c.released(), [b]);
        assert_eq!(new, b, "the freed slot is reused");
        assert_eq!(c.counts().evictions, 1);
    }

    #[test]
    fn a_bad_store_changes_nothing() {
        let mut c = policy(entries(2.0, Policy::S3Fifo));
        let a = at(c.store(Held::Nothing, 4.0, None, 0.0, 0));
        for (bytes, ttl, field) in [
            (f64::NAN, None, "bytes"),
            (f64::INFINITY, None, "bytes"),
            (1.0, Some(-1.0), "ttlMs"),
            (1.0, Some(f64::NAN), "ttlMs"),
        ] {
            let err = c.store(Held::Slot(a), bytes, ttl, 0.0, 0).unwrap_err();
            assert_eq!(err.field, field);
        }
        assert_eq!((c.len(), c.bytes(), c.released().len()), (1, 4, 0));
    }

    #[test]
    fn an_oversized_update_drops_the_older_value() {
        let mut c = policy(CacheOptions {
            max_bytes: Some(10.0),
            ..entries(4.0, Policy::S3Fifo)
        });
        let a = at(c.store(Held::Nothing, 4.0, None, 0.0, 0));
        assert_eq!(
            c.store(Held::Slot(a), 11.0, None, 0.0, 0),
            Ok(Stored::Rejected)
        );
        assert_eq!(c.released(), [a]);
        assert_eq!((c.len(), c.bytes(), c.counts().rejected), (0, 0, 1));
    }

    #[test]
    fn a_growing_update_evicts_others_never_itself() {
        for kind in [Policy::S3Fifo, Policy::Lru] {
            let mut c = policy(CacheOptions {
                max_bytes: Some(10.0),
                ..entries(4.0, kind)
            });
            let a = at(c.store(Held::Nothing, 3.0, None, 0.0, 0));
            let b = at(c.store(Held::Nothing, 3.0, None, 0.0, 0));
            let d = at(c.store(Held::Nothing, 3.0, None, 0.0, 0));
            assert_eq!(
                at(c.store(Held::Slot(a), 10.0, None, 0.0, 0)),
                a,
                "{kind:?}"
            );
            let mut gone = c.released().to_vec();
            gone.sort();
            assert_eq!(gone, [b, d], "{kind:?}");
            assert_eq!((c.len(), c.bytes(), c.counts().evictions), (1, 10, 2));
        }
    }

    #[test]
    fn replacing_is_not_an_eviction_and_zero_ttl_is_left_to_the_caller() {
        let mut c = policy(CacheOptions {
            ttl_ms: Some(0.0),
            ..entries(4.0, Policy::S3Fifo)
        });
        let a = at(c.store(Held::Nothing, 1.0, None, 0.0, 0));
        assert_eq!(at(c.store(Held::Slot(a), 2.0, None, 0.0, 0)), a);
        assert_eq!((c.len(), c.bytes(), c.counts()), (1, 2, Counts::default()));
        assert_eq!(c.freshness(a, 0.0), Some(Freshness::Expired));
        assert!(c.expire(a));
        assert_eq!(c.counts().expirations, 1);
    }

    #[test]
    fn a_new_entry_sweeps_expired_entries_at_the_eviction_end() {
        let mut c = policy(entries(10.0, Policy::S3Fifo));
        for _ in 0..5 {
            c.store(Held::Nothing, 1.0, Some(10.0), 0.0, 0).unwrap();
        }
        c.store(Held::Nothing, 1.0, None, 50.0, 0).unwrap();
        assert_eq!(c.released().len(), SWEEP_ON_STORE);
        assert_eq!((c.len(), c.counts().expirations), (2, 4));
        // Nothing expires in a cache without deadlines: the time is never read.
        let mut forever = policy(entries(2.0, Policy::Lru));
        forever.store(Held::Nothing, 1.0, None, 0.0, 0).unwrap();
        assert!(!forever.can_expire());
    }

    #[test]
    fn bad_codes_and_slots_are_harmless() {
        let mut c = policy(entries(2.0, Policy::S3Fifo));
        for code in [f64::NAN, 0.5, -1.5, f64::INFINITY, f64::NEG_INFINITY, 1e300] {
            assert_eq!(Held::from_code(code), Held::Nothing, "{code}");
        }
        assert_eq!(at(c.store(Held::Slot(99), 1.0, None, 0.0, 0)), 0);
        c.touch(99);
        assert!(!c.remove(99) && !c.expire(1));
        assert_eq!(c.freshness(u32::MAX, 0.0), None);
        assert_eq!(c.len(), 1);
    }
}
