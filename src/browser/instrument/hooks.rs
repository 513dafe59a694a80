//! [`Hooks`]: the installed fetch/XHR patches, owned from Rust.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use super::{HookError, HookOptions, Observed, Outcome, Transport};
use crate::browser::clock::PerformanceClock;
use crate::core::profiler::id_slots::IdSlots;
use js_sys::Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/browser/instrument/hooks.js")]
extern "C" {
    type Shim;

    #[wasm_bindgen(constructor)]
    fn new(
        sample_rate: f64,
        prefixes: Array,
        patterns: Array,
        report: &JsValue,
        register: &JsValue,
        call_sites: u32,
    ) -> Shim;

    /// Returns `[fetchHooked, xhrHooked]`.
    #[wasm_bindgen(method, catch)]
    fn install(this: &Shim, fetch: bool, xhr: bool) -> Result<Array, JsValue>;

    #[wasm_bindgen(method)]
    fn uninstall(this: &Shim);

    #[wasm_bindgen(method, getter)]
    fn errors(this: &Shim) -> f64;
}

/// The one Rust callback `hooks.js` calls per settled request, with numbers only: transport,
/// call site id, status, outcome, start and end (`performance.now()`). Returns false when the
/// site is unknown (its slot was reused), so that `hooks.js` registers it and calls again.
type Report = dyn FnMut(u8, u32, u16, u8, f64, f64) -> bool;

/// How `hooks.js` tells Rust about a new call site: id, method, URL.
type Register = dyn FnMut(u32, String, String);

/// A (method, URL) pair `hooks.js` has numbered: the strings every request to it shares, so
/// they cross from JS once per site instead of once per request. `hooks.js` owns the ids (it
/// counts up and starts its map over when full); a site whose slot a newer one took is
/// reported as unknown, and `hooks.js` registers it again.
#[derive(Debug, Clone)]
struct CallSite {
    method: Arc<str>,
    url: Arc<str>,
}

/// Installed fetch/XHR hooks. Dropping them (or [`Hooks::uninstall`]) restores the originals
/// exactly; if another library wrapped ours meanwhile, theirs stays and ours passes through.
#[must_use = "dropping Hooks uninstalls them"]
pub struct Hooks {
    shim: Shim,
    fetch: bool,
    xhr: bool,
    // Called by the shim until uninstall; the shim forgets them before they are dropped.
    _report: Closure<Report>,
    _register: Closure<Register>,
}

impl Hooks {
    /// Patches `fetch` and/or `XMLHttpRequest` in the current global scope (window or worker)
    /// and calls `on_observed` once per settled request that is sampled and not ignored.
    ///
    /// The app keeps seeing its own promises, responses, errors and events; a failure while
    /// observing is counted in [`Hooks::errors`], never thrown into the app.
    pub fn install(
        options: HookOptions,
        mut on_observed: impl FnMut(Observed) + 'static,
    ) -> Result<Hooks, HookError> {
        if !(options.sample_rate > 0.0 && options.sample_rate <= 1.0) {
            return Err(HookError::SampleRate(options.sample_rate));
        }
        let clock = PerformanceClock::from_global().ok_or(HookError::Unsupported("performance"))?;
        let sites = IdSlots::new(options.call_sites as usize);
        // At least one slot; never more than the u32 it was asked with.
        let capacity = sites.capacity() as u32;
        let sites = Rc::new(RefCell::new(sites));
        let register = {
            let sites = sites.clone();
            Closure::<Register>::new(move |id, method: String, url: String| {
                let site = CallSite {
                    method: method.into(),
                    url: url.into(),
                };
                sites.borrow_mut().insert(u64::from(id), site);
            })
        };
        let report = Closure::<Report>::new(
            move |transport, site, status, outcome, start_high_res, end_high_res| {
                let Some(site) = sites.borrow().get(u64::from(site)).cloned() else {
                    return false;
                };
                // hooks.js only sends known codes; anything else is dropped, not a panic.
                if let (Some(transport), Some(outcome)) =
                    (Transport::from_code(transport), Outcome::from_code(outcome))
                {
                    on_observed(Observed {
                        transport,
                        url: site.url,
                        method: site.method,
                        status,
                        outcome,
                        start_ms: clock.to_epoch_ms(start_high_res),
                        duration_ms: end_high_res - start_high_res,
                        start_high_res,
                    });
                }
                true
            },
        );
        let prefixes = options.ignore.prefixes.iter().map(JsValue::from).collect();
        let patterns = options.ignore.patterns.iter().collect();
        let shim = Shim::new(
            options.sample_rate,
            prefixes,
            patterns,
            report.as_ref(),
            register.as_ref(),
            capacity,
        );
        let hooked = shim
            .install(options.fetch, options.xhr)
            .map_err(HookError::from_js)?;
        Ok(Hooks {
            shim,
            fetch: hooked.get(0).is_truthy(),
            xhr: hooked.get(1).is_truthy(),
            _report: report,
            _register: register,
        })
    }

    /// Whether `transport` is hooked: asked for and present in this global scope.
    pub fn hooked(&self, transport: Transport) -> bool {
        match transport {
            Transport::Fetch => self.fetch,
            Transport::Xhr => self.xhr,
        }
    }

    /// How many failures inside the hooks were contained (unparsable URLs, a throwing
    /// callback): those requests went through untouched but were not observed.
    pub fn errors(&self) -> u64 {
        self.shim.errors() as u64
    }

    /// Restores the originals (same as dropping).
    pub fn uninstall(self) {
        drop(self);
    }
}

impl Drop for Hooks {
    fn drop(&mut self) {
        self.shim.uninstall();
    }
}
