//! The fetch/XHR hooks and the Resource Timing observer in real Chromium, against the real
//! local test server (`tests/server/routes/instrument.mjs`): the app sees exactly what it would
//! without them, and every call is observed with the right URL, method, status and timing.
#![cfg(target_arch = "wasm32")]

mod common;

use apiscope::browser::instrument::resource_timing::{RawResourceEntry, ResourceTimingObserver};
use apiscope::browser::instrument::{
    HookError, HookOptions, Hooks, IgnoreRules, Observed, Outcome, Transport,
};
use common::{second_origin, test_origin};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Object, Promise, Reflect, RegExp};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// What an app would do, written as an app would: plain JS calls on the global scope.
#[wasm_bindgen(inline_js = r#"
// Stands in for the browser's fetch, remembering what the real one returned, so that tests can
// prove the hook hands the app those very objects.
export function recordFetch() {
  const real = globalThis.fetch;
  const rec = { real, promise: null, response: null, error: null, args: null };
  rec.fake = function fetch(...args) {
    rec.args = args;
    const p = real.apply(this, args);
    rec.promise = p;
    p.then((r) => { rec.response = r; }, (e) => { rec.error = e; });
    return p;
  };
  globalThis.fetch = rec.fake;
  return rec;
}
export function currentFetch() { return globalThis.fetch; }
export function setFetch(f) { globalThis.fetch = f; }
export function xhrMethods() { return [XMLHttpRequest.prototype.open, XMLHttpRequest.prototype.send]; }

export function callFetch(kind, url, method) {
  const init = method ? { method } : undefined;
  switch (kind) {
    case "string": return fetch(url, init);
    case "url": return fetch(new URL(url, location.href), init);
    case "request": return fetch(new Request(new URL(url, location.href), init));
    case "request+init": return fetch(new Request(new URL(url, location.href), { method: "PUT" }), init);
    case "extra-arg": return fetch(url, {}, globalThis.extraArg = { polyfill: true });
  }
}
// Counts unhandledrejection events while the app makes a failing call it does handle.
export async function unhandledDuring(url) {
  let count = 0;
  const onUnhandled = () => { count++; };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  await fetch(url).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 100));
  globalThis.removeEventListener("unhandledrejection", onUnhandled);
  return count;
}
export function bodyText(response) { return response.text(); }
export function extraArg() { return globalThis.extraArg; }
export function fetchAborted(url) {
  const controller = new AbortController();
  const p = fetch(url, { signal: controller.signal });
  controller.abort();
  return p;
}
export function fetchTimedOut(url) { return fetch(url, { signal: AbortSignal.timeout(20) }); }
export function fetchMany(url, n) {
  return Promise.all(Array.from({ length: n }, () => fetch(url).then((r) => r.text())));
}
export async function settle(promise) {
  try { return { value: await promise }; } catch (error) { return { error }; }
}
export async function readChunks(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(decoder.decode(value));
  }
}
// An app's XHR with all four handlers; resolves at loadend with what the app saw.
export function xhr(method, url, how) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    const seen = [];
    x.onload = () => seen.push("load");
    x.onerror = () => seen.push("error");
    x.onabort = () => seen.push("abort");
    x.ontimeout = () => seen.push("timeout");
    x.addEventListener("loadend", () => resolve({ seen: seen.join(","), status: x.status, text: x.responseText }));
    x.open(method, url);
    if (how === "timeout") x.timeout = 20;
    x.send();
    if (how === "abort") x.abort();
  });
}
// An SPA route change: history.pushState to `path`; returns the URL it replaced.
export function navigate(path) {
  const before = location.href;
  history.pushState(null, "", path);
  return before;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = recordFetch)]
    fn record_fetch() -> Object;
    #[wasm_bindgen(js_name = currentFetch)]
    fn current_fetch() -> JsValue;
    #[wasm_bindgen(js_name = setFetch)]
    fn set_fetch(f: &JsValue);
    #[wasm_bindgen(js_name = xhrMethods)]
    fn xhr_methods() -> js_sys::Array;
    #[wasm_bindgen(js_name = callFetch)]
    fn call_fetch(kind: &str, url: &str, method: Option<&str>) -> Promise;
    #[wasm_bindgen(js_name = unhandledDuring)]
    fn unhandled_during(url: &str) -> Promise;
    #[wasm_bindgen(js_name = bodyText)]
    fn body_text(response: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = extraArg)]
    fn extra_arg() -> JsValue;
    #[wasm_bindgen(js_name = fetchAborted)]
    fn fetch_aborted(url: &str) -> Promise;
    #[wasm_bindgen(js_name = fetchTimedOut)]
    fn fetch_timed_out(url: &str) -> Promise;
    #[wasm_bindgen(js_name = fetchMany)]
    fn fetch_many(url: &str, n: u32) -> Promise;
    fn settle(promise: &Promise) -> Promise;
    #[wasm_bindgen(js_name = readChunks)]
    fn read_chunks(response: &JsValue) -> Promise;
    fn xhr(method: &str, url: &str, how: &str) -> Promise;
    fn navigate(path: &str) -> String;
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).expect("readable property")
}

