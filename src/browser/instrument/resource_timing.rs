//! Raw Resource Timing entries of fetch and XHR calls as the browser reports them, for
//! matching to observed calls. `resource_timing.js` observes and packs them; this side
//! unpacks each callback's batch in one go.

use super::HookError;
use crate::core::profiler::timing::{ResourceTiming, ServerTiming};
use js_sys::Float64Array;
use wasm_bindgen::prelude::*;
use web_sys::PerformanceObserver;

#[wasm_bindgen(module = "/src/browser/instrument/resource_timing.js")]
extern "C" {
    #[wasm_bindgen(js_name = observeResources, catch)]
    fn observe_resources(deliver: &JsValue) -> Result<PerformanceObserver, JsValue>;
}

/// The initiator types delivered, by the code `resource_timing.js` sends.
const INITIATORS: [&str; 2] = ["fetch", "xmlhttprequest"];
/// Numbers per entry before its Server-Timing durations: initiator, 14 timing fields, count.
const FIXED_NUMBERS: usize = 16;

/// One `PerformanceResourceTiming` entry of a fetch or XHR call, numbers untouched: times are
/// `performance.now()` milliseconds, and zero where the browser withholds them (cross-origin
/// without `Timing-Allow-Origin`).
#[derive(Debug, Clone, PartialEq)]
pub struct RawResourceEntry {
    /// `fetch` or `xmlhttprequest`: other initiators are never API calls and never delivered.
    pub initiator_type: &'static str,
    /// The entry's numbers; `name` is the URL without query or fragment.
    pub timing: ResourceTiming,
}

/// Unpacks one batch from `resource_timing.js`; a malformed batch yields what decoded before
/// the problem (it would be a bug on the JS side, never a panic here).
fn unpack(numbers: &[f64], strings: &str) -> Vec<RawResourceEntry> {
    let mut strings = strings.split('\n');
    let mut entries = Vec::new();
    let mut rest = numbers;
    while rest.len() >= FIXED_NUMBERS {
        let (fixed, tail) = rest.split_at(FIXED_NUMBERS);
        let server_count = fixed[15] as usize;
        let (Some(initiator), Some(name)) = (INITIATORS.get(fixed[0] as usize), strings.next())
        else {
            break;
        };
        if tail.len() < server_count {
            break;
        }
        let (durations, tail) = tail.split_at(server_count);
        let server_timing = durations
            .iter()
            .zip(strings.by_ref())
            .map(|(&duration, name)| ServerTiming {
                name: name.to_owned(),
                duration,
            })
            .collect();
        let timing = ResourceTiming {
            name: without_query(name).to_owned(),
            start_time: fixed[1],
            redirect_start: fixed[2],
            redirect_end: fixed[3],
            domain_lookup_start: fixed[4],
            domain_lookup_end: fixed[5],
            connect_start: fixed[6],
            connect_end: fixed[7],
            secure_connection_start: fixed[8],
            request_start: fixed[9],
            response_start: fixed[10],
            response_end: fixed[11],
            transfer_size: fixed[12],
            encoded_body_size: fixed[13],
            decoded_body_size: fixed[14],
            server_timing,
        };
        entries.push(RawResourceEntry {
            initiator_type: initiator,
            timing,
        });
        rest = tail;
    }
    entries
}

/// Entry names are already absolute and normalised, so the query starts at the first `?`.
fn without_query(url: &str) -> &str {
    url.find(['?', '#']).map_or(url, |end| &url[..end])
}

type OnEntries = dyn FnMut(Float64Array, String);

/// A `PerformanceObserver` for new fetch and XHR `resource` entries; disconnects when dropped.
/// It never calls `performance.clearResourceTimings()`, which other tools on the page may rely
/// on.
#[must_use = "dropping the observer disconnects it"]
pub struct ResourceTimingObserver {
    observer: PerformanceObserver,
    _callback: Closure<OnEntries>,
}

impl ResourceTimingObserver {
    /// Calls `on_entry` for each fetch or XHR resource entry recorded from now on (not the
    /// buffered past).
    pub fn observe(
        mut on_entry: impl FnMut(RawResourceEntry) + 'static,
    ) -> Result<Self, HookError> {
        let callback = Closure::<OnEntries>::new(move |numbers: Float64Array, strings: String| {
            unpack(&numbers.to_vec(), &strings)
                .into_iter()
                .for_each(&mut on_entry);
        });
        let observer = observe_resources(callback.as_ref()).map_err(HookError::from_js)?;
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
