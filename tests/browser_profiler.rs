//! The `Profiler` in real Chromium: real IndexedDB, real HTTP to the local test server.
#![cfg(target_arch = "wasm32")]

mod common;

use apiscope::api::profiler::Profiler;
use apiscope::core::sketch::Sketch;
use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Float64Array, Function, JSON, Reflect, Uint32Array};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn json(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON")
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).expect("readable")
}

fn num(value: &JsValue, key: &str) -> f64 {
    get(value, key).as_f64().unwrap_or(f64::NAN)
}

fn unique_db(name: &str) -> String {
    format!("apiscope-test-{name}-{}", js_sys::Math::random())
}

async fn start(options: String) -> Profiler {
    Profiler::start(json(&options))
        .await
        .expect("profiler starts")
}

async fn delete_db(name: &str) {
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    let _ = factory.delete_database(name);
}

/// The error's class name and message, for asserting that errors name their field.
fn error_text(err: &JsValue) -> String {
    let name = get(err, "name").as_string().unwrap_or_default();
    let message = get(err, "message").as_string().unwrap_or_default();
    format!("{name}: {message}")
}

/// Deterministic latencies with a heavy tail (no RNG needed for a reproducible test).
fn latency(i: usize, route: usize) -> f64 {
    let x = ((i as f64 * 0.618_033_988_7) % 1.0).max(1e-6);
    (5.0 + 20.0 * route as f64) / (1.0 - x).powf(0.3)
}

