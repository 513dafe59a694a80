//! Exports per-route latency histograms to an OTLP/HTTP collector, without ever getting in
//! the app's way: an unreachable or failing collector costs bounded memory and storage, and
//! every body is kept until a 2xx (or a permanent 4xx) answers it.
//!
//! Driving it from the profiler facade:
//! - `Profiler.start({ export })`: deserialise `export` into an [`ExportConfig`], then
//!   [`Exporter::start`]`(config, dbName, &registryConfig).await`; its `FieldError` names
//!   `export.<option>`. Give [`Exporter::export_url`] to the fetch hook so that the
//!   exporter's own requests are never measured.
//! - every recorded call: [`Exporter::record`]`(method, route, durationMs, isError)`.
//! - `flush()`: also await [`Exporter::flush`]; `stats()`: [`Exporter::stats`].
//! - `stop()`: await [`Exporter::flush`], then drop the exporter (timers and listeners go
//!   with it; what could not be delivered stays in the outbox for the next start).
//!
//! Page hide needs nothing from the facade: the exporter listens itself (`visibilitychange` to
//! hidden and `pagehide`, via [`PageExitListener`]) and calls [`Exporter::on_page_hide`].
//! Likewise it listens to `online`. In a worker there is no page to hide; the interval and
//! the outbox still work.
//!
//! Delivery is at least once: a body is deleted from the outbox only after its 2xx, so a page
//! that dies between a collector's 2xx and the delete resends the body at the next start.
//! Every request carries `X-Apiscope-Batch: <batch id>` for collectors that dedupe.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_timers::callback::Interval;
use gloo_timers::future::TimeoutFuture;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::EventTarget;

use super::clock::PerformanceClock;
use super::lifecycle::PageExitListener;
use super::otlp_post::{self, Collector};
use super::outbox::OutboxDb;
use crate::core::clock::Clock;
use crate::core::error::FieldError;
use crate::core::export::{
    DeltaAggregator, EntryKey, ExportConfig, ExportQueue, ExportStats, KEEPALIVE_BODY_BUDGET,
    OtlpResource, OutboxEntry, SendOutcome, Settled, encode_requests, retry_delay_ms,
};
use crate::core::routes::registry::RegistryConfig;

/// A running exporter; dropping it stops the timer and the listeners.
#[must_use = "exporting stops when the exporter is dropped"]
pub struct Exporter {
    inner: Rc<Inner>,
    _interval: Interval,
    _page_exit: Option<PageExitListener>,
    _online: OnlineListener,
}

/// The send chain: at most one runs, and none while a backoff wait is armed, so retries never
/// overlap.
#[derive(Default)]
struct Chain {
    running: bool,
    /// The generation of the armed backoff wait; a wait whose generation is no longer here
    /// was cancelled and does nothing when it ends.
    backoff: Option<u64>,
    generation: u64,
    /// `flush()` calls waiting for the chain to end.
    waiters: Vec<Function>,
}

struct Inner {
    collector: Collector,
    resource: OtlpResource,
    clock: Option<PerformanceClock>,
    aggregator: RefCell<DeltaAggregator>,
    queue: RefCell<ExportQueue>,
    db: Option<OutboxDb>,
    chain: RefCell<Chain>,
    stopped: Cell<bool>,
}

