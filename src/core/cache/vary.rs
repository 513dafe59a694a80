//! Which request headers a URL's answers vary on.
//!
//! The cache key must include the values of the request headers named by the response's
//! `Vary`, but the response arrives after the lookup. So the names learned from the last
//! response for a URL are remembered here (bounded, LRU) and used for the next lookup.

use crate::core::map::Hasher;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::rc::Rc;

/// A bounded map from a request's identity (method, URL, auth hash) to its `Vary` names.
///
/// ```
/// use apiscope::core::cache::vary::VaryMemo;
/// use std::num::NonZeroUsize;
/// let mut memo = VaryMemo::new(NonZeroUsize::new(8).unwrap());
/// memo.learn("GET https://a/x", vec!["accept-language".into()]);
/// assert_eq!(memo.names("GET https://a/x").len(), 1);
/// assert!(memo.names("GET https://a/y").is_empty());
/// ```
#[derive(Debug)]
pub struct VaryMemo {
    names: LruCache<String, Rc<[String]>, Hasher>,
}

impl VaryMemo {
    /// Remembers at most `capacity` URLs.
    pub fn new(capacity: NonZeroUsize) -> Self {
        // The crate's fixed-seed hasher (see `core::map`): lru's default seeds each map.
        Self {
            names: LruCache::with_hasher(capacity, Hasher::default()),
        }
    }

    /// The header names `identity` varies on (empty when unknown or none).
    pub fn names(&mut self, identity: &str) -> Rc<[String]> {
        self.names
            .get(identity)
            .cloned()
            .unwrap_or_else(|| Rc::from([]))
    }

    /// Records the names from the latest response; an empty list forgets the URL.
    pub fn learn(&mut self, identity: &str, names: Vec<String>) {
        if names.is_empty() {
            self.names.pop(identity);
        } else {
            self.names.put(identity.to_owned(), names.into());
        }
    }

    /// Forgets everything.
    ///
    /// ```
    /// use apiscope::core::cache::vary::VaryMemo;
    /// use std::num::NonZeroUsize;
    /// let mut memo = VaryMemo::new(NonZeroUsize::MIN);
    /// memo.learn("k", vec!["x".into()]);
    /// memo.clear();
    /// assert!(memo.names("k").is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.names.clear();
    }
}
