//! A map from `(method, route)` to a value, holding at most `max_routes` routes: a page that
//! makes endless distinct routes still has bounded memory. Routes beyond the cap share one
//! overflow entry ([`OVERFLOW_METHOD`], [`OVERFLOW_ROUTE`]) and are counted; when the map is
//! full, entries the owner calls stale are dropped first to make room.
//!
//! The live windows ([`super::registry::RouteRegistry`]) and the OTLP delta aggregator
//! (`core::export`) both keep their per-route state in one.

use std::sync::Arc;

use crate::core::map::Map;
use crate::core::order::sort_by;

/// The method of the entry that collects routes beyond the cap.
///
/// ```
/// assert_eq!(apiscope::core::routes::capped::OVERFLOW_METHOD, "*");
/// ```
pub const OVERFLOW_METHOD: &str = "*";
/// The route of the entry that collects routes beyond the cap.
///
/// ```
/// assert_eq!(apiscope::core::routes::capped::OVERFLOW_ROUTE, "(other)");
/// ```
pub const OVERFLOW_ROUTE: &str = "(other)";

/// One method's routes. Methods are few, so they are found by a linear scan and routes by
/// hash, both borrowing `&str`: a lookup allocates nothing.
#[derive(Debug, Clone)]
struct MethodRoutes<V> {
    method: Arc<str>,
    routes: Map<Arc<str>, V>,
}

/// `(method, route) → V` with a route cap and an overflow entry.
///
/// ```
/// use apiscope::core::routes::capped::{CappedRoutes, OVERFLOW_ROUTE};
/// let mut map: CappedRoutes<u32> = CappedRoutes::new(1);
/// *map.entry("GET", "/a", || 0, |_| false) += 1;
/// *map.entry("GET", "/b", || 0, |_| false) += 1; // beyond the cap
/// assert_eq!(map.get("GET", "/a"), Some(&1));
/// assert_eq!(map.get("*", OVERFLOW_ROUTE), Some(&1));
/// assert_eq!((map.len(), map.overflow_count()), (1, 1));
/// ```
#[derive(Debug, Clone)]
pub struct CappedRoutes<V> {
    max_routes: usize,
    by_method: Vec<MethodRoutes<V>>,
    /// Routes held, the overflow entry not counted.
    tracked: usize,
    /// Values filed under the overflow entry because the map was full.
    overflowed: u64,
}

impl<V> CappedRoutes<V> {
    /// An empty map that holds up to `max_routes` routes (at least one) besides the
    /// overflow entry.
    ///
    /// ```
    /// use apiscope::core::routes::capped::CappedRoutes;
    /// let map: CappedRoutes<()> = CappedRoutes::new(500);
    /// assert!(map.is_empty());
    /// ```
    pub fn new(max_routes: usize) -> Self {
        Self {
            max_routes: max_routes.max(1),
            by_method: Vec::new(),
            tracked: 0,
            overflowed: 0,
        }
    }

    /// The value of `(method, route)`, if held.
    ///
    /// ```
    /// use apiscope::core::routes::capped::CappedRoutes;
    /// let mut map = CappedRoutes::new(5);
    /// map.entry("GET", "/a", || 7, |_| false);
    /// assert_eq!(map.get("GET", "/a"), Some(&7));
    /// assert_eq!(map.get("PUT", "/a"), None);
    /// ```
    pub fn get(&self, method: &str, route: &str) -> Option<&V> {
        let m = self.by_method.iter().find(|m| &*m.method == method)?;
        m.routes.get(route)
    }

    /// The value of `(method, route)` to change, if held.
    pub fn get_mut(&mut self, method: &str, route: &str) -> Option<&mut V> {
        let m = self.by_method.iter_mut().find(|m| &*m.method == method)?;
        m.routes.get_mut(route)
    }

