//! The JS `Cache` and `ResponseCache` in real Chromium, against the counting test server
//! (`tests/server/routes/cache.mjs`). Each test uses its own paths, so counts never mix.
#![cfg(target_arch = "wasm32")]

mod common;

use apiscope::api::cache::Cache;
use apiscope::api::response_cache::ResponseCache;
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::Response;

wasm_bindgen_test_configure!(run_in_browser);

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        Reflect::set(&object, &(*name).into(), value).unwrap();
    }
    object.into()
}

fn url(path: &str) -> JsValue {
    format!("{}{path}", common::test_origin()).into()
}

/// `path` with a per-run suffix: the server's counts outlive a test run.
fn unique(path: &str) -> String {
    format!("{path}-{}", js_sys::Math::random().to_bits())
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap()
}

fn number(value: &JsValue, name: &str) -> f64 {
    field(value, name)
        .as_f64()
        .unwrap_or_else(|| panic!("{name} is not a number"))
}

/// A cache with `ttlMs` and `staleWhileRevalidateMs`, recording every `onResult` outcome.
fn response_cache(ttl_ms: f64, swr_ms: f64) -> (ResponseCache, Rc<RefCell<Vec<String>>>) {
    let outcomes = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&outcomes);
    let on_result = Closure::<dyn Fn(JsValue)>::new(move |info: JsValue| {
        sink.borrow_mut()
            .push(field(&info, "outcome").as_string().unwrap());
    });
    let options = object(&[
        ("maxEntries", 50.into()),
        ("ttlMs", ttl_ms.into()),
        ("staleWhileRevalidateMs", swr_ms.into()),
        ("onResult", on_result.into_js_value()),
    ]);
    (ResponseCache::new(&options).unwrap(), outcomes)
}

async fn body(response: JsValue) -> JsValue {
    let response: Response = response.dyn_into().unwrap();
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    js_sys::JSON::parse(&text.as_string().unwrap()).unwrap()
}

async fn get(cache: &ResponseCache, path: &str, init: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(cache.fetch(url(path), init)).await
}

/// `n` of the body: which request to the server produced this answer.
async fn nth(cache: &ResponseCache, path: &str) -> f64 {
    number(
        &body(get(cache, path, JsValue::UNDEFINED).await.unwrap()).await,
        "n",
    )
}

/// Fetches `path` with one request header set; returns the body's `echo_field`.
async fn echoed(
    cache: &ResponseCache,
    path: &str,
    (name, value): (&str, &str),
    echo_field: &str,
) -> Option<String> {
    let init = object(&[("headers", object(&[(name, value.into())]))]);
    let answer = body(get(cache, path, init).await.unwrap()).await;
    field(&answer, echo_field).as_string()
}

async fn all(promises: impl IntoIterator<Item = Promise>) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::all(&promises.into_iter().collect::<Array>())).await
}

async fn server_count(path: &str) -> f64 {
    let window = web_sys::window().unwrap();
    let counts =
        JsFuture::from(window.fetch_with_str(&format!("{}/__counts", common::test_origin())))
            .await
            .unwrap();
    let counts = body(counts).await;
    field(&counts, &format!("GET {path}"))
        .as_f64()
        .unwrap_or(0.0)
}

fn take(outcomes: &Rc<RefCell<Vec<String>>>) -> Vec<String> {
    outcomes.borrow_mut().drain(..).collect()
}

#[wasm_bindgen_test]
fn cache_stores_evicts_and_reports() {
    let mut cache = Cache::new(&object(&[
        ("maxEntries", 2.into()),
        ("maxBytes", 100.into()),
    ]))
    .unwrap();
    assert!(cache.set("a", "hello".into(), &JsValue::UNDEFINED).unwrap());
    assert!(cache.set("b", 1.5.into(), &JsValue::UNDEFINED).unwrap());
    assert_eq!(cache.get("a").as_string().as_deref(), Some("hello"));
    assert!(
        cache
            .set("c", Object::new().into(), &JsValue::UNDEFINED)
            .unwrap()
    ); // evicts b
    assert!(cache.has("a") && !cache.has("b"));
    assert!(cache.peek("c").is_object());
    assert!(
        !cache
            .set("big", "x".into(), &object(&[("bytes", 101.into())]))
            .unwrap()
    );
    assert!(cache.get("nope").is_undefined());
    assert_eq!(cache.size(), 2);
    let stats = cache.stats().unwrap();
    for (name, expected) in [
        ("hits", 1.0),
        ("misses", 1.0),
        ("evictions", 1.0),
        ("rejected", 1.0),
        ("hitRate", 0.5),
        ("entries", 2.0),
    ] {
        assert_eq!(number(&stats, name), expected, "{name}");
    }
    // "hello" is 10 bytes (2 per UTF-16 unit), a plain object a flat 64.
    assert_eq!(number(&stats, "bytes"), 74.0);
    assert!(cache.delete("a") && !cache.delete("a"));
    cache.clear();
    assert_eq!(cache.size(), 0);
}

