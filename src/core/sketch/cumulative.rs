//! Which counter a running total reaches a target at: the rank search behind quantiles.
//!
//! The walk adds whole chunks of counters first (a tight loop with no branch per counter) and
//! steps counter by counter only inside the chunk that reaches the target. It walks up from the
//! lowest counter or down from the highest, so that a quantile near the top (p99) walks few.

/// Counters summed at once before looking inside: short enough that the final step-by-step part
/// stays cheap, long enough that the chunk loop dominates.
const CHUNK: usize = 32;

/// The sum of `chunk`, saturating at `u64::MAX` like the counters themselves.
#[inline]
fn chunk_sum<T: Copy + Into<u64>>(chunk: &[T]) -> u64 {
    if size_of::<T>() < size_of::<u64>() {
        // `CHUNK` counters narrower than 64 bits cannot overflow a u64: no saturation needed.
        chunk.iter().map(|&c| c.into()).sum()
    } else {
        chunk.iter().fold(0, |sum, &c| sum.saturating_add(c.into()))
    }
}

/// What a walk reads: counters by position and sums of runs of them. The store implements it
/// once over every counter width, so the walk below is compiled once, not once per width.
pub(crate) trait Counters {
    /// How many counters there are.
    fn len(&self) -> usize;
    /// The counter at `pos`.
    fn at(&self, pos: usize) -> u64;
    /// The sum of the `n` counters from `start` on, saturating.
    fn run_sum(&self, start: usize, n: usize) -> u64;
    /// Walking the `n` counters from `start` on (downward when `down`), the position of the
    /// first at which `total` plus the counters walked, that one included, reaches `target`.
    fn run_reach(
        &self,
        start: usize,
        n: usize,
        down: bool,
        total: u64,
        target: u64,
    ) -> Option<usize>;
}

impl<T: Copy + Into<u64>> Counters for [T] {
    fn len(&self) -> usize {
        <[T]>::len(self)
    }

    #[inline]
    fn at(&self, pos: usize) -> u64 {
        self[pos].into()
    }

    #[inline]
    fn run_sum(&self, start: usize, n: usize) -> u64 {
        chunk_sum(&self[start..start + n])
    }

    #[inline]
    fn run_reach(
        &self,
        start: usize,
        n: usize,
        down: bool,
        mut total: u64,
        target: u64,
    ) -> Option<usize> {
        let run = &self[start..start + n];
        let step = |&c: &T| {
            total = total.saturating_add(c.into());
            total >= target
        };
        let at = if down {
            run.iter().rposition(step)
        } else {
            run.iter().position(step)
        };
        at.map(|p| start + p)
    }
}

/// A walk over counters in one direction that answers ascending targets without restarting.
pub(crate) struct Walk<'a, C: ?Sized> {
    counts: &'a C,
    down: bool,
    /// Counters passed so far (from the bottom when walking up, from the top when down).
    passed: usize,
    /// The starting total plus the counters passed, saturating.
    total: u64,
}

impl<'a, C: Counters + ?Sized> Walk<'a, C> {
    /// A walk over `counts` upward (`down == false`) or downward, its running total starting at
    /// `start` (what lies before the first counter walked).
    pub(crate) fn new(counts: &'a C, down: bool, start: u64) -> Self {
        Self {
            counts,
            down,
            passed: 0,
            total: start,
        }
    }

    /// The position (from the bottom) of the first counter at which the running total, that
    /// counter included, is at least `target`; `None` when the walk ends short of it. Targets
    /// must come in ascending order.
    pub(crate) fn reach(&mut self, target: u64) -> Option<usize> {
        let len = self.counts.len();
        loop {
            let n = CHUNK.min(len - self.passed);
            if n == 0 {
                return None;
            }
            let start = if self.down {
                len - self.passed - n
            } else {
                self.passed
            };
            let after = self.total.saturating_add(self.counts.run_sum(start, n));
            if after >= target {
                // Inside this chunk; the walk stays before it, for a next target here.
                return self
                    .counts
                    .run_reach(start, n, self.down, self.total, target);
            }
            self.total = after;
            self.passed += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, one counter at a time.
    fn reference(counts: &[u64], down: bool, start: u64, target: u64) -> Option<usize> {
        let mut total = start;
        let mut order: Vec<usize> = (0..counts.len()).collect();
        if down {
            order.reverse();
        }
        order.into_iter().find(|&p| {
            total = total.saturating_add(counts[p]);
            total >= target
        })
    }

    #[test]
    fn agrees_with_the_definition_both_ways() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in [0, 1, 31, 32, 33, 100, 257] {
            let counts: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Mostly zeros, as in a sparse span.
                    if x % 3 == 0 { (x >> 8) as u8 } else { 0 }
                })
                .collect();
            let wide: Vec<u64> = counts.iter().map(|&c| c.into()).collect();
            let total: u64 = wide.iter().sum();
            for down in [false, true] {
                for start in [0, 5] {
                    let mut walk = Walk::new(&counts[..], down, start);
                    for target in 0..=total + start + 2 {
                        let expected = reference(&wide, down, start, target);
                        assert_eq!(walk.reach(target), expected, "{len} {down} {target}");
                    }
                }
            }
        }
    }

    #[test]
    fn wide_counters_saturate() {
        let counts = [u64::MAX - 1, 5, u64::MAX];
        let mut walk = Walk::new(&counts[..], false, 3);
        assert_eq!(walk.reach(u64::MAX), Some(0));
        assert_eq!(walk.reach(u64::MAX), Some(0));
        let mut down = Walk::new(&counts[..], true, 0);
        assert_eq!(down.reach(u64::MAX), Some(2));
    }
}
