//! S3-FIFO's ghost list: the keys that recently left through the small queue unused, kept as
//! 32-bit fingerprints the caller computes (the keys themselves stay in JavaScript). A key
//! that comes back while remembered skips the small queue.
//!
//! A ring of fingerprints in the order they left, and a table from fingerprint to its newest
//! place in the ring; when the ring comes round, the oldest is forgotten unless it was
//! remembered again since. A fingerprint of 0 stands for "none" (a key the caller does not
//! fingerprint, e.g. an object) and is never remembered. Two keys with one fingerprint only
//! cost a wrong admission to the main queue, never a wrong answer.

use super::links::filled;
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// The fingerprint of a key that has none.
///
/// ```
/// assert_eq!(apiscope::core::cache::ghosts::NO_FINGERPRINT, 0);
/// ```
pub const NO_FINGERPRINT: u32 = 0;

/// The ghost list.
///
/// ```
/// use apiscope::core::cache::ghosts::Ghosts;
/// let mut g = Ghosts::new(2).unwrap();
/// g.remember(7);
/// g.remember(8);
/// g.remember(9); // the ring comes round: 7 is forgotten
/// assert!(!g.take(7) && g.take(9) && !g.take(9));
/// ```
#[derive(Debug)]
pub struct Ghosts {
    ring: Vec<u32>,
    newest: HashMap<u32, u32, FixedState>,
    next: u32,
}

impl Ghosts {
    /// Room for `capacity` (at least one) fingerprints, or `None` when memory runs out.
    pub fn new(capacity: u32) -> Option<Self> {
        let capacity = capacity.max(1);
        let mut newest = HashMap::with_hasher(FixedState::default());
        newest.try_reserve(capacity as usize).ok()?;
        Some(Self {
            ring: filled(capacity as usize, NO_FINGERPRINT)?,
            newest,
            next: 0,
        })
    }

    /// Remembers a key that left unused, forgetting the oldest when the ring is full.
    pub fn remember(&mut self, fingerprint: u32) {
        if fingerprint == NO_FINGERPRINT {
            return;
        }
        let at = self.next;
        let oldest = self.ring[at as usize];
        if oldest != NO_FINGERPRINT {
            if let Entry::Occupied(place) = self.newest.entry(oldest) {
                if *place.get() == at {
                    place.remove();
                }
            }
        }
        self.ring[at as usize] = fingerprint;
        self.newest.insert(fingerprint, at);
        self.next = (at + 1) % self.ring.len() as u32;
    }

    /// Whether a key was remembered; it is forgotten either way (it is back).
    pub fn take(&mut self, fingerprint: u32) -> bool {
        fingerprint != NO_FINGERPRINT && self.newest.remove(&fingerprint).is_some()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.ring.fill(NO_FINGERPRINT);
        self.newest.clear();
        self.next = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_remembered_again_outlives_its_older_place_in_the_ring() {
        let mut g = Ghosts::new(3).unwrap();
        g.remember(1);
        g.remember(2);
        g.remember(1); // newer place
        g.remember(3); // the ring comes round to the older 1: the newer stays
        assert!(g.take(1));
        assert!(g.take(2) && g.take(3));
        g.remember(NO_FINGERPRINT);
        assert!(!g.take(NO_FINGERPRINT));
        g.remember(5);
        g.clear();
        assert!(!g.take(5));
    }
}
