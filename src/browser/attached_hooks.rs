//! Connects the fetch/XHR hooks and the Resource Timing observer to a running profiler.

use std::rc::Rc;

use super::instrument::resource_timing::{RawResourceEntry, ResourceTimingObserver};
use super::instrument::{HookError, HookOptions, Hooks, Observed, Outcome};
use super::runtime::Runtime;
use crate::core::profiler::ObservedCall;
use crate::core::profiler::timing::ResourceTiming;

/// The installed hooks; dropping this restores the page's `fetch` and `XMLHttpRequest`.
#[must_use = "dropping the hooks uninstalls them"]
pub struct AttachedHooks {
    _hooks: Option<Hooks>,
    _timing: Option<ResourceTimingObserver>,
}

impl AttachedHooks {
    /// Installs what `options` asks for, feeding `runtime` through weak references (the hooks
    /// never keep a stopped profiler alive).
    pub fn attach(
        runtime: &Rc<Runtime>,
        options: HookOptions,
        resource_timing: bool,
    ) -> Result<Self, HookError> {
        let wants_hooks = options.fetch || options.xhr;
        let weak = Rc::downgrade(runtime);
        let hooks = wants_hooks
            .then(|| {
                Hooks::install(options, move |observed| {
                    if let Some(runtime) = weak.upgrade() {
                        runtime.observe(call_of(observed));
                    }
                })
            })
            .transpose()?;
        let weak = Rc::downgrade(runtime);
        let timing = (resource_timing && wants_hooks)
            .then(|| {
                // Delivers fetch and XHR entries only: images and scripts never match a call.
                ResourceTimingObserver::observe(move |entry| {
                    if let Some(runtime) = weak.upgrade() {
                        let origin = runtime.clock().to_epoch_ms(0.0);
                        runtime.offer_timing(timing_of(entry, origin));
                    }
                })
            })
            .transpose()?;
        Ok(Self {
            _hooks: hooks,
            _timing: timing,
        })
    }
}

fn call_of(o: Observed) -> ObservedCall {
    ObservedCall {
        url: o.url,
        method: o.method,
        status: o.status,
        ok: o.outcome == Outcome::Ok,
        start_ms: o.start_ms,
        duration_ms: o.duration_ms,
    }
}

/// A raw entry with its start moved to epoch ms, the timebase of observed calls. The phase
/// marks stay relative to the page: the breakdown only takes differences of them.
fn timing_of(entry: RawResourceEntry, time_origin: f64) -> ResourceTiming {
    let mut timing = entry.timing;
    timing.start_time += time_origin;
    timing
}
