//! `Profiler`: the JS face of a running profiler. Validation and conversion only; the work is
//! done by [`crate::browser::runtime::Runtime`] and the pure core behind it.

use std::rc::Rc;
use std::sync::Arc;

use js_sys::{Float64Array, Function, Object, Promise, Reflect, Uint16Array, Uint32Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};

use super::errors::{plain_error, range_error, type_error};
use super::js_object::{Fields, type_of};
use super::profiler_options::{self, StartOptions};
use crate::browser::events::EVENT_NAMES;
use crate::browser::otlp_exporter::Exporter;
use crate::browser::runtime::{Runtime, page_href, page_origin, to_js};
use crate::core::batch::history::summarize_history;
use crate::core::batch::page::SampleCursor;
use crate::core::batch::sample::Sample;
use crate::core::error::FieldError;
use crate::core::export::{ExportConfig, OtlpResource, encode_requests};
use crate::core::routes::glob::Glob;

const SAMPLE_FIELDS: &[&str] = &[
    "url",
    "route",
    "method",
    "status",
    "durationMs",
    "startTime",
    "ok",
    "bytes",
];

/// A running profiler. Create it with `await Profiler.start(options)`.
#[wasm_bindgen]
pub struct Profiler {
    runtime: Rc<Runtime>,
}

#[wasm_bindgen]
impl Profiler {
    /// Starts a profiler: validates `options` (a `TypeError`/`RangeError` naming the option
    /// otherwise), opens IndexedDB (or falls back to memory, see `stats().storage`), and
    /// replays what a previous page left in the page-hide journal.
    pub async fn start(options: JsValue) -> Result<Profiler, JsValue> {
        let StartOptions {
            config,
            runtime,
            mut hooks,
            resource_timing,
            export,
        } = profiler_options::parse(&options)?;
        // Validate the exporter before anything starts, so a bad URL rejects `start`.
        let exporter = match export {
            Some(export) => {
                let exporter = Exporter::start(&export, &runtime.db_name, &config.registry)
                    .await
                    .map_err(field_error)?;
                hooks.ignore.prefixes.push(exporter.export_url().to_owned());
                Some(exporter)
            }
            None => None,
        };
        let runtime = Runtime::start(config, runtime).await.map_err(field_error)?;
        if let Some(exporter) = exporter {
            runtime.attach_exporter(exporter);
        }
        if let Err(e) = runtime.attach_hooks(hooks, resource_timing) {
            // Without hooks the profiler still records what the app reports; say why.
            runtime.report_error("instrument", &e.to_string());
        }
        Ok(Profiler { runtime })
    }

    /// Records one call: `{ durationMs, url? | route?, method = "GET", status = 0, startTime?,
    /// ok?, bytes? }`. `startTime` is epoch ms (default: now − durationMs); `ok` defaults to a
    /// 2xx/3xx status. A bad sample throws, naming the field, and changes nothing.
    pub fn record(&self, sample: JsValue) -> Result<(), JsValue> {
        let sample = self.sample_from(&sample)?;
        self.runtime.record(sample).map_err(field_error)
    }

    /// Records many calls in one crossing: `{ durationMs: Float64Array, routes: string[],
    /// routeIndex?: Uint32Array, methods?: string[], status?: Uint16Array, startTime?:
    /// Float64Array }`. Sample `i` has route `routes[routeIndex[i]]` (or `routes[0]` without
    /// `routeIndex`) and method `methods[routeIndex[i]]` (default GET). Everything is checked
    /// first; one bad sample rejects the whole call.
    #[wasm_bindgen(js_name = recordMany)]
    pub fn record_many(&self, batch: JsValue) -> Result<(), JsValue> {
        let samples = self.bulk_samples(&batch)?;
        self.runtime.record_many(samples).map_err(field_error)
    }

    /// Live per-route figures: `[{ route, method, count, errors, errorRate, p50, p90, p95,
    /// p99, min, max, mean, rps, trend? }]`, durations in ms. `windowMs` defaults to the whole
    /// live retention (1 h); with it, each route also carries a trend against the hour before.
    pub fn snapshot(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let window = window_option(&options)?;
        let now = self.runtime.now();
        let snapshot = self
            .runtime
            .with_core(|core| core.snapshot(now, window))
            .map_err(|e| profiler_options::prefixed("options", e))?;
        plain(&snapshot)
    }

