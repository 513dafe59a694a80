//! The dense bucket store: one counter per index over the used span only.
//!
//! Counters start one byte wide and widen (u8 -> u16 -> u32 -> u64) only when a count
//! overflows, so a slot that saw few samples stays small: the registry keeps hundreds of them.
//!
//! Only the loops that run per value or per counter on a hot path (adding, summing runs) are
//! compiled once per width; everything else reads counters through [`Counters::at`], one
//! small match, so that the width does not multiply the code (and the wasm) fourfold.

use super::cumulative::{Counters, Walk};

/// A counter width.
trait Counter: Copy + Default + Into<u64> + TryFrom<u64> {}
impl Counter for u8 {}
impl Counter for u16 {}
impl Counter for u32 {}
impl Counter for u64 {}

#[derive(Debug, Clone)]
enum Counts {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
}

/// Runs `$body` with `$v` bound to the counter vector, whatever its width.
macro_rules! each_width {
    ($counts:expr, $v:ident => $body:expr) => {
        match $counts {
            Counts::U8($v) => $body,
            Counts::U16($v) => $body,
            Counts::U32($v) => $body,
            Counts::U64($v) => $body,
        }
    };
}

/// Adds `n` at `pos`; `false` (and no change) when the sum does not fit the width.
#[inline]
fn try_add<T: Counter>(counts: &mut [T], pos: usize, n: u64) -> bool {
    match T::try_from(counts[pos].into().saturating_add(n)) {
        Ok(sum) => {
            counts[pos] = sum;
            true
        }
        Err(_) => false,
    }
}

/// Adds one at each index `indices` yields, until a counter would overflow: returns that index
/// (not yet counted) and leaves the rest of `indices` unread.
#[inline]
fn add_ones<T: Counter>(
    counts: &mut [T],
    offset: i32,
    indices: &mut impl Iterator<Item = i32>,
) -> Option<i32> {
    indices.find(|&index| !try_add(counts, (index - offset) as usize, 1))
}

/// Adds `src[i]` to `dst[i]` until a sum does not fit the width: returns how many were added.
#[inline]
fn add_counts<T: Counter>(dst: &mut [T], src: &[u64]) -> usize {
    dst.iter_mut()
        .zip(src)
        .position(|(d, &n)| match T::try_from((*d).into().saturating_add(n)) {
            Ok(sum) => {
                *d = sum;
                false
            }
            Err(_) => true,
        })
        .unwrap_or(src.len())
}

/// `src` as u64s in `dst` (as long as `src`).
fn widen_into<T: Counter>(dst: &mut [u64], src: &[T]) {
    dst.iter_mut().zip(src).for_each(|(d, &c)| *d = c.into());
}

/// Counters read per step when one store is added into another: a stack buffer that turns any
/// width into u64 without allocating.
const RUN: usize = 64;

fn grow<T: Counter>(counts: &mut Vec<T>, before: usize, after: usize) {
    let len = counts.len();
    counts.resize(before + len + after, T::default());
    counts.copy_within(0..len, before);
    counts[..before].fill(T::default());
}

fn heap_bytes<T>(counts: &Vec<T>) -> usize {
    counts.capacity() * std::mem::size_of::<T>()
}

fn widened<T: Counter, U: Counter + From<T>>(counts: &[T]) -> Vec<U> {
    counts.iter().map(|&c| U::from(c)).collect()
}

impl Counters for Counts {
    fn len(&self) -> usize {
        each_width!(self, v => v.len())
    }

    #[inline]
    fn at(&self, pos: usize) -> u64 {
        each_width!(self, v => v[..].at(pos))
    }

    #[inline]
    fn run_sum(&self, start: usize, n: usize) -> u64 {
        each_width!(self, v => v[..].run_sum(start, n))
    }

    #[inline]
    fn run_reach(
        &self,
        start: usize,
        n: usize,
        down: bool,
        total: u64,
        target: u64,
    ) -> Option<usize> {
        each_width!(self, v => v[..].run_reach(start, n, down, total, target))
    }
}

/// Counts per bucket index for indices `offset .. offset + len`. Non-empty stores start and
/// end with a non-zero count.
#[derive(Debug, Clone)]
pub(crate) struct DenseBuckets {
    offset: i32,
    counts: Counts,
}