    /// The value of `(method, route)`, made by `make` when new. When the map is full, the
    /// entries `stale` calls droppable go first; if there is still no room, the value is
    /// the overflow entry's and the call is counted in [`Self::overflow_count`].
    ///
    /// ```
    /// use apiscope::core::routes::capped::{CappedRoutes, OVERFLOW_ROUTE};
    /// let mut map = CappedRoutes::new(1);
    /// *map.entry("GET", "/old", || 0, |_| false) = 9;
    /// // Full: "/old" is stale (its value is 9), so "/new" takes its place.
    /// map.entry("GET", "/new", || 0, |&v| v == 9);
    /// assert_eq!(map.get("GET", "/old"), None);
    /// assert_eq!(map.overflow_count(), 0);
    /// ```
    pub fn entry(
        &mut self,
        method: &str,
        route: &str,
        make: impl FnOnce() -> V,
        stale: impl FnMut(&V) -> bool,
    ) -> &mut V {
        let held = self
            .by_method
            .iter()
            .position(|m| &*m.method == method)
            .filter(|&i| self.by_method[i].routes.contains_key(route));
        if let Some(i) = held {
            return self.by_method[i]
                .routes
                .get_mut(route)
                .expect("the route was just found");
        }
        if self.tracked >= self.max_routes {
            self.retain(stale);
        }
        let (method, route) = if self.tracked < self.max_routes {
            self.tracked += 1;
            (method, route)
        } else {
            self.overflowed += 1;
            (OVERFLOW_METHOD, OVERFLOW_ROUTE)
        };
        let i = match self.by_method.iter().position(|m| &*m.method == method) {
            Some(i) => i,
            None => {
                self.by_method.push(MethodRoutes {
                    method: method.into(),
                    routes: Map::default(),
                });
                self.by_method.len() - 1
            }
        };
        self.by_method[i]
            .routes
            .entry(route.into())
            .or_insert_with(make)
    }

    /// Drops the entries `stale` says may go (the overflow entry included).
    pub fn retain(&mut self, mut stale: impl FnMut(&V) -> bool) {
        for m in &mut self.by_method {
            m.routes.retain(|_, v| !stale(v));
        }
        self.by_method.retain(|m| !m.routes.is_empty());
        self.tracked = self.iter().filter(|(m, r, _)| !is_overflow(m, r)).count();
    }