    /// One route's latency histogram from its sketch's own buckets over `windowMs` (default
    /// 1 h): `{ lower, upper, counts }` as `Float64Array`s.
    pub fn histogram(
        &self,
        method: &str,
        route: &str,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let window = window_option(&options)?.unwrap_or(3_600_000.0);
        let now = self.runtime.now();
        let sketch = self
            .runtime
            .with_core(|core| core.window(&method.to_ascii_uppercase(), route, now, window))
            .map_err(|e| profiler_options::prefixed("options", e))?;
        let (mut lower, mut upper, mut counts) = (Vec::new(), Vec::new(), Vec::new());
        for bucket in sketch.iter().flat_map(|s| s.buckets()) {
            lower.push(bucket.lower);
            upper.push(bucket.upper);
            counts.push(bucket.count as f64);
        }
        let out = Object::new();
        set(&out, "lower", &Float64Array::from(lower.as_slice()))?;
        set(&out, "upper", &Float64Array::from(upper.as_slice()))?;
        set(&out, "counts", &Float64Array::from(counts.as_slice()))?;
        Ok(out.into())
    }

    /// One route's p50/p95/p99 and count per `stepMs` (default 10 s) over `windowMs` (default
    /// 5 min): `{ t, p50, p95, p99, count }` as `Float64Array`s, `t` the step ends in epoch ms.
    pub fn timeline(
        &self,
        method: &str,
        route: &str,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let f = Fields::new(&options, "options", &["windowMs", "stepMs"])?;
        let window = positive(&f, "windowMs")?.unwrap_or(300_000.0);
        let step = positive(&f, "stepMs")?.unwrap_or(10_000.0);
        let now = self.runtime.now();
        let rows = self.runtime.with_core(|core| {
            core.timeline(&method.to_ascii_uppercase(), route, now, window, step)
        });
        let column = |pick: fn(&(f64, f64, f64, f64, u64)) -> f64| {
            Float64Array::from(rows.iter().map(pick).collect::<Vec<_>>().as_slice())
        };
        let out = Object::new();
        set(&out, "t", &column(|r| r.0))?;
        set(&out, "p50", &column(|r| r.1))?;
        set(&out, "p95", &column(|r| r.2))?;
        set(&out, "p99", &column(|r| r.3))?;
        set(&out, "count", &column(|r| r.4 as f64))?;
        Ok(out.into())
    }

    /// The slowest recent calls of a route, slowest first, each with its timing breakdown
    /// (`dns`, `connect`, `tls`, `ttfb`, `download`, `server`, `transferSize`; a phase that is
    /// unknown, e.g. cross-origin without `Timing-Allow-Origin`, is absent, not 0).
    #[wasm_bindgen(js_name = slowCalls)]
    pub fn slow_calls(&self, method: &str, route: &str) -> Result<JsValue, JsValue> {
        let now = self.runtime.now();
        let calls = self
            .runtime
            .with_core(|core| core.slow_calls(&method.to_ascii_uppercase(), route, now));
        plain(&calls)
    }

    /// Mean timing phases of a route's calls that had a Resource Timing entry.
    pub fn breakdown(&self, method: &str, route: &str) -> Result<JsValue, JsValue> {
        plain(
            &self
                .runtime
                .with_core(|core| core.breakdown(&method.to_ascii_uppercase(), route)),
        )
    }

    /// Per-route figures from stored history: `{ route?, from?, to? }` (route a glob, times
    /// epoch ms; default: everything stored). Same shape as `snapshot()`, without rates.
    pub async fn query(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let f = Fields::new(&options, "options", &["route", "from", "to"])?;
        let from = f.number("from")?.unwrap_or(0.0);
        let to = f.number("to")?.unwrap_or(f64::INFINITY);
        let glob = f.string("route")?.map(|r| Glob::new(&r));
        let batches = self
            .runtime
            .store()
            .read_range(from, to)
            .await
            .map_err(plain_error)?;
        plain(&summarize_history(&batches, from, to, glob.as_ref()))
    }

