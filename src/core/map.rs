//! The crate's one hash map type: `HashMap` hashed by foldhash with its fixed seed.
//!
//! Every per-route and per-request map uses it, so the wasm carries one hasher. Keys are
//! route strings and small ids from the page's own calls, so a per-process random seed buys
//! no protection that matters in a browser, and seeding one costs the wasm its entropy
//! gathering (about 1 KB gzipped with SipHash's, std's default). Output that reaches the
//! caller is sorted wherever its order could show, so no result depends on the seed.

use std::collections::HashMap;

/// The hasher of [`Map`] and of the `lru` crate's caches (the slow log, the cache's LRU order
/// and its Vary memo).
pub type Hasher = foldhash::fast::FixedState;

/// A `HashMap` with the crate's [`Hasher`]; make one with `Map::default()`.
///
/// ```
/// use apiscope::core::map::Map;
/// let mut m: Map<&str, u32> = Map::default();
/// m.insert("/a", 1);
/// assert_eq!(m.get("/a"), Some(&1));
/// ```
pub type Map<K, V> = HashMap<K, V, Hasher>;
