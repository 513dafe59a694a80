//! OTLP export from a real page to the real receiver (`tests/otlp/receiver.py`), which parses
//! every request into the official protobuf `ExportMetricsServiceRequest`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::collections::BTreeMap;

use apiscope::browser::otlp_exporter::Exporter;
use apiscope::core::export::{AttributeValue, ExportConfig, ExportStats, KEEPALIVE_BODY_BUDGET};
use apiscope::core::routes::registry::RegistryConfig;
use apiscope::core::sketch::{OtlpBuckets, OtlpExponentialHistogram, Sketch, SketchConfig};
use gloo_timers::future::TimeoutFuture;
use js_sys::Reflect;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{RequestInit, Response};

wasm_bindgen_test_configure!(run_in_browser);

/// A collector that refuses connections (Chromium also blocks the port outright).
const UNREACHABLE: &str = "http://127.0.0.1:9/v1/metrics";

fn unique(test: &str) -> String {
    format!("apiscope-export-{test}-{}", js_sys::Math::random())
}

fn collector_url() -> String {
    format!("{}/v1/metrics", common::otlp_origin())
}

/// A config whose requests the receiver files under `service.name = service`.
fn config(url: &str, service: &str) -> ExportConfig {
    let mut config = ExportConfig::new(url);
    config.resource.insert(
        "service.name".into(),
        AttributeValue::String(service.into()),
    );
    config
}

/// An exporter aimed at the receiver, with its own outbox database and `service.name`:
/// `(exporter, db name, service)`.
async fn exporter_for(test: &str) -> (Exporter, String, String) {
    let (db, service) = (unique(test), unique("svc"));
    let exporter = Exporter::start(
        &config(&collector_url(), &service),
        &db,
        &RegistryConfig::default(),
    )
    .await
    .unwrap();
    (exporter, db, service)
}

/// Stops the exporter and deletes its outbox database.
async fn finish(exporter: Exporter, db: &str) {
    drop(exporter);
    let name = format!("{db}-outbox");
    let request = idb::Factory::new().unwrap().delete(&name).unwrap();
    request.await.unwrap();
}

async fn receiver(method: &str, path: &str) -> Value {
    let init = RequestInit::new();
    init.set_method(method);
    let url = format!("{}{path}", common::otlp_origin());
    let window = web_sys::window().unwrap();
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .unwrap()
        .unchecked_into();
    let text = JsFuture::from(response.text().unwrap()).await.unwrap();
    serde_json::from_str(&text.as_string().unwrap()).unwrap_or(Value::Null)
}

/// Accepted requests whose resource has `service.name = service`, in arrival order.
async fn received(service: &str) -> Vec<Value> {
    let all = receiver("GET", "/received").await;
    all.as_array()
        .unwrap()
        .iter()
        .filter(|entry| {
            entry["request"]["resourceMetrics"][0]["resource"]["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|kv| kv["key"] == "service.name" && kv["value"]["stringValue"] == service)
        })
        .cloned()
        .collect()
}

async fn rejected_count() -> usize {
    receiver("GET", "/rejected").await.as_array().unwrap().len()
}

/// Polls the stats every 100 ms for up to 20 s until `done` (a deadline, not a timing
/// assertion).
async fn until(exporter: &Exporter, what: &str, done: impl Fn(&ExportStats) -> bool) {
    for _ in 0..200 {
        if done(&exporter.stats()) {
            return;
        }
        TimeoutFuture::new(100).await;
    }
    panic!("timed out waiting for {what}: {:?}", exporter.stats());
}

/// The metric called `name` in a received request.
fn metric<'a>(entry: &'a Value, name: &str) -> &'a Value {
    entry["request"]["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap()
}