    /// Pages raw stored samples: `{ from?, to?, limit = 1000, cursor? }` →
    /// `{ samples: [{ startTime, durationMs, method, route, status, ok, bytes? }], cursor? }`;
    /// pass `cursor` back for the next page; it is absent after the last.
    pub async fn samples(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let f = Fields::new(&options, "options", &["from", "to", "limit", "cursor"])?;
        let from = f.number("from")?.unwrap_or(0.0);
        let to = f.number("to")?.unwrap_or(f64::INFINITY);
        let limit = f.integer("limit", 1e6)?.unwrap_or(1_000.0) as usize;
        let cursor = match f.string("cursor")? {
            Some(text) => Some(decode_cursor(&text)?),
            None => (from > 0.0).then(|| SampleCursor {
                min_start_ms: from,
                batch_id: String::new(),
                offset: 0,
            }),
        };
        let page = self
            .runtime
            .store()
            .read_page(cursor, limit.max(1))
            .await
            .map_err(plain_error)?;
        let rows: Vec<SampleRow> = page
            .samples
            .iter()
            .filter(|s| s.start_ms >= from && s.start_ms < to)
            .map(SampleRow::from)
            .collect();
        let out = Object::new();
        set(&out, "samples", &plain(&rows)?)?;
        if let Some(next) = page.next.filter(|c| c.min_start_ms < to) {
            set(&out, "cursor", &JsValue::from(encode_cursor(&next)))?;
        }
        Ok(out.into())
    }

    /// Writes every recorded sample to IndexedDB; resolves to `{ persisted }` once committed.
    pub async fn flush(&self) -> Result<JsValue, JsValue> {
        let persisted = self.runtime.flush().await.map_err(plain_error)?;
        let out = Object::new();
        set(&out, "persisted", &JsValue::from(persisted as f64))?;
        Ok(out.into())
    }

