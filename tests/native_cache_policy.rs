//! Each cache policy against a simple reference model: random operations (get, peek, set with
//! and without a TTL or a size, bad sets, delete, clear, time passing) on both, equal results
//! after every step: values returned, what was stored, which keys went, sizes and counters.
//!
//! The system under test is `SlotPolicy` driven exactly as the JS `Cache` drives it (a map from
//! key to slot, values beside it, hits bumping counters in place, new keys stored with their
//! fingerprint, the released list read after each store, the clock read only when something
//! can expire). The model keeps keys in plain vectors and scans them: slow and obviously right.
#![cfg(not(target_arch = "wasm32"))]

use apiscope::core::cache::config::{CacheOptions, Policy};
use apiscope::core::cache::entry::Freshness;
use apiscope::core::cache::slots::{Held, MAX_FREQUENCY, SlotPolicy, Stored};
use proptest::prelude::*;
use std::collections::HashMap;

type Key = u8;
type Value = u32;

#[derive(Debug, Clone)]
enum Op {
    Get(Key),
    Peek(Key),
    Set {
        key: Key,
        value: Value,
        bytes: u8,
        ttl_ms: Option<u16>,
    },
    BadSet(Key, f64, Option<f64>),
    Delete(Key),
    Clear,
    Advance(u16),
}

/// What one operation answered, on either side.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Value(Option<Value>),
    Stored { stored: bool, gone: Vec<Key> },
    Error,
    Deleted(bool),
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
struct Figures {
    len: u32,
    bytes: u64,
    hits: u64,
    misses: u64,
    evictions: u64,
    expirations: u64,
    rejected: u64,
}

// ───────────────────────────── the system under test ─────────────────────────────

/// `SlotPolicy` with the caller's half of the protocol, as js/cache/cache.js does it.
struct Driven {
    policy: SlotPolicy,
    map: HashMap<Key, u32>,
    keys: Vec<Option<Key>>,
    values: Vec<Option<Value>>,
    lru: bool,
    hits: u64,
    misses: u64,
}

impl Driven {
    fn new(options: CacheOptions) -> Self {
        let policy = SlotPolicy::new(options.validate().unwrap()).unwrap();
        let slots = policy.capacity() as usize;
        Self {
            map: HashMap::new(),
            keys: vec![None; slots],
            values: vec![None; slots],
            lru: options.policy == Policy::Lru,
            policy,
            hits: 0,
            misses: 0,
        }
    }

    fn live_slot(&self, key: Key) -> Option<u32> {
        self.map.get(&key).copied()
    }

    fn expired(&self, slot: u32, now: f64) -> bool {
        self.policy.can_expire() && now >= self.policy.stale_until()[slot as usize]
    }

    fn get(&mut self, key: Key, now: f64) -> Option<Value> {
        let Some(slot) = self.live_slot(key) else {
            self.misses += 1;
            return None;
        };
        if self.expired(slot, now) {
            self.policy.expire(slot);
            self.forget(slot);
            self.map.remove(&key);
            self.misses += 1;
            return None;
        }
        self.use_slot(slot);
        self.hits += 1;
        self.values[slot as usize]
    }

    fn use_slot(&mut self, slot: u32) {
        if self.lru {
            self.policy.touch(slot);
        } else {
            let uses = &mut self.policy.marks_mut()[slot as usize];
            if *uses < MAX_FREQUENCY {
                *uses += 1;
            }
        }
    }

    fn peek(&self, key: Key, now: f64) -> Option<Value> {
        let slot = self.live_slot(key)?;
        if self.expired(slot, now) {
            return None;
        }
        self.values[slot as usize]
    }

