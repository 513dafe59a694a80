//! The profiler's brain, with no browser in it: every measured call goes through here.
//!
//! A call arrives either as a [`Sample`] (the app recorded it) or as a [`SettledRequest`] of
//! a call site (the fetch/XHR hooks saw it). A settled request with a response waits for its
//! Resource Timing entry, which tells when its body ended (a bounded wait: past it, or without
//! an entry, the call is timed to its headers and says so). Then it is recorded into the
//! per-route windows (live figures, alerts, trends), pushed to the batcher (persistence) and to
//! the export, exactly once.
//! The browser edge owns the clock, timers and IndexedDB and drives this type with `now_ms`.

use std::sync::Arc;

use serde::Serialize;

use crate::core::alerts::trend::{TrendConfig, TrendReport, compare};
use crate::core::alerts::{AlertEngine, AlertEvent, RouteMetrics, RuleSpec};
use crate::core::batch::batcher::{
    Batch, BatchId, Batcher, BatcherConfig, BatcherStats, FlushDecision,
};
use crate::core::batch::sample::Sample;
use crate::core::delivery::{Delivery, Timing};
use crate::core::error::{FieldError, indexed};
use crate::core::export::{DeltaAggregator, ExportDeltas, ExportPoint};
use crate::core::order::sort_by;
use crate::core::profiler::breakdown::{BreakdownMeans, means, phases};
use crate::core::profiler::id_slots::IdSlots;
use crate::core::profiler::request::{Outcome, SettledRequest};
use crate::core::profiler::sites::CallSites;
use crate::core::profiler::timing::{Breakdown, MatcherConfig, ResourceTiming, TimingMatcher};
use crate::core::routes::RouteSummary;
use crate::core::routes::Templater;
use crate::core::routes::registry::{RegistryConfig, RouteRegistry, RouteWindow};
use crate::core::routes::route_windows::{Observation, Phases};
use crate::core::routes::slow_calls::SlowCall;
use crate::core::sketch::Sketch;

/// Recent calls remembered so a late Resource Timing entry can find its call.
const RECENT_CALLS_KEPT: usize = 1024;
/// The baseline a trend compares against: the hour before the current window.
const TREND_BASELINE_MS: f64 = 3_600_000.0;

/// Everything [`ProfilerCore::new`] needs; the facade builds it from the JS options.
#[derive(Debug, Clone)]
pub struct ProfilerConfig {
    /// Rolling windows and sketch accuracy.
    pub registry: RegistryConfig,
    /// When batches are written.
    pub batch: BatcherConfig,
    /// User route templates (win over the built-in rules).
    pub routes: Vec<String>,
    /// Alert rules installed at start.
    pub alerts: Vec<RuleSpec>,
    /// Whether Resource Timing entries will be offered; without them, calls skip the
    /// bookkeeping that waits for one.
    pub resource_timing: bool,
    /// How many call sites the hooks' ids map to at once.
    pub call_sites: usize,
}

impl Default for ProfilerConfig {
    fn default() -> Self {
        Self {
            registry: RegistryConfig::default(),
            batch: BatcherConfig::default(),
            routes: Vec::new(),
            alerts: Vec::new(),
            resource_timing: true,
            call_sites: 1024,
        }
    }
}

/// What became of a settled request ([`ProfilerCore::settle`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Settle {
    /// Recorded under this route.
    Filed(Arc<str>),
    /// Its call site is not (or no longer) known: register it and settle again.
    UnknownSite,
    /// Refused: its URL does not template (the error names it).
    Invalid(FieldError),
}

/// One entry of the slow-call log as the facade reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlowCallReport {
    /// The URL without query or fragment.
    pub url: String,
    /// The route template.
    pub route: String,
    /// Upper-case method.
    pub method: String,
    /// HTTP status; 0 without a response.
    pub status: u16,
    /// How long it took, ms.
    pub duration_ms: f64,
    /// When it started, epoch ms.
    pub start_time: f64,
    /// Its phases, where its Resource Timing entry told them.
    pub breakdown: Breakdown,
}

