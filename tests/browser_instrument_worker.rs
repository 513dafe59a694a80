//! The fetch/XHR hooks and the Resource Timing observer inside a dedicated Web Worker (module
//! worker, real Chromium): the global scope is `DedicatedWorkerGlobalScope`, with no `document`.
#![cfg(target_arch = "wasm32")]

mod common;

use apiscope::browser::instrument::resource_timing::ResourceTimingObserver;
use apiscope::browser::instrument::{HookOptions, Hooks, Observed, Outcome, Transport};
use common::test_origin;
use gloo_timers::future::TimeoutFuture;
use js_sys::{Object, Promise};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen(inline_js = r#"
export function inWorker() { return typeof document === "undefined" && typeof WorkerGlobalScope === "function"; }
export function workerOrigin() { return location.origin; }
export function currentFetch() { return globalThis.fetch; }
export async function fetchText(url) { return (await fetch(url)).text(); }
export function xhrStatus(url) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.onloadend = () => resolve(x.status);
    x.open("GET", url);
    x.send();
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = inWorker)]
    fn in_worker() -> bool;
    #[wasm_bindgen(js_name = workerOrigin)]
    fn worker_origin() -> String;
    #[wasm_bindgen(js_name = currentFetch)]
    fn current_fetch() -> JsValue;
    #[wasm_bindgen(js_name = fetchText)]
    fn fetch_text(url: &str) -> Promise;
    #[wasm_bindgen(js_name = xhrStatus)]
    fn xhr_status(url: &str) -> Promise;
}

fn observed(seen: &RefCell<Vec<Observed>>) -> Vec<(Transport, String, u16, Outcome)> {
    let seen = seen.borrow();
    let summary = seen
        .iter()
        .map(|o| (o.transport, o.url.to_string(), o.status, o.outcome));
    summary.collect()
}

#[wasm_bindgen_test]
async fn fetch_and_xhr_are_observed_in_a_worker_and_uninstall_cleanly() {
    assert!(in_worker());
    let original = current_fetch();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let hooks = Hooks::install(HookOptions::default(), move |o| sink.borrow_mut().push(o))
        .expect("installed in a worker");
    assert!(hooks.hooked(Transport::Fetch) && hooks.hooked(Transport::Xhr));

    let ok = format!("{}/inst/ok", test_origin());
    let body = JsFuture::from(fetch_text(&format!("{ok}?q=1"))).await;
    assert_eq!(
        body.expect("fetched").as_string().as_deref(),
        Some("ok body")
    );
    let status = JsFuture::from(xhr_status(&ok)).await.expect("loadend");
    assert_eq!(status.as_f64(), Some(200.0));
    // Relative to the worker script's URL (the test runner's server answers 404).
    JsFuture::from(fetch_text("/inst-relative?x=1"))
        .await
        .expect("a 404 body");
    let relative = format!("{}/inst-relative", worker_origin());
    assert_eq!(
        observed(&seen),
        vec![
            (Transport::Fetch, ok.clone(), 200, Outcome::Ok),
            (Transport::Xhr, ok, 200, Outcome::Ok),
            (Transport::Fetch, relative, 404, Outcome::HttpError),
        ]
    );

    hooks.uninstall();
    assert!(Object::is(&current_fetch(), &original));
}

#[wasm_bindgen_test]
async fn resource_timing_entries_arrive_in_a_worker() {
    let names = Rc::new(RefCell::new(Vec::new()));
    let sink = names.clone();
    let _observer = ResourceTimingObserver::observe(move |e| sink.borrow_mut().push(e.timing.name))
        .expect("observing in a worker");
    let url = format!("{}/inst/server-timing", test_origin());
    JsFuture::from(fetch_text(&format!("{url}?w=1")))
        .await
        .expect("fetched");
    for _ in 0..250 {
        if names.borrow().contains(&url) {
            return;
        }
        TimeoutFuture::new(20).await;
    }
    panic!("no entry for {url}: {:?}", names.borrow());
}