fn url(path: &str) -> String {
    format!("{}{path}", test_origin())
}

/// Hooks that collect what they observe.
fn observe(options: HookOptions) -> (Hooks, Rc<RefCell<Vec<Observed>>>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let hooks = Hooks::install(options, move |o| sink.borrow_mut().push(o)).expect("installed");
    (hooks, seen)
}

/// Awaits the promise without letting a rejection fail the test: `{ value }` or `{ error }`.
async fn settled(promise: &Promise) -> JsValue {
    JsFuture::from(settle(promise))
        .await
        .expect("settle never rejects")
}

async fn text(response: &JsValue) -> String {
    let body = JsFuture::from(body_text(response)).await.expect("body");
    body.as_string().expect("a string")
}

/// The real fetch replaced by a recorder, with hooks installed on top of it; restores the real
/// fetch when dropped.
struct Recorded {
    rec: Object,
    hooks: Option<Hooks>,
    seen: Rc<RefCell<Vec<Observed>>>,
}

impl Recorded {
    fn new() -> Self {
        let rec = record_fetch();
        let (hooks, seen) = observe(HookOptions::default());
        Self {
            rec,
            hooks: Some(hooks),
            seen,
        }
    }

    /// What the recorder saw: `promise`, `response`, `error`, `args`, or the `fake` fetch.
    fn saw(&self, key: &str) -> JsValue {
        get(&self.rec, key)
    }
}

impl Drop for Recorded {
    fn drop(&mut self) {
        self.hooks.take();
        set_fetch(&get(&self.rec, "real"));
    }
}

fn only(seen: &RefCell<Vec<Observed>>) -> Observed {
    let seen = seen.borrow();
    assert_eq!(seen.len(), 1, "{seen:?}");
    seen[0].clone()
}

#[wasm_bindgen_test]
async fn fetch_hands_the_app_the_originals_promise_response_and_body() {
    let t = Recorded::new();
    let seen = t.seen.clone();
    let before = js_sys::Date::now();

    let promise = call_fetch("string", &url("/inst/ok?user=alice#top"), None);
    assert!(Object::is(&promise, &t.saw("promise")), "the very promise");
    let result = settled(&promise).await;
    let response = get(&result, "value");
    assert!(
        Object::is(&response, &t.saw("response")),
        "the very response"
    );

    let o = only(&seen);
    assert_eq!(
        text(&response).await,
        "ok body",
        "body intact after observation"
    );
    assert_eq!(o.transport, Transport::Fetch);
    assert_eq!(*o.url, url("/inst/ok"), "no query, no fragment");
    assert_eq!((&*o.method, o.status, o.outcome), ("GET", 200, Outcome::Ok));
    assert!(
        (o.start_ms - before).abs() < 1_000.0,
        "{} vs {before}",
        o.start_ms
    );
    assert!(o.start_high_res > 0.0 && o.duration_ms >= 0.0, "{o:?}");
    assert_eq!(t.hooks.as_ref().map(Hooks::errors), Some(0));
}

