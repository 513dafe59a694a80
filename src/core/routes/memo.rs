//! URL → route label, templated once per call site.
//!
//! A page calls the same URLs again and again (a list endpoint, a polled status). The hooks
//! hand every request to one call site the same shared URL string, so the memo is keyed by that
//! string's identity (its address) rather than its text: a hit hashes one integer, and a miss
//! (a URL with an id in it, `/users/123`) adds an integer insert to the templating. The memo
//! holds a clone of each URL it keys, so an address cannot be reused while it is a key. It is
//! bounded and simply starts over when full: cheaper per call than keeping an LRU order, and a
//! hot call site is back after one miss.

use std::sync::Arc;

use crate::core::error::FieldError;
use crate::core::map::Map;
use crate::core::routes::{RouteKey, Templater};

/// How many distinct URLs are remembered before the memo starts over.
const DEFAULT_CAPACITY: usize = 4096;

/// A [`Templater`] with the page origin bound and a bounded memo of the labels it produced.
///
/// ```
/// use std::sync::Arc;
/// use apiscope::core::routes::memo::RouteMemo;
/// use apiscope::core::routes::Templater;
/// let mut memo = RouteMemo::new(Templater::default(), "https://app.example");
/// let url: Arc<str> = "https://app.example/api/users/7".into();
/// let first = memo.label(&url).unwrap();
/// assert_eq!(&*first, "/api/users/:id");
/// assert!(Arc::ptr_eq(&first, &memo.label(&url).unwrap())); // shared, not templated again
/// ```
#[derive(Debug)]
pub struct RouteMemo {
    templater: Templater,
    page_origin: String,
    capacity: usize,
    /// URL address -> (that URL, kept alive so the address stays its own; its label).
    labels: Map<usize, (Arc<str>, Arc<str>)>,
}

impl RouteMemo {
    /// A memo for a page at `page_origin` ([`crate::core::routes::RouteKey::label`] shows the
    /// page's own routes path-only).
    ///
    /// ```
    /// use apiscope::core::routes::memo::RouteMemo;
    /// use apiscope::core::routes::Templater;
    /// let memo = RouteMemo::new(Templater::default(), "https://app.example");
    /// assert_eq!(memo.len(), 0);
    /// ```
    pub fn new(templater: Templater, page_origin: &str) -> Self {
        Self::with_capacity(templater, page_origin, DEFAULT_CAPACITY)
    }

    /// Like [`RouteMemo::new`], remembering at most `capacity` URLs (0 remembers none).
    ///
    /// ```
    /// use apiscope::core::routes::memo::RouteMemo;
    /// use apiscope::core::routes::Templater;
    /// let mut memo = RouteMemo::with_capacity(Templater::default(), "https://a.example", 2);
    /// for id in 0..5 {
    ///     let url = format!("https://a.example/u/{id}").into();
    ///     assert_eq!(&*memo.label(&url).unwrap(), "/u/:id");
    ///     assert!(memo.len() <= 2);
    /// }
    /// ```
    pub fn with_capacity(templater: Templater, page_origin: &str, capacity: usize) -> Self {
        Self {
            templater,
            page_origin: page_origin.to_owned(),
            capacity,
            labels: Map::default(),
        }
    }

    /// The label of an absolute `url` (no query or fragment needed; they are dropped anyway),
    /// remembered for this very `Arc` (an equal string in another allocation is templated
    /// again, once). Invalid URLs are not remembered: they stay errors, reported each time.
    ///
    /// ```
    /// use apiscope::core::routes::memo::RouteMemo;
    /// use apiscope::core::error::FieldError;
    /// use apiscope::core::routes::Templater;
    /// let mut memo = RouteMemo::new(Templater::new(&["/api/:tenant/items"]).unwrap(), "https://a.example");
    /// assert_eq!(&*memo.label(&"https://a.example/api/acme/items".into()).unwrap(), "/api/:tenant/items");
    /// assert_eq!(&*memo.label(&"https://b.example/x/1".into()).unwrap(), "https://b.example/x/:id");
    /// assert!(matches!(memo.label(&"no url".into()), Err(FieldError { .. })));
    /// assert_eq!(memo.len(), 2);
    /// ```
    pub fn label(&mut self, url: &Arc<str>) -> Result<Arc<str>, FieldError> {
        let address = Arc::as_ptr(url).cast::<u8>() as usize;
        if let Some((_, label)) = self.labels.get(&address) {
            return Ok(label.clone());
        }
        let label: Arc<str> = self.route_key(url)?.label().into();
        if self.labels.len() >= self.capacity {
            self.labels.clear();
        }
        if self.capacity > 0 {
            self.labels.insert(address, (url.clone(), label.clone()));
        }
        Ok(label)
    }

    /// The label of `url`, templated without touching the memo (for one-off lookups such as
    /// queries by URL).
    ///
    /// ```
    /// use apiscope::core::routes::memo::RouteMemo;
    /// use apiscope::core::routes::Templater;
    /// let memo = RouteMemo::new(Templater::default(), "https://a.example");
    /// assert_eq!(memo.label_uncached("https://a.example/o/2024-01-31?x").unwrap(), "/o/:date");
    /// assert_eq!(memo.len(), 0);
    /// ```
    pub fn label_uncached(&self, url: &str) -> Result<String, FieldError> {
        Ok(self.route_key(url)?.label().to_owned())
    }

    fn route_key(&self, url: &str) -> Result<RouteKey, FieldError> {
        self.templater.route(url, &self.page_origin)
    }

    /// How many URLs (call sites) are remembered.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use apiscope::core::routes::memo::RouteMemo;
    /// use apiscope::core::routes::Templater;
    /// let mut memo = RouteMemo::new(Templater::default(), "https://a.example");
    /// let site: Arc<str> = "https://a.example/a".into();
    /// memo.label(&site).unwrap();
    /// memo.label(&site).unwrap();
    /// assert_eq!(memo.len(), 1);
    /// memo.label(&"https://a.example/a".into()).unwrap(); // same text, another site
    /// assert_eq!(memo.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether no URL is remembered.
    ///
    /// ```
    /// use apiscope::core::routes::memo::RouteMemo;
    /// use apiscope::core::routes::Templater;
    /// assert!(RouteMemo::new(Templater::default(), "https://a.example").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}
