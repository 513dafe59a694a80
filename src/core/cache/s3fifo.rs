//! S3-FIFO (Yang et al., SOSP'23) over slot numbers: which entry goes, never which key.
//!
//! New entries enter a small FIFO (a tenth of the capacity). One leaving the small queue
//! moves to the main FIFO if it was used while there, else it goes and its key is remembered
//! in a ghost list; a key that comes back while remembered enters the main queue at once. The
//! main queue gives each entry one more round per use (a 2-bit counter) before it goes. A hit
//! only bumps the counter, so the caller can do it without calling in (see
//! [`super::slots::SlotPolicy::marks_mut`]); nothing is reordered on a hit.
//!
//! The ghost list ([`super::ghosts`]) remembers the keys that left by the fingerprints the
//! caller gives; this decides only which entries go to it.

use super::links::{Links, Queue, filled};

/// A counter saturates here (two bits, as in the paper).
///
/// ```
/// assert_eq!(apiscope::core::cache::s3fifo::MAX_FREQUENCY, 3);
/// ```
pub const MAX_FREQUENCY: u8 = 3;

const NOWHERE: u8 = 0;
const SMALL: u8 = 1;
const MAIN: u8 = 2;

/// The two queues and which one each slot is in.
#[derive(Debug)]
pub(crate) struct S3Fifo {
    links: Links,
    queue_of: Vec<u8>,
    small: Queue,
    main: Queue,
    small_target: u32,
}

/// What [`S3Fifo::victim`] chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Victim {
    pub(crate) slot: u32,
    /// Left through the small queue unused: its key goes to the ghost list.
    pub(crate) to_ghost: bool,
}

impl S3Fifo {
    /// Queues for `capacity` slots, or `None` when memory runs out.
    pub(crate) fn new(capacity: u32) -> Option<Self> {
        Some(Self {
            links: Links::new(capacity as usize)?,
            queue_of: filled(capacity as usize, NOWHERE)?,
            small: Queue::EMPTY,
            main: Queue::EMPTY,
            small_target: small_target(capacity),
        })
    }

    /// How many keys the ghost list remembers: as many as the main queue's share of the
    /// capacity.
    pub(crate) fn ghost_capacity(capacity: u32) -> u32 {
        (capacity - small_target(capacity)).max(1)
    }

    pub(crate) fn contains(&self, slot: u32) -> bool {
        self.queue_of
            .get(slot as usize)
            .is_some_and(|&q| q != NOWHERE)
    }

    /// Queues an entry at the end of the main queue (a key that returns while a ghost, or one
    /// that was there) or else of the small one.
    pub(crate) fn insert(&mut self, slot: u32, to_main: bool) {
        let (queue, tag) = if to_main {
            (&mut self.main, MAIN)
        } else {
            (&mut self.small, SMALL)
        };
        self.links.push_back(queue, slot);
        self.queue_of[slot as usize] = tag;
    }

    /// Takes a slot out of its queue; returns whether it was in the main one (`None` when it
    /// was in none), so that [`Self::insert`] can put it back at the end of the same queue.
    pub(crate) fn remove(&mut self, slot: u32) -> Option<bool> {
        let in_main = match self.queue_of.get(slot as usize) {
            Some(&SMALL) => false,
            Some(&MAIN) => true,
            _ => return None,
        };
        let queue = if in_main {
            &mut self.main
        } else {
            &mut self.small
        };
        self.links.unlink(queue, slot);
        self.queue_of[slot as usize] = NOWHERE;
        Some(in_main)
    }

    /// Picks the entry to let go, unqueued, as the paper's eviction does: when the small queue
    /// holds more than its share (or the main queue is empty), entries leave it oldest first,
    /// to the main queue if used while there, until one goes for good; else the main queue's
    /// oldest gets one more round per use until one has none left. `None` when empty.
    pub(crate) fn victim(&mut self, marks: &mut [u8]) -> Option<Victim> {
        if self.small.len() > self.small_target || self.main.len() == 0 {
            while let Some(slot) = self.links.pop_front(&mut self.small) {
                if marks[slot as usize] == 0 {
                    self.queue_of[slot as usize] = NOWHERE;
                    return Some(Victim {
                        slot,
                        to_ghost: true,
                    });
                }
                marks[slot as usize] = 0;
                self.links.push_back(&mut self.main, slot);
                self.queue_of[slot as usize] = MAIN;
            }
        }
        // Each round spends one of an entry's counts, so this ends within MAX_FREQUENCY + 1
        // passes; the bound only guards against a caller's corrupt counters.
        for _ in 0..=(u32::from(MAX_FREQUENCY) + 1) * self.main.len() {
            let slot = self.links.pop_front(&mut self.main)?;
            let uses = &mut marks[slot as usize];
            if *uses == 0 {
                self.queue_of[slot as usize] = NOWHERE;
                return Some(Victim {
                    slot,
                    to_ghost: false,
                });
            }
            *uses -= 1;
            self.links.push_back(&mut self.main, slot);
        }
        let slot = self.links.pop_front(&mut self.main)?;
        self.queue_of[slot as usize] = NOWHERE;
        Some(Victim {
            slot,
            to_ghost: false,
        })
    }

    /// The oldest slot of each queue (the first candidates to expire).
    pub(crate) fn fronts(&self) -> [Option<u32>; 2] {
        [self.small.front(), self.main.front()]
    }

    pub(crate) fn clear(&mut self) {
        while self.links.pop_front(&mut self.small).is_some() {}
        while self.links.pop_front(&mut self.main).is_some() {}
        self.queue_of.fill(NOWHERE);
    }
}

/// The small queue's share: a tenth of the capacity, at least one entry.
fn small_target(capacity: u32) -> u32 {
    (capacity / 10).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unused_newcomer_leaves_through_the_small_queue_as_a_ghost() {
        let mut q = S3Fifo::new(10).unwrap();
        let mut marks = [0u8; 10];
        q.insert(0, false);
        q.insert(1, false);
        assert_eq!(
            q.victim(&mut marks),
            Some(Victim {
                slot: 0,
                to_ghost: true
            })
        );
        assert!(!q.contains(0) && q.contains(1));
    }

    #[test]
    fn a_used_newcomer_moves_to_main_and_main_entries_get_a_round_per_use() {
        let mut q = S3Fifo::new(10).unwrap();
        let mut marks = [0u8; 10];
        q.insert(0, false);
        q.insert(1, false);
        q.insert(2, true); // a returning ghost: straight to main
        marks[0] = 1;
        marks[2] = 1;
        // Small holds 2 > 1: 0 was used, so it moves to main; 1 was not: it goes.
        assert_eq!(q.victim(&mut marks).map(|v| v.slot), Some(1));
        assert_eq!(marks[0], 0, "a move to main starts a new count");
        // Small is empty: main is [2 (used once), 0]: 2 gets another round, 0 goes.
        let v = q.victim(&mut marks).unwrap();
        assert_eq!((v.slot, v.to_ghost, marks[2]), (0, false, 0));
        assert_eq!(q.remove(2), Some(true));
        assert_eq!(q.victim(&mut marks), None);
        assert!(!q.contains(2));
    }
}