#[wasm_bindgen_test]
fn dropping_the_hooks_puts_back_the_fetch_they_wrapped() {
    let mut t = Recorded::new();
    assert!(!Object::is(&current_fetch(), &t.saw("fake")));
    t.hooks.take();
    assert!(Object::is(&current_fetch(), &t.saw("fake")));
}

#[wasm_bindgen_test]
async fn fetch_forwards_every_argument_untouched() {
    let t = Recorded::new();
    let seen = t.seen.clone();
    let promise = call_fetch("extra-arg", &url("/inst/ok"), None);
    settled(&promise).await;
    let args: js_sys::Array = t.saw("args").into();
    assert_eq!(args.length(), 3);
    assert!(
        Object::is(&args.get(2), &extra_arg()),
        "a polyfill's 3rd argument"
    );
    assert_eq!(only(&seen).status, 200);
}

#[wasm_bindgen_test]
async fn a_dropped_connection_rejects_with_the_originals_type_error() {
    let t = Recorded::new();
    let seen = t.seen.clone();
    let result = settled(&call_fetch("string", &url("/inst/fail"), None)).await;
    let error = get(&result, "error");
    assert!(error.is_instance_of::<js_sys::TypeError>(), "{error:?}");
    assert!(Object::is(&error, &t.saw("error")), "the very error");
    let o = only(&seen);
    assert_eq!((o.status, o.outcome), (0, Outcome::NetworkError));
}

#[wasm_bindgen_test]
async fn observing_a_rejection_raises_no_unhandled_rejection() {
    let (_hooks, seen) = observe(HookOptions::default());
    let count = JsFuture::from(unhandled_during(&url("/inst/fail"))).await;
    assert_eq!(count.expect("counted").as_f64(), Some(0.0));
    assert_eq!(only(&seen).outcome, Outcome::NetworkError);
}

#[wasm_bindgen_test]
async fn an_abort_rejects_with_the_originals_abort_error() {
    let t = Recorded::new();
    let seen = t.seen.clone();
    let result = settled(&fetch_aborted(&url("/inst/slow/200"))).await;
    let error = get(&result, "error");
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("AbortError")
    );
    assert!(Object::is(&error, &t.saw("error")), "the very error");
    let o = only(&seen);
    assert_eq!((o.status, o.outcome), (0, Outcome::Aborted));

    let result = settled(&fetch_timed_out(&url("/inst/slow/200"))).await;
    assert_eq!(
        get(&get(&result, "error"), "name").as_string().as_deref(),
        Some("TimeoutError")
    );
    assert_eq!(seen.borrow()[1].outcome, Outcome::Timeout);
}

#[wasm_bindgen_test]
async fn http_errors_are_observed_with_their_status() {
    let (_hooks, seen) = observe(HookOptions::default());
    let result = settled(&call_fetch("string", &url("/inst/500"), None)).await;
    assert_eq!(text(&get(&result, "value")).await, "boom");
    let o = only(&seen);
    assert_eq!((o.status, o.outcome), (500, Outcome::HttpError));
}

#[wasm_bindgen_test]
async fn durations_run_from_the_call_to_the_response_headers() {
    let (_hooks, seen) = observe(HookOptions::default());
    settled(&call_fetch("string", &url("/inst/slow/200"), None)).await;
    let app = xhr("GET", &url("/inst/slow/200"), "");
    JsFuture::from(app).await.expect("loadend");
    for o in seen.borrow().iter() {
        // The server waits 200 ms before its headers; loopback adds a few ms at most.
        assert!((195.0..400.0).contains(&o.duration_ms), "{o:?}");
    }
    assert_eq!(seen.borrow().len(), 2);
}