#[wasm_bindgen_test]
fn default_sizes_follow_the_documented_estimate() {
    let cache_bytes = |value: JsValue| {
        let mut cache = Cache::new(&object(&[("maxEntries", 2.into())])).unwrap();
        cache.set("k", value, &JsValue::UNDEFINED).unwrap();
        number(&cache.stats().unwrap(), "bytes")
    };
    let blob = web_sys::Blob::new_with_str_sequence(&Array::of1(&"abc".into())).unwrap();
    let view = js_sys::DataView::new(&js_sys::ArrayBuffer::new(16), 4, 8);
    for (value, bytes) in [
        (JsValue::from("héllo"), 10.0),
        (7.into(), 8.0),
        (js_sys::BigInt::from(7).into(), 8.0),
        (true.into(), 4.0),
        (JsValue::NULL, 0.0),
        (JsValue::UNDEFINED, 0.0),
        (js_sys::ArrayBuffer::new(12).into(), 12.0),
        (js_sys::Uint16Array::new_with_length(5).into(), 10.0),
        (view.into(), 8.0),
        (blob.into(), 3.0),
        (Array::new().into(), 64.0),
        (Function::new_no_args("").into(), 64.0),
        (js_sys::Symbol::for_("s").into(), 64.0),
    ] {
        assert_eq!(cache_bytes(value.clone()), bytes, "{value:?}");
    }
}

#[wasm_bindgen_test]
fn a_per_entry_ttl_expires_in_a_cache_without_a_default_ttl() {
    let mut cache = Cache::new(&object(&[("maxEntries", 4.into())])).unwrap();
    cache.set("forever", 1.into(), &JsValue::UNDEFINED).unwrap();
    cache
        .set("now", 2.into(), &object(&[("ttlMs", 0.into())]))
        .unwrap();
    assert!(!cache.has("now") && cache.peek("now").is_undefined());
    assert!(cache.get("now").is_undefined());
    assert_eq!(cache.get("forever").as_f64(), Some(1.0));
    assert_eq!(number(&cache.stats().unwrap(), "expirations"), 1.0);
}

/// Every value the cache lets go (evicted, replaced, cleared) leaves wasm-bindgen's externref
/// table, so a long run of sets holds exactly as many JS values as the cache does.
#[wasm_bindgen_test]
fn evicted_and_replaced_values_are_released() {
    let mut cache = Cache::new(&object(&[("maxEntries", 100.into())])).unwrap();
    let live = wasm_bindgen::externref_heap_live_count;
    let before = live();
    for i in 0..500_000u32 {
        // 200 keys round robin through 100 slots: every set evicts.
        let key = format!("e{}", i % 200);
        cache
            .set(&key, Object::new().into(), &JsValue::UNDEFINED)
            .unwrap();
    }
    assert_eq!(
        live(),
        before + 100,
        "one live value per entry after evictions"
    );
    for i in 0..500_000u32 {
        // 50 keys set over and over: every set replaces, and every get hands out a copy.
        let key = format!("r{}", i % 50);
        cache
            .set(&key, Object::new().into(), &JsValue::UNDEFINED)
            .unwrap();
        assert!(cache.get(&key).is_object());
    }
    assert_eq!(cache.size(), 100);
    assert_eq!(
        live(),
        before + 100,
        "one live value per entry after replacements"
    );
    cache.clear();
    assert_eq!(live(), before, "clear releases every value");
}

