//! Raw Resource Timing entries as the browser reports them, for matching to observed calls.

use super::HookError;
use crate::core::timing::{ResourceTiming, ServerTiming};
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
    /// `fetch`, `xmlhttprequest`, `img`, `script`, ...
    pub initiator_type: String,
    /// The entry's numbers; `name` is the URL without query or fragment.
    pub timing: ResourceTiming,
}

impl RawResourceEntry {
    fn from_entry(entry: &PerformanceResourceTiming) -> Self {
        let server_timing = entry
            .server_timing()
            .iter()
            .filter_map(|metric| metric.dyn_into::<PerformanceServerTiming>().ok())
            .map(|metric| ServerTiming {
                name: metric.name(),
                duration: metric.duration(),
            })
            .collect();
        let timing = ResourceTiming {
            name: without_query(&entry.name()).to_owned(),
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
        };
        Self {
            initiator_type: entry.initiator_type(),
            timing,
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
