//! A fixed table of values under ids that count up, where a newer id evicts an older one.
//!
//! Slot `id % capacity` holds one value and the id it was stored under, so a lookup of an
//! evicted id misses instead of finding its successor. With ids handed out in order this keeps
//! the last `capacity` values, like an LRU of inserts, at the cost of an index and a compare:
//! no hashing and no allocation per insert. It holds the recent calls waiting for their
//! Resource Timing entry, and the call sites the fetch/XHR hooks have numbered.

/// Up to `capacity` values by id.
///
/// ```
/// use apiscope::core::profiler::id_slots::IdSlots;
/// let mut recent = IdSlots::new(2);
/// for id in 0..3 {
///     recent.insert(id, format!("call {id}"));
/// }
/// assert!(recent.get(0).is_none(), "evicted by id 2, which took its slot");
/// assert_eq!(recent.get(1).map(String::as_str), Some("call 1"));
/// assert_eq!(recent.get(2).map(String::as_str), Some("call 2"));
/// ```
#[derive(Debug, Clone)]
pub struct IdSlots<T> {
    slots: Vec<Option<(u64, T)>>,
}

impl<T> IdSlots<T> {
    /// An empty table of `capacity` slots (at least one).
    ///
    /// ```
    /// use apiscope::core::profiler::id_slots::IdSlots;
    /// assert_eq!(IdSlots::<()>::new(0).capacity(), 1);
    /// ```
    pub fn new(capacity: usize) -> Self {
        let mut slots = Vec::with_capacity(capacity.max(1));
        slots.resize_with(capacity.max(1), || None);
        Self { slots }
    }

    /// How many values it holds at most.
    ///
    /// ```
    /// use apiscope::core::profiler::id_slots::IdSlots;
    /// assert_eq!(IdSlots::<u8>::new(1024).capacity(), 1024);
    /// ```
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Stores `value` under `id`, evicting whatever held its slot (the same id included).
    ///
    /// ```
    /// use apiscope::core::profiler::id_slots::IdSlots;
    /// let mut t = IdSlots::new(4);
    /// t.insert(1, "old");
    /// t.insert(1, "new");
    /// assert_eq!(t.get(1), Some(&"new"));
    /// ```
    pub fn insert(&mut self, id: u64, value: T) {
        let slot = self.slot(id);
        self.slots[slot] = Some((id, value));
    }

    /// The value under `id`, unless another id has taken its slot since.
    ///
    /// ```
    /// use apiscope::core::profiler::id_slots::IdSlots;
    /// let mut t = IdSlots::new(4);
    /// assert_eq!(t.get(5), None::<&u8>);
    /// t.insert(5, 50);
    /// assert_eq!((t.get(5), t.get(1)), (Some(&50), None));
    /// ```
    pub fn get(&self, id: u64) -> Option<&T> {
        match &self.slots[self.slot(id)] {
            Some((held, value)) if *held == id => Some(value),
            _ => None,
        }
    }

    /// Like [`IdSlots::get`], mutably.
    ///
    /// ```
    /// use apiscope::core::profiler::id_slots::IdSlots;
    /// let mut t = IdSlots::new(4);
    /// t.insert(2, 1);
    /// *t.get_mut(2).unwrap() += 1;
    /// assert_eq!(t.get(2), Some(&2));
    /// ```
    pub fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        let slot = self.slot(id);
        match &mut self.slots[slot] {
            Some((held, value)) if *held == id => Some(value),
            _ => None,
        }
    }

    /// Forgets every value.
    ///
    /// ```
    /// use apiscope::core::profiler::id_slots::IdSlots;
    /// let mut t = IdSlots::new(4);
    /// t.insert(0, 'a');
    /// t.clear();
    /// assert_eq!(t.get(0), None);
    /// ```
    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|slot| *slot = None);
    }

    fn slot(&self, id: u64) -> usize {
        (id % self.slots.len() as u64) as usize
    }
}