/// `(method, route)` of a data point.
fn route_of(point: &Value) -> (String, String) {
    let attribute = |key: &str| {
        point["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|kv| kv["key"] == key)
            .map(|kv| kv["value"]["stringValue"].as_str().unwrap().to_owned())
            .unwrap()
    };
    (attribute("http.request.method"), attribute("http.route"))
}

/// A received exponential histogram point (protobuf JSON form: defaults are left out, 64-bit
/// integers are strings) as the sketch's OTLP type.
fn histogram(point: &Value) -> OtlpExponentialHistogram {
    let int = |v: &Value| v.as_str().map_or(0, |s| s.parse::<u64>().unwrap());
    OtlpExponentialHistogram {
        count: int(&point["count"]),
        sum: point["sum"].as_f64().unwrap_or(0.0),
        scale: point["scale"].as_i64().unwrap_or(0) as i32,
        zero_count: int(&point["zeroCount"]),
        positive: OtlpBuckets {
            offset: point["positive"]["offset"].as_i64().unwrap_or(0) as i32,
            bucket_counts: point["positive"]["bucketCounts"]
                .as_array()
                .map(|counts| counts.iter().map(int).collect())
                .unwrap_or_default(),
        },
        min: point["min"].as_f64(),
        max: point["max"].as_f64(),
        zero_threshold: point["zeroThreshold"].as_f64().unwrap_or(0.0),
    }
}

/// Every route's histogram and error count across the requests.
fn points_by_route(entries: &[Value]) -> BTreeMap<(String, String), (Sketch, u64)> {
    let mut routes = BTreeMap::new();
    for entry in entries {
        let histograms =
            &metric(entry, "apiscope.http.client.request.duration")["exponentialHistogram"];
        for point in histograms["dataPoints"].as_array().unwrap() {
            let sketch = Sketch::from_otlp(&histogram(point), SketchConfig::default()).unwrap();
            routes.insert(route_of(point), (sketch, 0));
        }
        let errors = &metric(entry, "apiscope.http.client.errors")["sum"];
        for point in errors["dataPoints"].as_array().unwrap() {
            let count: u64 = point["asInt"].as_str().unwrap_or("0").parse().unwrap();
            routes.get_mut(&route_of(point)).unwrap().1 = count;
        }
    }
    routes
}

/// Records `n` calls on each route into the exporter and into the expected sketches.
fn record(
    exporter: &Exporter,
    expected: &mut BTreeMap<(String, String), (Sketch, u64)>,
    routes: &[(&str, &str)],
    n: usize,
) {
    for (r, &(method, route)) in routes.iter().enumerate() {
        let (sketch, errors) = expected
            .entry((method.to_owned(), route.to_owned()))
            .or_insert_with(|| (Sketch::default(), 0));
        for i in 0..n {
            let duration = ((i * 37 + r * 11) % 500) as f64 * 1.7 + (i % 3) as f64;
            let is_error = i % 9 == r % 9;
            exporter.record(method, route, duration, is_error).unwrap();
            sketch.record(duration).unwrap();
            *errors += u64::from(is_error);
        }
    }
}

#[wasm_bindgen_test]
async fn a_bad_url_is_refused_naming_export_url() {
    let registry = RegistryConfig::default();
    for url in [
        "/v1/metrics",
        "ftp://x.example/v1/metrics",
        "http://[::1/v1/metrics",
    ] {
        let err = Exporter::start(&ExportConfig::new(url), &unique("bad"), &registry)
            .await
            .err()
            .unwrap();
        assert_eq!(err.field, "export.url", "{url}: {err}");
    }
}

#[wasm_bindgen_test]
async fn flushed_histograms_arrive_exact_and_as_deltas() {
    let rejected_before = rejected_count().await;
    let (exporter, db, service) = exporter_for("flush").await;
    assert_eq!(exporter.export_url(), collector_url());
    let routes = [
        ("GET", "/api/users/:id"),
        ("POST", "/api/orders"),
        ("GET", "/health"),
    ];
    let mut first = BTreeMap::new();
    record(&exporter, &mut first, &routes, 300);
    let stats = exporter.flush().await;
    assert_eq!((stats.requests_sent, stats.exported_points), (1, 3));
    assert_eq!((stats.outbox_len, stats.requests_failed), (0, 0));

    let mut second = BTreeMap::new();
    record(&exporter, &mut second, &routes[..1], 50);
    exporter.flush().await;
    let got = received(&service).await;
    assert_eq!(got.len(), 2);
    assert_eq!(rejected_count().await, rejected_before);
    assert_eq!(points_by_route(&got[..1]), first);
    assert_eq!(points_by_route(&got[1..]), second);
    for (route, (sketch, _)) in points_by_route(&got[..1]) {
        let (own, _) = &first[&route];
        let qs = [0.5, 0.9, 0.99];
        assert_eq!(sketch.quantiles(&qs).unwrap(), own.quantiles(&qs).unwrap());
    }
    // Delta temporality: the second interval starts where the first ended.
    let interval = |entry: &Value| {
        let histograms =
            &metric(entry, "apiscope.http.client.request.duration")["exponentialHistogram"];
        assert_eq!(
            histograms["aggregationTemporality"],
            "AGGREGATION_TEMPORALITY_DELTA"
        );
        let point = &histograms["dataPoints"][0];
        (
            point["startTimeUnixNano"].clone(),
            point["timeUnixNano"].clone(),
        )
    };
    assert_eq!(interval(&got[1]).0, interval(&got[0]).1);
    let headers = &got[0]["headers"];
    assert!(
        headers["content-type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_ne!(
        headers["x-apiscope-batch"],
        got[1]["headers"]["x-apiscope-batch"]
    );
    finish(exporter, &db).await;
}

#[wasm_bindgen_test]
async fn many_routes_split_into_requests_within_the_keepalive_budget() {
    let (exporter, db, service) = exporter_for("split").await;
    let names: Vec<String> = (0..400).map(|i| format!("/api/resource{i}/:id")).collect();
    let routes: Vec<(&str, &str)> = names.iter().map(|n| ("GET", n.as_str())).collect();
    let mut expected = BTreeMap::new();
    record(&exporter, &mut expected, &routes, 40);
    let stats = exporter.flush().await;
    let got = received(&service).await;
    assert!(got.len() > 1);
    assert_eq!(stats.requests_sent, got.len() as u64);
    assert!(
        got.iter()
            .all(|e| e["bytes"].as_u64().unwrap() <= KEEPALIVE_BODY_BUDGET as u64)
    );
    assert_eq!(points_by_route(&got), expected);
    finish(exporter, &db).await;
}

#[wasm_bindgen_test]
async fn failed_sends_are_retried_with_backoff_and_delivered_once() {
    let (exporter, db, service) = exporter_for("retry").await;
    let mut expected = BTreeMap::new();
    record(&exporter, &mut expected, &[("GET", "/flaky")], 20);
    receiver("POST", "/__fail?n=2").await;
    let stats = exporter.flush().await;
    assert_eq!((stats.requests_failed, stats.outbox_len), (1, 1));
    assert!(stats.last_error.unwrap().contains("503"));
    until(&exporter, "the retried export", |s| s.outbox_len == 0).await;
    let stats = exporter.stats();
    assert_eq!(
        (stats.requests_failed, stats.retries, stats.requests_sent),
        (2, 2, 1)
    );
    let got = received(&service).await;
    assert_eq!(got.len(), 1);
    assert_eq!(points_by_route(&got), expected);
    finish(exporter, &db).await;
}

#[wasm_bindgen_test]
async fn the_outbox_waits_offline_within_its_bound_and_the_next_start_sends_it() {
    let (db, service) = (unique("offline"), unique("svc"));
    let registry = RegistryConfig::default();
    let mut offline = config(UNREACHABLE, &service);
    offline.max_outbox = 2.0;
    let exporter = Exporter::start(&offline, &db, &registry).await.unwrap();
    let mut kept = BTreeMap::new();
    for i in 0..4 {
        let route = format!("/offline/{i}");
        let mut expected = BTreeMap::new();
        record(&exporter, &mut expected, &[("GET", route.as_str())], 5);
        let stats = exporter.flush().await;
        assert!(stats.last_error.unwrap().starts_with("network error"));
        if i >= 2 {
            kept.extend(expected);
        }
    }
    let stats = exporter.stats();
    assert_eq!(
        (stats.outbox_len, stats.dropped, stats.requests_sent),
        (2, 2, 0)
    );
    drop(exporter);

    // The network is back at the next start: what the outbox kept is sent, oldest first.
    let mut online = config(&collector_url(), &service);
    online.max_outbox = 2.0;
    let exporter = Exporter::start(&online, &db, &registry).await.unwrap();
    until(&exporter, "the stored outbox", |s| s.outbox_len == 0).await;
    let got = received(&service).await;
    assert_eq!(got.len(), 2);
    assert_eq!(points_by_route(&got), kept);
    finish(exporter, &db).await;
}

#[wasm_bindgen_test]
async fn page_hide_sends_pending_histograms_with_keepalive() {
    let (exporter, db, service) = exporter_for("hide").await;
    let mut expected = BTreeMap::new();
    record(
        &exporter,
        &mut expected,
        &[("PUT", "/cart"), ("GET", "/cart")],
        30,
    );
    // Wraps the global fetch (the exporter calls whatever it currently is, as a page's own
    // instrumentation would) to see each request's `keepalive`.
    let spy = js_sys::Function::new_no_args(
        "const original = globalThis.fetch, seen = [];
         globalThis.fetch = (request) => { seen.push(request.keepalive); return original(request); };
         return { seen, restore() { globalThis.fetch = original; } };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    exporter.on_page_hide();
    // A second hide (pagehide after visibilitychange) must not send the same body again.
    exporter.on_page_hide();
    until(&exporter, "the keepalive export", |s| s.outbox_len == 0).await;
    let restore: js_sys::Function = Reflect::get(&spy, &"restore".into()).unwrap().into();
    restore.call0(&spy).unwrap();
    let seen = Reflect::get(&spy, &"seen".into()).unwrap();
    assert_eq!(js_sys::Array::from(&seen).to_vec(), [JsValue::TRUE]);
    let got = received(&service).await;
    assert_eq!(got.len(), 1);
    assert_eq!(points_by_route(&got), expected);
    assert_eq!(exporter.stats().requests_sent, 1);
    finish(exporter, &db).await;
}

#[wasm_bindgen_test]
async fn the_interval_exports_without_a_flush() {
    let (db, service) = (unique("tick"), unique("svc"));
    let mut every_second = config(&collector_url(), &service);
    every_second.interval_ms = 1_000.0;
    let exporter = Exporter::start(&every_second, &db, &RegistryConfig::default())
        .await
        .unwrap();
    let mut expected = BTreeMap::new();
    record(&exporter, &mut expected, &[("GET", "/tick")], 10);
    until(&exporter, "the first tick", |s| s.requests_sent == 1).await;
    assert_eq!(points_by_route(&received(&service).await), expected);
    finish(exporter, &db).await;
}

#[wasm_bindgen_test]
async fn going_online_retries_at_once_instead_of_waiting_out_the_backoff() {
    let (exporter, db, service) = exporter_for("online").await;
    let mut expected = BTreeMap::new();
    record(&exporter, &mut expected, &[("GET", "/online")], 10);
    // Seven failures in a row: the next retry would wait 30 to 60 s, longer than the deadline.
    receiver("POST", "/__fail?n=7").await;
    for _ in 0..7 {
        exporter.flush().await;
    }
    assert_eq!(exporter.stats().requests_failed, 7);
    let window: web_sys::EventTarget = web_sys::window().unwrap().into();
    let online = web_sys::Event::new("online").unwrap();
    window.dispatch_event(&online).unwrap();
    until(&exporter, "the retry on `online`", |s| s.outbox_len == 0).await;
    assert_eq!(points_by_route(&received(&service).await), expected);
    finish(exporter, &db).await;
}