    /// `{ accepted, buffered, persisted, dropped, flushes, retries, meanBatchSize, batchSize,
    /// storage: "persistent" | "memory" | "closed", storageReason?, errors, journalReplayed }`.
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        plain(&self.runtime.stats())
    }

    /// Forgets live figures and deletes stored history.
    pub async fn clear(&self) -> Result<(), JsValue> {
        self.runtime.clear().await.map_err(plain_error)
    }

    /// Stops timers and listeners and writes everything recorded; resolves once committed.
    pub async fn stop(&self) -> Result<JsValue, JsValue> {
        let persisted = self.runtime.stop().await.map_err(plain_error)?;
        let out = Object::new();
        set(&out, "persisted", &JsValue::from(persisted as f64))?;
        Ok(out.into())
    }

    /// Subscribes `callback` to `"alert"`, `"resolved"`, `"error"` or `"flush"`; returns a
    /// function that unsubscribes. A throwing callback is contained and counted.
    pub fn on(&self, event: &str, callback: JsValue) -> Result<Function, JsValue> {
        if !EVENT_NAMES.contains(&event) {
            return Err(range_error(
                "event",
                format!("unknown event {event:?} (expected one of {EVENT_NAMES:?})"),
            ));
        }
        let callback: Function = callback.dyn_into().map_err(|v| {
            type_error(
                "callback",
                format!("must be a function, got {}", type_of(&v)),
            )
        })?;
        let id = self.runtime.events().on(event, callback);
        let weak = Rc::downgrade(&self.runtime);
        let off = Closure::once_into_js(move || {
            if let Some(runtime) = weak.upgrade() {
                runtime.events().off(id);
            }
        });
        Ok(off.unchecked_into())
    }

    /// Adds an alert rule `{ name, route?, method?, metric, above? | below?, windowMs,
    /// minSamples = 20, cooldownMs }`; a bad or duplicate rule throws, naming the field, and
    /// the other rules keep working.
    #[wasm_bindgen(js_name = addAlert)]
    pub fn add_alert(&self, rule: JsValue) -> Result<(), JsValue> {
        let spec = profiler_options::rule_spec(&rule, "rule")?;
        self.runtime
            .with_core(|core| core.add_alert(spec))
            .map_err(|e| profiler_options::prefixed("rule", e))
    }

    /// The live per-route histograms as one OTLP/HTTP JSON `ExportMetricsServiceRequest`
    /// (what `export` sends, but covering the last `windowMs`, default 1 h): for downloads
    /// and for collectors the app talks to itself.
    #[wasm_bindgen(js_name = exportOtlp)]
    pub fn export_otlp(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let window = window_option(&options)?.unwrap_or(3_600_000.0);
        let now = self.runtime.now();
        let points = self
            .runtime
            .with_core(|core| core.export_points(now, window))
            .map_err(|e| profiler_options::prefixed("options", e))?;
        let resource = OtlpResource::new(&ExportConfig::new(""), &page_origin());
        let body = encode_requests(&points, &resource, usize::MAX);
        match body.first() {
            Some(body) => js_sys::JSON::parse(&body.json),
            None => js_sys::JSON::parse(r#"{"resourceMetrics":[]}"#),
        }
    }

    /// Lets `cacheHitRate` alert rules watch `cache` (a JS `ResponseCache` from
    /// `apiscope/cache`, or anything whose `stats()` has a numeric `hitRate`). The profiler
    /// does not keep the cache alive.
    #[wasm_bindgen(js_name = watchCache)]
    pub fn watch_cache(&self, cache: &JsValue) -> Result<(), JsValue> {
        let stats = Reflect::get(cache, &"stats".into()).unwrap_or(JsValue::UNDEFINED);
        if !stats.is_function() {
            return Err(type_error(
                "Profiler.watchCache: cache",
                "must be a ResponseCache",
            ));
        }
        let cache = js_sys::WeakRef::new(cache.unchecked_ref());
        self.runtime.watch_cache(move || {
            let cache = cache.deref()?;
            let stats: Function = Reflect::get(&cache, &"stats".into())
                .ok()?
                .dyn_into()
                .ok()?;
            let stats = stats.call0(&cache).ok()?;
            let rate = Reflect::get(&stats, &"hitRate".into()).ok()?.as_f64()?;
            rate.is_finite().then_some(rate)
        });
        Ok(())
    }

    /// Removes the alert rule called `name`; false if there was none.
    #[wasm_bindgen(js_name = removeAlert)]
    pub fn remove_alert(&self, name: &str) -> bool {
        self.runtime.with_core(|core| core.remove_alert(name))
    }

    /// The installed alert rules.
    pub fn rules(&self) -> Result<JsValue, JsValue> {
        let rules: Vec<_> = self
            .runtime
            .with_core(|core| core.alert_rules().iter().map(|r| r.spec()).collect());
        plain(&rules)
    }

    /// Alert history from storage: `{ from?, to? }` (epoch ms) → fired and resolved events,
    /// oldest first, each `{ kind, rule, route, method, metric, value, threshold, windowMs,
    /// samples, firedAt, at }`. It survives reloads.
    pub async fn alerts(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let f = Fields::new(&options, "options", &["from", "to"])?;
        let from = f.number("from")?.unwrap_or(0.0);
        let to = f.number("to")?.unwrap_or(f64::INFINITY);
        let events = self
            .runtime
            .store()
            .read_alerts(from, to)
            .await
            .map_err(plain_error)?;
        Ok(events.into_iter().collect::<js_sys::Array>().into())
    }

    /// Times `fn()` (sync or async) as a sample of route `name` (method `FN`) and returns what
    /// it returns; its error is recorded as a failed sample and rethrown unchanged.
    pub fn measure(&self, name: &str, callback: JsValue) -> Result<JsValue, JsValue> {
        let callback: Function = callback
            .dyn_into()
            .map_err(|v| type_error("fn", format!("must be a function, got {}", type_of(&v))))?;
        let started = self.runtime.now();
        let result = callback.call0(&JsValue::UNDEFINED);
        let runtime = self.runtime.clone();
        let route: Arc<str> = name.into();
        let settle = move |ok: bool| {
            let now = runtime.now();
            let mut sample = Sample::new(started, now - started, "FN", route.clone(), 0);
            sample.ok = ok;
            if let Err(e) = runtime.record(sample) {
                runtime.report_error("measure", &e.to_string());
            }
        };
        match result {
            Err(error) => {
                settle(false);
                Err(error)
            }
            Ok(value) => match value.dyn_ref::<Promise>() {
                // Observe settlement on the side; the caller gets the very same promise.
                Some(promise) => {
                    let settled = wasm_bindgen_futures::JsFuture::from(promise.clone());
                    wasm_bindgen_futures::spawn_local(async move { settle(settled.await.is_ok()) });
                    Ok(value)
                }
                None => {
                    settle(true);
                    Ok(value)
                }
            },
        }
    }
}

