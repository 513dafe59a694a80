//! FIFO queues of slot numbers threaded through two shared arrays, so that a slot leaves the
//! middle of a queue, or moves to another, in O(1) and without allocating.

/// "No slot": the end of a queue.
pub(crate) const NIL: u32 = u32::MAX;

/// One queue's ends and length; its links live in a [`Links`] shared by every queue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Queue {
    /// The oldest slot.
    head: u32,
    /// The newest slot.
    tail: u32,
    len: u32,
}

impl Queue {
    pub(crate) const EMPTY: Queue = Queue {
        head: NIL,
        tail: NIL,
        len: 0,
    };

    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// The oldest slot, if any.
    pub(crate) fn front(&self) -> Option<u32> {
        (self.head != NIL).then_some(self.head)
    }
}

/// `next`/`prev` of every slot; a slot is in at most one queue at a time.
#[derive(Debug)]
pub(crate) struct Links {
    next: Vec<u32>,
    prev: Vec<u32>,
}

impl Links {
    /// Links for `capacity` slots, or `None` when memory runs out.
    pub(crate) fn new(capacity: usize) -> Option<Self> {
        Some(Self {
            next: filled(capacity, NIL)?,
            prev: filled(capacity, NIL)?,
        })
    }

    /// Appends `slot` (not in any queue) as the newest of `queue`.
    pub(crate) fn push_back(&mut self, queue: &mut Queue, slot: u32) {
        self.prev[slot as usize] = queue.tail;
        self.next[slot as usize] = NIL;
        match queue.tail {
            NIL => queue.head = slot,
            tail => self.next[tail as usize] = slot,
        }
        queue.tail = slot;
        queue.len += 1;
    }

    /// Takes `slot` out of `queue`, which holds it.
    pub(crate) fn unlink(&mut self, queue: &mut Queue, slot: u32) {
        let (prev, next) = (self.prev[slot as usize], self.next[slot as usize]);
        match prev {
            NIL => queue.head = next,
            p => self.next[p as usize] = next,
        }
        match next {
            NIL => queue.tail = prev,
            n => self.prev[n as usize] = prev,
        }
        queue.len -= 1;
    }

    /// Takes the oldest slot out of `queue`.
    pub(crate) fn pop_front(&mut self, queue: &mut Queue) -> Option<u32> {
        let slot = queue.front()?;
        self.unlink(queue, slot);
        Some(slot)
    }
}

/// `len` copies of `value`, or `None` when memory runs out (a trap would take the page's
/// whole module down; a failed allocation is an error the caller can report). Not inlined:
/// the columns of a cache are made by one copy per element type, not one per column.
#[inline(never)]
pub(crate) fn filled<T: Clone>(len: usize, value: T) -> Option<Vec<T>> {
    let mut column = Vec::new();
    column.try_reserve_exact(len).ok()?;
    column.resize(len, value);
    Some(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(links: &mut Links, queue: &mut Queue) -> Vec<u32> {
        std::iter::from_fn(|| links.pop_front(queue)).collect()
    }

    #[test]
    fn queues_keep_order_and_unlink_from_anywhere() {
        let mut links = Links::new(6).unwrap();
        let (mut a, mut b) = (Queue::EMPTY, Queue::EMPTY);
        for slot in [0, 1, 2, 3] {
            links.push_back(&mut a, slot);
        }
        links.push_back(&mut b, 5);
        links.unlink(&mut a, 2); // middle
        links.unlink(&mut a, 0); // head
        links.push_back(&mut b, 0); // moved to the other queue
        links.unlink(&mut a, 3); // tail
        assert_eq!((a.len(), b.len()), (1, 2));
        assert_eq!(drain(&mut links, &mut a), [1]);
        assert_eq!(drain(&mut links, &mut b), [5, 0]);
        assert_eq!(a.front(), None);
    }
}
