//! The response cache's decisions, in one place: how a request is planned and keyed (with the
//! `Vary` names learned from earlier answers), whether a response is kept, for how long and
//! whether it may go to disk, and the counts of answers and the time they saved. The fetching,
//! the bodies and the storage are the caller's (JavaScript's); this sees strings and numbers.

use super::http_policy::{
    HeaderList, RequestFacts, RequestPlan, ResponseFacts, cache_key, identity_key, identity_of,
    is_authorized, plan_request, storable_ttl_ms, vary_names,
};
use super::outcome::{Outcome, OutcomeCounts};
use super::time_saved::TimeSaved;
use super::vary::VaryMemo;
use crate::core::error::FieldError;
use crate::core::routes::Templater;
use std::num::NonZeroUsize;

/// How many routes the time-saved figures keep apart (the rest share the overflow route).
///
/// ```
/// assert_eq!(apiscope::core::cache::response_policy::MAX_ROUTES, 200);
/// ```
pub const MAX_ROUTES: usize = 200;

/// Settings of a [`ResponsePolicy`].
#[derive(Debug, Clone, Default)]
pub struct ResponseOptions<'a> {
    /// Default freshness, capped by a response's `max-age`; `None`: only `max-age` counts.
    pub default_ttl_ms: Option<f64>,
    /// How many URLs' `Vary` names to remember (the cache's entry limit).
    pub max_entries: usize,
    /// Route templates for the time-saved figures, applied before the built-in rules.
    pub routes: &'a [String],
    /// The page's origin, so that its own routes are labelled by path alone.
    pub page_origin: &'a str,
    /// Whether answers to requests with `Authorization` may go to disk too.
    pub persist_authorized: bool,
}

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Plain network fetch.
    Bypass,
    /// Answer from the cache under this key when possible, else fetch and keep.
    Lookup(String),
    /// Fetch, and keep the answer under this key (or the one [`ResponsePolicy::keep`] gives).
    Refresh(String),
}

/// How a response is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Keep {
    /// The key to keep it under (the request's, with the response's `Vary` names applied).
    pub key: String,
    /// Its freshness.
    pub ttl_ms: f64,
    /// Whether it may go to disk (never for `Authorization` unless opted in).
    pub persist: bool,
    /// The request headers it varies on, comma-separated (kept beside it on disk, so that a
    /// later page keys its requests alike before any answer: see [`ResponsePolicy::learn`]).
    pub vary: String,
}

/// The decisions and figures of one response cache.
///
/// ```
/// use apiscope::core::cache::http_policy::{HeaderList, ResponseFacts};
/// use apiscope::core::cache::response_policy::{Plan, ResponseOptions, ResponsePolicy};
/// let options = ResponseOptions { default_ttl_ms: Some(60_000.0), max_entries: 10, ..Default::default() };
/// let mut policy = ResponsePolicy::new(&options).unwrap();
/// let Plan::Lookup(key) = policy.plan("GET", "https://a.test/x", "default", HeaderList("")) else {
///     panic!()
/// };
/// let ok = ResponseFacts { status: 200, ..Default::default() };
/// let keep = policy.keep(&key, &ok, HeaderList(""), true).unwrap();
/// assert_eq!((keep.key, keep.ttl_ms, keep.persist), (key, 60_000.0, true));
/// ```
#[derive(Debug)]
pub struct ResponsePolicy {
    default_ttl_ms: Option<f64>,
    persist_authorized: bool,
    vary: VaryMemo,
    templater: Templater,
    page_origin: String,
    counts: OutcomeCounts,
    time: TimeSaved,
}

impl ResponsePolicy {
    /// A policy with these settings; a bad route template is an error naming it.
    pub fn new(options: &ResponseOptions<'_>) -> Result<Self, FieldError> {
        let templater = Templater::new(options.routes).map_err(|e| e.within("routes"))?;
        Ok(Self {
            default_ttl_ms: options.default_ttl_ms,
            persist_authorized: options.persist_authorized,
            vary: VaryMemo::new(
                NonZeroUsize::new(options.max_entries).unwrap_or(NonZeroUsize::MIN),
            ),
            templater,
            page_origin: options.page_origin.to_owned(),
            counts: OutcomeCounts::default(),
            time: TimeSaved::new(MAX_ROUTES),
        })
    }