#[wasm_bindgen_test]
async fn streamed_bodies_reach_the_app_chunk_by_chunk() {
    let (_hooks, seen) = observe(HookOptions::default());
    let result = settled(&call_fetch("string", &url("/inst/stream"), None)).await;
    assert_eq!(only(&seen).status, 200, "observed at the headers");
    let chunks: js_sys::Array = JsFuture::from(read_chunks(&get(&result, "value")))
        .await
        .expect("read")
        .into();
    let body: String = chunks.iter().filter_map(|c| c.as_string()).collect();
    assert_eq!(body, "chunk0;chunk1;chunk2;chunk3;chunk4;");
    assert!(chunks.length() > 1, "still streamed: {chunks:?}");
}

#[wasm_bindgen_test]
async fn strings_urls_requests_and_relative_urls_with_their_methods() {
    let (_hooks, seen) = observe(HookOptions::default());
    let echo = url("/inst/echo?token=secret");
    let cases = [
        ("string", Some("post"), "POST"),
        ("url", None, "GET"),
        ("request", Some("POST"), "POST"),
        ("request+init", Some("DELETE"), "DELETE"),
        ("request+init", None, "PUT"),
    ];
    for (kind, method, expected) in cases {
        let result = settled(&call_fetch(kind, &echo, method)).await;
        assert_eq!(text(&get(&result, "value")).await, expected, "{kind}");
        let o = seen.borrow_mut().pop().expect("observed");
        assert_eq!(
            (&*o.url, &*o.method),
            (url("/inst/echo").as_str(), expected)
        );
    }

    // Relative to the test page, whose server answers 404 here.
    settled(&call_fetch("string", "/inst-relative?x=1#y", None)).await;
    let page_origin = get(&get(&js_sys::global(), "location"), "origin")
        .as_string()
        .expect("origin");
    let o = only(&seen);
    assert_eq!(*o.url, format!("{page_origin}/inst-relative"));
    assert_eq!(o.outcome, Outcome::HttpError);

    // The same relative string after history.pushState resolves against the new page URL,
    // though the hooks remember its call site from before.
    seen.borrow_mut().clear();
    for path in ["/app/one", "/app/deep/two"] {
        let before = navigate(path);
        settled(&call_fetch("string", "inst-relative", None)).await;
        settled(&call_fetch("string", "inst-relative", None)).await;
        navigate(&before);
        let dir = &path[..path.rfind('/').unwrap_or(0)];
        let expected = format!("{page_origin}{dir}/inst-relative");
        let urls: Vec<String> = seen
            .borrow_mut()
            .drain(..)
            .map(|o| o.url.to_string())
            .collect();
        assert_eq!(
            urls,
            [expected.clone(), expected],
            "after pushState to {path}"
        );
    }
}

#[wasm_bindgen_test]
async fn sampling_observes_a_plausible_share() {
    for (rate, range) in [(0.5, 50..=150), (1.0, 200..=200)] {
        let options = HookOptions {
            sample_rate: rate,
            ..HookOptions::default()
        };
        let (hooks, seen) = observe(options);
        JsFuture::from(fetch_many(&url("/inst/ok"), 200))
            .await
            .expect("all ok");
        let observed = seen.borrow().len();
        assert!(range.contains(&observed), "rate {rate}: {observed} of 200");
        drop(hooks);
    }
    for rate in [0.0, -1.0, 1.5, f64::NAN] {
        let options = HookOptions {
            sample_rate: rate,
            ..HookOptions::default()
        };
        let err = Hooks::install(options, |_| {}).err().expect("rejected");
        assert!(matches!(err, HookError::SampleRate(_)), "{err}");
    }
}