    /// Every entry, the overflow entry included, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &V)> {
        self.by_method.iter().flat_map(|m| {
            m.routes
                .iter()
                .map(move |(route, v)| (&*m.method, &**route, v))
        })
    }

    /// Every entry ordered by method, then route: for output that must not depend on hashing.
    ///
    /// ```
    /// use apiscope::core::routes::capped::CappedRoutes;
    /// let mut map = CappedRoutes::new(5);
    /// for (m, r) in [("POST", "/b"), ("GET", "/z"), ("GET", "/a")] {
    ///     map.entry(m, r, || (), |_| false);
    /// }
    /// let keys: Vec<_> = map.sorted().into_iter().map(|(m, r, _)| (m, r)).collect();
    /// assert_eq!(keys, [("GET", "/a"), ("GET", "/z"), ("POST", "/b")]);
    /// ```
    pub fn sorted(&self) -> Vec<(&str, &str, &V)> {
        let mut entries = Vec::with_capacity(self.tracked + 1);
        for entry in self.iter() {
            entries.push(entry);
        }
        sort_by(&mut entries, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        entries
    }

    /// Takes every entry out, ordered by method then route, and starts over (the overflow
    /// count stays).
    ///
    /// ```
    /// use apiscope::core::routes::capped::CappedRoutes;
    /// let mut map = CappedRoutes::new(5);
    /// map.entry("GET", "/a", || 1, |_| false);
    /// let taken = map.take();
    /// assert_eq!(taken.len(), 1);
    /// assert_eq!((&*taken[0].0, &*taken[0].1, taken[0].2), ("GET", "/a", 1));
    /// assert!(map.is_empty());
    /// ```
    pub fn take(&mut self) -> Vec<(Arc<str>, Arc<str>, V)> {
        self.tracked = 0;
        let mut entries = Vec::new();
        for m in std::mem::take(&mut self.by_method) {
            for (route, v) in m.routes {
                entries.push((m.method.clone(), route, v));
            }
        }
        sort_by(&mut entries, |a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        entries
    }

    /// Routes held, the overflow entry not counted.
    pub fn len(&self) -> usize {
        self.tracked
    }

    /// Whether nothing is held, not even the overflow entry.
    pub fn is_empty(&self) -> bool {
        self.by_method.is_empty()
    }

    /// Values filed under the overflow entry because the map was full.
    pub fn overflow_count(&self) -> u64 {
        self.overflowed
    }

    /// Heap bytes held: the tables, the method and route strings, and what `value_bytes`
    /// says each value holds on the heap. Hash tables are counted as the standard library
    /// lays them out: an entry and a control byte per bucket, plus one group of control bytes.
    ///
    /// ```
    /// use apiscope::core::routes::capped::CappedRoutes;
    /// let mut map: CappedRoutes<Vec<u8>> = CappedRoutes::new(5);
    /// assert_eq!(map.heap_bytes(|_| 0), 0);
    /// map.entry("GET", "/a", || vec![0; 100], |_| false);
    /// assert!(map.heap_bytes(Vec::capacity) > 100);
    /// ```
    pub fn heap_bytes(&self, value_bytes: impl Fn(&V) -> usize) -> usize {
        let entry = size_of::<(Arc<str>, V)>() + 1;
        let tables: usize = self
            .by_method
            .iter()
            .map(|m| {
                let buckets = buckets(m.routes.capacity());
                let table = if buckets == 0 {
                    0
                } else {
                    buckets * entry + CONTROL_GROUP
                };
                let routes: usize = m
                    .routes
                    .iter()
                    .map(|(route, v)| str_bytes(route) + value_bytes(v))
                    .sum();
                str_bytes(&m.method) + table + routes
            })
            .sum();
        self.by_method.capacity() * size_of::<MethodRoutes<V>>() + tables
    }

    /// Forgets every entry and the overflow count.
    pub fn clear(&mut self) {
        self.by_method.clear();
        self.tracked = 0;
        self.overflowed = 0;
    }
}

/// Control bytes a hash table holds beyond one per bucket (the widest SIMD group).
const CONTROL_GROUP: usize = 16;

/// Buckets of a hash table that reports `capacity` (7/8 of the buckets, all but one when
/// small).
fn buckets(capacity: usize) -> usize {
    match capacity {
        0 => 0,
        1..8 => capacity + 1,
        _ => capacity / 7 * 8,
    }
}

/// Heap bytes of a shared string: its two reference counts and the text, word-aligned.
fn str_bytes(s: &Arc<str>) -> usize {
    let word = size_of::<usize>();
    (2 * word + s.len()).div_ceil(word) * word
}

/// Whether `(method, route)` is the overflow entry.
///
/// ```
/// use apiscope::core::routes::capped::is_overflow;
/// assert!(is_overflow("*", "(other)") && !is_overflow("GET", "(other)"));
/// ```
pub fn is_overflow(method: &str, route: &str) -> bool {
    method == OVERFLOW_METHOD && route == OVERFLOW_ROUTE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_holds_and_overflow_is_counted() {
        let mut map = CappedRoutes::new(3);
        for i in 0..10 {
            *map.entry("GET", &format!("/r{i}"), || 0u32, |_| false) += 1;
        }
        assert_eq!(map.len(), 3);
        assert_eq!(map.overflow_count(), 7);
        assert_eq!(map.get(OVERFLOW_METHOD, OVERFLOW_ROUTE), Some(&7));
        // A held route never overflows.
        *map.entry("GET", "/r0", || 0, |_| false) += 1;
        assert_eq!(map.get("GET", "/r0"), Some(&2));
        assert_eq!(map.overflow_count(), 7);
    }

    #[test]
    fn taking_empties_and_frees_the_cap() {
        let mut map = CappedRoutes::new(1);
        map.entry("GET", "/a", || (), |_| false);
        assert_eq!(map.take().len(), 1);
        map.entry("GET", "/b", || (), |_| false);
        assert_eq!(map.overflow_count(), 0);
        assert_eq!(map.len(), 1);
    }
}
