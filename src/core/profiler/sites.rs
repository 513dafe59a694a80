//! The call sites the hooks have numbered: a (method, URL) pair, and for a GraphQL endpoint
//! its operation, whose strings crossed into wasm once; every request to it names only the id.
//!
//! The hooks own the ids (they count up); the table keeps site `id` in slot `id % capacity`,
//! so a site whose slot a newer one took is unknown, and the hooks register it again. A request
//! in flight is therefore never filed under another site's URL.

use std::sync::Arc;

use crate::core::ascii::{split, split_once};
use crate::core::error::{FieldError, Rule, indexed};
use crate::core::profiler::id_slots::IdSlots;

/// One call site: what every request to it shares.
///
/// ```
/// use apiscope::core::profiler::sites::Site;
/// let site = Site { method: "POST".into(), url: "https://a.example/graphql".into(), operation: Some("GetUser".into()), route: None };
/// assert_eq!(site.operation.as_deref(), Some("GetUser"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Upper-case method.
    pub method: Arc<str>,
    /// Absolute http(s) URL without credentials, query or fragment.
    pub url: Arc<str>,
    /// The GraphQL operation name, for a configured GraphQL endpoint.
    pub operation: Option<Arc<str>>,
    /// The route label, once templated (a site is templated once).
    pub route: Option<Arc<str>>,
}

/// Call sites by id.
///
/// ```
/// use apiscope::core::profiler::sites::CallSites;
/// let mut sites = CallSites::new(2);
/// sites.register(&[7], "GET\thttps://a.example/x\t").unwrap();
/// assert_eq!(&*sites.get(7).unwrap().url, "https://a.example/x");
/// assert!(sites.get(8).is_none());
/// ```
#[derive(Debug, Clone)]
pub struct CallSites {
    slots: IdSlots<Site>,
}

impl CallSites {
    /// A table of `capacity` sites (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            slots: IdSlots::new(capacity),
        }
    }

    /// Registers the sites `ids[i]` described by line `i` of `lines` (`METHOD \t url \t
    /// operation`, operation empty when none). Checked whole first: a malformed line registers
    /// nothing and names its index.
    ///
    /// ```
    /// use apiscope::core::profiler::sites::CallSites;
    /// let mut sites = CallSites::new(8);
    /// let err = sites.register(&[1, 2], "GET\thttps://a.example/\t\nno tabs").unwrap_err();
    /// assert_eq!(err.field, "sites[1]");
    /// assert!(sites.get(1).is_none());
    /// ```
    pub fn register(&mut self, ids: &[u32], lines: &str) -> Result<(), FieldError> {
        let mut parsed = Vec::with_capacity(ids.len());
        let mut lines_iter = split(lines, b'\n');
        for (i, &id) in ids.iter().enumerate() {
            let site = lines_iter
                .next()
                .and_then(parse_line)
                .ok_or_else(|| FieldError::new(indexed("sites", i), Rule::Form(FORM)))?;
            parsed.push((id, site));
        }
        for (id, site) in parsed {
            self.slots.insert(u64::from(id), site);
        }
        Ok(())
    }

    /// The site `id`, if its slot still holds it.
    pub fn get(&self, id: u32) -> Option<&Site> {
        self.slots.get(u64::from(id))
    }

    /// The site `id` to update (its route, once templated).
    pub fn get_mut(&mut self, id: u32) -> Option<&mut Site> {
        self.slots.get_mut(u64::from(id))
    }

    /// Forgets every site.
    pub fn clear(&mut self) {
        self.slots.clear();
    }
}

const FORM: &str = "a line \"METHOD\\turl\\toperation\"";

fn parse_line(line: &str) -> Option<Site> {
    let (method, rest) = split_once(line, b'\t')?;
    let (url, operation) = split_once(rest, b'\t')?;
    if method.is_empty() || url.is_empty() {
        return None;
    }
    Some(Site {
        method: method.into(),
        url: url.into(),
        operation: (!operation.is_empty()).then(|| operation.into()),
        route: None,
    })
}
