//! A running profiler in a page: drives the pure [`ProfilerCore`] with the page's clock,
//! timers, IndexedDB store, journal and lifecycle.
//!
//! The no-loss contract lives here. A sample whose `record` returned is in the batcher; the
//! batcher hands it to IndexedDB by size, age or priority; `flush()` and `stop()` drain the
//! batcher and await the commit; on page hide the drained batches are first journalled
//! synchronously to `localStorage` (a transaction started while a page goes away may never
//! commit) and then written, and the journal is replayed at the next start. Batch ids are the
//! record keys, so a batch written twice is stored once.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::{Interval, Timeout};
use gloo_timers::future::TimeoutFuture;
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;

use super::attached_hooks::AttachedHooks;
use super::clock::PerformanceClock;
use super::events::Emitter;
use super::idb_store::{StorageState, Store, StoreError, StoreOptions};
use super::instrument::{HookError, HookOptions};
use super::journal::Journal;
use super::lifecycle::PageExitListener;
use super::otlp_exporter::Exporter;
use crate::core::alerts::{AlertEvent, AlertKind};
use crate::core::batch::batcher::{Batch, FlushDecision};
use crate::core::batch::columnar::ColumnarBatch;
use crate::core::batch::retention::Retention;
use crate::core::batch::sample::Sample;
use crate::core::clock::Clock;
use crate::core::error::{FieldError, Rule};
use crate::core::export::ExportStats;
use crate::core::profiler::timing::ResourceTiming;
use crate::core::profiler::{ObservedCall, ProfilerConfig, ProfilerCore};

/// How often alert rules are evaluated (also after every flush).
const ALERT_INTERVAL_MS: u32 = 1_000;
/// Retention runs on this many alert ticks (about once a minute).
const RETENTION_EVERY_TICKS: u32 = 60;

/// Edge settings that are not the core's business.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// IndexedDB database name.
    pub db_name: String,
    /// What stored history is kept.
    pub retention: Retention,
}

/// The counters `profiler.stats()` reports.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeStats {
    /// Samples accepted by `record` or the hooks.
    pub accepted: u64,
    /// Samples waiting in memory for a write.
    pub buffered: u64,
    /// Samples confirmed written to storage.
    pub persisted: u64,
    /// Samples dropped because the buffer was full (`batch.maxBuffered`).
    pub dropped: u64,
    /// Successful writes.
    pub flushes: u64,
    /// Failed writes that were re-queued and retried.
    pub retries: u64,
    /// Mean samples per write.
    pub mean_batch_size: f64,
    /// Current adaptive batch size.
    pub batch_size: u64,
    /// `"persistent"`, `"memory"` or `"closed"`.
    pub storage: &'static str,
    /// Why storage is memory-only, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_reason: Option<String>,
    /// Problems contained inside apiscope (each also reported through an `error` event).
    pub errors: u64,
    /// Batches replayed from the page-hide journal at start.
    pub journal_replayed: u32,
    /// Writes that hit the storage quota (each applied retention and retried once).
    pub quota_errors: u32,
    /// OTLP export counters, when `export` is configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<ExportStats>,
}

#[derive(Debug, Default)]
struct Counters {
    /// Samples written by `flush()`, `stop()` and page hide (outside the batcher's own count).
    persisted_directly: u64,
    flushes: u64,
    samples_written: u64,
    errors: u64,
}

/// Reads a response cache's current hit rate.
type HitRateProbe = Box<dyn Fn() -> Option<f64>>;

/// One profiler's running state; shared by the facade, its timers and its listeners.
pub struct Runtime {
    core: RefCell<ProfilerCore>,
    store: Store,
    journal: Option<Journal>,
    clock: PerformanceClock,
    retention: Retention,
    events: Emitter,
    flushing: Cell<bool>,
    flush_timer: RefCell<Option<(f64, Timeout)>>,
    ticker: RefCell<Option<Interval>>,
    ticks: Cell<u32>,
    page_exit: RefCell<Option<PageExitListener>>,
    hooks: RefCell<Option<AttachedHooks>>,
    cache_hit_rate: RefCell<Option<HitRateProbe>>,
    exporter: RefCell<Option<Exporter>>,
    counters: RefCell<Counters>,
    stopped: Cell<bool>,
}