impl Profiler {
    fn sample_from(&self, value: &JsValue) -> Result<Sample, JsValue> {
        let f = Fields::new(value, "", SAMPLE_FIELDS)?;
        let duration = f
            .number("durationMs")?
            .ok_or_else(|| type_error("durationMs", "is required"))?;
        if !(duration.is_finite() && duration >= 0.0) {
            return Err(range_error(
                "durationMs",
                format!("must be a finite number >= 0, got {duration}"),
            ));
        }
        let route = match (f.string("route")?, f.string("url")?) {
            (Some(route), _) => route,
            (None, Some(url)) => {
                let absolute = absolute_url(&url)?;
                self.runtime
                    .with_core(|core| core.route_of(&absolute))
                    .map_err(field_error)?
            }
            (None, None) => return Err(type_error("route", "a sample needs a route or a url")),
        };
        let method = f.string("method")?.unwrap_or_else(|| "GET".into());
        let status = f.integer("status", 999.0)?;
        let start = match f.number("startTime")? {
            Some(t) => t,
            None => self.runtime.now() - duration,
        };
        let mut sample = Sample::new(
            start,
            duration,
            method.to_ascii_uppercase(),
            route,
            status.unwrap_or(0.0) as u16,
        );
        // Without a status, a reported call is a success unless `ok` says otherwise.
        sample.ok = status.is_none() || sample.ok;
        if let Some(ok) = f.boolean("ok")? {
            sample.ok = ok;
        }
        if let Some(bytes) = f.integer("bytes", u32::MAX as f64)? {
            sample.bytes = Some(bytes as u32);
        }
        Ok(sample)
    }

    fn bulk_samples(&self, value: &JsValue) -> Result<Vec<Sample>, JsValue> {
        let known = [
            "durationMs",
            "routes",
            "routeIndex",
            "methods",
            "status",
            "startTime",
        ];
        let f = Fields::new(value, "batch", &known)?;
        let durations: Float64Array = typed(&f, "durationMs")?
            .ok_or_else(|| type_error("batch.durationMs", "is required (a Float64Array)"))?;
        let durations = durations.to_vec();
        let n = durations.len();
        // Shared by every sample of the batch that names them: no copy per sample.
        let routes: Vec<Arc<str>> = f
            .strings("routes")?
            .filter(|r| !r.is_empty())
            .ok_or_else(|| type_error("batch.routes", "is required (a non-empty string array)"))?
            .into_iter()
            .map(Arc::from)
            .collect();
        let methods: Vec<Arc<str>> = f
            .strings("methods")?
            .unwrap_or_default()
            .iter()
            .map(|m| m.to_ascii_uppercase().into())
            .collect();
        let get: Arc<str> = "GET".into();
        let index: Option<Vec<u32>> = typed::<Uint32Array>(&f, "routeIndex")?.map(|a| a.to_vec());
        let status: Option<Vec<u16>> = typed::<Uint16Array>(&f, "status")?.map(|a| a.to_vec());
        let starts: Option<Vec<f64>> = typed::<Float64Array>(&f, "startTime")?.map(|a| a.to_vec());
        for (name, len) in [
            ("routeIndex", index.as_ref().map(Vec::len)),
            ("status", status.as_ref().map(Vec::len)),
            ("startTime", starts.as_ref().map(Vec::len)),
        ] {
            if let Some(len) = len.filter(|&len| len != n) {
                return Err(range_error(
                    &format!("batch.{name}"),
                    format!("has {len} entries, durationMs has {n}"),
                ));
            }
        }
        let now = self.runtime.now();
        (0..n)
            .map(|i| {
                let r = index.as_ref().map_or(0, |ix| ix[i] as usize);
                let route = routes.get(r).ok_or_else(|| {
                    range_error(
                        &format!("batch.routeIndex[{i}]"),
                        format!("{r} is not an index of routes ({} entries)", routes.len()),
                    )
                })?;
                let method = methods.get(r).unwrap_or(&get).clone();
                let duration = durations[i];
                if !(duration.is_finite() && duration >= 0.0) {
                    return Err(range_error(
                        &format!("batch.durationMs[{i}]"),
                        format!("must be a finite number >= 0, got {duration}"),
                    ));
                }
                let start = starts.as_ref().map_or(now - duration, |s| s[i]);
                if !(start.is_finite() && start >= 0.0) {
                    return Err(range_error(
                        &format!("batch.startTime[{i}]"),
                        format!("must be a finite epoch time in ms, got {start}"),
                    ));
                }
                let code = status.as_ref().map_or(200, |s| s[i]);
                Ok(Sample::new(start, duration, method, route.clone(), code))
            })
            .collect()
    }
}