    /// Plans a request (method, absolute URL, fetch's `cache` mode, its headers) and keys it:
    /// URL, method, a hash of `Authorization`, and the values of the headers the URL's last
    /// answer varied on.
    pub fn plan(&mut self, method: &str, url: &str, cache_mode: &str, headers: HeaderList) -> Plan {
        let plan = plan_request(&RequestFacts {
            method,
            cache_mode,
            cache_control: headers.get("cache-control"),
            has_range: headers.get("range").is_some(),
        });
        if plan == RequestPlan::Bypass {
            return Plan::Bypass;
        }
        let identity = identity_key(method, url, headers.get("authorization"));
        let names = self.vary.names(&identity);
        let key = varied_key(&identity, &names, headers);
        match plan {
            RequestPlan::Lookup => Plan::Lookup(key),
            _ => Plan::Refresh(key),
        }
    }

    /// Whether the answer to the request planned under `request_key` (whose headers are
    /// `headers`) may be kept, and how. When `current` (no invalidation since the request
    /// left), its `Vary` names are learned for the next requests to the URL.
    pub fn keep(
        &mut self,
        request_key: &str,
        response: &ResponseFacts<'_>,
        headers: HeaderList,
        current: bool,
    ) -> Option<Keep> {
        let ttl_ms = storable_ttl_ms(response, self.default_ttl_ms)?;
        let names = vary_names(response.vary)?;
        let identity = identity_of(request_key);
        let key = varied_key(identity, &names, headers);
        // Joined by a loop: `join` links a generic copy of its own for it.
        let mut vary = String::new();
        for name in &names {
            if !vary.is_empty() {
                vary.push(',');
            }
            vary.push_str(name);
        }
        if current {
            self.vary.learn(identity, names);
        }
        Some(Keep {
            persist: self.persist_authorized || !is_authorized(&key),
            key,
            ttl_ms,
            vary,
        })
    }

    /// Learns the `Vary` names kept with an answer stored under `key` (read back from disk),
    /// so that requests to its URL are keyed as the answer was.
    ///
    /// ```
    /// use apiscope::core::cache::http_policy::HeaderList;
    /// use apiscope::core::cache::response_policy::{Plan, ResponseOptions, ResponsePolicy};
    /// let options = ResponseOptions { max_entries: 4, ..Default::default() };
    /// let mut policy = ResponsePolicy::new(&options).unwrap();
    /// let plain = policy.plan("GET", "https://a.test/x", "default", HeaderList("x-lang\nfr\n"));
    /// policy.learn("https://a.test/x\nGET\n-\nx-lang=fr", "x-lang");
    /// let varied = policy.plan("GET", "https://a.test/x", "default", HeaderList("x-lang\nfr\n"));
    /// assert_eq!(varied, Plan::Lookup("https://a.test/x\nGET\n-\nx-lang=fr".into()));
    /// assert_ne!(plain, varied);
    /// ```
    pub fn learn(&mut self, key: &str, vary: &str) {
        if let Some(names) = vary_names(Some(vary)) {
            self.vary.learn(identity_of(key), names);
        }
    }

    /// Counts one answer that took `answer_ms`; for an answer from the cache, files the time
    /// it saved (see [`super::time_saved`]) and returns it, else 0.
    pub fn answered(
        &mut self,
        outcome: Outcome,
        method: &str,
        url: &str,
        answer_ms: f64,
        known_ms: Option<f64>,
        entry_ms: Option<f64>,
    ) -> f64 {
        self.counts.record(outcome);
        if !outcome.served_from_cache() {
            return 0.0;
        }
        match self.templater.route(url, &self.page_origin) {
            Ok(route) => self
                .time
                .served(method, route.label(), answer_ms, known_ms, entry_ms),
            Err(_) => 0.0,
        }
    }

    /// Files the latency of one network call this cache made.
    pub fn network(&mut self, method: &str, url: &str, ms: f64) {
        if let Ok(route) = self.templater.route(url, &self.page_origin) {
            self.time.network(method, route.label(), ms);
        }
    }

    /// Counts a miss that joined a call already in flight.
    pub fn coalesced(&mut self) {
        self.counts.coalesced += 1;
    }

    /// Counts a background refresh started by a stale answer.
    pub fn revalidated(&mut self) {
        self.counts.revalidations += 1;
    }

    /// Forgets the learned `Vary` names (the figures keep counting).
    pub fn clear(&mut self) {
        self.vary.clear();
    }

