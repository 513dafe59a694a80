//! `ResponseCache`: a `fetch` look-alike that answers repeated GETs from memory, shares
//! concurrent identical calls, serves stale while refreshing, and reports how each answer was
//! served. Policy (what to keep, for how long, under which key) is in
//! [`crate::core::cache::http_policy`]; this file wires it to the browser.
//!
//! Safety net: every internal failure (reading headers, rebuilding a response) falls back to a
//! plain network fetch, so the app sees exactly what `fetch` would give. Only the `Request`
//! constructor's own error (bad input) and network errors reach the app, as with `fetch`.

use crate::api::cache::{page_clock, parse_options, to_plain_object};
use crate::api::errors::type_error;
use crate::browser::clock::PerformanceClock;
use crate::browser::fetch_client;
use crate::browser::stored_response::StoredResponse;
use crate::core::cache::entry::Freshness;
use crate::core::cache::flight::Flight;
use crate::core::cache::http_policy::{
    RequestFacts, RequestPlan, ResponseFacts, cache_key, identity_key, normalize_url, plan_request,
    storable_ttl_ms, vary_names,
};
use crate::core::cache::outcome::{Outcome, OutcomeCounts};
use crate::core::cache::vary::VaryMemo;
use crate::core::cache::{SetOptions, TtlLruCache};
use crate::core::clock::Clock;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise, spawn_local};
use web_sys::{Headers, Request, Response, ResponseType};

/// A response cache in front of `fetch`.
///
/// ```js
/// const api = new ResponseCache({
///   maxEntries: 200, maxBytes: 5 << 20, ttlMs: 10_000, staleWhileRevalidateMs: 30_000,
///   onResult: ({ url, method, outcome, durationMs, status }) => {},
/// });
/// const res = await api.fetch("/api/users/1");   // same signature and result as fetch
/// api.invalidate("/api/users/");                  // drop every entry under a URL prefix
/// await api.warm(["/api/config"]);                // preload
/// api.stats(); // { hits, misses, stale, bypass, errors, coalesced, revalidations, hitRate,
///              //   evictions, expirations, rejected, entries, bytes }
/// ```
///
/// `ttlMs` is the default freshness, capped by a response's `max-age`; a response with
/// neither is not kept. See [`crate::core::cache::http_policy`] for every rule. `onResult`
/// gets `{ url, method, outcome: "hit"|"miss"|"stale"|"bypass"|"error", durationMs, status }`
/// (`status` 0 on error); an exception thrown by it is ignored. Keys include a SHA-256 of
/// `Authorization`; cookies are invisible to fetch, so call `clear()` when the signed-in
/// user changes by cookie.
#[wasm_bindgen]
pub struct ResponseCache {
    shared: Rc<Shared>,
}

struct Shared {
    state: RefCell<State>,
    clock: PerformanceClock,
    on_result: Option<Function>,
}

struct State {
    store: TtlLruCache<Rc<StoredResponse>>,
    vary: VaryMemo,
    in_flight: HashMap<String, Flight<Landed>>,
    counts: OutcomeCounts,
    /// Bumped by `invalidate`/`clear`: a network answer that left before then is handed to
    /// its waiters but not stored, since it may predate the invalidation.
    generation: u64,
}

/// What a network call hands its waiters.
type Landed = Result<Answer, JsValue>;

#[derive(Clone)]
enum Answer {
    /// Kept (or at least keepable): every waiter gets a fresh rebuild.
    Stored(Rc<StoredResponse>),
    /// Not keepable: every waiter gets a `clone()` of the network response.
    Passthrough(Response),
}

/// Where a request goes.
enum Route {
    Bypass,
    Cached(Rc<StoredResponse>, Outcome),
    Network(Flight<Landed>),
}