/// The hooks number each (method, URL) call site so that a repeated call crosses into wasm as
/// numbers only. With room for just two sites, requests in flight while their ids' slots are
/// reused must still be filed under their own URLs: each slow endpoint's duration proves it.
#[wasm_bindgen_test]
async fn requests_keep_their_urls_when_call_sites_are_reused_in_flight() {
    let options = HookOptions {
        call_sites: 2,
        ..HookOptions::default()
    };
    let (_hooks, seen) = observe(options);
    let delays = [60, 10, 50, 20, 40, 0, 30];
    for _wave in 0..2 {
        let calls: Vec<Promise> = delays
            .iter()
            .map(|ms| call_fetch("string", &url(&format!("/inst/slow/{ms}?wave")), None))
            .collect();
        for call in &calls {
            settled(call).await;
        }
    }
    let mut observed: Vec<(String, f64)> = seen
        .borrow()
        .iter()
        .map(|o| (o.url.to_string(), o.duration_ms))
        .collect();
    assert_eq!(observed.len(), 2 * delays.len(), "{observed:?}");
    observed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected: Vec<String> = delays
        .iter()
        .flat_map(|ms| vec![url(&format!("/inst/slow/{ms}")); 2])
        .collect();
    expected.sort();
    let urls: Vec<&str> = observed.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(urls, expected);
    for (url, duration) in &observed {
        let delay: f64 = url.rsplit('/').next().and_then(|d| d.parse().ok()).unwrap();
        assert!(
            *duration >= delay - 1.0,
            "{url} took {duration} ms: filed under another URL?"
        );
    }
}

#[wasm_bindgen_test]
async fn ignore_rules_keep_requests_unobserved() {
    let options = HookOptions {
        ignore: IgnoreRules {
            prefixes: vec![url("/inst/echo")],
            patterns: vec![RegExp::new(r"/inst/5\d\d$", "")],
        },
        ..HookOptions::default()
    };
    let (_hooks, seen) = observe(options);
    for path in ["/inst/echo?x=1", "/inst/500", "/inst/ok"] {
        settled(&call_fetch("string", &url(path), None)).await;
    }
    assert_eq!(*only(&seen).url, url("/inst/ok"));
}

#[wasm_bindgen_test]
async fn a_failure_inside_the_hook_is_counted_not_thrown() {
    let t = Recorded::new();
    let seen = t.seen.clone();
    let result = settled(&call_fetch("string", "http://[::1", None)).await;
    let error = get(&result, "error");
    assert!(error.is_instance_of::<js_sys::TypeError>(), "{error:?}");
    assert!(
        Object::is(&error, &t.saw("error")),
        "the app's own rejection"
    );
    assert!(seen.borrow().is_empty());
    assert_eq!(t.hooks.as_ref().map(Hooks::errors), Some(1));
}

#[wasm_bindgen_test]
async fn xhr_load_error_abort_and_timeout_are_observed_and_the_app_still_sees_them() {
    let (_hooks, seen) = observe(HookOptions::default());
    let cases = [
        ("/inst/ok?q=1", "", "load", 200, Outcome::Ok),
        ("/inst/500", "", "load", 500, Outcome::HttpError),
        ("/inst/fail", "", "error", 0, Outcome::NetworkError),
        ("/inst/slow/200", "abort", "abort", 0, Outcome::Aborted),
        ("/inst/slow/200", "timeout", "timeout", 0, Outcome::Timeout),
    ];
    for (path, how, app_saw, status, outcome) in cases {
        let app = JsFuture::from(xhr("get", &url(path), how))
            .await
            .expect("loadend");
        assert_eq!(
            get(&app, "seen").as_string().as_deref(),
            Some(app_saw),
            "{path}"
        );
        let o = seen.borrow_mut().pop().expect("observed");
        let bare = url(path.split('?').next().unwrap_or(path));
        assert_eq!(
            (o.transport, &*o.url, &*o.method),
            (Transport::Xhr, bare.as_str(), "GET")
        );
        assert_eq!((o.status, o.outcome), (status, outcome), "{path} {how}");
    }
    let app = JsFuture::from(xhr("GET", &url("/inst/ok"), ""))
        .await
        .expect("loadend");
    assert_eq!(get(&app, "text").as_string().as_deref(), Some("ok body"));
}

