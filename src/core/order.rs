//! One sort for the whole crate.
//!
//! Each `slice::sort_by` call site compiles its own copy of the standard sort (several KB of
//! wasm apiece, for a dozen call sites). Every ordering here goes through one stable merge sort
//! of `u32` indices with a `dyn` comparator instead, compiled once; the callers' orderings are
//! all on cold paths (snapshots, history, retention, trends), where an indirect call per
//! comparison costs nothing that matters.

use std::cmp::Ordering;

/// Sorts `items` stably by `cmp`.
///
/// ```
/// use apiscope::core::order::sort_by;
/// let mut words = vec!["pear", "fig", "apple", "kiwi"];
/// sort_by(&mut words, |a, b| a.len().cmp(&b.len()));
/// assert_eq!(words, ["fig", "pear", "kiwi", "apple"]); // stable: pear before kiwi
/// ```
pub fn sort_by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    sort_indices(&mut order, &|a, b| {
        cmp(&items[a as usize], &items[b as usize])
    });
    // Permuted in place, one cycle at a time: only `swap` is per `T`.
    for start in 0..order.len() {
        let mut at = start;
        while order[at] as usize != start {
            let from = order[at] as usize;
            items.swap(at, from);
            order[at] = at as u32;
            at = from;
        }
        order[at] = at as u32;
    }
}

/// Sorts `order` (indices) stably by `cmp`: a bottom-up merge sort, O(n log n).
fn sort_indices(order: &mut [u32], cmp: &dyn Fn(u32, u32) -> Ordering) {
    let n = order.len();
    let mut buffer = order.to_vec();
    let mut width = 1;
    // Each pass merges runs of `width` from `src` into `dst`; the two swap roles per pass.
    let mut in_order = true;
    while width < n {
        let (src, dst): (&[u32], &mut [u32]) = if in_order {
            (&*order, &mut buffer)
        } else {
            (&*buffer, &mut *order)
        };
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut dst[start..end] {
                // Take from the right run only when strictly smaller: stability.
                if j < end && (i >= mid || cmp(src[j], src[i]) == Ordering::Less) {
                    *slot = src[j];
                    j += 1;
                } else {
                    *slot = src[i];
                    i += 1;
                }
            }
            start = end;
        }
        in_order = !in_order;
        width *= 2;
    }
    if !in_order {
        order.copy_from_slice(&buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        let mut seed = 7u64;
        for n in [0, 1, 2, 3, 5, 8, 13, 100, 1000] {
            let items: Vec<(u32, usize)> = (0..n)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 59) as u32, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = items;
            std.sort_by_key(|a| a.0);
            assert_eq!(ours, std, "n = {n}");
        }
    }
}