impl Runtime {
    /// Opens storage (falling back to memory where IndexedDB is unusable), replays the
    /// journal, and starts the timers and page-exit listeners.
    pub async fn start(
        config: ProfilerConfig,
        options: RuntimeOptions,
    ) -> Result<Rc<Runtime>, FieldError> {
        let clock = PerformanceClock::from_global()
            .ok_or_else(|| FieldError::new("global", Rule::Form("a scope with `performance`")))?;
        let session = (js_sys::Math::random() * 2f64.powi(53)) as u64;
        let core = ProfilerCore::new(config, session, &page_origin())?;
        let store_options = StoreOptions {
            retention: options.retention,
            ..StoreOptions::default()
        };
        let store = match Store::open_with(&options.db_name, store_options).await {
            Ok(store) => store,
            Err(StoreError::Invalid(e)) => return Err(e),
            Err(other) => {
                let rule = Rule::Form("a database that opens");
                return Err(FieldError::new("dbName", rule).got_text(other.to_string()));
            }
        };
        let runtime = Rc::new(Runtime {
            core: RefCell::new(core),
            journal: Journal::open(&options.db_name),
            store,
            clock,
            retention: options.retention,
            events: Emitter::default(),
            flushing: Cell::new(false),
            flush_timer: RefCell::new(None),
            ticker: RefCell::new(None),
            ticks: Cell::new(0),
            page_exit: RefCell::new(None),
            hooks: RefCell::new(None),
            cache_hit_rate: RefCell::new(None),
            exporter: RefCell::new(None),
            counters: RefCell::new(Counters::default()),
            stopped: Cell::new(false),
        });
        runtime.install_listeners();
        let this = runtime.clone();
        spawn_local(async move { this.apply_retention().await });
        Ok(runtime)
    }

    fn install_listeners(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        *self.page_exit.borrow_mut() = PageExitListener::new(move |_| {
            if let Some(this) = weak.upgrade() {
                this.on_page_exit();
            }
        });
        let weak = Rc::downgrade(self);
        *self.ticker.borrow_mut() = Some(Interval::new(ALERT_INTERVAL_MS, move || {
            if let Some(this) = weak.upgrade() {
                this.tick();
            }
        }));
    }

    /// Installs the fetch/XHR hooks (and the Resource Timing observer) for this profiler;
    /// `stop()` removes them.
    pub fn attach_hooks(
        self: &Rc<Self>,
        options: HookOptions,
        resource_timing: bool,
    ) -> Result<(), HookError> {
        let attached = AttachedHooks::attach(self, options, resource_timing)?;
        *self.hooks.borrow_mut() = Some(attached);
        Ok(())
    }

    /// Sends every recorded call to `exporter` too (OTLP export).
    pub fn attach_exporter(&self, exporter: Exporter) {
        *self.exporter.borrow_mut() = Some(exporter);
    }

    /// Files a recorded call for the OTLP export, if one is configured.
    fn export(&self, method: &str, route: &str, duration_ms: f64, is_error: bool) {
        if let Some(exporter) = &*self.exporter.borrow() {
            if let Err(e) = exporter.record(method, route, duration_ms, is_error) {
                self.report_error("export", &e.to_string());
            }
        }
    }

    /// Where `cacheHitRate` alert rules read the response cache's hit rate from.
    pub fn watch_cache(&self, hit_rate: impl Fn() -> Option<f64> + 'static) {
        *self.cache_hit_rate.borrow_mut() = Some(Box::new(hit_rate));
    }

    /// Epoch milliseconds now.
    pub fn now(&self) -> f64 {
        self.clock.now_ms()
    }

    /// The page clock (for converting Resource Timing times).
    pub fn clock(&self) -> &PerformanceClock {
        &self.clock
    }