    fn set(&mut self, key: Key, value: Value, bytes: f64, ttl: Option<f64>, now: f64) -> Answer {
        let held = self.map.get(&key).map_or(-1.0, |&slot| f64::from(slot));
        if let Held::Slot(slot) = Held::from_code(held) {
            // A same-size update while nothing can expire is a use and nothing else.
            let same = self.policy.sizes()[slot as usize] == bytes;
            if ttl.is_none() && !self.policy.can_expire() && same {
                self.use_slot(slot);
                self.values[slot as usize] = Some(value);
                return Answer::Stored {
                    stored: true,
                    gone: Vec::new(),
                };
            }
        }
        // The clock is read only when the answer could depend on it.
        let now = if self.policy.can_expire() || ttl.is_some() {
            now
        } else {
            0.0
        };
        // A fingerprint per key (JS hashes strings and numbers): here the key itself, never 0.
        let print = u32::from(key) + 1;
        let stored = match self
            .policy
            .store(Held::from_code(held), bytes, ttl, now, print)
        {
            Ok(stored) => stored,
            Err(_) => return Answer::Error,
        };
        let mut gone = Vec::new();
        let released = self.policy.released().to_vec();
        for slot in released {
            let old = self.keys[slot as usize].expect("a released slot had a key");
            self.forget(slot);
            self.map.remove(&old);
            gone.push(old);
        }
        gone.sort();
        let stored = match stored {
            Stored::At(slot) => {
                self.keys[slot as usize] = Some(key);
                self.values[slot as usize] = Some(value);
                self.map.insert(key, slot);
                true
            }
            Stored::Rejected => false,
        };
        Answer::Stored { stored, gone }
    }

    fn delete(&mut self, key: Key) -> bool {
        match self.map.remove(&key) {
            Some(slot) => {
                self.policy.remove(slot);
                self.forget(slot);
                true
            }
            None => false,
        }
    }

    fn clear(&mut self) {
        self.policy.clear();
        self.map.clear();
        self.keys.fill(None);
        self.values.fill(None);
    }

    fn forget(&mut self, slot: u32) {
        self.keys[slot as usize] = None;
        self.values[slot as usize] = None;
    }

    fn figures(&self) -> Figures {
        let c = self.policy.counts();
        Figures {
            len: self.policy.len(),
            bytes: self.policy.bytes(),
            hits: self.hits,
            misses: self.misses,
            evictions: c.evictions,
            expirations: c.expirations,
            rejected: c.rejected,
        }
    }

    /// The protocol's own invariants: every key's slot holds it, the counts agree.
    fn check_consistency(&self, now: f64) {
        assert_eq!(self.map.len() as u32, self.policy.len());
        for (&key, &slot) in &self.map {
            assert_eq!(self.keys[slot as usize], Some(key));
            assert!(self.policy.freshness(slot, now).is_some());
        }
    }
}

// ───────────────────────────── the reference model ─────────────────────────────

#[derive(Debug, Clone)]
struct Entry {
    value: Value,
    bytes: u64,
    stale_until: f64,
    uses: u8,
}

struct Model {
    lru: bool,
    capacity: usize,
    max_bytes: Option<u64>,
    ttl_ms: Option<f64>,
    swr_ms: f64,
    entries: HashMap<Key, Entry>,
    /// S3-FIFO: the small and main queues, oldest first. LRU: `main` alone, least recent first.
    small: Vec<Key>,
    main: Vec<Key>,
    /// Keys that left the small queue unused, in a ring, and a table of 4 cells per place,
    /// by the fingerprint's low bits, holding 1 + the place of the key it stands for.
    ghost_ring: Vec<Option<Key>>,
    ghost_cells: Vec<usize>,
    next_ghost: usize,
    can_expire: bool,
    figures: Figures,
}

impl Model {
    fn new(o: &CacheOptions) -> Self {
        let capacity = o.max_entries as usize;
        let small_target = (capacity / 10).max(1);
        Self {
            lru: o.policy == Policy::Lru,
            capacity,
            max_bytes: o.max_bytes.map(|b| b as u64),
            ttl_ms: o.ttl_ms,
            swr_ms: o.stale_while_revalidate_ms.unwrap_or(0.0),
            entries: HashMap::new(),
            small: Vec::new(),
            main: Vec::new(),
            ghost_ring: vec![None; (capacity - small_target).max(1)],
            ghost_cells: vec![0; ((capacity - small_target).max(1) * 4).next_power_of_two()],
            next_ghost: 0,
            can_expire: o.ttl_ms.is_some_and(f64::is_finite),
            figures: Figures {
                len: 0,
                bytes: 0,
                hits: 0,
                misses: 0,
                evictions: 0,
                expirations: 0,
                rejected: 0,
            },
        }
    }