/// A stored sample as `samples()` returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SampleRow<'a> {
    start_time: f64,
    duration_ms: f64,
    method: &'a str,
    route: &'a str,
    status: u16,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u32>,
}

impl<'a> From<&'a Sample> for SampleRow<'a> {
    fn from(s: &'a Sample) -> Self {
        Self {
            start_time: s.start_ms,
            duration_ms: s.duration_ms,
            method: &s.method,
            route: &s.route,
            status: s.status,
            ok: s.ok,
            bytes: s.bytes,
        }
    }
}

/// `url` made absolute against the page (or worker) location, as fetch would.
fn absolute_url(url: &str) -> Result<String, JsValue> {
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(url.to_owned());
    }
    web_sys::Url::new_with_base(url, &page_href())
        .map(|u| u.href())
        .map_err(|_| range_error("url", format!("not a URL: {url:?}")))
}

/// Cursors travel to JS as opaque strings: `minStart|offset|batchId`.
fn encode_cursor(c: &SampleCursor) -> String {
    format!("{}|{}|{}", c.min_start_ms, c.offset, c.batch_id)
}

fn decode_cursor(text: &str) -> Result<SampleCursor, JsValue> {
    let mut parts = text.splitn(3, '|');
    let bad = || type_error("cursor", "is not a cursor returned by samples()");
    let min_start_ms = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let offset = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let batch_id = parts.next().ok_or_else(bad)?.to_owned();
    Ok(SampleCursor {
        min_start_ms,
        batch_id,
        offset,
    })
}

fn typed<T: JsCast>(f: &Fields, key: &str) -> Result<Option<T>, JsValue> {
    match f.value(key)? {
        None => Ok(None),
        Some(v) => {
            let got = type_of(&v);
            v.dyn_into::<T>()
                .map(Some)
                .map_err(|_| type_error(&f.name(key), format!("must be a typed array, got {got}")))
        }
    }
}

fn window_option(options: &JsValue) -> Result<Option<f64>, JsValue> {
    positive(&Fields::new(options, "options", &["windowMs"])?, "windowMs")
}

fn positive(f: &Fields, key: &str) -> Result<Option<f64>, JsValue> {
    match f.number(key)? {
        Some(v) if !(v.is_finite() && v > 0.0) => Err(range_error(
            &f.name(key),
            format!("must be a finite number > 0, got {v}"),
        )),
        other => Ok(other),
    }
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &key.into(), value).map(|_| ())
}

fn plain<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    to_js(value).map_err(plain_error)
}

/// Core validation failures are values out of their range: a `RangeError` naming the field.
fn field_error(e: FieldError) -> JsValue {
    super::errors::field_error(e)
}
