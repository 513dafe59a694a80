//! `ResponsePolicy`: the wasm half of the JS `ResponseCache` (js/cache/response_cache.js).
//! JavaScript fetches, reads bodies and stores them (in a `Cache`, and on disk in Cache
//! Storage); this decides, in [`core::cache::response_policy`](crate::core::cache::response_policy):
//! the plan and key of each request, whether and how long an answer is kept, and the counts
//! and time saved. Strings and numbers in, strings and numbers out.

use crate::api::errors::field_error;
use crate::core::cache::http_policy::{HeaderList, ResponseFacts, normalize_url};
use crate::core::cache::outcome::Outcome;
use crate::core::cache::response_policy::{self, Plan, ResponseOptions};
use wasm_bindgen::prelude::*;

/// The decisions and figures of one JS `ResponseCache`.
#[wasm_bindgen]
pub struct ResponsePolicy {
    core: response_policy::ResponsePolicy,
    kept_ttl_ms: f64,
    kept_persist: bool,
    kept_vary: String,
}

#[wasm_bindgen]
impl ResponsePolicy {
    /// `routes` are templates for the time-saved figures (a `RangeError` names a bad one).
    #[wasm_bindgen(constructor)]
    pub fn new(
        default_ttl_ms: Option<f64>,
        max_entries: u32,
        routes: Vec<String>,
        page_origin: &str,
        persist_authorized: bool,
    ) -> Result<ResponsePolicy, JsValue> {
        let core = response_policy::ResponsePolicy::new(&ResponseOptions {
            default_ttl_ms,
            max_entries: max_entries as usize,
            routes: &routes,
            page_origin,
            persist_authorized,
        })
        .map_err(field_error)?;
        Ok(ResponsePolicy {
            core,
            kept_ttl_ms: f64::NAN,
            kept_persist: false,
            kept_vary: String::new(),
        })
    }

    /// Plans a request: `""` for a plain fetch, else `"L"` (look up, else fetch and keep) or
    /// `"R"` (fetch and keep) followed by the key. `headers` is `name\nvalue\n` per header.
    pub fn plan(&mut self, method: &str, url: &str, cache_mode: &str, headers: &str) -> String {
        let (tag, key) = match self.core.plan(method, url, cache_mode, HeaderList(headers)) {
            Plan::Bypass => return String::new(),
            Plan::Lookup(key) => ('L', key),
            Plan::Refresh(key) => ('R', key),
        };
        let mut planned = String::with_capacity(key.len() + 1);
        planned.push(tag);
        planned.push_str(&key);
        planned
    }

    /// The key to keep the answer to the request planned as `request_key` under, or `""`
    /// when it must not be kept; `keptTtlMs` and `keptPersist` then say for how long and
    /// whether it may go to disk, `keptVary` which request headers it varies on. `current`: no
    /// invalidation since the request left. An absent `Cache-Control` or `Vary` comes as `""`,
    /// which reads as absence does (no directives, no names); `&str`, not `Option<String>`,
    /// is the smaller crossing.
    #[allow(clippy::too_many_arguments)]
    pub fn keep(
        &mut self,
        request_key: &str,
        status: u16,
        opaque: bool,
        cache_control: &str,
        vary: &str,
        has_set_cookie: bool,
        headers: &str,
        current: bool,
    ) -> String {
        let response = ResponseFacts {
            status,
            opaque,
            cache_control: Some(cache_control),
            has_set_cookie,
            vary: Some(vary),
        };
        match self
            .core
            .keep(request_key, &response, HeaderList(headers), current)
        {
            Some(keep) => {
                self.kept_ttl_ms = keep.ttl_ms;
                self.kept_persist = keep.persist;
                self.kept_vary = keep.vary;
                keep.key
            }
            None => String::new(),
        }
    }

    /// The freshness the last kept answer gets.
    #[wasm_bindgen(getter, js_name = keptTtlMs)]
    pub fn kept_ttl_ms(&self) -> f64 {
        self.kept_ttl_ms
    }

    /// Whether the last kept answer may go to disk.
    #[wasm_bindgen(getter, js_name = keptPersist)]
    pub fn kept_persist(&self) -> bool {
        self.kept_persist
    }

    /// The request headers the last kept answer varies on, comma-separated.
    #[wasm_bindgen(getter, js_name = keptVary)]
    pub fn kept_vary(&self) -> String {
        self.kept_vary.clone()
    }

    /// Learns the `Vary` names stored with an answer kept under `key` (read back from disk).
    pub fn learn(&mut self, key: &str, vary: &str) {
        self.core.learn(key, vary);
    }

    /// Counts an answer (`outcome` as in `Outcome`'s codes) that took `answer_ms`; returns
    /// the time it saved. `known_ms`/`entry_ms`: a profiler's figure for the route and the
    /// served entry's own fetch time, NaN when unknown.
    pub fn answered(
        &mut self,
        outcome: u8,
        method: &str,
        url: &str,
        answer_ms: f64,
        known_ms: f64,
        entry_ms: f64,
    ) -> f64 {
        let known = |ms: f64| (!ms.is_nan()).then_some(ms);
        match Outcome::from_code(outcome) {
            Some(outcome) => self.core.answered(
                outcome,
                method,
                url,
                answer_ms,
                known(known_ms),
                known(entry_ms),
            ),
            None => 0.0,
        }
    }

    /// Files the latency of one network call.
    pub fn network(&mut self, method: &str, url: &str, ms: f64) {
        self.core.network(method, url, ms);
    }

    /// Counts a miss that joined a call in flight.
    pub fn coalesced(&mut self) {
        self.core.coalesced();
    }

    /// Counts a background refresh.
    pub fn revalidated(&mut self) {
        self.core.revalidated();
    }

    /// Forgets the learned `Vary` names.
    pub fn clear(&mut self) {
        self.core.clear();
    }

    /// What `invalidate` compares keys with: the resolved URL without its fragment.
    pub fn prefix(&self, url: &str) -> String {
        normalize_url(url).to_owned()
    }

    /// `[hits, misses, stale, bypass, errors, coalesced, revalidations, hitRate, savedMs]`.
    pub fn counts(&self) -> Vec<f64> {
        let c = self.core.counts();
        vec![
            c.hits as f64,
            c.misses as f64,
            c.stale as f64,
            c.bypass as f64,
            c.errors as f64,
            c.coalesced as f64,
            c.revalidations as f64,
            c.hit_rate(),
            self.core.time().total_ms(),
        ]
    }

    /// The routes of the time-saved figures, `method\nroute\n` each, in `routeFigures` order.
    pub fn routes(&self) -> String {
        let mut out = String::new();
        for (method, route, _) in self.core.time().routes() {
            out.push_str(method);
            out.push('\n');
            out.push_str(route);
            out.push('\n');
        }
        out
    }

    /// Per route, `[network calls, answers from the cache, network ms (NaN unknown), saved ms]`.
    #[wasm_bindgen(js_name = routeFigures)]
    pub fn route_figures(&self) -> Vec<f64> {
        let mut out = Vec::new();
        for (_, _, figures) in self.core.time().routes() {
            out.push(figures.calls as f64);
            out.push(figures.served as f64);
            out.push(figures.network_ms().unwrap_or(f64::NAN));
            out.push(figures.saved_ms);
        }
        out
    }
}