#[wasm_bindgen_test]
async fn a_hundred_thousand_samples_are_persisted_and_read_back_exactly() {
    let db = unique_db("100k");
    let profiler = start(format!(r#"{{"dbName":"{db}","instrument":false}}"#)).await;
    let routes = ["/api/a", "/api/b/:id", "/api/c"];
    let n = 100_000;
    let mut expected: Vec<Sketch> = routes.iter().map(|_| Sketch::default()).collect();
    let now = js_sys::Date::now();
    let (mut durations, mut index, mut starts) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let r = i % routes.len();
        let d = latency(i, r);
        expected[r].record(d).unwrap();
        durations.push(d);
        index.push(r as u32);
        starts.push(now - 60_000.0 + i as f64 * 0.5);
    }
    let batch = js_sys::Object::new();
    let routes_js: Array = routes.iter().map(|r| JsValue::from(*r)).collect();
    Reflect::set(&batch, &"routes".into(), &routes_js).unwrap();
    Reflect::set(
        &batch,
        &"durationMs".into(),
        &Float64Array::from(&durations[..]),
    )
    .unwrap();
    Reflect::set(&batch, &"routeIndex".into(), &Uint32Array::from(&index[..])).unwrap();
    Reflect::set(
        &batch,
        &"startTime".into(),
        &Float64Array::from(&starts[..]),
    )
    .unwrap();
    let t0 = js_sys::Date::now();
    profiler.record_many(batch.into()).unwrap();
    let flushed = profiler.flush().await.unwrap();
    let ms = js_sys::Date::now() - t0;
    web_sys::console::log_1(&format!("100k samples recorded+persisted in {ms:.0} ms").into());
    let stats = profiler.stats().unwrap();
    assert_eq!(num(&stats, "persisted"), n as f64, "{flushed:?}");
    assert_eq!(num(&stats, "buffered"), 0.0);

    let history = profiler.query(JsValue::UNDEFINED).await.unwrap();
    let history: Array = history.unchecked_into();
    assert_eq!(history.length(), 3);
    for row in history.iter() {
        let route = get(&row, "route").as_string().unwrap();
        let r = routes.iter().position(|x| *x == route).unwrap();
        let sketch = &expected[r];
        assert_eq!(num(&row, "count"), sketch.count() as f64, "{route}");
        for (key, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
            assert_eq!(num(&row, key), sketch.quantile(q).unwrap(), "{route} {key}");
        }
        assert_eq!(num(&row, "max"), sketch.max());
    }

    // Paging raw samples returns every one of them exactly once.
    let mut seen = 0;
    let mut cursor = JsValue::UNDEFINED;
    loop {
        let options = js_sys::Object::new();
        Reflect::set(&options, &"limit".into(), &JsValue::from(25_000)).unwrap();
        if !cursor.is_undefined() {
            Reflect::set(&options, &"cursor".into(), &cursor).unwrap();
        }
        let page = profiler.samples(options.into()).await.unwrap();
        seen += get(&page, "samples").unchecked_into::<Array>().length();
        cursor = get(&page, "cursor");
        if cursor.is_undefined() {
            break;
        }
    }
    assert_eq!(seen, n as u32);
    profiler.stop().await.unwrap();
    delete_db(&db).await;
}

#[wasm_bindgen_test]
async fn history_survives_a_new_profiler_and_two_profilers_share_a_database() {
    let db = unique_db("shared");
    let options = format!(r#"{{"dbName":"{db}","instrument":false}}"#);
    let (a, b) = (start(options.clone()).await, start(options.clone()).await);
    for i in 0..500 {
        let sample = |route| json(&format!(r#"{{"route":"{route}","durationMs":{i}}}"#));
        a.record(sample("/a")).unwrap();
        b.record(sample("/b")).unwrap();
    }
    a.flush().await.unwrap();
    b.flush().await.unwrap();
    a.stop().await.unwrap();
    b.stop().await.unwrap();

    let reopened = start(options).await;
    let history: Array = reopened
        .query(JsValue::UNDEFINED)
        .await
        .unwrap()
        .unchecked_into();
    let counts: Vec<(String, f64)> = history
        .iter()
        .map(|row| (get(&row, "route").as_string().unwrap(), num(&row, "count")))
        .collect();
    assert_eq!(counts, [("/a".into(), 500.0), ("/b".into(), 500.0)]);
    reopened.stop().await.unwrap();
    delete_db(&db).await;
}

#[wasm_bindgen_test]
async fn bad_samples_throw_errors_naming_the_field_and_change_nothing() {
    let db = unique_db("bad");
    let profiler = start(format!(r#"{{"dbName":"{db}","instrument":false}}"#)).await;
    let cases = [
        (
            r#"{"route":"/x","durationMs":-1}"#,
            "RangeError: durationMs",
        ),
        (r#"{"route":"/x"}"#, "TypeError: durationMs"),
        (
            r#"{"route":"/x","durationMs":"5"}"#,
            "TypeError: durationMs",
        ),
        (
            r#"{"route":"/x","durationMs":5,"colour":1}"#,
            "TypeError: colour",
        ),
        (
            r#"{"route":"/x","durationMs":5,"status":1.5}"#,
            "RangeError: status",
        ),
        (r#"{"durationMs":5}"#, "TypeError: route"),
        (r#"{"url":"http://","durationMs":5}"#, "RangeError: url"),
        (
            r#"{"route":"/x","durationMs":5,"startTime":-1}"#,
            "RangeError: startTime",
        ),
    ];
    for (sample, expected) in cases {
        let err = profiler.record(json(sample)).unwrap_err();
        let text = error_text(&err);
        assert!(text.starts_with(expected), "{sample} -> {text}");
    }
    // A bulk call names the index of the bad value and records nothing.
    let bulk = js_sys::Object::new();
    let routes: Array = [JsValue::from("/x")].into_iter().collect();
    Reflect::set(&bulk, &"routes".into(), &routes).unwrap();
    let durations = Float64Array::from(&[1.0, f64::NAN][..]);
    Reflect::set(&bulk, &"durationMs".into(), &durations).unwrap();
    let text = error_text(&profiler.record_many(bulk.into()).unwrap_err());
    assert!(
        text.starts_with("RangeError: batch.durationMs[1]"),
        "{text}"
    );
    // Misspelt keys in rules are caught, not ignored; so is a non-function for measure().
    let rule = json(r#"{"name":"r","metric":"p95","abve":1,"windowMs":1000}"#);
    let text = error_text(&profiler.add_alert(rule).unwrap_err());
    assert!(text.starts_with("TypeError: rule.abve"), "{text}");
    let text = error_text(&profiler.measure("x", JsValue::from(3)).unwrap_err());
    assert!(text.starts_with("TypeError: fn"), "{text}");
    let stats = profiler.stats().unwrap();
    assert_eq!(num(&stats, "accepted"), 0.0);

    // Without a status a reported call is a success; a relative url is resolved and templated.
    profiler
        .record(json(r#"{"url":"/api/users/42?x=1","durationMs":5}"#))
        .unwrap();
    let snapshot: Array = profiler
        .snapshot(JsValue::UNDEFINED)
        .unwrap()
        .unchecked_into();
    let row = snapshot.get(0);
    assert_eq!(get(&row, "route").as_string().unwrap(), "/api/users/:id");
    assert_eq!(num(&row, "errors"), 0.0);
    profiler.stop().await.unwrap();
    delete_db(&db).await;
}

#[wasm_bindgen_test]
async fn bad_options_are_rejected_at_start_naming_the_option() {
    let cases = [
        (r#"{"batch":{"maxSize":0}}"#, "RangeError: batch."),
        (r#"{"sampleRate":2}"#, "RangeError: sampleRate"),
        (r#"{"bogus":1}"#, "TypeError: bogus"),
        (r#"{"batch":{"maxSise":5}}"#, "TypeError: batch.maxSise"),
        (r#"{"ignoreUrls":[1]}"#, "TypeError: ignoreUrls[0]"),
        (
            r#"{"alerts":[{"name":"x","metric":"p42","above":1,"windowMs":1000}]}"#,
            "RangeError: alerts[0].metric",
        ),
        (r#"{"windows":{"slotMs":0}}"#, "RangeError: windows.slotMs"),
        (
            r#"{"export":{"url":"http://127.0.0.1:1/v1/metrics","typo":1}}"#,
            "TypeError: export.typo",
        ),
    ];
    for (options, expected) in cases {
        let err = match Profiler::start(json(options)).await {
            Ok(_) => panic!("{options} was accepted"),
            Err(err) => err,
        };
        let text = error_text(&err);
        assert!(text.starts_with(expected), "{options} -> {text}");
    }
}

#[wasm_bindgen_test]
async fn instrumented_fetch_calls_become_samples_grouped_by_route() {
    let db = unique_db("fetch");
    let profiler = start(format!(r#"{{"dbName":"{db}"}}"#)).await;
    let window = web_sys::window().unwrap();
    for id in [11, 12, 13] {
        let url = format!("{}/delay/{}?secret=1", common::test_origin(), 40 + id - 11);
        let response = JsFuture::from(window.fetch_with_str(&url)).await.unwrap();
        let response: web_sys::Response = response.unchecked_into();
        JsFuture::from(response.text().unwrap()).await.unwrap();
    }
    let snapshot: Array = profiler
        .snapshot(JsValue::UNDEFINED)
        .unwrap()
        .unchecked_into();
    let row = snapshot
        .iter()
        .find(|r| get(r, "route").as_string().unwrap().ends_with("/delay/:id"))
        .expect("a /delay/:id route");
    let route = get(&row, "route").as_string().unwrap();
    assert!(!route.contains("secret"), "{route}");
    assert_eq!(num(&row, "count"), 3.0);
    assert!(num(&row, "min") >= 39.0, "{}", num(&row, "min"));
    profiler.stop().await.unwrap();
    // stop() put the page's own fetch back.
    let fetch = Reflect::get(&window, &"fetch".into()).unwrap();
    assert!(get(&fetch, "toString").is_function());
    delete_db(&db).await;
}

/// A real endpoint goes from fast to slow and back: exactly one alert, then one resolve, and
/// both are in the alert history of a new profiler on the same database.
#[wasm_bindgen_test]
async fn a_slow_endpoint_fires_one_alert_then_resolves_and_history_survives() {
    let db = unique_db("alerts");
    let options = format!(
        r#"{{"dbName":"{db}","windows":{{"slotMs":250,"retentionMs":60000}},
            "alerts":[{{"name":"slow-delay","route":"**/delay/*","metric":"p95","above":120,
                        "windowMs":2000,"minSamples":4,"cooldownMs":60000}}]}}"#
    );
    let profiler = start(options.clone()).await;
    let fired = Array::new();
    let resolved = Array::new();
    let push_to = |list: &Array| {
        let list = list.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            list.push(&e);
        })
        .into_js_value()
    };
    let _off_alert: Function = profiler.on("alert", push_to(&fired)).unwrap();
    let _off_resolved: Function = profiler.on("resolved", push_to(&resolved)).unwrap();
    let window = web_sys::window().unwrap();
    let call = |ms: u32| {
        let url = format!("{}/delay/{ms}", common::test_origin());
        JsFuture::from(window.fetch_with_str(&url))
    };
    // Fast, then slow for longer than the 2 s window (the 1 s evaluation tick sees it).
    for (phase_ms, phase_len) in [(10u32, 1_500.0), (200, 3_000.0)] {
        let until = js_sys::Date::now() + phase_len;
        while js_sys::Date::now() < until {
            call(phase_ms).await.unwrap();
        }
    }
    // Fast again until the window is free of slow calls and the rule resolves (bounded).
    let until = js_sys::Date::now() + 8_000.0;
    while js_sys::Date::now() < until && resolved.length() == 0 {
        call(10).await.unwrap();
        TimeoutFuture::new(20).await;
    }
    assert_eq!(fired.length(), 1, "alerts: {:?}", JSON::stringify(&fired));
    assert_eq!(
        resolved.length(),
        1,
        "resolves: {:?}",
        JSON::stringify(&resolved)
    );
    let alert = fired.get(0);
    assert_eq!(get(&alert, "rule").as_string().unwrap(), "slow-delay");
    assert!(num(&alert, "value") > 120.0);
    profiler.stop().await.unwrap();

    let reopened = start(options).await;
    let history: Array = reopened
        .alerts(JsValue::UNDEFINED)
        .await
        .unwrap()
        .unchecked_into();
    let kinds: Vec<String> = history
        .iter()
        .map(|e| get(&e, "kind").as_string().unwrap())
        .collect();
    assert_eq!(kinds, ["fired", "resolved"]);
    reopened.stop().await.unwrap();
    delete_db(&db).await;
}

/// `export` sends each route's histogram to a real OTLP receiver (which validates it against
/// the official protobuf schema); the exporter's own requests are never measured.
#[wasm_bindgen_test]
async fn export_sends_route_histograms_to_the_collector_and_is_not_measured() {
    let receiver = common::otlp_origin();
    let window = web_sys::window().unwrap();
    let post = |path: &str| {
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        JsFuture::from(window.fetch_with_str_and_init(&format!("{receiver}{path}"), &init))
    };
    post("/__reset").await.unwrap();

    let bad = Profiler::start(json(r#"{"export":{"url":"ftp://nope"}}"#)).await;
    let text = error_text(&bad.err().expect("a bad export URL is rejected"));
    assert!(text.starts_with("RangeError: export.url"), "{text}");

    let db = unique_db("export");
    let profiler = start(format!(
        r#"{{"dbName":"{db}","export":{{"url":"{receiver}/v1/metrics","intervalMs":600000}}}}"#
    ))
    .await;
    for i in 0..40 {
        let sample = json(&format!(
            r#"{{"route":"/api/export","durationMs":{}}}"#,
            10 + i
        ));
        profiler.record(sample).unwrap();
    }
    let local = profiler.export_otlp(JsValue::UNDEFINED).unwrap();
    assert!(Array::is_array(&get(&local, "resourceMetrics")));
    profiler.stop().await.unwrap();

    let received = JsFuture::from(window.fetch_with_str(&format!("{receiver}/received")))
        .await
        .unwrap();
    let received: web_sys::Response = received.unchecked_into();
    let received = JsFuture::from(received.json().unwrap()).await.unwrap();
    let text = JSON::stringify(&received).unwrap().as_string().unwrap();
    assert!(text.contains("/api/export"), "{text}");
    assert!(text.contains(r#""count":"40""#), "{text}");
    // No route for the collector's own URL: its requests were not measured.
    let snapshot = JSON::stringify(&profiler.snapshot(JsValue::UNDEFINED).unwrap()).unwrap();
    assert!(!snapshot.as_string().unwrap().contains("v1/metrics"));
    delete_db(&db).await;
    delete_db(&format!("{db}-outbox")).await;
}
