//! S3-FIFO's ghost list: the keys that recently left through the small queue unused, kept as
//! 32-bit fingerprints the caller computes (the keys themselves stay in JavaScript). A key
//! that comes back while remembered skips the small queue.
//!
//! A ring of fingerprints in the order they left, and a direct-mapped table from a
//! fingerprint's low bits to its place in the ring, four cells per ring place: a lookup or a
//! store is a few array accesses, no hashing (a fingerprint is a hash already). When the ring
//! comes round, the oldest is forgotten unless remembered again since; two ghosts whose
//! fingerprints share a cell keep only the newer (the table is lossy, never wrong: a cell
//! answers only for the exact fingerprint in its ring place). A fingerprint of 0 stands for
//! "none" (a key the caller does not fingerprint, e.g. an object) and is never remembered.

use super::links::filled;

/// The fingerprint of a key that has none.
///
/// ```
/// assert_eq!(apiscope::core::cache::ghosts::NO_FINGERPRINT, 0);
/// ```
pub const NO_FINGERPRINT: u32 = 0;

/// Table cells per ring place: enough that few ghosts lose their cell to another.
const CELLS_PER_PLACE: usize = 4;

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
    /// Per cell: 1 + the ring place of the fingerprint it holds, or 0.
    cells: Vec<u32>,
    mask: u32,
    next: u32,
}

impl Ghosts {
    /// Room for `capacity` (at least one) fingerprints, or `None` when memory runs out.
    pub fn new(capacity: u32) -> Option<Self> {
        let capacity = capacity.max(1) as usize;
        let cells = (capacity * CELLS_PER_PLACE).next_power_of_two();
        Some(Self {
            ring: filled(capacity, NO_FINGERPRINT)?,
            cells: filled(cells, 0)?,
            mask: (cells - 1) as u32,
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
        let cell = self.cell(oldest);
        if oldest != NO_FINGERPRINT && self.cells[cell] == at + 1 {
            self.cells[cell] = 0;
        }
        self.ring[at as usize] = fingerprint;
        let cell = self.cell(fingerprint);
        self.cells[cell] = at + 1;
        self.next = (at + 1) % self.ring.len() as u32;
    }

    /// Whether a key was remembered; it is forgotten either way (it is back).
    pub fn take(&mut self, fingerprint: u32) -> bool {
        if fingerprint == NO_FINGERPRINT {
            return false;
        }
        let cell = self.cell(fingerprint);
        let place = self.cells[cell];
        let held = place != 0 && self.ring[(place - 1) as usize] == fingerprint;
        if held {
            self.cells[cell] = 0;
        }
        held
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.ring.fill(NO_FINGERPRINT);
        self.cells.fill(0);
        self.next = 0;
    }

    fn cell(&self, fingerprint: u32) -> usize {
        (fingerprint & self.mask) as usize
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

    #[test]
    fn fingerprints_sharing_a_cell_keep_the_newer_and_never_answer_for_each_other() {
        let mut g = Ghosts::new(4).unwrap(); // 16 cells: 3 and 19 share one
        g.remember(3);
        g.remember(19);
        assert!(!g.take(3), "lost its cell to 19");
        assert!(!g.take(35), "same cell, other fingerprint: not a ghost");
        assert!(g.take(19));
    }
}