/// A route's live figures plus request rate and trend against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteSnapshot {
    #[serde(flatten)]
    /// The route's figures over the window.
    pub summary: RouteSummary,
    /// Requests per second over the window (or since the profiler started, if shorter).
    pub rps: f64,
    /// p50/p95/p99 against the previous hour; absent while either side is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<TrendReport>,
}

/// One step of [`ProfilerCore::timeline`]: a route's quantiles over the step ending at `end_ms`
/// (NaN where the step holds no call).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimelineStep {
    /// End of the step, epoch ms.
    pub end_ms: f64,
    /// Median, ms.
    pub p50: f64,
    /// 95th percentile, ms.
    pub p95: f64,
    /// 99th percentile, ms.
    pub p99: f64,
    /// Calls in the step.
    pub count: u64,
}

/// `(method, route)`: what live figures, slow calls and breakdowns are grouped by.
type RouteId = (Arc<str>, Arc<str>);

/// A settled call waiting for its Resource Timing entry: its body may still be arriving.
#[derive(Debug, Clone)]
struct Pending {
    route: RouteId,
    url: Arc<str>,
    status: u16,
    outcome: Outcome,
    start_ms: f64,
    headers_ms: f64,
    /// When the body was complete, where the transport said (XHR).
    end_ms: Option<f64>,
}

/// The pure profiler: routes, live sketches, batching, alerts, slow calls and timing.
///
/// ```
/// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
/// use apiscope::core::profiler::request::{Outcome, SettledRequest, Transport};
/// let config = ProfilerConfig { resource_timing: false, ..ProfilerConfig::default() };
/// let mut p = ProfilerCore::new(config, 1, "https://app.example").unwrap();
/// p.register_sites(&[0], "GET\thttps://app.example/api/users/42\t").unwrap();
/// let call = SettledRequest {
///     site: 0, transport: Transport::Fetch, status: 200, outcome: Outcome::Ok,
///     start_ms: 1_000.0, headers_ms: 1_035.0, end_ms: None,
/// };
/// p.settle(call, 1_035.0);
/// let snap = p.snapshot(1_035.0, Some(60_000.0)).unwrap();
/// assert_eq!(snap[0].summary.route, "/api/users/:id");
/// assert_eq!(snap[0].summary.count, 1);
/// ```
pub struct ProfilerCore {
    resource_timing: bool,
    started_ms: Option<f64>,
    /// URL → route; each call site keeps the label of its URL, so a URL is templated once
    /// per site.
    templater: Templater,
    page_origin: String,
    sites: CallSites,
    registry: RouteRegistry,
    batcher: Batcher,
    alerts: AlertEngine,
    /// Calls waiting for their Resource Timing entry.
    matcher: TimingMatcher<Pending>,
    /// The phases of recent calls that had an entry, by call id (for the slow log).
    recent_calls: IdSlots<Breakdown>,
    rejected: u64,
    next_call_id: u64,
    cache_hit_rate: Option<f64>,
    /// While OTLP export is on, every accepted sample again, per route since the last take
    /// (a trait object: builds that never export link no aggregation code).
    export: Option<Box<dyn ExportDeltas>>,
}