    fn small_target(&self) -> usize {
        (self.capacity / 10).max(1)
    }

    fn bytes(&self) -> u64 {
        self.entries.values().map(|e| e.bytes).sum()
    }

    fn unqueue(&mut self, key: Key) {
        self.small.retain(|&k| k != key);
        self.main.retain(|&k| k != key);
    }

    fn remove(&mut self, key: Key) -> Entry {
        self.unqueue(key);
        self.entries.remove(&key).expect("held")
    }

    fn get(&mut self, key: Key, now: f64) -> Option<Value> {
        let Some(entry) = self.entries.get_mut(&key) else {
            self.figures.misses += 1;
            return None;
        };
        if now >= entry.stale_until {
            self.remove(key);
            self.figures.expirations += 1;
            self.figures.misses += 1;
            return None;
        }
        entry.uses = (entry.uses + 1).min(MAX_FREQUENCY);
        let value = entry.value;
        if self.lru {
            self.unqueue(key);
            self.main.push(key);
        }
        self.figures.hits += 1;
        Some(value)
    }

    fn peek(&self, key: Key, now: f64) -> Option<Value> {
        self.entries
            .get(&key)
            .filter(|e| now < e.stale_until)
            .map(|e| e.value)
    }

    fn set(&mut self, key: Key, value: Value, bytes: u64, ttl: Option<f64>, now: f64) -> Answer {
        let mut gone = Vec::new();
        let held = self.entries.contains_key(&key);
        if self.max_bytes.is_some_and(|max| bytes > max) {
            if held {
                self.remove(key);
                gone.push(key);
            }
            self.figures.rejected += 1;
            return Answer::Stored {
                stored: false,
                gone,
            };
        }
        let ttl = ttl.or(self.ttl_ms);
        self.can_expire |= ttl.is_some_and(f64::is_finite);
        let fresh_until = ttl.map_or(f64::INFINITY, |t| now + t);
        let stale_until = fresh_until + self.swr_ms;
        if held {
            let e = self.entries.get_mut(&key).unwrap();
            e.bytes = bytes;
            e.value = value;
            e.stale_until = stale_until;
            e.uses = (e.uses + 1).min(MAX_FREQUENCY);
            if self.lru {
                self.unqueue(key);
                self.main.push(key);
            }
            self.sweep(now, Some(key), &mut gone);
            if self.max_bytes.is_some_and(|max| self.bytes() > max) {
                // Others make room; it re-enters at the end of its own queue.
                let in_main = self.main.contains(&key);
                self.unqueue(key);
                while self.max_bytes.is_some_and(|max| self.bytes() > max) {
                    match self.evict() {
                        Some(k) => gone.push(k),
                        None => break,
                    }
                }
                if in_main {
                    self.main.push(key)
                } else {
                    self.small.push(key)
                }
            }
        } else {
            // Whether the key returns as a ghost is known before anything else goes.
            let returning = self.take_ghost(key);
            self.sweep(now, None, &mut gone);
            while self.entries.len() == self.capacity
                || self.max_bytes.is_some_and(|max| self.bytes() + bytes > max)
            {
                match self.evict() {
                    Some(k) => gone.push(k),
                    None => break,
                }
            }
            if self.lru || returning {
                self.main.push(key);
            } else {
                self.small.push(key);
            }
            self.entries.insert(
                key,
                Entry {
                    value,
                    bytes,
                    stale_until,
                    uses: 0,
                },
            );
        }
        gone.sort();
        Answer::Stored { stored: true, gone }
    }