#[wasm_bindgen_test]
fn bad_options_throw_range_errors_naming_the_option() {
    let cases = [
        (object(&[("maxEntries", 0.into())]), "maxEntries"),
        (object(&[("maxEntries", 1.5.into())]), "maxEntries"),
        (
            object(&[("maxEntries", 2.into()), ("ttlMs", (-1).into())]),
            "ttlMs",
        ),
        (
            object(&[("maxEntries", 2.into()), ("maxBytes", (-1).into())]),
            "maxBytes",
        ),
    ];
    for (options, name) in cases {
        let error = Cache::new(&options).err().unwrap();
        assert!(error.is_instance_of::<js_sys::RangeError>());
        let message = field(&error, "message").as_string().unwrap();
        assert!(message.starts_with(name), "{message}");
        assert!(ResponseCache::new(&options).is_err());
    }
    // A missing maxEntries and a misspelt option are TypeErrors naming the key.
    for (options, name) in [
        (object(&[("ttlMs", 5.into())]), "maxEntries"),
        (
            object(&[("maxEntries", 2.into()), ("maxEntires", 2.into())]),
            "maxEntires",
        ),
    ] {
        for error in [
            Cache::new(&options).err(),
            ResponseCache::new(&options).err(),
        ] {
            let error = error.expect("rejected");
            assert!(error.is_instance_of::<js_sys::TypeError>());
            let message = field(&error, "message").as_string().unwrap();
            assert!(message.starts_with(name), "{message}");
        }
    }
    let mut cache = Cache::new(&object(&[("maxEntries", 2.into())])).unwrap();
    let error = cache
        .set("k", 1.into(), &object(&[("bytes", (-1).into())]))
        .unwrap_err();
    assert!(
        field(&error, "message")
            .as_string()
            .unwrap()
            .starts_with("bytes")
    );
    assert!(!cache.has("k"), "bad input leaves the cache untouched");
}

#[wasm_bindgen_test]
async fn concurrent_identical_gets_make_one_request() {
    let (cache, outcomes) = response_cache(60_000.0, 0.0);
    let path = &unique("/cache/slow/dedup");
    let answers = all((0..5).map(|_| cache.fetch(url(path), JsValue::UNDEFINED)))
        .await
        .unwrap();
    for answer in Array::from(&answers).iter() {
        assert_eq!(number(&body(answer).await, "n"), 1.0);
    }
    assert_eq!(server_count(path).await, 1.0);
    assert_eq!(take(&outcomes), vec!["miss"; 5]);
    assert_eq!(number(&cache.stats().unwrap(), "coalesced"), 4.0);
}

#[wasm_bindgen_test]
async fn every_hit_has_a_readable_body() {
    let (cache, outcomes) = response_cache(60_000.0, 0.0);
    let path = &unique("/cache/counted/hits");
    for _ in 0..4 {
        let response: Response = get(&cache, path, JsValue::UNDEFINED)
            .await
            .unwrap()
            .dyn_into()
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.url(), url(path).as_string().unwrap());
        assert_eq!(
            response.headers().get("content-type").unwrap().as_deref(),
            Some("application/json")
        );
        assert_eq!(number(&body(response.into()).await, "n"), 1.0);
    }
    assert_eq!(server_count(path).await, 1.0);
    assert_eq!(take(&outcomes), ["miss", "hit", "hit", "hit"]);
    let stats = cache.stats().unwrap();
    assert_eq!(
        (number(&stats, "hits"), number(&stats, "misses")),
        (3.0, 1.0)
    );
}

#[wasm_bindgen_test]
async fn ttl_and_max_age_expire_entries() {
    let (cache, _) = response_cache(150.0, 0.0);
    let path = &unique("/cache/counted/ttl");
    assert_eq!(nth(&cache, path).await, 1.0);
    assert_eq!(nth(&cache, path).await, 1.0);
    TimeoutFuture::new(200).await;
    assert_eq!(nth(&cache, path).await, 2.0);

    // max-age=1 caps the one-minute default.
    let (cache, _) = response_cache(60_000.0, 0.0);
    let capped = &unique("/cache/counted/max-age");
    let with_query = format!("{capped}?maxAge=1");
    assert_eq!(nth(&cache, &with_query).await, 1.0);
    assert_eq!(nth(&cache, &with_query).await, 1.0);
    TimeoutFuture::new(1_100).await;
    assert_eq!(nth(&cache, &with_query).await, 2.0);
    assert_eq!(server_count(capped).await, 2.0);
}

#[wasm_bindgen_test]
async fn no_store_and_non_get_bypass_the_cache() {
    let (cache, outcomes) = response_cache(60_000.0, 0.0);
    let path = &unique("/cache/no-store/a");
    assert_eq!(nth(&cache, path).await, 1.0);
    assert_eq!(nth(&cache, path).await, 2.0);
    assert_eq!(take(&outcomes), ["miss", "miss"]);

    let counted = &unique("/cache/counted/request-no-store");
    let no_store = object(&[("cache", "no-store".into())]);
    for _ in 0..2 {
        get(&cache, counted, no_store.clone()).await.unwrap();
    }
    let post = object(&[("method", "POST".into()), ("body", "x".into())]);
    get(&cache, counted, post).await.unwrap();
    assert_eq!(take(&outcomes), ["bypass", "bypass", "bypass"]);
    assert_eq!(server_count(counted).await, 2.0);
    assert_eq!(number(&cache.stats().unwrap(), "entries"), 0.0);
}