impl ProfilerCore {
    /// A profiler for a page at `page_origin` (its own routes are shown path-only).
    /// `session` makes batch ids unique across tabs and reloads.
    ///
    /// ```
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
    /// let mut config = ProfilerConfig::default();
    /// config.routes.push("/api/orders/:orderId".into());
    /// assert!(ProfilerCore::new(config, 7, "https://app.example").is_ok());
    /// ```
    pub fn new(
        config: ProfilerConfig,
        session: u64,
        page_origin: &str,
    ) -> Result<Self, FieldError> {
        let templater = Templater::new(&config.routes).map_err(|e| e.within("routes"))?;
        let registry = RouteRegistry::new(config.registry).map_err(|e| e.within("windows"))?;
        let batcher = Batcher::new(config.batch, session).map_err(|e| e.within("batch"))?;
        let mut alerts = AlertEngine::default();
        for (i, spec) in config.alerts.into_iter().enumerate() {
            let window_ms = spec.window_ms;
            alerts
                .add(spec)
                .and_then(|()| registry.check_window(window_ms).map(drop))
                .map_err(|e| e.within(&indexed("alerts", i)))?;
        }
        Ok(Self {
            resource_timing: config.resource_timing,
            started_ms: None,
            templater,
            page_origin: page_origin.to_owned(),
            sites: CallSites::new(config.call_sites),
            registry,
            batcher,
            alerts,
            matcher: TimingMatcher::new(MatcherConfig::default()),
            recent_calls: IdSlots::new(RECENT_CALLS_KEPT),
            rejected: 0,
            next_call_id: 0,
            cache_hit_rate: None,
            export: None,
        })
    }

    /// Records a sample the app reported itself (route already known). Invalid samples are
    /// rejected whole, naming the field, and change nothing.
    ///
    /// ```
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    /// let bad = Sample::new(0.0, -1.0, "GET", "/x", 200);
    /// assert_eq!(p.record(bad, 10.0).unwrap_err().field, "durationMs");
    /// assert!(p.record(Sample::new(0.0, 5.0, "GET", "/x", 200), 10.0).is_ok());
    /// ```
    pub fn record(&mut self, sample: Sample, now_ms: f64) -> Result<FlushDecision, FieldError> {
        self.file(sample, None, None, now_ms)
    }

    /// [`Self::record`], with the call's Resource Timing phases when an entry told them, and
    /// the call as the route's slow list would keep it, for a call the hooks saw.
    fn file(
        &mut self,
        sample: Sample,
        phases: Option<Phases>,
        slow: Option<SlowCall>,
        now_ms: f64,
    ) -> Result<FlushDecision, FieldError> {
        sample.validate()?;
        self.started_ms.get_or_insert(now_ms);
        // The live windows file a call under the time it finished; never in the future.
        let at = (sample.start_ms + sample.duration_ms).min(now_ms);
        let call = Observation {
            duration_ms: sample.duration_ms,
            error: !sample.ok,
            ttfb_ms: sample.ttfb_ms,
            timing: sample.timing,
            delivery: sample.delivery,
            protocol: sample.protocol,
            phases,
            slow,
        };
        self.registry
            .observe(&sample.method, &sample.route, &call, at)?;
        if let Some(export) = &mut self.export {
            export.record_sample(&sample)?;
        }
        Ok(self.batcher.push(sample, now_ms))
    }

    /// Turns OTLP export on: from `now_ms`, every sample [`Self::record`] accepts (the hooks'
    /// calls included) also goes into per-route delta sketches, taken by
    /// [`Self::take_export`]. Turning it on again starts a fresh interval.
    ///
    /// ```
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    /// p.record(Sample::new(0.0, 9.0, "GET", "/a", 200), 10.0).unwrap(); // before: not exported
    /// p.enable_export(20.0).unwrap();
    /// p.record(Sample::new(20.0, 12.0, "GET", "/a", 500), 40.0).unwrap();
    /// let points = p.take_export(50.0).unwrap();
    /// assert_eq!((points[0].sketch.count(), points[0].errors), (1, 1));
    /// assert_eq!((points[0].start_ms, points[0].end_ms), (20.0, 50.0));
    /// assert!(p.take_export(60.0).is_none()); // each sample is taken once
    /// ```
    pub fn enable_export(&mut self, now_ms: f64) -> Result<(), FieldError> {
        self.export = Some(Box::new(DeltaAggregator::new(
            self.registry.config(),
            now_ms,
        )?));
        Ok(())
    }

    /// Every route's samples since the last take (or since export was turned on), or `None`
    /// when there were none or export is off.
    pub fn take_export(&mut self, now_ms: f64) -> Option<Vec<ExportPoint>> {
        self.export.as_mut()?.take(now_ms)
    }