    /// Expired entries at the front of the queues, up to 4, never `pin`.
    fn sweep(&mut self, now: f64, pin: Option<Key>, gone: &mut Vec<Key>) {
        if !self.can_expire {
            return;
        }
        let mut swept = 0;
        'sweep: while swept < 4 {
            let fronts = [self.small.first().copied(), self.main.first().copied()];
            for key in fronts.into_iter().flatten() {
                if Some(key) != pin && now >= self.entries[&key].stale_until {
                    self.remove(key);
                    self.figures.expirations += 1;
                    gone.push(key);
                    swept += 1;
                    continue 'sweep;
                }
            }
            break;
        }
    }

    fn evict(&mut self) -> Option<Key> {
        let (key, to_ghost) = if self.lru {
            (*self.main.first()?, false)
        } else {
            self.s3fifo_victim()?
        };
        self.remove(key);
        self.figures.evictions += 1;
        if to_ghost {
            let at = self.next_ghost;
            if let Some(oldest) = self.ghost_ring[at] {
                let cell = self.ghost_cell(oldest);
                if self.ghost_cells[cell] == at + 1 {
                    self.ghost_cells[cell] = 0;
                }
            }
            self.ghost_ring[at] = Some(key);
            let cell = self.ghost_cell(key);
            self.ghost_cells[cell] = at + 1;
            self.next_ghost = (at + 1) % self.ghost_ring.len();
        }
        Some(key)
    }

    /// The table cell of a key: its fingerprint (key + 1, as the driver gives it) masked.
    fn ghost_cell(&self, key: Key) -> usize {
        (usize::from(key) + 1) & (self.ghost_cells.len() - 1)
    }

    fn take_ghost(&mut self, key: Key) -> bool {
        let cell = self.ghost_cell(key);
        let place = self.ghost_cells[cell];
        let held = place != 0 && self.ghost_ring[place - 1] == Some(key);
        if held {
            self.ghost_cells[cell] = 0;
        }
        held
    }

    /// S3-FIFO as the paper states it, with whole-key queues.
    fn s3fifo_victim(&mut self) -> Option<(Key, bool)> {
        if self.small.len() > self.small_target() || self.main.is_empty() {
            // Oldest first; the used ones move to main.
            while let Some(&key) = self.small.first() {
                if self.entries[&key].uses == 0 {
                    return Some((key, true));
                }
                self.small.remove(0);
                self.entries.get_mut(&key).unwrap().uses = 0;
                self.main.push(key);
            }
        }
        // Main: one more round per use.
        loop {
            let key = *self.main.first()?;
            let e = self.entries.get_mut(&key).unwrap();
            if e.uses == 0 {
                return Some((key, false));
            }
            e.uses -= 1;
            self.main.remove(0);
            self.main.push(key);
        }
    }

    fn delete(&mut self, key: Key) -> bool {
        let held = self.entries.contains_key(&key);
        if held {
            self.remove(key);
        }
        held
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.small.clear();
        self.main.clear();
        self.ghost_ring.fill(None);
        self.ghost_cells.fill(0);
        self.next_ghost = 0;
        self.can_expire = self.ttl_ms.is_some_and(f64::is_finite);
    }

    fn figures(&self) -> Figures {
        Figures {
            len: self.entries.len() as u32,
            bytes: self.bytes(),
            ..self.figures.clone()
        }
    }
}

// ───────────────────────────── the property ─────────────────────────────

fn options() -> impl Strategy<Value = CacheOptions> {
    (
        1u8..=12,
        prop::option::weighted(0.5, 1u8..=40),
        prop::option::weighted(0.3, 0u16..=60),
        prop::option::weighted(0.3, 0u16..=40),
        prop::bool::ANY,
    )
        .prop_map(|(n, max_bytes, ttl, swr, lru)| CacheOptions {
            max_entries: f64::from(n),
            max_bytes: max_bytes.map(f64::from),
            ttl_ms: ttl.map(f64::from),
            stale_while_revalidate_ms: swr.map(f64::from),
            policy: if lru { Policy::Lru } else { Policy::S3Fifo },
        })
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0u8..20;
    prop_oneof![
        6 => key.clone().prop_map(Op::Get),
        1 => key.clone().prop_map(Op::Peek),
        6 => (key.clone(), any::<u32>(), 0u8..=12, prop::option::weighted(0.3, 0u16..=80))
            .prop_map(|(key, value, bytes, ttl_ms)| Op::Set { key, value, bytes, ttl_ms }),
        1 => (
            key.clone(),
            prop_oneof![Just(f64::NAN), Just(-1.0), Just(f64::INFINITY), Just(1.0)],
            prop_oneof![Just(Some(-5.0)), Just(Some(f64::NAN)), Just(None)],
        )
            .prop_filter("at least one bad input", |(_, b, t)| *b != 1.0 || t.is_some())
            .prop_map(|(k, b, t)| Op::BadSet(k, b, t)),
        1 => key.prop_map(Op::Delete),
        1 => Just(Op::Clear),
        2 => (0u16..=30).prop_map(Op::Advance),
    ]
}