#[wasm_bindgen_test]
async fn uninstall_restores_the_originals_exactly() {
    let fetch = current_fetch();
    let [open, send] = [xhr_methods().get(0), xhr_methods().get(1)];
    let (hooks, seen) = observe(HookOptions::default());
    assert!(hooks.hooked(Transport::Fetch) && hooks.hooked(Transport::Xhr));
    assert!(!Object::is(&current_fetch(), &fetch));
    assert!(!Object::is(&xhr_methods().get(0), &open));
    hooks.uninstall();
    assert!(Object::is(&current_fetch(), &fetch));
    assert!(Object::is(&xhr_methods().get(0), &open));
    assert!(Object::is(&xhr_methods().get(1), &send));
    settled(&call_fetch("string", &url("/inst/ok"), None)).await;
    assert!(seen.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn a_wrapper_installed_on_top_stays_and_ours_passes_through() {
    let real = current_fetch();
    let (hooks, seen) = observe(HookOptions::default());
    let theirs = record_fetch(); // another library wraps ours
    hooks.uninstall();
    assert!(
        Object::is(&current_fetch(), &get(&theirs, "fake")),
        "theirs stays"
    );
    let result = settled(&call_fetch("string", &url("/inst/ok"), None)).await;
    assert_eq!(text(&get(&result, "value")).await, "ok body");
    assert!(seen.borrow().is_empty(), "ours no longer observes");
    set_fetch(&real);
}

/// The entry named `name`, polling for a few seconds: entries arrive asynchronously.
async fn wait_for(entries: &Rc<RefCell<Vec<RawResourceEntry>>>, name: &str) -> RawResourceEntry {
    for _ in 0..250 {
        if let Some(entry) = entries.borrow().iter().find(|e| e.timing.name == name) {
            return entry.clone();
        }
        TimeoutFuture::new(20).await;
    }
    panic!("no resource entry for {name}: {:?}", entries.borrow());
}

#[wasm_bindgen_test]
async fn resource_timing_entries_arrive_raw_with_server_timing() {
    let entries = Rc::new(RefCell::new(Vec::new()));
    let sink = entries.clone();
    let observer =
        ResourceTimingObserver::observe(move |e| sink.borrow_mut().push(e)).expect("observing");

    settled(&call_fetch(
        "string",
        &url("/inst/server-timing?id=7"),
        None,
    ))
    .await;
    let entry = wait_for(&entries, &url("/inst/server-timing")).await;
    assert_eq!(entry.initiator_type, "fetch");
    let timed = entry.timing;
    let server: Vec<(String, f64)> = timed
        .server_timing
        .iter()
        .map(|st| (st.name.clone(), st.duration))
        .collect();
    assert_eq!(
        server,
        vec![("app".to_owned(), 42.5), ("db".to_owned(), 10.0)]
    );
    assert!(
        timed.start_time > 0.0 && timed.request_start >= timed.start_time,
        "{timed:?}"
    );
    assert!(timed.response_start >= timed.request_start, "{timed:?}");
    assert!(timed.response_end >= timed.response_start, "{timed:?}");
    assert!(
        timed.transfer_size > 0.0 && timed.decoded_body_size == 5.0,
        "{timed:?}"
    );

    let opaque = format!("{}/inst/opaque", second_origin());
    settled(&call_fetch("string", &opaque, None)).await;
    let hidden = wait_for(&entries, &opaque).await.timing;
    assert!(
        hidden.start_time > 0.0 && hidden.response_end > 0.0,
        "{hidden:?}"
    );
    let withheld = [
        hidden.domain_lookup_start,
        hidden.connect_start,
        hidden.request_start,
        hidden.response_start,
        hidden.transfer_size,
        hidden.decoded_body_size,
    ];
    assert_eq!(withheld, [0.0; 6], "{hidden:?}");
    assert!(hidden.server_timing.is_empty());
    drop(observer);
}