impl Exporter {
    /// Validates `config` (errors name `export.<option>`), opens the outbox database
    /// `<db_name>-outbox` (in memory if IndexedDB is unusable), starts the interval and the
    /// listeners, and starts sending what earlier pages left in the outbox. `registry` gives
    /// the sketch accuracy and the route cap.
    pub async fn start(
        config: &ExportConfig,
        db_name: &str,
        registry: &RegistryConfig,
    ) -> Result<Exporter, FieldError> {
        config.validate()?;
        let collector = Collector::new(&config.url, &config.headers)?;
        let clock = PerformanceClock::from_global();
        let now = now_ms(&clock);
        let aggregator = DeltaAggregator::new(registry, now)?;
        let session = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
        let mut queue = ExportQueue::new(config.max_outbox as usize, session);
        let db = match OutboxDb::open(&format!("{db_name}-outbox")).await {
            Ok(db) => Some(db),
            Err(e) => {
                queue.note_error(format!("{e} (the outbox is kept in memory)"));
                None
            }
        };
        let restored = match &db {
            Some(db) => db.load().await,
            None => Ok(Vec::new()),
        };
        let dropped = match restored {
            Ok(entries) => queue.restore(entries),
            Err(e) => {
                queue.note_error(e);
                Vec::new()
            }
        };
        let inner = Rc::new(Inner {
            collector,
            resource: OtlpResource::new(config, &page_origin()),
            clock,
            aggregator: RefCell::new(aggregator),
            queue: RefCell::new(queue),
            db,
            chain: RefCell::default(),
            stopped: Cell::new(false),
        });
        inner.persist(&[], &dropped);
        let tick = Rc::downgrade(&inner);
        let interval = Interval::new(config.interval_ms as u32, move || {
            if let Some(inner) = tick.upgrade() {
                inner.export_pending();
                inner.kick();
            }
        });
        let hide = Rc::downgrade(&inner);
        let page_exit = PageExitListener::new(move |_| {
            if let Some(inner) = hide.upgrade() {
                inner.on_page_hide();
            }
        });
        let online = OnlineListener::new(Rc::downgrade(&inner));
        inner.kick();
        Ok(Exporter {
            inner,
            _interval: interval,
            _page_exit: page_exit,
            _online: online,
        })
    }

    /// The URL the exporter POSTs to (normalised by the URL parser); the fetch hook must not
    /// measure requests to it.
    pub fn export_url(&self) -> &str {
        self.inner.collector.url()
    }

    /// Files one call for the next export; cheap (a map lookup and a sketch insert). A bad
    /// duration is refused and changes nothing.
    pub fn record(
        &self,
        method: &str,
        route: &str,
        duration_ms: f64,
        is_error: bool,
    ) -> Result<(), FieldError> {
        self.inner
            .aggregator
            .borrow_mut()
            .record(method, route, duration_ms, is_error)
    }

    /// Exports what is pending now and sends the whole outbox, cancelling any backoff wait;
    /// resolves once every body was tried (or the first failure re-armed the backoff).
    pub async fn flush(&self) -> ExportStats {
        let inner = &self.inner;
        inner.export_pending();
        inner.cancel_backoff();
        let done = Promise::new(&mut |resolve, _| inner.chain.borrow_mut().waiters.push(resolve));
        inner.kick();
        // The promise only ever resolves.
        let _ = JsFuture::from(done).await;
        self.stats()
    }

    /// What to do when the page may be going away (the exporter calls it itself on
    /// `visibilitychange` to hidden and `pagehide`): exports what is pending into the outbox
    /// (its IndexedDB write starts now), then sends the newest bodies with `keepalive`, as
    /// many as fit the 64 KiB keepalive quota.
    pub fn on_page_hide(&self) {
        self.inner.on_page_hide();
    }

    /// Counters and the outbox length.
    pub fn stats(&self) -> ExportStats {
        self.inner.queue.borrow().stats()
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.inner.stopped.set(true);
        self.inner.cancel_backoff();
    }
}

impl Inner {
    fn now(&self) -> f64 {
        now_ms(&self.clock)
    }

    /// Takes the pending histograms into outbox entries, stored at once.
    fn export_pending(self: &Rc<Self>) {
        let now = self.now();
        let Some(points) = self.aggregator.borrow_mut().take(now) else {
            return;
        };
        let bodies = encode_requests(&points, &self.resource, KEEPALIVE_BODY_BUDGET);
        let (added, dropped) = self.queue.borrow_mut().push(bodies, now);
        self.persist(&added, &dropped);
    }

    /// Mirrors queue changes into the outbox database; a failure only shows in the stats.
    fn persist(self: &Rc<Self>, puts: &[OutboxEntry], deletes: &[EntryKey]) {
        let Some(db) = &self.db else {
            return;
        };
        let write = db.write(puts, deletes);
        let weak = Rc::downgrade(self);
        spawn_local(async move {
            if let (Err(e), Some(inner)) = (write.await, weak.upgrade()) {
                inner.queue.borrow_mut().note_error(e);
            }
        });
    }

