//! Raw Resource Timing entries as the browser reports them, for matching to observed calls.

use super::HookError;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{
    PerformanceObserver, PerformanceObserverEntryList, PerformanceResourceTiming,
    PerformanceServerTiming,
};

/// One `PerformanceResourceTiming` entry, numbers untouched: times are `performance.now()`
/// milliseconds, and zero where the browser withholds them (cross-origin without
/// `Timing-Allow-Origin`).
#[derive(Debug, Clone, PartialEq)]
pub struct RawResourceEntry {
    /// The resource URL without query or fragment.
    pub name: String,
    /// `fetch`, `xmlhttprequest`, `img`, `script`, ...
    pub initiator_type: String,
    /// `startTime`.
    pub start_time: f64,
    /// `redirectStart`.
    pub redirect_start: f64,
    /// `redirectEnd`.
    pub redirect_end: f64,
    /// `domainLookupStart`.
    pub domain_lookup_start: f64,
    /// `domainLookupEnd`.
    pub domain_lookup_end: f64,
    /// `connectStart`.
    pub connect_start: f64,
    /// `connectEnd`.
    pub connect_end: f64,
    /// `secureConnectionStart`.
    pub secure_connection_start: f64,
    /// `requestStart`.
    pub request_start: f64,
    /// `responseStart`.
    pub response_start: f64,
    /// `responseEnd`.
    pub response_end: f64,
    /// `transferSize`.
    pub transfer_size: f64,
    /// `encodedBodySize`.
    pub encoded_body_size: f64,
    /// `decodedBodySize`.
    pub decoded_body_size: f64,
    /// `Server-Timing` metrics as (name, duration ms).
    pub server_timing: Vec<(String, f64)>,
}

impl RawResourceEntry {
    fn from_entry(entry: &PerformanceResourceTiming) -> Self {
        let server_timing = entry
            .server_timing()
            .iter()
            .filter_map(|metric| metric.dyn_into::<PerformanceServerTiming>().ok())
            .map(|metric| (metric.name(), metric.duration()))
            .collect();
        Self {
            name: without_query(&entry.name()).to_owned(),
            initiator_type: entry.initiator_type(),
            start_time: entry.start_time(),
            redirect_start: entry.redirect_start(),
            redirect_end: entry.redirect_end(),
            domain_lookup_start: entry.domain_lookup_start(),
            domain_lookup_end: entry.domain_lookup_end(),
            connect_start: entry.connect_start(),
            connect_end: entry.connect_end(),
            secure_connection_start: entry.secure_connection_start(),
            request_start: entry.request_start(),
            response_start: entry.response_start(),
            response_end: entry.response_end(),
            transfer_size: entry.transfer_size(),
            encoded_body_size: entry.encoded_body_size(),
            decoded_body_size: entry.decoded_body_size(),
            server_timing,
        }
    }
}

/// Entry names are already absolute and normalised, so the query starts at the first `?`.
fn without_query(url: &str) -> &str {
    url.find(['?', '#']).map_or(url, |end| &url[..end])
}

type OnEntries = dyn FnMut(PerformanceObserverEntryList, PerformanceObserver);

/// A `PerformanceObserver` for new `resource` entries; disconnects when dropped. It never calls
/// `performance.clearResourceTimings()`, which other tools on the page may rely on.
#[must_use = "dropping the observer disconnects it"]
pub struct ResourceTimingObserver {
    observer: PerformanceObserver,
    _callback: Closure<OnEntries>,
}

impl ResourceTimingObserver {
    /// Calls `on_entry` for each resource entry recorded from now on (not the buffered past).
    pub fn observe(
        mut on_entry: impl FnMut(RawResourceEntry) + 'static,
    ) -> Result<Self, HookError> {
        let callback = Closure::<OnEntries>::new(move |list: PerformanceObserverEntryList, _| {
            for entry in list.get_entries() {
                if let Ok(entry) = entry.dyn_into::<PerformanceResourceTiming>() {
                    on_entry(RawResourceEntry::from_entry(&entry));
                }
            }
        });
        let observer = PerformanceObserver::new(callback.as_ref().unchecked_ref())
            .map_err(HookError::from_js)?;
        // web-sys's PerformanceObserverInit lacks `type`, which `buffered` needs.
        let init = Object::new();
        Reflect::set(&init, &"type".into(), &"resource".into()).map_err(HookError::from_js)?;
        Reflect::set(&init, &"buffered".into(), &false.into()).map_err(HookError::from_js)?;
        observer.observe(init.unchecked_ref());
        Ok(Self {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for ResourceTimingObserver {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