#[wasm_bindgen_test]
async fn different_authorization_never_shares_an_entry() {
    let (cache, outcomes) = response_cache(60_000.0, 0.0);
    let path = &unique("/cache/whoami/a");
    for token in ["Bearer alice", "Bearer bob", "Bearer alice"] {
        let user = echoed(&cache, path, ("Authorization", token), "user").await;
        assert_eq!(user.as_deref(), Some(token));
    }
    let anonymous = body(get(&cache, path, JsValue::UNDEFINED).await.unwrap()).await;
    assert!(field(&anonymous, "user").is_null());
    assert_eq!(take(&outcomes), ["miss", "miss", "hit", "miss"]);
    assert_eq!(server_count(path).await, 3.0);
}

#[wasm_bindgen_test]
async fn vary_headers_split_entries() {
    let (cache, outcomes) = response_cache(60_000.0, 0.0);
    let path = &unique("/cache/vary/lang");
    for lang in ["en", "fr", "en", "fr"] {
        let echo = echoed(&cache, path, ("X-Lang", lang), "lang").await;
        assert_eq!(echo.as_deref(), Some(lang));
    }
    // The first answer teaches the cache the Vary names, so "en" is stored under its value.
    assert_eq!(take(&outcomes), ["miss", "miss", "hit", "hit"]);
    assert_eq!(server_count(path).await, 2.0);
}

#[wasm_bindgen_test]
async fn errors_reach_every_waiter_and_are_not_cached() {
    let (cache, outcomes) = response_cache(60_000.0, 0.0);
    let path = &unique("/cache/fail/a");
    let calls: Vec<Promise> = (0..3)
        .map(|_| cache.fetch(url(path), JsValue::UNDEFINED))
        .collect();
    for call in calls {
        let error = JsFuture::from(call).await.unwrap_err();
        assert!(
            error.is_instance_of::<js_sys::TypeError>(),
            "the same error fetch gives"
        );
    }
    assert_eq!(server_count(path).await, 1.0);
    assert!(get(&cache, path, JsValue::UNDEFINED).await.is_err());
    assert_eq!(
        server_count(path).await,
        2.0,
        "a failure is never served from cache"
    );
    assert_eq!(take(&outcomes), vec!["error"; 4]);
}

#[wasm_bindgen_test]
async fn stale_while_revalidate_refreshes_once() {
    let (cache, outcomes) = response_cache(100.0, 60_000.0);
    let path = &unique("/cache/counted/swr");
    assert_eq!(nth(&cache, path).await, 1.0);
    TimeoutFuture::new(150).await;
    // Three at once: all are looked up before the refresh can land.
    let stale = all((0..3).map(|_| cache.fetch(url(path), JsValue::UNDEFINED)))
        .await
        .unwrap();
    for answer in Array::from(&stale).iter() {
        assert_eq!(
            number(&body(answer).await, "n"),
            1.0,
            "stale answer served at once"
        );
    }
    // Later answers are stale until the one refresh lands, then fresh from it.
    while nth(&cache, path).await < 2.0 {
        TimeoutFuture::new(20).await;
    }
    assert_eq!(
        server_count(path).await,
        2.0,
        "one refresh for every stale answer"
    );
    let seen = take(&outcomes);
    assert_eq!(seen[..4], ["miss", "stale", "stale", "stale"]);
    assert_eq!(seen.last().map(String::as_str), Some("hit"));
    assert_eq!(number(&cache.stats().unwrap(), "revalidations"), 1.0);
}

#[wasm_bindgen_test]
async fn warm_preloads_and_invalidate_drops() {
    let (cache, outcomes) = response_cache(60_000.0, 0.0);
    let path = &unique("/cache/counted/warm");
    let urls: Array = [url(path)].into_iter().collect();
    JsFuture::from(cache.warm(&urls).unwrap()).await.unwrap();
    assert_eq!(nth(&cache, path).await, 1.0);
    let prefix = format!("{}/cache/counted/wa", common::test_origin());
    assert_eq!(cache.invalidate(&prefix).unwrap(), 1);
    assert_eq!(nth(&cache, path).await, 2.0);
    cache.clear();
    assert_eq!(nth(&cache, path).await, 3.0);
    assert_eq!(take(&outcomes), ["miss", "hit", "miss", "miss"]);
}

#[wasm_bindgen_test]
async fn a_throwing_callback_does_not_break_fetch() {
    let throwing = Function::new_no_args("throw new Error('app bug')");
    let options = object(&[
        ("maxEntries", 4.into()),
        ("ttlMs", 1_000.into()),
        ("onResult", throwing.into()),
    ]);
    let cache = ResponseCache::new(&options).unwrap();
    assert_eq!(nth(&cache, &unique("/cache/counted/throwing")).await, 1.0);
}