    /// Starts the send chain unless one is running or waiting out a backoff.
    fn kick(self: &Rc<Self>) {
        let mut chain = self.chain.borrow_mut();
        if chain.running || chain.backoff.is_some() || self.stopped.get() {
            return;
        }
        chain.running = true;
        spawn_local(drain(self.clone()));
    }

    /// Applies a send's outcome to the queue and the database; true if it should be retried.
    fn settle(self: &Rc<Self>, entry: &OutboxEntry, outcome: SendOutcome) -> bool {
        let settled = self.queue.borrow_mut().settle(&entry.key, outcome);
        match settled {
            Settled::Remove => self.persist(&[], &[entry.key]),
            Settled::Retry(stored) => {
                self.persist(&[stored], &[]);
                return true;
            }
            Settled::Unknown => {}
        }
        false
    }

    /// Waits out the backoff for the current failure streak, then kicks the chain again.
    fn arm_backoff(self: &Rc<Self>) {
        let delay = retry_delay_ms(self.queue.borrow().failures(), js_sys::Math::random());
        let generation = {
            let mut chain = self.chain.borrow_mut();
            chain.generation += 1;
            chain.backoff = Some(chain.generation);
            chain.generation
        };
        let weak = Rc::downgrade(self);
        spawn_local(async move {
            TimeoutFuture::new(delay as u32).await;
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let current = inner.chain.borrow().backoff == Some(generation);
            if current {
                inner.chain.borrow_mut().backoff = None;
                inner.kick();
            }
        });
    }

    fn cancel_backoff(&self) {
        self.chain.borrow_mut().backoff = None;
    }

    fn on_page_hide(self: &Rc<Self>) {
        self.export_pending();
        let sends = self.queue.borrow_mut().keepalive_sends();
        for entry in sends {
            let sent = self.collector.post(&entry, true);
            let inner = self.clone();
            spawn_local(async move {
                let outcome = otlp_post::outcome(sent).await;
                // A failure waits for the chain's next run (the interval kicks it).
                inner.settle(&entry, outcome);
            });
        }
    }

    /// The network is back: retry at once, with a fresh backoff streak.
    fn on_online(self: &Rc<Self>) {
        self.queue.borrow_mut().reset_failures();
        self.cancel_backoff();
        self.kick();
    }
}

/// Sends the outbox oldest first, one request at a time (a failing collector sees no burst,
/// and the app keeps its connections), until it is empty or a send fails.
async fn drain(inner: Rc<Inner>) {
    while !inner.stopped.get() {
        let Some(entry) = inner.queue.borrow_mut().next_send() else {
            break;
        };
        let outcome = otlp_post::outcome(inner.collector.post(&entry, false)).await;
        if inner.settle(&entry, outcome) {
            inner.arm_backoff();
            break;
        }
    }
    let waiters = {
        let mut chain = inner.chain.borrow_mut();
        chain.running = false;
        std::mem::take(&mut chain.waiters)
    };
    for resolve in waiters {
        let _ = resolve.call0(&JsValue::NULL);
    }
}

fn now_ms(clock: &Option<PerformanceClock>) -> f64 {
    clock.as_ref().map_or_else(js_sys::Date::now, Clock::now_ms)
}

/// `location.origin` of the window or worker.
fn page_origin() -> String {
    Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|location| Reflect::get(&location, &"origin".into()))
        .ok()
        .and_then(|origin| origin.as_string())
        .unwrap_or_else(|| "null".to_owned())
}

/// Kicks the exporter on the global `online` event while alive.
struct OnlineListener {
    target: EventTarget,
    handler: Closure<dyn FnMut()>,
}

impl OnlineListener {
    fn new(inner: Weak<Inner>) -> Self {
        let target: EventTarget = js_sys::global().unchecked_into();
        let handler = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = inner.upgrade() {
                inner.on_online();
            }
        });
        // Only fails for a non-callable handler, which a Closure never is.
        let _ = target.add_event_listener_with_callback("online", handler.as_ref().unchecked_ref());
        Self { target, handler }
    }
}

impl Drop for OnlineListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback("online", self.handler.as_ref().unchecked_ref());
    }
}