    /// The event listeners.
    pub fn events(&self) -> &Emitter {
        &self.events
    }

    /// The store (history queries go straight to it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `f` with the core borrowed; queries use it.
    pub fn with_core<T>(&self, f: impl FnOnce(&mut ProfilerCore) -> T) -> T {
        f(&mut self.core.borrow_mut())
    }

    /// Records one sample; an invalid one is rejected, naming the field, and nothing changes.
    pub fn record(self: &Rc<Self>, sample: Sample) -> Result<(), FieldError> {
        sample.validate()?;
        self.export(
            &sample.method,
            &sample.route,
            sample.duration_ms,
            !sample.ok,
        );
        let now = self.now();
        let decision = self.core.borrow_mut().record(sample, now)?;
        self.schedule(decision);
        Ok(())
    }

    /// Records many samples: all are validated first; one bad sample rejects the whole call.
    pub fn record_many(self: &Rc<Self>, samples: Vec<Sample>) -> Result<(), FieldError> {
        for (i, sample) in samples.iter().enumerate() {
            sample
                .validate()
                .map_err(|e| e.within(&crate::core::error::indexed("samples", i)))?;
        }
        let now = self.now();
        let mut decision = FlushDecision::Idle;
        {
            let mut core = self.core.borrow_mut();
            for sample in samples {
                self.export(
                    &sample.method,
                    &sample.route,
                    sample.duration_ms,
                    !sample.ok,
                );
                decision = core.record(sample, now)?;
            }
        }
        self.schedule(decision);
        Ok(())
    }

    /// A call the hooks observed. Problems are contained and reported, never thrown.
    pub fn observe(self: &Rc<Self>, call: ObservedCall) {
        // The call's end (fetch: its response headers, just now; XHR: its headers, a moment
        // before the load event) stands for now: near enough for batching, and no clock read.
        let now = call.start_ms + call.duration_ms;
        let (method, duration, is_error) = (call.method.clone(), call.duration_ms, !call.ok);
        let outcome = self.core.borrow_mut().observe(call, now);
        match outcome {
            Ok(route) => {
                self.export(&method, &route, duration, is_error);
                let decision = self.core.borrow().next_deadline();
                if let Some(at) = decision {
                    self.schedule(FlushDecision::At(at));
                }
            }
            Err(e) => self.report_error("instrument", &e.to_string()),
        }
    }

    /// A Resource Timing entry from the observer (times already epoch ms).
    pub fn offer_timing(&self, entry: ResourceTiming) {
        let now = self.now();
        self.core.borrow_mut().offer_timing(entry, now);
    }

