//! Exact least-recently-used order over slot numbers, kept by the `lru` crate: for callers who
//! want LRU's behaviour (a hit reorders, so every hit is a call in).

use crate::core::map::Hasher;
use lru::LruCache;

/// Slots from least to most recently used.
#[derive(Debug)]
pub(crate) struct LruOrder {
    order: LruCache<u32, (), Hasher>,
}

impl LruOrder {
    pub(crate) fn new() -> Self {
        // Unbounded: the slot policy enforces the entry limit and the byte budget itself.
        // The crate's fixed-seed hasher (see `core::map`): lru's default seeds each map.
        Self {
            order: LruCache::unbounded_with_hasher(Hasher::default()),
        }
    }

    pub(crate) fn contains(&self, slot: u32) -> bool {
        self.order.contains(&slot)
    }

    /// A new entry, most recently used.
    pub(crate) fn insert(&mut self, slot: u32) {
        self.order.push(slot, ());
    }

    /// A use: most recently used now.
    pub(crate) fn touch(&mut self, slot: u32) {
        self.order.promote(&slot);
    }

    pub(crate) fn remove(&mut self, slot: u32) {
        self.order.pop(&slot);
    }

    /// The least recently used slot, unqueued.
    pub(crate) fn victim(&mut self) -> Option<u32> {
        self.order.pop_lru().map(|(slot, ())| slot)
    }

    /// The least recently used slot (the first candidate to expire).
    pub(crate) fn front(&self) -> Option<u32> {
        self.order.peek_lru().map(|(&slot, _)| slot)
    }

    pub(crate) fn clear(&mut self) {
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_touch_saves_a_slot_from_eviction() {
        let mut order = LruOrder::new();
        for slot in 0..3 {
            order.insert(slot);
        }
        order.touch(0);
        assert_eq!(order.victim(), Some(1));
        assert_eq!(order.front(), Some(2));
        order.remove(2);
        assert!(order.contains(0) && !order.contains(2));
    }
}