fn run(options: CacheOptions, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut driven = Driven::new(options);
    let mut model = Model::new(&options);
    let mut now = 1_000.0;
    for (step, op) in ops.into_iter().enumerate() {
        let (got, want) = match op {
            Op::Get(k) => (
                Answer::Value(driven.get(k, now)),
                Answer::Value(model.get(k, now)),
            ),
            Op::Peek(k) => (
                Answer::Value(driven.peek(k, now)),
                Answer::Value(model.peek(k, now)),
            ),
            Op::Set {
                key,
                value,
                bytes,
                ttl_ms,
            } => {
                let ttl = ttl_ms.map(f64::from);
                (
                    driven.set(key, value, f64::from(bytes), ttl, now),
                    model.set(key, value, u64::from(bytes), ttl, now),
                )
            }
            Op::BadSet(k, bytes, ttl) => (driven.set(k, 0, bytes, ttl, now), Answer::Error),
            Op::Delete(k) => (
                Answer::Deleted(driven.delete(k)),
                Answer::Deleted(model.delete(k)),
            ),
            Op::Clear => {
                driven.clear();
                model.clear();
                (Answer::Nothing, Answer::Nothing)
            }
            Op::Advance(ms) => {
                now += f64::from(ms);
                (Answer::Nothing, Answer::Nothing)
            }
        };
        prop_assert_eq!(&got, &want, "step {}", step);
        prop_assert_eq!(driven.figures(), model.figures(), "step {}", step);
        if step % 64 == 0 || step < 200 {
            driven.check_consistency(now);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn each_policy_matches_its_reference_model(
        options in options(),
        ops in prop::collection::vec(op(), 1..120),
    ) {
        run(options, ops)?;
    }
}

/// Long runs over a larger cache, where the queues cycle many times.
#[test]
fn long_runs_match_the_model() {
    for policy in [Policy::S3Fifo, Policy::Lru] {
        for seed in 0..4u64 {
            let options = CacheOptions {
                max_entries: 50.0,
                max_bytes: (seed % 2 == 1).then_some(300.0),
                ttl_ms: (seed >= 2).then_some(500.0),
                policy,
                ..Default::default()
            };
            let mut next = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            let mut random = move || {
                next ^= next << 13;
                next ^= next >> 7;
                next ^= next << 17;
                next
            };
            let ops: Vec<Op> = (0..20_000)
                .map(|_| {
                    // A skewed key choice: low keys are hot.
                    let key = ((random() % 120) * (random() % 120) / 120) as u8;
                    match random() % 10 {
                        0..=4 => Op::Get(key),
                        5..=8 => Op::Set {
                            key,
                            value: key.into(),
                            bytes: (random() % 12) as u8,
                            ttl_ms: None,
                        },
                        _ => Op::Advance((random() % 20) as u16),
                    }
                })
                .collect();
            run(options, ops).unwrap();
        }
    }
}

/// The default policy keeps what is used: on a skewed trace with one-hit wonders, S3-FIFO
/// keeps the hot keys that LRU lets a scan push out.
#[test]
fn s3fifo_survives_a_scan_that_flushes_lru() {
    let hits_after_scan = |policy| {
        let mut c = Driven::new(CacheOptions {
            max_entries: 10.0,
            policy,
            ..Default::default()
        });
        for round in 0..3 {
            for hot in 0..5 {
                if c.get(hot, 0.0).is_none() {
                    c.set(hot, round, 1.0, None, 0.0);
                }
            }
        }
        for cold in 100..120 {
            c.set(cold, 0, 1.0, None, 0.0); // a scan of keys used once
        }
        (0..5).filter(|&hot| c.get(hot, 0.0).is_some()).count()
    };
    assert_eq!(hits_after_scan(Policy::S3Fifo), 5);
    assert_eq!(hits_after_scan(Policy::Lru), 0);
    let fresh = Driven::new(CacheOptions {
        max_entries: 1.0,
        ..Default::default()
    });
    assert_eq!(fresh.policy.freshness(0, 0.0), None::<Freshness>);
}