    /// Counts a problem inside apiscope and tells `error` listeners; never throws.
    pub fn report_error(&self, context: &str, message: &str) {
        self.counters.borrow_mut().errors += 1;
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"context".into(), &context.into());
        let _ = js_sys::Reflect::set(&detail, &"message".into(), &message.into());
        self.events.emit("error", &detail);
    }

    fn schedule(self: &Rc<Self>, decision: FlushDecision) {
        if self.stopped.get() {
            return;
        }
        match decision {
            FlushDecision::Idle => {}
            FlushDecision::Now => self.start_flush(),
            FlushDecision::At(at) => self.arm_timer(at),
        }
    }

    fn start_flush(self: &Rc<Self>) {
        if self.flushing.replace(true) {
            return; // the running flush loop picks up what is due
        }
        self.flush_timer.borrow_mut().take();
        let this = self.clone();
        spawn_local(async move { this.flush_due().await });
    }

    /// Keeps one timer, for the earliest deadline.
    fn arm_timer(self: &Rc<Self>, at: f64) {
        if self.flushing.get() {
            return; // the flush loop re-arms when it ends
        }
        let mut timer = self.flush_timer.borrow_mut();
        if timer.as_ref().is_some_and(|(armed, _)| *armed <= at) {
            return;
        }
        let delay = (at - self.now()).clamp(0.0, u32::MAX as f64) as u32;
        let weak: Weak<Self> = Rc::downgrade(self);
        let timeout = Timeout::new(delay, move || {
            if let Some(this) = weak.upgrade() {
                this.flush_timer.borrow_mut().take();
                this.start_flush();
            }
        });
        *timer = Some((at, timeout));
    }

    /// Writes batches while the batcher has one due; one write in flight at a time.
    async fn flush_due(self: Rc<Self>) {
        loop {
            let now = self.now();
            let Some(batch) = self.core.borrow_mut().poll_batch(now) else {
                break;
            };
            let id = batch.id;
            let started = self.now();
            let written = self.write(&[batch]).await;
            let now = self.now();
            let mut core = self.core.borrow_mut();
            match written {
                Ok(_) => core.batch_done(id, now - started, now),
                Err(ref e) => {
                    drop(core);
                    self.report_error("storage", &e.to_string());
                    self.core.borrow_mut().batch_failed(id, now)
                }
            };
        }
        self.flushing.set(false);
        self.tick();
        let next = self.core.borrow().next_deadline();
        if let Some(at) = next {
            self.schedule(FlushDecision::At(at));
        }
    }

    /// Encodes and writes `batches` in one transaction; returns the samples written.
    async fn write(&self, batches: &[Batch]) -> Result<u64, StoreError> {
        let encoded = encode(batches)?;
        self.store.put_batches(&encoded).await?;
        let samples: u64 = encoded.iter().map(|b| b.len() as u64).sum();
        {
            let mut counters = self.counters.borrow_mut();
            counters.flushes += 1;
            counters.samples_written += samples;
        }
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"samples".into(), &(samples as f64).into());
        self.events.emit("flush", &detail);
        Ok(samples)
    }

    /// Writes every sample recorded so far and resolves once IndexedDB committed them, with
    /// how many samples were waiting (buffered or being written) when it was called.
    pub async fn flush(self: &Rc<Self>) -> Result<u64, StoreError> {
        let waiting = {
            let stats = self.core.borrow().batch_stats();
            (stats.buffered + stats.in_flight) as u64
        };
        // Let a running write finish first, so no batch is both in flight and drained.
        while self.flushing.get() {
            TimeoutFuture::new(1).await;
        }
        let batches = self.core.borrow_mut().drain_batches();
        if batches.is_empty() {
            return Ok(waiting);
        }
        match self.write(&batches).await {
            Ok(samples) => {
                self.counters.borrow_mut().persisted_directly += samples;
                Ok(waiting)
            }
            Err(e) => {
                // The batcher handed these off: keep them in the journal for the next start.
                if let (Some(journal), Ok(encoded)) = (&self.journal, encode(&batches)) {
                    journal.write(&encoded);
                }
                self.report_error("storage", &e.to_string());
                Err(e)
            }
        }
    }

    /// Hidden or unloading: journal synchronously, then write; the journal entry goes once
    /// the write commits.
    fn on_page_exit(self: &Rc<Self>) {
        let batches = self.core.borrow_mut().drain_batches();
        let Ok(encoded) = encode(&batches) else {
            return;
        };
        if encoded.is_empty() {
            return;
        }
        if let Some(journal) = &self.journal {
            journal.write(&encoded);
        }
        let this = self.clone();
        spawn_local(async move {
            if this.store.put_batches(&encoded).await.is_ok() {
                let samples: u64 = encoded.iter().map(|b| b.len() as u64).sum();
                {
                    let mut counters = this.counters.borrow_mut();
                    counters.persisted_directly += samples;
                    counters.flushes += 1;
                    counters.samples_written += samples;
                }
                if let Some(journal) = &this.journal {
                    journal.remove(encoded.iter().map(ColumnarBatch::id));
                }
            }
        });
    }

    /// Evaluates alerts (and now and then applies retention).
    fn tick(self: &Rc<Self>) {
        let now = self.now();
        let hit_rate = self
            .cache_hit_rate
            .borrow()
            .as_ref()
            .and_then(|probe| probe());
        let events = {
            let mut core = self.core.borrow_mut();
            core.set_cache_hit_rate(hit_rate);
            core.evaluate_alerts(now)
        };
        for event in &events {
            self.emit_alert(event);
        }
        let ticks = self.ticks.get().wrapping_add(1);
        self.ticks.set(ticks);
        if ticks % RETENTION_EVERY_TICKS == 0 {
            let this = self.clone();
            spawn_local(async move { this.apply_retention().await });
        }
    }

    /// Tells listeners and keeps the event in the alert history.
    fn emit_alert(self: &Rc<Self>, event: &AlertEvent) {
        let name = match event.kind {
            AlertKind::Fired => "alert",
            AlertKind::Resolved => "resolved",
        };
        let detail = match to_js(event) {
            Ok(detail) => detail,
            Err(e) => return self.report_error("alerts", &e),
        };
        self.events.emit(name, &detail);
        let this = self.clone();
        spawn_local(async move {
            if let Err(e) = this.store.put_alerts(&[detail]).await {
                this.report_error("alerts", &e.to_string());
            }
        });
    }

    async fn apply_retention(&self) {
        if let Err(e) = self
            .store
            .apply_retention(&self.retention, self.now())
            .await
        {
            self.report_error("retention", &e.to_string());
        }
    }

    /// Stops timers and listeners, writes everything recorded, and closes storage.
    pub async fn stop(self: &Rc<Self>) -> Result<u64, StoreError> {
        self.stopped.set(true);
        self.hooks.borrow_mut().take();
        self.ticker.borrow_mut().take();
        self.flush_timer.borrow_mut().take();
        self.page_exit.borrow_mut().take();
        let written = self.flush().await;
        self.store.close();
        // What the collector does not take now stays in the outbox for the next start.
        let exporter = self.exporter.borrow_mut().take();
        if let Some(exporter) = exporter {
            exporter.flush().await;
        }
        written
    }

    /// Forgets live figures and deletes stored history.
    pub async fn clear(&self) -> Result<(), StoreError> {
        self.core.borrow_mut().clear();
        self.store.clear().await
    }

    /// Counters for `profiler.stats()`.
    pub fn stats(&self) -> RuntimeStats {
        let batch = self.core.borrow().batch_stats();
        let counters = self.counters.borrow();
        let (storage, storage_reason) = match self.store.state() {
            StorageState::Persistent => ("persistent", None),
            StorageState::MemoryOnly { reason } => ("memory", Some(reason)),
            StorageState::Closed => ("closed", None),
        };
        RuntimeStats {
            accepted: batch.accepted,
            buffered: (batch.buffered + batch.in_flight) as u64,
            persisted: batch.persisted + counters.persisted_directly,
            dropped: batch.dropped,
            flushes: counters.flushes,
            retries: batch.failed_flushes,
            mean_batch_size: if counters.flushes == 0 {
                0.0
            } else {
                counters.samples_written as f64 / counters.flushes as f64
            },
            batch_size: batch.batch_size as u64,
            storage,
            storage_reason,
            errors: counters.errors + self.events.listener_errors(),
            journal_replayed: self.store.stats().journal_replayed,
            quota_errors: self.store.stats().quota_errors,
            export: self.exporter.borrow().as_ref().map(Exporter::stats),
        }
    }
}

fn encode(batches: &[Batch]) -> Result<Vec<ColumnarBatch>, StoreError> {
    batches
        .iter()
        .map(|b| ColumnarBatch::encode(b.id.to_string(), &b.samples).map_err(StoreError::Invalid))
        .collect()
}

/// A serde value as a plain JS object (numbers, strings, arrays; no Maps).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, String> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| e.to_string())
}

/// `location.origin` of the window or worker; empty where there is none.
pub fn page_origin() -> String {
    location_part("origin")
}

/// `location.href` of the window or worker; empty where there is none.
pub fn page_href() -> String {
    location_part("href")
}

fn location_part(part: &str) -> String {
    js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|location| js_sys::Reflect::get(&location, &part.into()))
        .ok()
        .and_then(|value| value.as_string())
        .unwrap_or_default()
}