    /// The route an absolute or page-relative-resolved `url` is filed under.
    ///
    /// ```
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
    /// let p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    /// assert_eq!(p.route_of("https://a.example/api/users/7?x=1").unwrap(), "/api/users/:id");
    /// assert_eq!(p.route_of("not a url").unwrap_err().field, "url");
    /// ```
    pub fn route_of(&self, url: &str) -> Result<String, FieldError> {
        let key = self.templater.route(url, &self.page_origin)?;
        Ok(key.label().to_owned())
    }

    /// Registers the call sites `ids[i]` described by line `i` of `lines`
    /// (`METHOD \t url \t operation`); see [`CallSites::register`].
    pub fn register_sites(&mut self, ids: &[u32], lines: &str) -> Result<(), FieldError> {
        self.sites.register(ids, lines)
    }

    /// Records a request the hooks saw, by its call site: [`Settle::UnknownSite`] when the
    /// site's slot was reused (the hooks register it again and resend).
    ///
    /// ```
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore, Settle};
    /// use apiscope::core::profiler::request::{Outcome, SettledRequest, Transport};
    /// let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://app.example").unwrap();
    /// p.register_sites(&[0], "GET\thttps://app.example/api/users/42\t").unwrap();
    /// let request = SettledRequest {
    ///     site: 0, transport: Transport::Fetch, status: 200, outcome: Outcome::Ok,
    ///     start_ms: 1_000.0, headers_ms: 1_035.0, end_ms: None,
    /// };
    /// assert!(matches!(p.settle(request, 1_035.0), Settle::Filed(route) if &*route == "/api/users/:id"));
    /// assert!(matches!(p.settle(SettledRequest { site: 5, ..request }, 1_040.0), Settle::UnknownSite));
    /// ```
    pub fn settle(&mut self, request: SettledRequest, now_ms: f64) -> Settle {
        let Some(site) = self.sites.get_mut(request.site) else {
            return Settle::UnknownSite;
        };
        let route = match &site.route {
            Some(route) => route.clone(),
            None => {
                let label: Arc<str> = match self.templater.route(&site.url, &self.page_origin) {
                    Ok(key) => key.label().into(),
                    Err(e) => return Settle::Invalid(e),
                };
                let route: Arc<str> = match &site.operation {
                    Some(op) => {
                        let mut named = String::with_capacity(label.len() + 1 + op.len());
                        named.push_str(&label);
                        named.push('#');
                        named.push_str(op);
                        named.into()
                    }
                    None => label,
                };
                site.route = Some(route.clone());
                route
            }
        };
        let call = Pending {
            route: (site.method.clone(), route.clone()),
            url: site.url.clone(),
            status: request.status,
            outcome: request.outcome,
            start_ms: request.start_ms,
            headers_ms: request.headers_ms,
            end_ms: request.end_ms,
        };
        if self.resource_timing && request.outcome.has_response() {
            // Its duration runs to the body's end, which its Resource Timing entry tells.
            let url = call.url.clone();
            let matched = self
                .matcher
                .match_request(call, url, request.start_ms, now_ms);
            if let Some((call, entry)) = matched {
                self.finish(call, Some(&entry), now_ms);
            }
            self.advance(now_ms);
        } else {
            self.finish(call, None, now_ms);
        }
        Settle::Filed(route)
    }

    /// A Resource Timing entry arrived (its times epoch ms). The call waiting for it is
    /// filed with its duration to the body's end and what the entry tells (time to first
    /// byte, delivery, protocol, phases); an entry that comes first waits for its call.
    pub fn offer_timing(&mut self, entry: ResourceTiming, now_ms: f64) {
        if let Some((call, entry)) = self.matcher.offer_entry(entry, now_ms) {
            self.finish(call, Some(&entry), now_ms);
        }
        self.advance(now_ms);
    }

    /// Files the calls that waited for their entry longer than the wait allows, timed to
    /// their headers. The edge calls it on its timers; intake calls it too.
    pub fn advance(&mut self, now_ms: f64) {
        for call in self.matcher.expired(now_ms) {
            self.finish(call, None, now_ms);
        }
    }

    /// Files every call still waiting for its entry, timed to its headers: before a flush or
    /// a page exit, so that nothing the hooks saw is left out.
    pub fn finish_waiting(&mut self, now_ms: f64) {
        for call in self.matcher.take_requests() {
            self.finish(call, None, now_ms);
        }
    }

    /// How many calls wait for their Resource Timing entry.
    pub fn waiting(&self) -> usize {
        self.matcher.pending().1
    }

    /// Files a settled call, with its entry when there is one.
    fn finish(&mut self, call: Pending, entry: Option<&ResourceTiming>, now_ms: f64) {
        let told = entry.filter(|e| e.allowed());
        let (end_ms, timing) = match (call.end_ms, told) {
            // XHR knows when its body was complete.
            (Some(end), _) => (end, Timing::Full),
            // A small body often ends before the page's JS even sees the headers: the call was
            // complete for the app then.
            (None, Some(e)) if e.response_end >= call.start_ms => {
                (e.response_end.max(call.headers_ms), Timing::Full)
            }
            (None, _) if call.outcome.has_response() => (call.headers_ms, Timing::Headers),
            (None, _) => (call.headers_ms, Timing::Full),
        };
        let ttfb_ms = match told {
            Some(e) => Some(e.response_start - call.start_ms),
            None => call
                .outcome
                .has_response()
                .then_some(call.headers_ms - call.start_ms),
        };
        let duration_ms = (end_ms - call.start_ms).max(0.0);
        let mut sample = Sample::new(
            call.start_ms,
            duration_ms,
            call.route.0.clone(),
            call.route.1.clone(),
            call.status,
        );
        sample.ok = call.outcome.is_ok();
        sample.ttfb_ms = ttfb_ms.map(|t| t.clamp(0.0, duration_ms));
        sample.timing = timing;
        if let Some(e) = told {
            sample.delivery = e.delivery();
            sample.protocol = e.protocol();
            sample.bytes = (e.encoded_body_size > 0.0).then_some(e.encoded_body_size as u32);
        }
        let breakdown = entry.map(Breakdown::from_entry);
        let id = self.next_call_id;
        let slow = SlowCall {
            call_id: id,
            url: call.url,
            status: call.status,
            at_ms: call.start_ms,
            duration_ms,
        };
        let phases = breakdown.as_ref().map(phases);
        if self.file(sample, phases, Some(slow), now_ms).is_err() {
            self.rejected += 1;
            return;
        }
        self.next_call_id += 1;
        if let Some(breakdown) = breakdown {
            self.recent_calls.insert(id, breakdown);
        }
    }

    /// Calls the hooks saw that could not be filed (a method or route the samples refuse).
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Live per-route figures over the last `window_ms` (all retained history when `None`),
    /// with rates and trends, or the problem with `window_ms`: shorter than one slot
    /// (`windows.slotMs`). Each route's figures cover whole slots, so they may reach back
    /// further than `window_ms`: one slot while the window starts within `windows.fineMs`,
    /// about a quarter of its length beyond (see `RollingWindows::last`). `rps` divides by
    /// the time actually covered.
    ///
    /// ```
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    /// p.record(Sample::new(0.0, 5.0, "GET", "/a", 200), 0.0).unwrap();
    /// p.record(Sample::new(95_000.0, 5.0, "GET", "/a", 200), 100_000.0).unwrap();
    /// // 40 s .. 103 s was asked; the slot holding 40 s starts at 40 s: 1 call in 63 s.
    /// let snap = p.snapshot(103_000.0, Some(63_000.0)).unwrap();
    /// assert_eq!(snap[0].summary.count, 1);
    /// assert_eq!(snap[0].rps, 1.0 / 63.0);
    /// assert_eq!(p.snapshot(103_000.0, Some(3_000.0)).unwrap_err().field, "windowMs");
    /// ```
    pub fn snapshot(
        &self,
        now_ms: f64,
        window_ms: Option<f64>,
    ) -> Result<Vec<RouteSnapshot>, FieldError> {
        self.snapshot_of(now_ms, window_ms, None)
    }

    /// [`Self::snapshot`] of the calls of one delivery only (`Some(Delivery::Network)`: the
    /// backend's figures, without the HTTP cache's hits).
    ///
    /// ```
    /// use apiscope::core::delivery::Delivery;
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    /// let mut hit = Sample::new(0.0, 2.0, "GET", "/a", 200);
    /// hit.delivery = Delivery::Cache;
    /// let mut miss = Sample::new(0.0, 300.0, "GET", "/a", 200);
    /// miss.delivery = Delivery::Network;
    /// p.record(hit, 300.0).unwrap();
    /// p.record(miss, 300.0).unwrap();
    /// let all = p.snapshot(300.0, Some(60_000.0)).unwrap();
    /// assert_eq!((all[0].summary.count, all[0].summary.deliveries), (2, [0, 1, 1, 0]));
    /// let backend = p.snapshot_of(300.0, Some(60_000.0), Some(Delivery::Network)).unwrap();
    /// assert_eq!((backend[0].summary.count, backend[0].summary.min), (1, 300.0));
    /// ```
    pub fn snapshot_of(
        &self,
        now_ms: f64,
        window_ms: Option<f64>,
        only: Option<Delivery>,
    ) -> Result<Vec<RouteSnapshot>, FieldError> {
        if let Some(w) = window_ms {
            self.registry.check_window(w)?;
        }
        let elapsed = self.started_ms.map_or(0.0, |s| now_ms - s);
        // Loops, not chains (ARCHITECTURE.md, "Bytes"), here and below.
        let reads = self.registry.windows(now_ms, window_ms, only);
        let mut snapshot = Vec::with_capacity(reads.len());
        for r in reads {
            let trend = window_ms.and_then(|_| Self::trend(&self.registry, &r));
            let covered = r.window.to_ms - r.window.from_ms;
            let seconds = covered.min(elapsed).max(1.0) / 1_000.0;
            let summary = r.summary();
            snapshot.push(RouteSnapshot {
                rps: summary.count as f64 / seconds,
                summary,
                trend,
            });
        }
        // Busiest first, like stored history; ties by route for a stable order.
        sort_by(&mut snapshot, |a, b| {
            (b.summary.count, &a.summary.route, &a.summary.method).cmp(&(
                a.summary.count,
                &b.summary.route,
                &b.summary.method,
            ))
        });
        Ok(snapshot)
    }

    /// A route's window against the hour of slots before it (no slot in both); `None` while
    /// either is empty. Takes the registry alone so alert evaluation can call it while the
    /// engine is borrowed.
    fn trend(registry: &RouteRegistry, current: &RouteWindow) -> Option<TrendReport> {
        let from = current.window.from_ms;
        let baseline = registry.window_between(
            current.method,
            current.route,
            from - TREND_BASELINE_MS,
            from,
        )?;
        if current.window.sketch.count() == 0 || baseline.sketch.count() == 0 {
            return None;
        }
        Some(compare(
            &baseline.sketch.buckets(),
            &current.window.sketch.buckets(),
            &TrendConfig::default(),
        ))
    }

    /// The merged sketch of one route over the last `window_ms` (whole slots, as in
    /// [`Self::snapshot`]); `Ok(None)` for an unknown route, an error for a window shorter
    /// than one slot.
    pub fn window(
        &self,
        method: &str,
        route: &str,
        now_ms: f64,
        window_ms: f64,
    ) -> Result<Option<Sketch>, FieldError> {
        self.registry.check_window(window_ms)?;
        Ok(self
            .registry
            .window(method, route, now_ms, window_ms)
            .map(|w| w.sketch))
    }

    /// One route's p50/p95/p99 and count per `step_ms` over the last `window_ms`, oldest
    /// first: `(t_end, p50, p95, p99, count)`. Steps are whole slots (at least one, aligned to
    /// slot boundaries, wider where old slots are coarser), so no step falls between slots and
    /// reads as empty. The slot being filled now is left out: a few seconds of calls would
    /// read as a sudden change.
    ///
    /// ```
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    /// for t in [1_000.0, 12_000.0, 25_000.0, 31_000.0] {
    ///     p.record(Sample::new(t, 50.0, "GET", "/a", 200), t + 50.0).unwrap();
    /// }
    /// // 5 s steps become 10 s slots: three complete steps, one call each.
    /// let steps = p.timeline("GET", "/a", 32_000.0, 30_000.0, 5_000.0);
    /// let counts: Vec<u64> = steps.iter().map(|s| s.count).collect();
    /// assert_eq!(counts, [1, 1, 1]);
    /// ```
    pub fn timeline(
        &self,
        method: &str,
        route: &str,
        now_ms: f64,
        window_ms: f64,
        step_ms: f64,
    ) -> Vec<TimelineStep> {
        let steps = self
            .registry
            .steps(method, route, now_ms, window_ms, step_ms);
        let mut timeline = Vec::with_capacity(steps.len());
        for step in &steps {
            let s = &step.sketch;
            let q = |q| s.quantile(q).unwrap_or(f64::NAN);
            timeline.push(TimelineStep {
                end_ms: step.to_ms,
                p50: q(0.5),
                p95: q(0.95),
                p99: q(0.99),
                count: s.count(),
            });
        }
        timeline
    }

    /// The slowest recent calls of a route, slowest first, with breakdowns where known.
    pub fn slow_calls(&self, method: &str, route: &str, now_ms: f64) -> Vec<SlowCallReport> {
        let Some(calls) = self.registry.slow_calls(method, route) else {
            return Vec::new();
        };
        let mut reports = Vec::new();
        for c in calls.recent(now_ms) {
            reports.push(SlowCallReport {
                breakdown: self
                    .recent_calls
                    .get(c.call_id)
                    .copied()
                    .unwrap_or_default(),
                url: c.url.to_string(),
                route: route.to_owned(),
                method: method.to_owned(),
                status: c.status,
                duration_ms: c.duration_ms,
                start_time: c.at_ms,
            });
        }
        reports
    }

    /// Mean timing phases of a route's matched calls.
    pub fn breakdown(&self, method: &str, route: &str) -> BreakdownMeans {
        self.registry
            .phases(method, route)
            .map(means)
            .unwrap_or_default()
    }

    /// Evaluates every alert rule against the live windows. Call on a timer and after
    /// flushes, never per sample. Trends (an hour of slots merged per route) are computed
    /// only for the window lengths of `*Regression` rules.
    pub fn evaluate_alerts(&mut self, now_ms: f64) -> Vec<AlertEvent> {
        let registry = &self.registry;
        let hit_rate = self.cache_hit_rate;
        let mut trend_windows = Vec::new();
        for r in self.alerts.rules() {
            if r.metric.is_regression() {
                trend_windows.push(r.window_ms);
            }
        }
        self.alerts.evaluate(now_ms, |window_ms| {
            let with_trend = trend_windows.contains(&window_ms);
            let reads = registry.windows(now_ms, Some(window_ms), None);
            let mut metrics = Vec::with_capacity(reads.len());
            for r in reads {
                metrics.push(RouteMetrics {
                    trend: with_trend.then(|| Self::trend(registry, &r)).flatten(),
                    summary: r.summary(),
                    cache_hit_rate: hit_rate,
                });
            }
            metrics
        })
    }

    /// Adds an alert rule; an invalid or duplicate rule, or one whose window is shorter
    /// than one slot, is rejected alone.
    pub fn add_alert(&mut self, spec: RuleSpec) -> Result<(), FieldError> {
        let (name, window_ms) = (spec.name.clone(), spec.window_ms);
        self.alerts.add(spec)?;
        if let Err(e) = self.registry.check_window(window_ms) {
            self.alerts.remove(&name);
            return Err(e);
        }
        Ok(())
    }

    /// Removes the rule called `name`; false if there was none.
    pub fn remove_alert(&mut self, name: &str) -> bool {
        self.alerts.remove(name)
    }

    /// The installed alert rules.
    pub fn alert_rules(&self) -> &[crate::core::alerts::AlertRule] {
        self.alerts.rules()
    }

    /// The response cache's hit rate, for `cacheHitRate` alert rules.
    pub fn set_cache_hit_rate(&mut self, rate: Option<f64>) {
        self.cache_hit_rate = rate;
    }

    /// A batch to persist now, if one is due and none is in flight.
    pub fn poll_batch(&mut self, now_ms: f64) -> Option<Batch> {
        self.batcher.poll(now_ms)
    }

    /// Every buffered sample as batches, for `flush()`, `stop()` and page hide; the calls
    /// still waiting for their Resource Timing entry are filed first, timed to their headers.
    pub fn drain_batches(&mut self, now_ms: f64) -> Vec<Batch> {
        self.finish_waiting(now_ms);
        self.batcher.drain_all()
    }

    /// A batch was persisted; `cost_ms` feeds the adaptive batch size.
    pub fn batch_done(&mut self, id: BatchId, cost_ms: f64, now_ms: f64) -> FlushDecision {
        self.batcher.complete(id, cost_ms, now_ms)
    }

    /// A batch failed to persist; it is re-queued in order and retried with backoff.
    pub fn batch_failed(&mut self, id: BatchId, now_ms: f64) -> FlushDecision {
        self.batcher.fail(id, now_ms)
    }

    /// When the edge should wake up next to flush, if anything is waiting.
    pub fn next_deadline(&self) -> Option<f64> {
        self.batcher.next_deadline()
    }

    /// Batching counters.
    pub fn batch_stats(&self) -> BatcherStats {
        self.batcher.stats()
    }

    /// Samples filed under the overflow route because the route cap was reached.
    pub fn overflow_count(&self) -> u64 {
        self.registry.overflow_count()
    }

    /// Forgets live figures, slow calls and breakdowns (stored history is the edge's).
    pub fn clear(&mut self) {
        self.registry.clear();
        self.recent_calls.clear();
    }

    /// Every route's live windows as OTLP export points covering the last `window_ms`
    /// (whole slots: each point starts where its slots do), or the problem with `window_ms`.
    ///
    /// ```
    /// use apiscope::core::profiler::{ProfilerConfig, ProfilerCore};
    /// use apiscope::core::batch::sample::Sample;
    /// let mut p = ProfilerCore::new(ProfilerConfig::default(), 1, "https://a.example").unwrap();
    /// p.record(Sample::new(0.0, 12.0, "GET", "/a", 500), 20.0).unwrap();
    /// let points = p.export_points(30.0, 60_000.0).unwrap();
    /// assert_eq!((points[0].sketch.count(), points[0].errors), (1, 1));
    /// assert_eq!((points[0].start_ms, points[0].end_ms), (-60_000.0, 30.0));
    /// ```
    pub fn export_points(
        &self,
        now_ms: f64,
        window_ms: f64,
    ) -> Result<Vec<ExportPoint>, FieldError> {
        self.registry.check_window(window_ms)?;
        let reads = self.registry.windows(now_ms, Some(window_ms), None);
        let mut points = Vec::with_capacity(reads.len());
        for r in reads {
            points.push(ExportPoint {
                method: r.method.to_owned(),
                route: r.route.to_owned(),
                start_ms: r.window.from_ms,
                end_ms: r.window.to_ms,
                sketch: r.window.sketch,
                errors: r.window.errors,
            });
        }
        Ok(points)
    }
}