    /// The answer counts.
    pub fn counts(&self) -> &OutcomeCounts {
        &self.counts
    }

    /// The time-saved figures.
    pub fn time(&self) -> &TimeSaved {
        &self.time
    }
}

/// The full key: identity plus the request's values of the varied headers.
fn varied_key(identity: &str, names: &[String], headers: HeaderList) -> String {
    let varied = names.iter().map(|name| (name.as_str(), headers.get(name)));
    cache_key(identity, varied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(persist_authorized: bool) -> ResponsePolicy {
        let routes = ["/api/users/:who".to_owned()];
        ResponsePolicy::new(&ResponseOptions {
            default_ttl_ms: Some(1_000.0),
            max_entries: 8,
            routes: &routes,
            page_origin: "https://a.test",
            persist_authorized,
        })
        .unwrap()
    }

    fn lookup_key(plan: Plan) -> String {
        match plan {
            Plan::Lookup(key) => key,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn vary_names_learned_from_an_answer_key_the_next_requests() {
        let mut p = policy(false);
        let en = HeaderList("x-lang\nen\n");
        let first = lookup_key(p.plan("GET", "https://a.test/x", "default", en));
        let varied = ResponseFacts {
            status: 200,
            vary: Some("X-Lang"),
            ..Default::default()
        };
        let keep = p.keep(&first, &varied, en, true).unwrap();
        assert_ne!(keep.key, first, "the answer is kept under its varied key");
        let again = lookup_key(p.plan("GET", "https://a.test/x", "default", en));
        assert_eq!(again, keep.key);
        let fr = lookup_key(p.plan(
            "GET",
            "https://a.test/x",
            "default",
            HeaderList("x-lang\nfr\n"),
        ));
        assert_ne!(fr, again);
        // Learned only while current: an answer that predates an invalidation teaches nothing.
        let other = lookup_key(p.plan("GET", "https://a.test/y", "default", en));
        p.keep(&other, &varied, en, false).unwrap();
        assert_eq!(
            lookup_key(p.plan("GET", "https://a.test/y", "default", en)),
            other
        );
    }

    #[test]
    fn plans_follow_the_request_and_authorization_stays_off_disk() {
        let mut p = policy(false);
        assert_eq!(
            p.plan("POST", "https://a.test/x", "default", HeaderList("")),
            Plan::Bypass
        );
        assert!(matches!(
            p.plan("GET", "https://a.test/x", "no-cache", HeaderList("")),
            Plan::Refresh(_)
        ));
        let auth = HeaderList("authorization\nBearer secret\n");
        let key = lookup_key(p.plan("GET", "https://a.test/me", "default", auth));
        assert!(!key.contains("secret"));
        let ok = ResponseFacts {
            status: 200,
            ..Default::default()
        };
        assert!(!p.keep(&key, &ok, auth, true).unwrap().persist);
        assert!(policy(true).keep(&key, &ok, auth, true).unwrap().persist);
        let no_store = ResponseFacts {
            cache_control: Some("no-store"),
            ..ok
        };
        assert_eq!(p.keep(&key, &no_store, auth, true), None);
    }

    #[test]
    fn answers_are_counted_and_hits_save_their_routes_latency() {
        let mut p = policy(false);
        p.network("GET", "https://a.test/api/users/ada", 200.0);
        let miss = p.answered(
            Outcome::Miss,
            "GET",
            "https://a.test/api/users/ada",
            201.0,
            None,
            None,
        );
        let hit = p.answered(
            Outcome::Hit,
            "GET",
            "https://a.test/api/users/bob",
            1.0,
            None,
            None,
        );
        let stale = p.answered(
            Outcome::Stale,
            "GET",
            "https://b.test/elsewhere",
            1.0,
            Some(50.0),
            None,
        );
        assert_eq!((miss, hit, stale), (0.0, 199.0, 49.0));
        let mut routes: Vec<&str> = p.time().routes().map(|r| r.1).collect();
        routes.sort();
        assert_eq!(routes, ["/api/users/:who", "https://b.test/elsewhere"]);
        let c = p.counts();
        assert_eq!(
            (c.hits, c.misses, c.stale, c.hit_rate()),
            (1, 1, 1, 2.0 / 3.0)
        );
        assert_eq!(p.time().total_ms(), 248.0);
    }
}