#[wasm_bindgen]
impl ResponseCache {
    /// `new ResponseCache({ maxEntries, maxBytes?, ttlMs?, staleWhileRevalidateMs?, onResult? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<ResponseCache, JsValue> {
        let config = parse_options(options, &["onResult"])?;
        let on_result = match Reflect::get(options, &"onResult".into())? {
            f if f.is_undefined() || f.is_null() => None,
            f => Some(
                f.dyn_into::<Function>()
                    .map_err(|_| type_error("onResult", "must be a function"))?,
            ),
        };
        let state = State {
            store: TtlLruCache::new(config),
            vary: VaryMemo::new(config.max_entries),
            in_flight: HashMap::new(),
            counts: OutcomeCounts::default(),
            generation: 0,
        };
        Ok(ResponseCache {
            shared: Rc::new(Shared {
                state: RefCell::new(state),
                clock: page_clock()?,
                on_result,
            }),
        })
    }

    /// `fetch(input, init?)`: a `Promise<Response>` with `window.fetch` semantics.
    pub fn fetch(&self, input: JsValue, init: JsValue) -> Promise {
        let shared = Rc::clone(&self.shared);
        future_to_promise(async move { shared.answer(&input, &init).await.map(JsValue::from) })
    }

    /// Fetches each URL of `urls` through the cache; the promise resolves (never rejects) once
    /// all have settled.
    pub fn warm(&self, urls: &JsValue) -> Result<Promise, JsValue> {
        let urls = js_sys::try_iter(urls)?
            .ok_or_else(|| type_error("urls", "must be an iterable of URLs"))?;
        let calls = Array::new();
        for url in urls {
            calls.push(&self.fetch(url?, JsValue::UNDEFINED));
        }
        let settled = Promise::all_settled(&calls);
        Ok(future_to_promise(async move {
            JsFuture::from(settled).await?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Drops every entry whose URL starts with `urlPrefix` (resolved against the page base);
    /// returns how many went. Answers in flight are delivered but not stored.
    pub fn invalidate(&self, url_prefix: &str) -> Result<usize, JsValue> {
        let resolved = Request::new_with_str(url_prefix)
            .map_err(|_| type_error("urlPrefix", format!("not a valid URL: {url_prefix}")))?
            .url();
        let prefix = normalize_url(&resolved);
        let mut state = self.shared.state.borrow_mut();
        state.generation += 1;
        Ok(state.store.remove_where(|key| key.starts_with(prefix)))
    }

    /// Drops every entry.
    pub fn clear(&self) {
        let mut state = self.shared.state.borrow_mut();
        state.generation += 1;
        state.store.clear();
        state.vary.clear();
    }

    /// Answer counts and storage figures (see the class docs).
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let state = self.shared.state.borrow();
        to_plain_object(&state.counts.report(&state.store.stats()))
    }
}

impl ResponseCache {
    /// A probe of this cache's hit rate that does not keep the cache alive (for a profiler's
    /// `cacheHitRate` alerts); `None` once the cache is gone or before any answer.
    pub(crate) fn hit_rate_probe(&self) -> impl Fn() -> Option<f64> + 'static {
        let weak = Rc::downgrade(&self.shared);
        move || {
            let shared = weak.upgrade()?;
            let state = shared.state.borrow();
            let report = state.counts.report(&state.store.stats());
            report.hit_rate.is_finite().then_some(report.hit_rate)
        }
    }
}

impl Shared {
    async fn answer(self: Rc<Self>, input: &JsValue, init: &JsValue) -> Result<Response, JsValue> {
        // fetch would reject with this same error, so the app sees no difference.
        let request = fetch_client::new_request(input, init)?;
        let started = self.clock.now_ms();
        let route = self.route(&request).unwrap_or(Route::Bypass);
        let served = match &route {
            Route::Bypass => None,
            Route::Cached(stored, outcome) => stored.to_response().ok().map(|r| (Ok(r), *outcome)),
            Route::Network(flight) => match flight.wait().await {
                Ok(answer) => answer.to_response().ok().map(|r| (Ok(r), Outcome::Miss)),
                Err(error) => Some((Err(error), Outcome::Error)),
            },
        };
        let (result, outcome) = match served {
            Some(served) => served,
            None => (plain_fetch(&request).await, Outcome::Bypass),
        };
        self.report(&request, &result, outcome, started);
        result
    }

    /// Decides between cache, shared network call and plain fetch; any `Err` here (a header
    /// that cannot be read) means plain fetch.
    fn route(self: &Rc<Self>, request: &Request) -> Result<Route, JsValue> {
        let headers = request.headers();
        let method = request.method();
        let cache_mode = Reflect::get(request, &"cache".into())?
            .as_string()
            .unwrap_or_default();
        let cache_control = headers.get("cache-control")?;
        let plan = plan_request(&RequestFacts {
            method: &method,
            cache_mode: &cache_mode,
            cache_control: cache_control.as_deref(),
            has_range: headers.has("range")?,
        });
        if plan == RequestPlan::Bypass {
            return Ok(Route::Bypass);
        }
        let identity = identity_key(
            &method,
            &request.url(),
            headers.get("authorization")?.as_deref(),
        );
        let mut state = self.state.borrow_mut();
        let names = state.vary.names(&identity);
        let key = varied_key(&identity, &names, &headers)?;
        if plan == RequestPlan::Lookup {
            let now = self.clock.now_ms();
            if let Some(hit) = state.store.get(&key, now) {
                let stored = Rc::clone(hit.value);
                if hit.freshness == Freshness::Fresh {
                    return Ok(Route::Cached(stored, Outcome::Hit));
                }
                if !state.in_flight.contains_key(&key) {
                    state.counts.revalidations += 1;
                    self.launch(&mut state, key, identity, request);
                }
                return Ok(Route::Cached(stored, Outcome::Stale));
            }
        }
        let flight = match state.in_flight.get(&key).cloned() {
            Some(flight) => {
                state.counts.coalesced += 1;
                flight
            }
            None => self.launch(&mut state, key, identity, request),
        };
        Ok(Route::Network(flight))
    }

    /// Starts the one network call for `key`; it runs to the end even if every waiter leaves.
    fn launch(
        self: &Rc<Self>,
        state: &mut State,
        key: String,
        identity: String,
        request: &Request,
    ) -> Flight<Landed> {
        let flight = Flight::new();
        state.in_flight.insert(key.clone(), flight.clone());
        let generation = state.generation;
        let (this, request, landing) = (Rc::clone(self), Clone::clone(request), flight.clone());
        // spawn_local runs the call from the microtask queue, after the caller's borrow ends.
        spawn_local(async move {
            let landed = this.fetch_and_keep(&request, &identity, generation).await;
            this.state.borrow_mut().in_flight.remove(&key);
            landing.complete(landed);
        });
        flight
    }

    async fn fetch_and_keep(&self, request: &Request, identity: &str, generation: u64) -> Landed {
        let response: Response = JsFuture::from(fetch_client::send(request)?)
            .await?
            .unchecked_into();
        let Some((ttl_ms, names)) = keepable(&response, self.default_ttl()) else {
            return Ok(Answer::Passthrough(response));
        };
        // A body that fails mid-way is a network error: every waiter gets it, nothing is kept.
        let stored = Rc::new(StoredResponse::read(&response).await?);
        if let Ok(key) = varied_key(identity, &names, &request.headers()) {
            let mut state = self.state.borrow_mut();
            if state.generation == generation {
                let options = SetOptions {
                    bytes: stored.byte_size(),
                    ttl_ms: Some(ttl_ms),
                };
                let now = self.clock.now_ms();
                state.vary.learn(identity, names);
                state.store.set(&key, Rc::clone(&stored), options, now);
            }
        }
        Ok(Answer::Stored(stored))
    }

    fn default_ttl(&self) -> Option<f64> {
        self.state.borrow().store.config().ttl_ms
    }

    /// Counts the answer and tells `onResult`, outside any borrow: the callback may call back in.
    fn report(
        &self,
        request: &Request,
        result: &Result<Response, JsValue>,
        outcome: Outcome,
        started: f64,
    ) {
        self.state.borrow_mut().counts.record(outcome);
        let Some(callback) = &self.on_result else {
            return;
        };
        let status = result.as_ref().map_or(0, Response::status);
        let info = Object::new();
        let fields: [(&str, JsValue); 5] = [
            ("url", request.url().into()),
            ("method", request.method().into()),
            ("outcome", outcome.as_str().into()),
            ("durationMs", (self.clock.now_ms() - started).into()),
            ("status", status.into()),
        ];
        for (name, value) in fields {
            // Setting a data property on a fresh plain object cannot fail.
            let _ = Reflect::set(&info, &name.into(), &value);
        }
        // A throwing callback is the app's bug; it must not turn a good answer into a failure.
        let _ = callback.call1(&JsValue::NULL, &info);
    }
}

impl Answer {
    fn to_response(&self) -> Result<Response, JsValue> {
        match self {
            Answer::Stored(stored) => stored.to_response(),
            Answer::Passthrough(response) => response.clone(),
        }
    }
}

async fn plain_fetch(request: &Request) -> Result<Response, JsValue> {
    Ok(JsFuture::from(fetch_client::send(request)?)
        .await?
        .unchecked_into())
}

/// The TTL and `Vary` names when `response` may be kept.
fn keepable(response: &Response, default_ttl_ms: Option<f64>) -> Option<(f64, Vec<String>)> {
    let headers = response.headers();
    let vary = headers.get("vary").ok()?;
    let cache_control = headers.get("cache-control").ok()?;
    let facts = ResponseFacts {
        status: response.status(),
        opaque: matches!(
            response.type_(),
            ResponseType::Opaque | ResponseType::Opaqueredirect
        ),
        cache_control: cache_control.as_deref(),
        has_set_cookie: headers.has("set-cookie").ok()?,
        vary: vary.as_deref(),
    };
    let ttl_ms = storable_ttl_ms(&facts, default_ttl_ms)?;
    Some((ttl_ms, vary_names(vary.as_deref())?))
}

/// The full key: identity plus the request's values of the varied headers.
fn varied_key(identity: &str, names: &[String], headers: &Headers) -> Result<String, JsValue> {
    let values = names
        .iter()
        .map(|name| headers.get(name))
        .collect::<Result<Vec<_>, _>>()?;
    let varied: Vec<(&str, Option<&str>)> = names
        .iter()
        .map(String::as_str)
        .zip(values.iter().map(Option::as_deref))
        .collect();
    Ok(cache_key(identity, &varied))
}