impl Default for DenseBuckets {
    fn default() -> Self {
        Self {
            offset: 0,
            counts: Counts::U8(Vec::new()),
        }
    }
}

/// Equal when the same indices hold the same counts, whatever the counter width.
impl PartialEq for DenseBuckets {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && (self.is_empty() || self.offset == other.offset)
            && self.counts().eq(other.counts())
    }
}

impl DenseBuckets {
    /// A store holding `counts` from `offset` on, with the narrowest counters that fit.
    pub(crate) fn from_counts(offset: i32, counts: &[u64]) -> Self {
        let mut store = Self {
            offset,
            counts: Counts::U8(vec![0; counts.len()]),
        };
        store.add_run(0, counts);
        store
    }

    pub(crate) fn len(&self) -> usize {
        self.counts.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first index held (meaningless when empty).
    pub(crate) fn offset(&self) -> i32 {
        self.offset
    }

    /// The last index held (meaningless when empty).
    pub(crate) fn last_index(&self) -> i32 {
        self.offset + self.len() as i32 - 1
    }

    /// The counts from `offset()` on, zeros between occupied buckets included.
    pub(crate) fn counts(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.len()).map(|pos| self.counts.at(pos))
    }

    /// `(index, count)` for occupied buckets, in index order.
    pub(crate) fn occupied(&self) -> impl Iterator<Item = (i32, u64)> + '_ {
        (self.offset..)
            .zip(self.counts())
            .filter(|&(_, count)| count > 0)
    }

    /// Whether `index` is inside the span already held (the hot path needs nothing more).
    #[inline]
    pub(crate) fn holds(&self, index: i32) -> bool {
        (index.wrapping_sub(self.offset) as u32 as usize) < self.len()
    }

    /// The span `(first, last)` once `lo..=hi` is included.
    pub(crate) fn span_with(&self, lo: i32, hi: i32) -> (i32, i32) {
        if self.is_empty() {
            (lo, hi)
        } else {
            (self.offset.min(lo), self.last_index().max(hi))
        }
    }

    /// Extends the span to cover `lo..=hi` with zero counts.
    pub(crate) fn include(&mut self, lo: i32, hi: i32) {
        let (first, last) = self.span_with(lo, hi);
        let before = if self.is_empty() {
            0
        } else {
            (self.offset - first) as usize
        };
        let after = (last - first + 1) as usize - before - self.len();
        each_width!(&mut self.counts, v => grow(v, before, after));
        self.offset = first;
    }

    /// Adds `n` to `index`, which must be inside the span (see [`Self::include`]).
    #[inline]
    pub(crate) fn add(&mut self, index: i32, n: u64) {
        let pos = (index - self.offset) as usize;
        while !each_width!(&mut self.counts, v => try_add(v, pos, n)) {
            self.widen();
        }
    }

    /// Adds one at every index `indices` yields, each inside the span: the counter width is
    /// matched once per batch instead of once per value.
    pub(crate) fn add_each(&mut self, mut indices: impl Iterator<Item = i32>) {
        let offset = self.offset;
        while let Some(index) =
            each_width!(&mut self.counts, v => add_ones(v, offset, &mut indices))
        {
            // A counter is full: widen, count the value there, then carry on with the rest.
            self.add(index, 1);
        }
    }

    /// Adds every count of `other` at its own index (no rescaling), in place: the span must
    /// already cover `other`'s (see [`Self::include`]). Counters widen only where a sum needs it.
    pub(crate) fn add_store(&mut self, other: &DenseBuckets) {
        if other.is_empty() {
            return;
        }
        let mut at = (other.offset - self.offset) as usize;
        let mut run = [0u64; RUN];
        each_width!(&other.counts, src => {
            for part in src.chunks(RUN) {
                let run = &mut run[..part.len()];
                widen_into(run, part);
                self.add_run(at, run);
                at += part.len();
            }
        });
    }

    /// Adds `counts` at positions `at..`, widening the counters when a sum overflows them.
    fn add_run(&mut self, at: usize, counts: &[u64]) {
        let mut done = 0;
        loop {
            done += each_width!(&mut self.counts, v => add_counts(&mut v[at + done..], &counts[done..]));
            if done == counts.len() {
                return;
            }
            self.widen();
        }
    }

    /// A rank search over the counts: given ascending targets, it returns the index of the
    /// first bucket at which `start` plus the counts walked reach each target, walking up from
    /// the first bucket or (`down`) from the last; `None` past the end.
    pub(crate) fn walk(&self, down: bool, start: u64) -> impl FnMut(u64) -> Option<i32> + '_ {
        let mut walk = Walk::new(&self.counts, down, start);
        let offset = self.offset;
        move |target| walk.reach(target).map(|p| offset + p as i32)
    }

    fn widen(&mut self) {
        self.counts = match &self.counts {
            Counts::U8(v) => Counts::U16(widened(v)),
            Counts::U16(v) => Counts::U32(widened(v)),
            Counts::U32(v) => Counts::U64(widened(v)),
            // u64 counters saturate instead of overflowing, so they never ask to widen.
            Counts::U64(_) => return,
        };
    }

    /// Merges buckets as the scale drops by `by`: index `i` becomes `i >> by`.
    pub(crate) fn downscale(&mut self, by: u32) {
        if by == 0 || self.is_empty() {
            return;
        }
        let offset = self.offset >> by;
        let mut merged = vec![0u64; ((self.last_index() >> by) - offset + 1) as usize];
        for (index, count) in self.occupied() {
            let slot = &mut merged[((index >> by) - offset) as usize];
            *slot = slot.saturating_add(count);
        }
        *self = Self::from_counts(offset, &merged);
    }

    /// Bytes held on the heap by the counters.
    pub(crate) fn heap_bytes(&self) -> usize {
        each_width!(&self.counts, v => heap_bytes(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(pairs: &[(i32, u64)]) -> DenseBuckets {
        let mut b = DenseBuckets::default();
        for &(index, n) in pairs {
            b.include(index, index);
            b.add(index, n);
        }
        b
    }

    #[test]
    fn grows_both_ways_and_keeps_counts() {
        let b = filled(&[(5, 1), (2, 2), (9, 3)]);
        assert_eq!(b.offset(), 2);
        assert_eq!(b.last_index(), 9);
        assert_eq!(b.occupied().collect::<Vec<_>>(), [(2, 2), (5, 1), (9, 3)]);
    }

    #[test]
    fn widens_on_overflow_and_compares_by_value() {
        let mut b = filled(&[(0, 200)]);
        b.add(0, 100);
        b.add(0, u64::from(u32::MAX));
        assert_eq!(b.counts().collect::<Vec<_>>(), [300 + u64::from(u32::MAX)]);
        let narrow = filled(&[(3, 7)]);
        let mut wide = DenseBuckets::from_counts(3, &[7]);
        wide.widen();
        assert_eq!(narrow, wide);
        assert_ne!(narrow, DenseBuckets::from_counts(4, &[7]));
    }

    #[test]
    fn downscale_merges_pairs() {
        let mut b = filled(&[(-3, 1), (-2, 2), (1, 4), (2, 8)]);
        b.downscale(1);
        assert_eq!(
            b.occupied().collect::<Vec<_>>(),
            [(-2, 1), (-1, 2), (0, 4), (1, 8)]
        );
        b.downscale(2);
        assert_eq!(b.occupied().collect::<Vec<_>>(), [(-1, 3), (0, 12)]);
    }

    #[test]
    fn add_each_widens_mid_batch() {
        let mut b = filled(&[(4, 250), (6, 1)]);
        b.add_each([6, 4, 4, 4, 4, 4, 4, 6, 5].into_iter());
        assert_eq!(b.counts().collect::<Vec<_>>(), [256, 1, 3]);
        assert!(matches!(b.counts, Counts::U16(_)));
    }

    #[test]
    fn walks_reach_targets_from_either_end() {
        let b = filled(&[(10, 2), (12, 3), (13, 1)]);
        let up = [5, 6, 7, 9, 10, 11].map(b.walk(false, 4));
        assert_eq!(up, [Some(10), Some(10), Some(12), Some(12), Some(13), None]);
        let down = [1, 2, 4, 6, 7].map(b.walk(true, 0));
        assert_eq!(down, [Some(13), Some(12), Some(12), Some(10), None]);
    }

    #[test]
    fn holds_only_the_span() {
        let b = filled(&[(10, 1), (12, 1)]);
        assert!(!b.holds(9) && b.holds(10) && b.holds(12) && !b.holds(13));
        assert!(!DenseBuckets::default().holds(0));
    }
}
